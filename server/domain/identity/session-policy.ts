// When a session stops being valid: after a quiet spell (idle) or at a fixed time after
// sign-in (absolute), whichever comes first. The clock is passed in.

export interface SessionTimes {
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
}

export interface SessionLimits {
  idleMs: number;
  absoluteMs: number;
}

export type SessionState = { valid: true } | { valid: false; reason: 'revoked' | 'idle' | 'expired' };

export function sessionState(s: SessionTimes, now: Date, limits: SessionLimits): SessionState {
  if (s.revokedAt) return { valid: false, reason: 'revoked' };
  if (now.getTime() >= s.expiresAt.getTime()) return { valid: false, reason: 'expired' };
  if (now.getTime() - s.lastSeenAt.getTime() >= limits.idleMs) return { valid: false, reason: 'idle' };
  return { valid: true };
}

export function absoluteExpiry(createdAt: Date, limits: SessionLimits): Date {
  return new Date(createdAt.getTime() + limits.absoluteMs);
}

/** Touching last_seen on every request would be a write per request; once a minute is enough. */
export function shouldTouch(lastSeenAt: Date, now: Date): boolean {
  return now.getTime() - lastSeenAt.getTime() >= 60_000;
}
