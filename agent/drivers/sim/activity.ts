// How busy the simulated cluster is at a given time: one day/night curve (UTC, quietest at
// 03:00 and busiest at 15:00) that traffic, usage and autoscaling all follow.
import type { UsagePattern } from './cluster-blueprint';

export function hourOfDay(time: Date): number {
  return time.getUTCHours() + time.getUTCMinutes() / 60 + time.getUTCSeconds() / 3600;
}

/** 0 at 03:00 UTC, 1 at 15:00 UTC. */
export function dayLevel(time: Date): number {
  return 0.5 - 0.5 * Math.cos((2 * Math.PI * (hourOfDay(time) - 3)) / 24);
}

export function isNight(time: Date): boolean {
  const h = hourOfDay(time);
  return h >= 21 || h < 7;
}

/** Share of the busiest-hour load at `time`, for a workload or edge following `pattern`. */
export function activity(pattern: UsagePattern | 'bursty', time: Date): number {
  switch (pattern) {
    case 'steady':
    case 'pinned-at-limit':
    case 'bursty':
      return 1;
    case 'diurnal':
      return 0.15 + 0.85 * dayLevel(time);
    case 'idle-at-night':
      return isNight(time) ? 0 : 0.15 + 0.85 * dayLevel(time);
  }
}
