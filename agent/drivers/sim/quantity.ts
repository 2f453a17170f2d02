// Just enough of Kubernetes quantities for the sim to add up requests and limits into quota
// usage and to print them back the way the API server does. Not the exact parser issue 9
// asks for: values are read into millicores and bytes as plain numbers.

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };
const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)|[eE]([+-]?\d+))?$/;

/** The value of a quantity in base units (cores, bytes, counts); null when it is not one. */
export function parseQuantity(text: string): number | null {
  const m = QUANTITY.exec(text.trim());
  if (!m) return null;
  const n = Number(m[1]);
  if (m[3] !== undefined) return n * 10 ** Number(m[3]);
  const suffix = m[2] ?? '';
  return n * (BINARY[suffix] ?? DECIMAL[suffix] ?? 1);
}

export function toMillicores(text: string): number | null {
  const v = parseQuantity(text);
  return v === null ? null : Math.round(v * 1000);
}

export function toBytes(text: string): number | null {
  const v = parseQuantity(text);
  return v === null ? null : Math.round(v);
}

export function formatCpu(millicores: number): string {
  const m = Math.round(millicores);
  return m % 1000 === 0 ? String(m / 1000) : `${m}m`;
}

export function formatMemory(bytes: number): string {
  const b = Math.round(bytes);
  if (b === 0) return '0';
  for (const suffix of ['Ti', 'Gi', 'Mi', 'Ki'] as const) {
    const unit = BINARY[suffix]!;
    if (b % unit === 0) return `${b / unit}${suffix}`;
  }
  return String(b);
}

export const MiB = 2 ** 20;
export const GiB = 2 ** 30;
