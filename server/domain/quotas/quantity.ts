// Kubernetes resource quantities ("250m", "1.5Gi", "2e3", "0.1"), read and compared exactly
// as the API server does. Kubernetes keeps every quantity to nano precision (it rounds a
// finer value up, away from zero, when it parses it), so a quantity here is a whole number
// of nano-units in a bigint: sums, comparisons and ratios are exact, and "used 999.9999 of
// 1000" is never 100 %.

/** How Kubernetes prints a quantity back: the family of suffix it was written with. */
export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

export interface Quantity {
  /** The value in nano-units (1 = 1n, 10^9 = one core, one byte, one pod). */
  readonly nanos: bigint;
  readonly format: QuantityFormat;
}

export type ParseResult = { ok: true; quantity: Quantity } | { ok: false; error: string };

const NANOS_PER_UNIT = 1_000_000_000n;

const DECIMAL_SUFFIX_EXPONENT: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIX_POWER: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL_SUFFIX_BY_EXPONENT = new Map(Object.entries(DECIMAL_SUFFIX_EXPONENT).map(([s, e]) => [e, s]));
const BINARY_SUFFIX_BY_STEP = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

// The grammar of the Kubernetes docs: <sign>? (<digits> | <digits>.<digits>? | .<digits>) <suffix>?,
// where a decimal exponent is e/E with an optional sign and whole digits. The Go parser also
// reads degenerate strings such as ".", "-" or "Ki" as zero; the API server never writes
// those back (it canonicalises to "0"), and here they are errors, which is what a person
// who typed one would want to hear.
const GRAMMAR = /^([+-]?)(?:(\d+)(?:\.(\d*))?|\.(\d+))(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;

// Kubernetes accepts any exponent; beyond this, the numbers are not resource amounts and only
// cost memory to hold exactly.
const MAX_EXPONENT = 1000;
// BinarySI quantities are capped at the largest int64, as the Go parser does.
const BINARY_MAX_NANOS = (2n ** 63n - 1n) * NANOS_PER_UNIT;

/** Reads a quantity; a string that is not one yields an error message, never an exception. */
export function parseQuantity(input: unknown): ParseResult {
  // JSON may carry a plain number where a manifest wrote `pods: 10`.
  const text = typeof input === 'number' && Number.isSafeInteger(input) ? String(input) : input;
  if (typeof text !== 'string') return { ok: false, error: 'a quantity must be a string such as "500m" or "2Gi"' };
  if (text === '') return { ok: false, error: 'a quantity cannot be empty' };
  if (text.length > 200) return { ok: false, error: 'a quantity longer than 200 characters is not one' };
  const m = GRAMMAR.exec(text);
  if (!m) return { ok: false, error: `"${text}" is not a Kubernetes quantity (expected a number with an optional suffix: n u m k M G T P E, Ki Mi Gi Ti Pi Ei, or e<exponent>)` };
  const negative = m[1] === '-';
  const whole = m[2] ?? '0';
  const fraction = m[3] ?? m[4] ?? '';
  const suffix = m[5] ?? '';

  // The digits as an integer mantissa, and the power of ten that scales them to units.
  let mantissa = BigInt(whole + fraction);
  let exponent = -fraction.length;
  let format: QuantityFormat = 'DecimalSI';
  let binaryPower = 0;
  if (suffix in BINARY_SUFFIX_POWER) {
    format = 'BinarySI';
    binaryPower = BINARY_SUFFIX_POWER[suffix]!;
  } else if (suffix in DECIMAL_SUFFIX_EXPONENT) {
    exponent += DECIMAL_SUFFIX_EXPONENT[suffix]!;
  } else {
    const e = Number(suffix.slice(1));
    if (!Number.isSafeInteger(e) || Math.abs(e) > MAX_EXPONENT) return { ok: false, error: `the exponent of "${text}" is out of range (at most ±${MAX_EXPONENT})` };
    format = 'DecimalExponent';
    exponent += e;
  }
  mantissa <<= BigInt(binaryPower);

  // To nano-units, rounding a finer remainder up (away from zero), as Kubernetes does: asking
  // for a sliver of a resource still asks for some.
  const shift = exponent + 9;
  let nanos: bigint;
  if (shift >= 0) {
    nanos = mantissa * 10n ** BigInt(shift);
  } else {
    const divisor = 10n ** BigInt(-shift);
    nanos = mantissa / divisor + (mantissa % divisor === 0n ? 0n : 1n);
  }
  if (format === 'BinarySI' && nanos > BINARY_MAX_NANOS) nanos = BINARY_MAX_NANOS;
  return { ok: true, quantity: { nanos: negative ? -nanos : nanos, format } };
}

export function compareQuantities(a: Quantity, b: Quantity): -1 | 0 | 1 {
  return a.nanos < b.nanos ? -1 : a.nanos > b.nanos ? 1 : 0;
}

/** The sum keeps the left operand's format, as Kubernetes' Quantity.Add does. */
export function addQuantities(a: Quantity, b: Quantity): Quantity {
  return { nanos: a.nanos + b.nanos, format: a.format };
}

export function zeroQuantity(format: QuantityFormat = 'DecimalSI'): Quantity {
  return { nanos: 0n, format };
}

/**
 * The canonical form the API server writes (and kubectl shows): no fractional digits, the
 * largest suffix that loses nothing, "1.5" as "1500m" and "1.5Gi" as "1536Mi". A binary
 * quantity below 1Ki or with a fraction is written in decimal, as Kubernetes does.
 */
export function formatQuantity(q: Quantity): string {
  const sign = q.nanos < 0n ? '-' : '';
  const abs = q.nanos < 0n ? -q.nanos : q.nanos;
  if (abs === 0n) return '0';
  if (q.format === 'BinarySI' && abs >= 1024n * NANOS_PER_UNIT && abs % NANOS_PER_UNIT === 0n) {
    let value = abs / NANOS_PER_UNIT;
    let step = 0;
    while (step < BINARY_SUFFIX_BY_STEP.length - 1 && value % 1024n === 0n) {
      value /= 1024n;
      step++;
    }
    return `${sign}${value}${BINARY_SUFFIX_BY_STEP[step]}`;
  }
  let value = abs;
  let exponent = -9;
  while (value % 1000n === 0n) {
    value /= 1000n;
    exponent += 3;
  }
  if (q.format === 'DecimalExponent') return `${sign}${value}${exponent === 0 ? '' : `e${exponent}`}`;
  // Beyond E (10^18) there is no decimal suffix: the extra powers go back into the digits.
  if (exponent > 18) {
    value *= 10n ** BigInt(exponent - 18);
    exponent = 18;
  }
  return `${sign}${value}${DECIMAL_SUFFIX_BY_EXPONENT.get(exponent)}`;
}

/** An exact fraction with a positive denominator, in lowest terms. */
export interface Ratio {
  readonly numerator: bigint;
  readonly denominator: bigint;
}

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

/** used / hard exactly; null when hard is zero or negative (no allowance to be a share of). */
export function usageRatio(used: Quantity, hard: Quantity): Ratio | null {
  if (hard.nanos <= 0n) return null;
  const d = gcd(used.nanos, hard.nanos) || 1n;
  return { numerator: used.nanos / d, denominator: hard.nanos / d };
}

export function compareRatios(a: Ratio, b: Ratio): -1 | 0 | 1 {
  const left = a.numerator * b.denominator;
  const right = b.numerator * a.denominator;
  return left < right ? -1 : left > right ? 1 : 0;
}

/** Whether the ratio is at least numerator/denominator (a threshold such as 4/5). */
export function ratioAtLeast(r: Ratio, numerator: bigint, denominator: bigint): boolean {
  return r.numerator * denominator >= numerator * r.denominator;
}

// Beyond a billion-fold overuse the exact figure says nothing more, and stays a safe integer.
const PERMILLE_LIMIT = 10n ** 12n;

/**
 * The ratio as per-mille, rounded down: 999.9999 of 1000 is 999 ‰, so nothing short of
 * full ever reads as 100 %. Clamped to ±10^12 ‰.
 */
export function ratioPermille(r: Ratio): number {
  const scaled = r.numerator * 1000n;
  // BigInt division truncates toward zero; round toward minus infinity for negative usage.
  const floor = scaled / r.denominator - (scaled % r.denominator !== 0n && scaled < 0n ? 1n : 0n);
  return Number(floor > PERMILLE_LIMIT ? PERMILLE_LIMIT : floor < -PERMILLE_LIMIT ? -PERMILLE_LIMIT : floor);
}

/** "99.9 %": one decimal, rounded down (see ratioPermille). */
export function formatPercent(r: Ratio): string {
  const permille = ratioPermille(r);
  const sign = permille < 0 ? '-' : '';
  const abs = Math.abs(permille);
  return `${sign}${Math.floor(abs / 10)}.${abs % 10} %`;
}

/**
 * Sums resource maps (each container's requests, say) name by name, exactly; each sum keeps
 * the format of the first quantity seen for that name, as Quantity.Add does. A value that
 * is not a quantity makes that name's total the first such value, unchanged, so a typo
 * shows up as written instead of vanishing into a sum.
 */
export function sumResourceMaps(maps: ReadonlyArray<Readonly<Record<string, unknown>>>): Record<string, string> {
  const totals = new Map<string, Quantity | { invalid: string }>();
  for (const m of maps) {
    for (const [name, value] of Object.entries(m)) {
      const t = totals.get(name);
      if (t && 'invalid' in t) continue;
      const parsed = parseQuantity(value);
      if (!parsed.ok) totals.set(name, { invalid: String(value) });
      else totals.set(name, t ? addQuantities(t, parsed.quantity) : parsed.quantity);
    }
  }
  const out: Record<string, string> = {};
  for (const name of [...totals.keys()].sort()) {
    const t = totals.get(name)!;
    out[name] = 'invalid' in t ? t.invalid : formatQuantity(t);
  }
  return out;
}
