import { describe, expect, it } from 'vitest';
import { decideThrottle } from './throttle';

const now = new Date('2026-01-01T12:00:00Z');
const ago = (min: number) => new Date(now.getTime() - min * 60_000);

describe('decideThrottle', () => {
  it('allows fewer than five recent failures for an account', () => {
    expect(decideThrottle([ago(1), ago(2), ago(3), ago(4)], [], now)).toEqual({ allowed: true });
  });
  it('blocks the fifth, and says when to come back', () => {
    const d = decideThrottle([ago(1), ago(2), ago(3), ago(4), ago(10)], [], now);
    expect(d).toMatchObject({ allowed: false, scope: 'account', retryAfterMs: 5 * 60_000, message: 'Too many failed sign-ins for this account. Try again in 5 minutes.' });
  });
  it('forgets failures older than the window', () => {
    expect(decideThrottle([ago(1), ago(2), ago(3), ago(4), ago(15), ago(16)], [], now)).toEqual({ allowed: true });
  });
  it('limits an address separately, at twenty', () => {
    const times = Array.from({ length: 20 }, (_, i) => ago(i * 0.5));
    expect(decideThrottle([], times.slice(0, 19), now)).toEqual({ allowed: true });
    expect(decideThrottle([], times, now)).toMatchObject({ allowed: false, scope: 'address' });
  });
  it('never tells someone to retry in under a second', () => {
    const d = decideThrottle([ago(14.9999), ago(1), ago(1), ago(1), ago(1)], [], now);
    expect(d.allowed === false && d.retryAfterMs).toBe(1000);
  });
});
