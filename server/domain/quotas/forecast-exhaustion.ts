// When a quota resource runs out at the recent rate: a least-squares line through the
// samples of the window, extended to where it meets the hard limit. Pure; the clock and the
// series come in. No forecast is better than a wrong one, so there is none when the line is
// flat or falling, when there are too few samples or too short a window, or when the limit
// moved inside the window (the old rate says nothing about the new limit).

export interface UsageSample {
  /** ms since the epoch. */
  at: number;
  /** Used and hard in the resource's base unit (cores, bytes, count); floats are fine for a trend. */
  used: number;
  hard: number;
}

export type Forecast =
  | { kind: 'full-in'; /** ms from `now` until used reaches hard. */ inMs: number; at: number; ratePerHour: number }
  | { kind: 'already-full' }
  | { kind: 'none'; reason: 'too-little-data' | 'flat-or-falling' | 'limit-changed' | 'no-limit' | 'beyond-horizon' };

export const FORECAST_METHOD =
  'Least-squares line through the samples of the chosen range, extended to the hard limit. No forecast when the range holds fewer than 6 samples or under 30 minutes, when the line is flat or falling, when the limit changed inside the range, or when full would be more than a year away.';

const MIN_SAMPLES = 6;
const MIN_SPAN_MS = 30 * 60_000;
const HORIZON_MS = 365 * 24 * 3_600_000;

export function forecastExhaustion(samples: readonly UsageSample[], now: number): Forecast {
  if (samples.length === 0) return { kind: 'none', reason: 'too-little-data' };
  const last = samples[samples.length - 1]!;
  if (!(last.hard > 0)) return { kind: 'none', reason: 'no-limit' };
  if (last.used >= last.hard) return { kind: 'already-full' };
  if (samples.some((s) => s.hard !== last.hard)) return { kind: 'none', reason: 'limit-changed' };
  const span = last.at - samples[0]!.at;
  if (samples.length < MIN_SAMPLES || span < MIN_SPAN_MS) return { kind: 'none', reason: 'too-little-data' };

  // Centre time and value first: keeps the sums small and the slope accurate over epochs.
  const n = samples.length;
  const meanT = samples.reduce((a, s) => a + s.at, 0) / n;
  const meanU = samples.reduce((a, s) => a + s.used, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const s of samples) {
    const dt = s.at - meanT;
    sxy += dt * (s.used - meanU);
    sxx += dt * dt;
  }
  const slopePerMs = sxx === 0 ? 0 : sxy / sxx;
  // A slope that would not move usage by a thousandth of the limit over the window is flat.
  if (!(slopePerMs * span > last.hard / 1000)) return { kind: 'none', reason: 'flat-or-falling' };
  const atFull = meanT + (last.hard - meanU) / slopePerMs;
  const inMs = Math.max(0, atFull - now);
  if (inMs > HORIZON_MS) return { kind: 'none', reason: 'beyond-horizon' };
  return { kind: 'full-in', inMs, at: now + inMs, ratePerHour: slopePerMs * 3_600_000 };
}

/** "full in about 3 days", "full in about 40 minutes", "full now", or why there is no forecast. */
export function describeForecast(f: Forecast): string {
  switch (f.kind) {
    case 'already-full':
      return 'full now';
    case 'full-in':
      return `full in about ${describeDuration(f.inMs)}`;
    case 'none':
      return {
        'too-little-data': 'no forecast: too little data in this range',
        'flat-or-falling': 'no forecast: use is flat or falling',
        'limit-changed': 'no forecast: the limit changed in this range',
        'no-limit': 'no forecast: no limit set',
        'beyond-horizon': 'not full within a year at this rate',
      }[f.reason];
  }
}

export function describeDuration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 2) return 'a minute';
  if (minutes < 90) return `${minutes} minutes`;
  const hours = Math.round(ms / 3_600_000);
  if (hours < 36) return `${hours} hours`;
  const days = Math.round(ms / 86_400_000);
  if (days < 21) return `${days} days`;
  const weeks = Math.round(ms / (7 * 86_400_000));
  if (days < 90) return `${weeks} weeks`;
  return `${Math.round(ms / (30 * 86_400_000))} months`;
}
