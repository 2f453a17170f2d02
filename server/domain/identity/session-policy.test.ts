import { describe, expect, it } from 'vitest';
import { absoluteExpiry, sessionState, shouldTouch } from './session-policy';

const limits = { idleMs: 30 * 60_000, absoluteMs: 12 * 3_600_000 };
const t0 = new Date('2026-01-01T00:00:00Z');
const at = (min: number) => new Date(t0.getTime() + min * 60_000);
const session = (lastSeenMin: number, revoked = false) => ({ createdAt: t0, lastSeenAt: at(lastSeenMin), expiresAt: absoluteExpiry(t0, limits), revokedAt: revoked ? t0 : null });

describe('sessionState', () => {
  it('is valid while used within the idle limit', () => expect(sessionState(session(0), at(29), limits)).toEqual({ valid: true }));
  it('ends after the idle limit exactly', () => expect(sessionState(session(0), at(30), limits)).toEqual({ valid: false, reason: 'idle' }));
  it('ends at the absolute expiry however busy', () => expect(sessionState(session(719), at(720), limits)).toEqual({ valid: false, reason: 'expired' }));
  it('revocation wins over everything', () => expect(sessionState(session(0, true), at(1), limits)).toEqual({ valid: false, reason: 'revoked' }));
  it('touches last-seen at most once a minute', () => {
    expect(shouldTouch(t0, new Date(t0.getTime() + 59_999))).toBe(false);
    expect(shouldTouch(t0, at(1))).toBe(true);
  });
});
