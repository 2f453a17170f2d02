// How a quota resource's base-unit amount reads on a chart axis: bytes as Mi/Gi/Ti, cores
// as cores or millicores, everything else as a count. For trends only; the exact figures
// on the page come from the quantity module.

const BYTES = /(^|\.)(memory|storage|ephemeral-storage)$|^requests\.storage$/;
const CPU = /(^|\.)cpu$/;

export function unitOf(resource: string): 'bytes' | 'cores' | 'count' {
  if (BYTES.test(resource) || resource.endsWith('.storage')) return 'bytes';
  if (CPU.test(resource)) return 'cores';
  return 'count';
}

export function formatAmount(resource: string, v: number): string {
  const unit = unitOf(resource);
  if (unit === 'bytes') {
    for (const [suffix, size] of [['Ti', 2 ** 40], ['Gi', 2 ** 30], ['Mi', 2 ** 20], ['Ki', 2 ** 10]] as const) {
      if (Math.abs(v) >= size) return `${+(v / size).toFixed(1)}${suffix}`;
    }
    return `${Math.round(v)}`;
  }
  if (unit === 'cores') return Math.abs(v) < 1 && v !== 0 ? `${Math.round(v * 1000)}m` : `${+v.toFixed(2)}`;
  return `${+v.toFixed(1)}`;
}
