// Identity end to end through tRPC: password sign-in, throttling, the second factor,
// session expiry and sign-out, each leaving its audit record (never the password).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { auditEvents, sessions } from '@/db/schema';
import { seedUser, systemContext } from '@/db/seed/factories';
import { totpCodeAt } from '@/server/security/totp';
import { inScope } from '@/server/services/scope';
import { callerWithToken, tokenFromCookie } from '@/test/helpers/sessions';
import { openTestDatabase, type TestDatabase, testDrivers } from '@/test/helpers/test-database';

const PASSWORD = 'correct horse battery staple';

describe.each(testDrivers())('sign-in and sessions (%s)', (driver) => {
  let t: TestDatabase;
  let clock = new Date('2026-11-23T10:00:00Z');
  const now = () => clock;
  const advance = (ms: number) => (clock = new Date(clock.getTime() + ms));

  beforeAll(async () => {
    t = await openTestDatabase(driver);
    await seedUser(t.db, { email: 'alice@example.test', password: PASSWORD, grants: [{ role: 'security_admin', tenantId: null }], now });
    await seedUser(t.db, { email: 'victor@example.test', password: PASSWORD, grants: [{ role: 'viewer', tenantId: null }], now });
  });
  afterAll(() => t?.dispose());

  async function signIn(email: string, password: string, address = '10.0.0.1') {
    const { caller, cookies } = await callerWithToken(t.db, undefined, { now, address });
    const result = await caller.auth.signIn({ email, password });
    return { result, token: tokenFromCookie(cookies[0]), cookie: cookies[0]! };
  }

  const allEvents = () => inScope(systemContext(t.db), (tx) => tx.select().from(auditEvents));

  it('signs in with the right password and sets an httpOnly, SameSite cookie', async () => {
    const { result, cookie, token } = await signIn('alice@example.test', PASSWORD);
    expect(result.next).toBe('enrol-mfa'); // an admin without MFA is sent to enrol
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    const stored = await inScope(systemContext(t.db), (tx) => tx.select().from(sessions));
    // Only the hash of the token is stored.
    expect(stored.some((s) => s.tokenHash === token)).toBe(false);
  });

  it('a viewer goes straight in', async () => {
    expect((await signIn('victor@example.test', PASSWORD)).result.next).toBe('app');
  });

  it('refuses a wrong password with one message for unknown and known accounts, and audits it without the password', async () => {
    const { caller } = await callerWithToken(t.db, undefined, { now });
    await expect(caller.auth.signIn({ email: 'alice@example.test', password: 'wrong-password-1' })).rejects.toMatchObject({ code: 'UNAUTHORIZED', message: 'Email or password is incorrect' });
    await expect(caller.auth.signIn({ email: 'nobody@example.test', password: 'wrong-password-1' })).rejects.toMatchObject({ code: 'UNAUTHORIZED', message: 'Email or password is incorrect' });
    const events = await allEvents();
    const failures = events.filter((e) => e.action === 'auth.sign_in' && e.outcome === 'failure');
    expect(failures.map((e) => e.details.reason)).toEqual(expect.arrayContaining(['bad-password', 'unknown-account']));
    expect(JSON.stringify(events)).not.toContain('wrong-password-1');
    expect(JSON.stringify(events)).not.toContain(PASSWORD);
  });

  it('throttles an account after five failures, even with the right password, then lets it in again later', async () => {
    await seedUser(t.db, { email: 'bob@example.test', password: PASSWORD, now });
    for (let i = 0; i < 5; i++) {
      await expect(signIn('bob@example.test', `nope-nope-${i}`, `10.1.0.${i}`)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    }
    await expect(signIn('bob@example.test', PASSWORD, '10.2.0.1')).rejects.toMatchObject({
      code: 'TOO_MANY_REQUESTS',
      message: expect.stringMatching(/Too many failed sign-ins for this account\. Try again in \d+ minutes?\./),
    });
    advance(16 * 60_000);
    await expect(signIn('bob@example.test', PASSWORD, '10.2.0.1')).resolves.toMatchObject({ result: { next: 'app' } });
  });

  it('throttles a client address that sprays many accounts', async () => {
    for (let i = 0; i < 20; i++) {
      await expect(signIn(`spray${i}@example.test`, 'guess-guess-guess', '192.0.2.9')).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    }
    await expect(signIn('victor@example.test', PASSWORD, '192.0.2.9')).rejects.toMatchObject({ code: 'TOO_MANY_REQUESTS', message: expect.stringContaining('from your address') });
    // Another address is not affected.
    await expect(signIn('victor@example.test', PASSWORD, '192.0.2.10')).resolves.toBeDefined();
  });

  it('enrols TOTP, then requires the code at sign-in; codes cannot be replayed; recovery codes work once', async () => {
    const first = await signIn('alice@example.test', PASSWORD);
    const { caller } = await callerWithToken(t.db, first.token, { now });
    const { secret, uri, qrDataUrl } = await caller.auth.beginTotpEnrolment();
    expect(uri).toMatch(/^otpauth:\/\/totp\/Verity:alice%40example\.test\?/);
    expect(qrDataUrl).toMatch(/^data:image\/png;base64,/);
    await expect(caller.auth.confirmTotpEnrolment({ code: '000000' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    const { recoveryCodes } = await caller.auth.confirmTotpEnrolment({ code: totpCodeAt(secret, clock) });
    expect(recoveryCodes).toHaveLength(10);
    // The enrolling session now counts as MFA-verified: admin work is allowed.
    const { caller: same } = await callerWithToken(t.db, first.token, { now });
    await expect(same.tenants.create({ name: 'Acme', slug: 'acme', namespaces: [] })).resolves.toMatchObject({ slug: 'acme' });

    advance(60_000);
    const second = await signIn('alice@example.test', PASSWORD);
    expect(second.result.next).toBe('mfa');
    const { caller: pending, cookies } = await callerWithToken(t.db, second.token, { now });
    await expect(pending.tenants.list()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(pending.auth.verifyMfa({ code: '123456' })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    const code = totpCodeAt(secret, clock);
    await pending.auth.verifyMfa({ code });
    const fullToken = tokenFromCookie(cookies[0]);
    expect(fullToken).toBeDefined();
    expect(fullToken).not.toBe(second.token); // a new token once the second factor is in
    const { caller: full } = await callerWithToken(t.db, fullToken, { now });
    expect((await full.auth.me()).mfaVerified).toBe(true);
    // The old pending token is dead.
    const { caller: old } = await callerWithToken(t.db, second.token, { now });
    await expect(old.auth.me()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });

    // The same code again (same time step) is refused.
    const third = await signIn('alice@example.test', PASSWORD);
    const { caller: replay } = await callerWithToken(t.db, third.token, { now });
    await expect(replay.auth.verifyMfa({ code })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    // A recovery code works once.
    await expect(replay.auth.verifyMfa({ code: recoveryCodes[0]!.toUpperCase() })).resolves.toEqual({ ok: true });
    const fourth = await signIn('alice@example.test', PASSWORD);
    const { caller: again } = await callerWithToken(t.db, fourth.token, { now });
    await expect(again.auth.verifyMfa({ code: recoveryCodes[0]! })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('ends a session after 30 idle minutes and after 12 hours in any case', async () => {
    const { token } = await signIn('victor@example.test', PASSWORD, '10.9.9.9');
    advance(29 * 60_000);
    await expect((await callerWithToken(t.db, token, { now })).caller.auth.me()).resolves.toBeDefined();
    advance(31 * 60_000);
    await expect((await callerWithToken(t.db, token, { now })).caller.auth.me()).rejects.toMatchObject({ code: 'UNAUTHORIZED', message: 'Your session has ended. Sign in again.' });

    const { token: busy } = await signIn('victor@example.test', PASSWORD, '10.9.9.9');
    for (let h = 0; h < 12 * 4; h++) {
      advance(15 * 60_000);
      const r = await (await callerWithToken(t.db, busy, { now })).caller.auth.me().catch((e: { code: string }) => e.code);
      if (h < 12 * 4 - 1) expect(r).not.toBe('UNAUTHORIZED');
      else expect(r).toBe('UNAUTHORIZED');
    }
  });

  it('signs out one session, or every session of the user', async () => {
    const a = await signIn('victor@example.test', PASSWORD, '10.8.0.1');
    const b = await signIn('victor@example.test', PASSWORD, '10.8.0.2');
    const c = await signIn('victor@example.test', PASSWORD, '10.8.0.3');
    const { caller, cookies } = await callerWithToken(t.db, a.token, { now });
    await caller.auth.signOut();
    expect(cookies[0]).toMatch(/Max-Age=0/);
    await expect((await callerWithToken(t.db, a.token, { now })).caller.auth.me()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect((await callerWithToken(t.db, b.token, { now })).caller.auth.me()).resolves.toBeDefined();
    const ended = await (await callerWithToken(t.db, b.token, { now })).caller.auth.signOutEverywhere();
    expect(ended.sessionsEnded).toBeGreaterThanOrEqual(2);
    await expect((await callerWithToken(t.db, c.token, { now })).caller.auth.me()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    const events = await inScope(systemContext(t.db), (tx) => tx.select().from(auditEvents).where(eq(auditEvents.action, 'auth.sign_out_everywhere')));
    expect(events).toHaveLength(1);
  });

  it('a setup link sets the password once and cannot be reused; weak passwords are refused', async () => {
    const { caller: admin } = await callerWithToken(t.db, undefined, { now });
    const ctx = systemContext(t.db, now);
    const { createUser } = await import('@/server/services/users/create-user');
    const created = await createUser(ctx, { email: 'carol@example.test', displayName: 'Carol', grants: [] });
    const token = created.setupPath.split('#token=')[1]!;
    await expect(admin.auth.completeAccountSetup({ token, password: 'short' })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('at least 12') });
    await expect(admin.auth.completeAccountSetup({ token, password: 'a much longer passphrase' })).resolves.toEqual({ email: 'carol@example.test' });
    await expect(admin.auth.completeAccountSetup({ token, password: 'another long passphrase' })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('invalid, already used or expired') });
    await expect(signIn('carol@example.test', 'a much longer passphrase')).resolves.toBeDefined();
  });
});
