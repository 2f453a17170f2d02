// Kubernetes resource quantities ("250m", "128Mi", "1.5", "2e3"), summed exactly.
const DECIMAL: Record<string, bigint> = {
  n: 1n,
  u: 1_000n,
  m: 1_000_000n,
  '': 1_000_000_000n,
  k: 1_000_000_000_000n,
  M: 10n ** 15n,
  G: 10n ** 18n,
  T: 10n ** 21n,
  P: 10n ** 24n,
  E: 10n ** 27n,
};
const BINARY: Record<string, bigint> = {
  Ki: 1024n * 10n ** 9n,
  Mi: 1024n ** 2n * 10n ** 9n,
  Gi: 1024n ** 3n * 10n ** 9n,
  Ti: 1024n ** 4n * 10n ** 9n,
  Pi: 1024n ** 5n * 10n ** 9n,
  Ei: 1024n ** 6n * 10n ** 9n,
};

/** The quantity in nano-units, or null when it is not a quantity. Sub-nano precision is rounded up, as Kubernetes does. */
export function parseQuantity(q: string): { nanos: bigint; binary: boolean } | null {
  const m = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$/.exec(q.trim());
  if (!m) return null;
  const [, sign, num = '0', exp, suffix = ''] = m;
  const [intPart = '0', fracPart = ''] = num.split('.');
  const digits = BigInt((intPart || '0') + fracPart);
  let scale = -fracPart.length; // digits * 10^scale
  let factor: bigint;
  let binary = false;
  if (exp) {
    scale += Number(exp.slice(1));
    factor = DECIMAL['']!;
  } else if (suffix in BINARY) {
    factor = BINARY[suffix]!;
    binary = true;
  } else {
    factor = DECIMAL[suffix]!;
  }
  let value = digits * factor;
  if (scale >= 0) value *= 10n ** BigInt(scale);
  else {
    const div = 10n ** BigInt(-scale);
    value = (value + div - 1n) / div;
  }
  if (sign === '-') value = -value;
  return { nanos: value, binary };
}

export function formatQuantity(nanos: bigint, preferBinary: boolean): string {
  if (nanos === 0n) return '0';
  const neg = nanos < 0n;
  const abs = neg ? -nanos : nanos;
  const s = neg ? '-' : '';
  if (preferBinary) {
    for (const suffix of ['Ei', 'Pi', 'Ti', 'Gi', 'Mi', 'Ki']) {
      const f = BINARY[suffix]!;
      if (abs % f === 0n) return `${s}${abs / f}${suffix}`;
    }
  }
  for (const suffix of ['E', 'P', 'T', 'G', 'M', 'k', '', 'm', 'u', 'n']) {
    const f = DECIMAL[suffix]!;
    if (abs % f === 0n) return `${s}${abs / f}${suffix}`;
  }
  return `${s}${abs}n`;
}

/** Sums resource maps (e.g. each container's requests). A value that is not a quantity is kept as the first one seen. */
export function sumQuantities(maps: Array<Record<string, string>>): Record<string, string> {
  const totals = new Map<string, { nanos: bigint; binary: boolean; bad?: string }>();
  for (const m of maps) {
    for (const [name, q] of Object.entries(m)) {
      const parsed = parseQuantity(String(q));
      const t = totals.get(name);
      if (!parsed) {
        if (!t) totals.set(name, { nanos: 0n, binary: false, bad: String(q) });
        continue;
      }
      if (!t) totals.set(name, { ...parsed });
      else if (!t.bad) {
        t.nanos += parsed.nanos;
        t.binary = t.binary || parsed.binary;
      }
    }
  }
  const out: Record<string, string> = {};
  for (const [name, t] of [...totals.entries()].sort(([a], [b]) => a.localeCompare(b))) out[name] = t.bad ?? formatQuantity(t.nanos, t.binary);
  return out;
}
