// Seeded randomness for the simulated cluster. Every random choice is derived from the seed
// and a label of what it is for (and usually a time), never from call order, so the same
// seed and clock give the same cluster whatever else happened in between.

/** FNV-1a over the UTF-16 code units, then a final avalanche so near inputs differ everywhere. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return avalanche(h);
}

function avalanche(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** One key from the seed and the parts naming a decision. */
export function keyOf(seed: string | number, ...parts: (string | number)[]): number {
  return hash32(`${seed}\u0000${parts.join('\u0000')}`);
}

/** mulberry32: tiny, fast and good enough for a simulation (not for anything secret). */
export class Rng {
  private state: number;

  constructor(key: number) {
    this.state = key >>> 0;
  }

  static for(seed: string | number, ...parts: (string | number)[]): Rng {
    return new Rng(keyOf(seed, ...parts));
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** Uniform in [min, max). */
  between(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[Math.floor(this.next() * items.length)]!;
  }
}

/** A UUID-shaped (version 4 layout) id derived from the seed and parts: stable, unique per parts. */
export function deterministicUuid(seed: string | number, ...parts: (string | number)[]): string {
  const words = [0, 1, 2, 3].map((i) => keyOf(seed, 'uuid', i, ...parts));
  const hex = words.map((w) => w.toString(16).padStart(8, '0')).join('');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
