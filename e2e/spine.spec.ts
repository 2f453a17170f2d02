// The spine as people use it: the first admin's first sign-in and MFA enrolment, tenants
// and a tenant admin created in the UI, that tenant admin walled off from the other
// tenant however they ask, and sign-out.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { totpCodeAt } from '@/server/security/totp';
import { firstAdminSetupPath, nextTotp, saveState, setPassword, shot, signIn } from './helpers';

const ADMIN = { email: 'first-admin@example.test', password: 'first admin passphrase 1' };
const TENANT_ADMIN = { email: 'ta@acme.test', password: 'tenant admin passphrase 2' };

test.describe.configure({ mode: 'serial' });

let admin: Page;
let totpSecret = '';
let tenantAdminSetupPath = '';
let agentProcess: ChildProcess | undefined;

async function newPage(browser: Browser) {
  const context = await browser.newContext();
  return context.newPage();
}

test('the first admin sets a password from the CLI link, signs in and enrols MFA', async ({ browser }) => {
  admin = await newPage(browser);
  await setPassword(admin, firstAdminSetupPath(), ADMIN.password);
  // The link works once.
  await admin.goto('about:blank');
  await admin.goto(firstAdminSetupPath());
  await admin.getByLabel('New password').fill('another passphrase x');
  await admin.getByLabel('Repeat it').fill('another passphrase x');
  await admin.getByRole('button', { name: 'Set password' }).click();
  await expect(admin.locator('p.error[role=alert]')).toContainText('invalid, already used or expired');

  await signIn(admin, ADMIN.email, 'wrong password here');
  await expect(admin.locator('p.error[role=alert]')).toHaveText('Email or password is incorrect');
  await signIn(admin, ADMIN.email, ADMIN.password);
  // An admin without MFA is sent to set it up, and admin actions are withheld until then.
  await expect(admin).toHaveURL(/\/account\?enrol=1/);
  await expect(admin.getByText('needs two-factor authentication before')).toBeVisible();
  await admin.getByRole('button', { name: 'Set up two-factor authentication' }).click();
  await expect(admin.getByAltText('QR code for your authenticator app')).toBeVisible();
  await shot(admin, 'mfa-enrolment');
  totpSecret = (await admin.getByTestId('totp-secret').textContent())!.trim();
  await admin.getByLabel('Code from the app').fill('000000');
  await admin.getByRole('button', { name: 'Confirm' }).click();
  await expect(admin.locator('p.error[role=alert]')).toContainText('not valid');
  await admin.getByLabel('Code from the app').fill(totpCodeAt(totpSecret, new Date()));
  await admin.getByRole('button', { name: 'Confirm' }).click();
  await expect(admin.getByTestId('recovery-codes').locator('code')).toHaveCount(10);
  saveState({ admin: { ...ADMIN, recoveryCodes: await admin.getByTestId('recovery-codes').locator('code').allTextContents() } });
  await expect(admin.getByText('needs two-factor authentication before')).toBeHidden();
});

test('signing in again asks for the second factor', async () => {
  await admin.getByRole('button', { name: 'Sign out', exact: true }).click();
  await expect(admin).toHaveURL(/\/signin/);
  await signIn(admin, ADMIN.email, ADMIN.password);
  await expect(admin).toHaveURL(/\/signin\/mfa/);
  await admin.getByLabel('Authentication code').fill('123456');
  await admin.getByRole('button', { name: 'Verify' }).click();
  await expect(admin.locator('p.error[role=alert]')).toContainText('not valid');
  await admin.getByLabel('Authentication code').fill(nextTotp(totpSecret));
  await admin.getByRole('button', { name: 'Verify' }).click();
  await expect(admin.getByRole('heading', { name: 'Overview' })).toBeVisible();
});

test('the admin creates two tenants and a tenant admin for one of them', async () => {
  await admin.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tenants' }).click();
  await expect(admin.getByText('No tenants yet')).toBeVisible();
  const form = admin.getByRole('form', { name: 'Create tenant' });
  for (const [name, ns] of [['Acme', 'acme-web, acme-db'], ['Globex', 'globex-api']]) {
    await form.getByLabel('Name', { exact: true }).fill(name!);
    await form.getByLabel('Cluster').fill('prod-eu-1');
    await form.getByLabel('Namespaces').fill(ns!);
    await form.getByRole('button', { name: 'Create tenant' }).click();
    await expect(admin.getByRole('link', { name: name! })).toBeVisible();
  }
  // A namespace cannot be given to two tenants.
  await form.getByLabel('Name', { exact: true }).fill('Initech');
  await form.getByLabel('Cluster').fill('prod-eu-1');
  await form.getByLabel('Namespaces').fill('acme-web');
  await form.getByRole('button', { name: 'Create tenant' }).click();
  await expect(form.locator('p.error[role=alert]')).toHaveText('Namespace acme-web on cluster prod-eu-1 already belongs to tenant Acme');
  await shot(admin, 'tenants');

  await admin.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
  const create = admin.getByRole('form', { name: 'Create user' });
  await create.getByLabel('Email').fill(TENANT_ADMIN.email);
  await create.getByLabel('Name', { exact: true }).fill('Tess Acme');
  await create.getByLabel('Role').selectOption('tenant_admin');
  await create.getByLabel('Scope').selectOption({ label: 'Acme' });
  await create.getByRole('button', { name: 'Create user' }).click();
  const link = await admin.getByTestId('setup-link').inputValue();
  expect(link).toMatch(/\/setup-account#token=/);
  tenantAdminSetupPath = new URL(link).pathname + new URL(link).hash;
  await expect(admin.getByRole('cell', { name: /Tess Acme/ })).toBeVisible();
  await shot(admin, 'users');
});

test('the tenant admin sees only their tenant, whether by page, URL or tRPC', async ({ browser }) => {
  const ta = await newPage(browser);
  await setPassword(ta, tenantAdminSetupPath, TENANT_ADMIN.password);
  await signIn(ta, TENANT_ADMIN.email, TENANT_ADMIN.password);
  await expect(ta.getByRole('heading', { name: 'Overview' })).toBeVisible();
  await ta.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tenants' }).click();
  await expect(ta.getByRole('link', { name: 'Acme' })).toBeVisible();
  await expect(ta.getByRole('link', { name: 'Globex' })).toHaveCount(0);
  await expect(ta.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' })).toHaveCount(0);
  await shot(ta, 'tenant-admin-tenants');

  // Editing the URL: another tenant's page is a 404, exactly like one that does not exist.
  const other = await ta.goto('/tenants/globex');
  expect(other?.status()).toBe(404);
  await expect(ta.getByRole('heading', { name: 'Not found' })).toBeVisible();
  expect((await ta.goto('/tenants/no-such-tenant'))?.status()).toBe(404);
  expect((await ta.goto('/admin/users'))?.status()).toBe(404);
  expect((await ta.goto('/tenants/acme'))?.status()).toBe(200);
  await expect(ta.getByRole('heading', { name: 'Acme' })).toBeVisible();

  // Calling tRPC directly with the tenant admin's own cookie.
  const get = await ta.request.get(`/api/trpc/tenants.get?input=${encodeURIComponent(JSON.stringify({ json: { slug: 'globex' } }))}`);
  expect(get.status()).toBe(404);
  const list = await ta.request.get('/api/trpc/tenants.list');
  expect(list.status()).toBe(200);
  const slugs = ((await list.json()) as { result: { data: { json: { slug: string }[] } } }).result.data.json.map((t) => t.slug);
  expect(slugs).toEqual(['acme']);
  const users = await ta.request.get('/api/trpc/users.list');
  expect(users.status()).toBe(403);
  const create = await ta.request.post('/api/trpc/tenants.create', {
    headers: { origin: new URL(ta.url()).origin, 'content-type': 'application/json' },
    data: { json: { name: 'Mine', slug: 'mine', namespaces: [] } },
  });
  expect(create.status()).toBe(403);

  // Sign-out ends the session for real: the old cookie no longer works.
  const cookie = (await ta.context().cookies()).find((c) => c.name === 'verity_session')!;
  expect(cookie.httpOnly).toBe(true);
  expect(cookie.sameSite).toBe('Lax');
  await ta.getByRole('button', { name: 'Sign out', exact: true }).click();
  await expect(ta).toHaveURL(/\/signin/);
  await ta.goto('/tenants');
  await expect(ta).toHaveURL(/\/signin/);
  const replay = await ta.request.get('/api/trpc/tenants.list', { headers: { cookie: `verity_session=${cookie.value}` } });
  expect(replay.status()).toBe(401);
  expect(JSON.stringify(await replay.json())).toContain('Your session has ended');
});

test('bad requests get clear 4xx answers and change nothing', async ({ request, baseURL }) => {
  const origin = new URL(baseURL!).origin;
  const noOrigin = await request.post('/api/trpc/auth.signIn', { data: { json: { email: ADMIN.email, password: 'x' } } });
  expect(noOrigin.status()).toBe(403);
  const foreign = await request.post('/api/trpc/auth.signIn', { headers: { origin: 'https://evil.example' }, data: { json: { email: ADMIN.email, password: 'x' } } });
  expect(foreign.status()).toBe(403);
  const huge = await request.post('/api/trpc/auth.signIn', { headers: { origin, 'content-type': 'application/json' }, data: 'x'.repeat(2 * 1024 * 1024) });
  expect(huge.status()).toBe(413);
  const malformed = await request.post('/api/trpc/auth.signIn', { headers: { origin, 'content-type': 'application/json' }, data: Buffer.from('{not json') });
  expect(malformed.status()).toBe(400);
  const body = await malformed.text();
  expect(body).toContain('Malformed JSON');
  expect(body).not.toMatch(/at .*\.(js|ts):\d+/); // no stack trace
  const invalid = await request.post('/api/trpc/tenants.create', { headers: { origin, 'content-type': 'application/json' }, data: { json: { name: '', slug: 'Not A Slug' } } });
  expect(invalid.status()).toBe(401); // no session: refused before input is even read
  const headers = (await request.get('/signin')).headers();
  expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
  expect(headers['x-content-type-options']).toBe('nosniff');
});

test('the admin registers a cluster and a real agent process enrolls with the token shown', async ({ baseURL }) => {
  await admin.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Clusters' }).click();
  // Clusters named when tenants were created exist, with no agent yet.
  await expect(admin.getByRole('region', { name: 'Cluster prod-eu-1' }).getByText('No agent connected yet')).toBeVisible();
  const form = admin.getByRole('form', { name: 'Register cluster' });
  await form.getByLabel('Cluster name').fill('edge-1');
  await form.getByRole('button', { name: /Register/ }).click();
  const command = await admin.getByTestId('enroll-command').inputValue();
  const token = command.match(/--enroll (\S+)/)![1]!;
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'verity-e2e-agent-'));
  agentProcess = spawn(process.execPath, ['--import', 'tsx', 'bin/verity.ts', 'agent', '--driver', 'sim', '--console', baseURL!, '--enroll', token, '--state-dir', stateDir], { stdio: 'ignore' });
  saveState({ agent: { cluster: 'edge-1', stateDir } });
  const cluster = admin.getByRole('region', { name: 'Cluster edge-1' });
  await expect(async () => {
    await admin.reload();
    await expect(cluster.getByText('connected', { exact: true })).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 30_000 });
  await expect(cluster.getByRole('cell', { name: 'sim' })).toBeVisible();
  await shot(admin, 'clusters');
  // The token was spent: a second agent cannot use it.
  const second = spawnSync(process.execPath, ['--import', 'tsx', 'bin/verity.ts', 'agent', '--driver', 'sim', '--console', baseURL!, '--enroll', token, '--state-dir', mkdtempSync(path.join(os.tmpdir(), 'verity-e2e-agent-'))], { encoding: 'utf8', timeout: 30_000 });
  expect(second.status).toBe(1);
  expect(second.stderr).toContain('invalid, already used or expired');
});

test.afterAll(() => agentProcess?.kill('SIGTERM'));

test('the audit trail shows what happened and the chain verifies', async () => {
  await admin.goto('/audit');
  await expect(admin.getByRole('cell', { name: 'tenant.created' }).first()).toBeVisible();
  await expect(admin.getByRole('cell', { name: 'auth.sign_in' }).first()).toBeVisible();
  await expect(admin.getByRole('cell', { name: 'agent.inventory_snapshot' }).first()).toBeVisible();
  await admin.getByRole('button', { name: 'Verify chain' }).click();
  await expect(admin.getByText(/Chain intact: \d+ events verified/)).toBeVisible();
  await admin.getByRole('complementary', { name: 'Facets' }).getByRole('group', { name: 'Outcome' }).getByRole('button', { name: 'failure' }).click();
  await expect(admin).toHaveURL(/outcome=failure/);
  await expect(admin.getByRole('cell', { name: 'tenant.created' })).toHaveCount(0);
  await shot(admin, 'audit');
});
