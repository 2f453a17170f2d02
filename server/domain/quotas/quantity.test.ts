// Quantities as the Kubernetes docs and the API server read and write them, and the exact
// arithmetic the quota dashboards rely on.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addQuantities,
  compareQuantities,
  compareRatios,
  formatPercent,
  formatQuantity,
  parseQuantity,
  type Quantity,
  type QuantityFormat,
  ratioAtLeast,
  ratioPermille,
  sumResourceMaps,
  usageRatio,
} from './quantity';

function q(text: string): Quantity {
  const r = parseQuantity(text);
  if (!r.ok) throw new Error(`${text}: ${r.error}`);
  return r.quantity;
}

const NANO = 1_000_000_000n;

describe('parseQuantity', () => {
  // [input, value in nano-units, format, canonical form the API server writes back]
  const table: [string, bigint, QuantityFormat, string][] = [
    // The Kubernetes docs' memory example: roughly the same value in five spellings.
    ['128974848', 128974848n * NANO, 'DecimalSI', '128974848'],
    ['129e6', 129_000_000n * NANO, 'DecimalExponent', '129e6'],
    ['129M', 129_000_000n * NANO, 'DecimalSI', '129M'],
    ['128974848000m', 128974848n * NANO, 'DecimalSI', '128974848'],
    ['123Mi', 123n * 2n ** 20n * NANO, 'BinarySI', '123Mi'],
    // The docs' CPU examples and canonical forms.
    ['0.1', 100_000_000n, 'DecimalSI', '100m'],
    ['100m', 100_000_000n, 'DecimalSI', '100m'],
    ['0.5', 500_000_000n, 'DecimalSI', '500m'],
    ['1.5', 1_500_000_000n, 'DecimalSI', '1500m'],
    ['1.5Gi', 1536n * 2n ** 20n * NANO, 'BinarySI', '1536Mi'],
    ['250m', 250_000_000n, 'DecimalSI', '250m'],
    ['1000m', NANO, 'DecimalSI', '1'],
    ['1000', 1000n * NANO, 'DecimalSI', '1k'],
    ['1500', 1500n * NANO, 'DecimalSI', '1500'],
    ['2000000', 2_000_000n * NANO, 'DecimalSI', '2M'],
    ['1k', 1000n * NANO, 'DecimalSI', '1k'],
    ['2e3', 2000n * NANO, 'DecimalExponent', '2e3'],
    ['1E6', 1_000_000n * NANO, 'DecimalExponent', '1e6'],
    ['1E+3', 1000n * NANO, 'DecimalExponent', '1e3'],
    ['12e-3', 12_000_000n, 'DecimalExponent', '12e-3'],
    ['1E', 10n ** 18n * NANO, 'DecimalSI', '1E'],
    ['1Ki', 1024n * NANO, 'BinarySI', '1Ki'],
    ['1024Mi', 2n ** 30n * NANO, 'BinarySI', '1Gi'],
    ['1Ei', 2n ** 60n * NANO, 'BinarySI', '1Ei'],
    ['1024Ei', 2n ** 63n * NANO - NANO, 'BinarySI', '9223372036854775807'], // capped at int64, like the Go parser
    ['0.5Ki', 512n * NANO, 'BinarySI', '512'], // below 1Ki a binary quantity is written in decimal
    ['1.1Ki', 1_126_400_000_000n, 'BinarySI', '1126400m'], // a fraction of a byte: decimal, nothing lost
    ['1n', 1n, 'DecimalSI', '1n'],
    ['1u', 1000n, 'DecimalSI', '1u'],
    ['0.1n', 1n, 'DecimalSI', '1n'], // finer than nano rounds up…
    ['-0.1n', -1n, 'DecimalSI', '-1n'], // …away from zero
    ['1e-12', 1n, 'DecimalExponent', '1e-9'],
    ['-1.5', -1_500_000_000n, 'DecimalSI', '-1500m'],
    ['+2', 2n * NANO, 'DecimalSI', '2'],
    ['0', 0n, 'DecimalSI', '0'],
    ['-0', 0n, 'DecimalSI', '0'],
    ['0Gi', 0n, 'BinarySI', '0'],
    ['007', 7n * NANO, 'DecimalSI', '7'],
    ['1.', NANO, 'DecimalSI', '1'],
    ['.5', 500_000_000n, 'DecimalSI', '500m'],
    ['5.e3', 5000n * NANO, 'DecimalExponent', '5e3'],
    ['999.9999', 999_999_900_000n, 'DecimalSI', '999999900u'],
    ['1e21', 10n ** 21n * NANO, 'DecimalExponent', '1e21'],
    ['1000E', 10n ** 21n * NANO, 'DecimalSI', '1000E'],
  ];
  it.each(table)('%s is %s nano-units (%s) and is written back as %s', (text, nanos, format, canonical) => {
    const parsed = q(text);
    expect(parsed).toEqual({ nanos, format });
    expect(formatQuantity(parsed)).toBe(canonical);
  });

  it('reads a whole JSON number as a quantity', () => {
    expect(q(10 as unknown as string)).toEqual({ nanos: 10n * NANO, format: 'DecimalSI' });
  });

  // Strings the API server refuses, and a few it would read as zero that no one means.
  it.each(['', ' 1', '1 ', '1K', '1ki', '1KI', '1.1.M', '1+1.0M', '0.1mi', '0.1am', 'aoeu', '.5i', '1i', '-3.01i', '-3.01e-', '1e1.5', '1e', '1Ki3', '.', '-', 'Ki', 'm', '1,5', '1_000', 'Infinity', 'NaN', '0x10', '1e100000'])(
    '%j is refused with a message',
    (text) => {
      const r = parseQuantity(text);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.length).toBeGreaterThan(10);
    },
  );

  it.each([null, undefined, {}, 1.5, Number.NaN, true])('a non-string %j is refused, not thrown', (value) => {
    expect(parseQuantity(value).ok).toBe(false);
  });

  it('never throws, whatever the input', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[+-]?[0-9.]{0,6}[eEKMGTPinumk+-]{0,3}[0-9]{0,3}$/)), (s) => {
        const r = parseQuantity(s);
        expect(typeof r.ok).toBe('boolean');
      }),
    );
  });
});

const SUFFIXES: [string, bigint][] = [
  ['n', 1n], ['u', 1000n], ['m', 1_000_000n], ['', NANO], ['k', 1000n * NANO], ['M', 10n ** 6n * NANO], ['G', 10n ** 9n * NANO],
  ['T', 10n ** 12n * NANO], ['P', 10n ** 15n * NANO], ['E', 10n ** 18n * NANO], ['Ki', 2n ** 10n * NANO], ['Mi', 2n ** 20n * NANO],
  ['Gi', 2n ** 30n * NANO], ['Ti', 2n ** 40n * NANO],
];

const quantityArb = fc
  .record({ nanos: fc.bigInt({ min: -(2n ** 62n), max: 2n ** 62n }).map((n) => n * 1000n), format: fc.constantFrom<QuantityFormat>('DecimalSI', 'BinarySI', 'DecimalExponent') })
  .map((x): Quantity => x);

describe('quantity properties', () => {
  it('a whole number with any suffix is that number times the suffix, exactly', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 12n }), fc.constantFrom(...SUFFIXES), (n, [suffix, multiplier]) => {
        // Binary quantities stop at the largest int64, as in Kubernetes.
        const cap = suffix.endsWith('i') ? (2n ** 63n - 1n) * NANO : n * multiplier;
        expect(q(`${n}${suffix}`).nanos).toBe(n * multiplier < cap ? n * multiplier : cap);
      }),
    );
  });

  it('a decimal fraction equals its digits with a negative exponent', () => {
    fc.assert(
      fc.property(fc.nat(), fc.stringMatching(/^[0-9]{1,12}$/), fc.boolean(), (whole, fraction, negative) => {
        const sign = negative ? '-' : '';
        expect(q(`${sign}${whole}.${fraction}`).nanos).toBe(q(`${sign}${whole}${fraction}e-${fraction.length}`).nanos);
      }),
    );
  });

  it('writing a quantity back and reading it again gives the same value', () => {
    fc.assert(
      fc.property(quantityArb, (x) => {
        expect(q(formatQuantity(x)).nanos).toBe(x.nanos);
      }),
    );
  });

  it('the canonical form has no fractional digits and is a fixed point', () => {
    fc.assert(
      fc.property(quantityArb, (x) => {
        const once = formatQuantity(x);
        expect(once).not.toContain('.');
        expect(formatQuantity(q(once))).toBe(once);
      }),
    );
  });

  it('addition is exact, commutative and associative, and order agrees with it', () => {
    fc.assert(
      fc.property(quantityArb, quantityArb, quantityArb, (a, b, c) => {
        expect(addQuantities(a, b).nanos).toBe(addQuantities(b, a).nanos);
        expect(addQuantities(addQuantities(a, b), c).nanos).toBe(addQuantities(a, addQuantities(b, c)).nanos);
        expect(compareQuantities(a, b)).toBe(-compareQuantities(b, a) || 0);
        if (b.nanos > 0n) expect(compareQuantities(addQuantities(a, b), a)).toBe(1);
      }),
    );
  });

  it('the same amount in different units compares equal', () => {
    expect(compareQuantities(q('1Gi'), q('1024Mi'))).toBe(0);
    expect(compareQuantities(q('1'), q('1000m'))).toBe(0);
    expect(compareQuantities(q('1e3'), q('1k'))).toBe(0);
    expect(compareQuantities(q('1G'), q('1Gi'))).toBe(-1);
    expect(compareQuantities(q('0.1'), q('100m'))).toBe(0);
    expect(compareQuantities(q('999.9999'), q('1000'))).toBe(-1);
  });

  it('0.1 + 0.2 is 0.3 (no floating point)', () => {
    expect(compareQuantities(addQuantities(q('0.1'), q('0.2')), q('0.3'))).toBe(0);
    expect(formatQuantity(addQuantities(q('0.1'), q('0.2')))).toBe('300m');
  });
});

describe('usage ratio and percentage', () => {
  it('used 999.9999 of 1000 is below full and never shows 100 %', () => {
    const r = usageRatio(q('999.9999'), q('1000'))!;
    expect(compareRatios(r, { numerator: 1n, denominator: 1n })).toBe(-1);
    expect(ratioPermille(r)).toBe(999);
    expect(formatPercent(r)).toBe('99.9 %');
    expect(formatPercent(usageRatio(q('1000'), q('1k'))!)).toBe('100.0 %');
  });

  it('is exact across units and in lowest terms', () => {
    expect(usageRatio(q('512Mi'), q('1Gi'))).toEqual({ numerator: 1n, denominator: 2n });
    expect(usageRatio(q('3500m'), q('4'))).toEqual({ numerator: 7n, denominator: 8n });
    expect(formatPercent(usageRatio(q('3500m'), q('4'))!)).toBe('87.5 %');
    expect(formatPercent(usageRatio(q('6'), q('4'))!)).toBe('150.0 %');
    expect(formatPercent(usageRatio(q('0'), q('4'))!)).toBe('0.0 %');
    expect(ratioPermille(usageRatio(q('1E'), q('1n'))!)).toBe(10 ** 12);
  });

  it('has no ratio when the hard limit is zero', () => {
    expect(usageRatio(q('0'), q('0'))).toBeNull();
    expect(usageRatio(q('1'), q('0'))).toBeNull();
  });

  it('thresholds are exact at their edge', () => {
    expect(ratioAtLeast(usageRatio(q('8'), q('10'))!, 4n, 5n)).toBe(true);
    expect(ratioAtLeast(usageRatio(q('7999999999n'), q('10'))!, 4n, 5n)).toBe(false);
    expect(ratioAtLeast(usageRatio(q('95'), q('100'))!, 19n, 20n)).toBe(true);
    expect(ratioAtLeast(usageRatio(q('94.999999999'), q('100'))!, 19n, 20n)).toBe(false);
  });

  it('the percentage is rounded down, so 100.0 % means at least full', () => {
    fc.assert(
      // Used up to a thousand times hard, where per-mille is exact (it is clamped far beyond).
      fc.property(fc.bigInt({ min: 1n, max: 10n ** 20n }), fc.bigInt({ min: 0n, max: 10n ** 6n }), (hard, spread) => {
        const used = (hard * spread) / 1000n + (spread % 7n);
        const r = usageRatio({ nanos: used, format: 'DecimalSI' }, { nanos: hard, format: 'DecimalSI' })!;
        const permille = BigInt(ratioPermille(r));
        expect(permille * hard <= used * 1000n).toBe(true);
        expect((permille + 1n) * hard > used * 1000n).toBe(true);
        expect(formatPercent(r) === '100.0 %').toBe(used * 1000n >= hard * 1000n && used * 1000n < hard * 1001n);
        expect(ratioAtLeast(r, 1n, 1n)).toBe(used >= hard);
      }),
    );
  });

  it('ratios order as their cross products do', () => {
    const pos = fc.bigInt({ min: 1n, max: 10n ** 15n });
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 15n }), pos, fc.bigInt({ min: 0n, max: 10n ** 15n }), pos, (a, b, c, d) => {
        const x = usageRatio({ nanos: a, format: 'DecimalSI' }, { nanos: b, format: 'DecimalSI' })!;
        const y = usageRatio({ nanos: c, format: 'DecimalSI' }, { nanos: d, format: 'DecimalSI' })!;
        const expected = a * d < c * b ? -1 : a * d > c * b ? 1 : 0;
        expect(compareRatios(x, y)).toBe(expected);
      }),
    );
  });
});

describe('sumResourceMaps', () => {
  it('sums per name exactly, keeping the first format, sorted by name', () => {
    expect(sumResourceMaps([{ memory: '1Gi', cpu: '0.1' }, { cpu: '0.2', memory: '1G' }])).toEqual({ cpu: '300m', memory: '2073741824' });
    expect(sumResourceMaps([{ pods: 10 }, { pods: '5' }])).toEqual({ pods: '15' });
  });
  it('keeps a value that is not a quantity as written', () => {
    expect(sumResourceMaps([{ cpu: 'lots' }, { cpu: '1' }])).toEqual({ cpu: 'lots' });
    expect(sumResourceMaps([{ cpu: '1' }, { cpu: 'lots' }])).toEqual({ cpu: 'lots' });
  });
});
