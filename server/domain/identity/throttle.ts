// Decides whether a sign-in may be tried now, from recent failures for the account and for
// the client address. Both limits hold at once: spreading guesses over many accounts from
// one address, or over many addresses at one account, is each stopped.

export interface ThrottleLimits {
  windowMs: number;
  perAccount: number;
  perAddress: number;
}

export const DEFAULT_THROTTLE: ThrottleLimits = { windowMs: 15 * 60_000, perAccount: 5, perAddress: 20 };

export type ThrottleDecision =
  | { allowed: true }
  | { allowed: false; scope: 'account' | 'address'; retryAfterMs: number; message: string };

/** `accountFailures` and `addressFailures`: times of failures within the window, any order. */
export function decideThrottle(
  accountFailures: readonly Date[],
  addressFailures: readonly Date[],
  now: Date,
  limits: ThrottleLimits = DEFAULT_THROTTLE,
): ThrottleDecision {
  const check = (times: readonly Date[], limit: number) => {
    const recent = times.map((t) => t.getTime()).filter((t) => now.getTime() - t < limits.windowMs).sort((a, b) => a - b);
    if (recent.length < limit) return null;
    // Allowed again once enough of the oldest failures have left the window.
    const freeAt = (recent[recent.length - limit] as number) + limits.windowMs;
    return Math.max(freeAt - now.getTime(), 1000);
  };
  const account = check(accountFailures, limits.perAccount);
  if (account !== null) {
    return { allowed: false, scope: 'account', retryAfterMs: account, message: `Too many failed sign-ins for this account. Try again in ${minutes(account)}.` };
  }
  const address = check(addressFailures, limits.perAddress);
  if (address !== null) {
    return { allowed: false, scope: 'address', retryAfterMs: address, message: `Too many failed sign-ins from your address. Try again in ${minutes(address)}.` };
  }
  return { allowed: true };
}

function minutes(ms: number): string {
  const m = Math.ceil(ms / 60_000);
  return m === 1 ? '1 minute' : `${m} minutes`;
}
