// A network-policy change from draft to apply, as the people involved do it: a tenant
// admin drafts and submits it and sees which observed flows it would block; they cannot
// approve it themselves; an approver of that tenant approves with a fresh code; the sim
// agent applies it, and the page shows what the cluster did.
import { type ChildProcess, spawn } from 'node:child_process';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { totpCodeAt } from '@/server/security/totp';
import { createUser, loadState, setPassword, shot, signIn, signInAsFirstAdmin } from './helpers';

test.describe.configure({ mode: 'serial' });

const TA = { email: 'shop-admin@example.test', password: 'shop admin passphrase 3' };
const APPROVER = { email: 'shop-approver@example.test', password: 'shop approver passphrase 4' };
let agent: ChildProcess | undefined;
const links: Record<string, string> = {};
let changeUrl = '';
let agentStartedAt = 0;

const POLICY = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: postgres
  namespace: payments
spec:
  podSelector:
    matchLabels:
      app: postgres
  policyTypes: [Ingress]
  # Explicitly empty: server-side apply keeps fields another manager owns unless we set them.
  ingress: []
`;

async function page(browser: Browser): Promise<Page> {
  return (await browser.newContext()).newPage();
}


test.beforeAll(({ baseURL }) => {
  const state = loadState();
  if (!state.agent) throw new Error('the spine suite left no agent behind');
  // The agent enrolled by the spine suite, started again from its state directory: no token needed.
  agentStartedAt = Date.now();
  agent = spawn(process.execPath, ['--import', 'tsx', 'bin/verity.ts', 'agent', '--driver', 'sim', '--console', baseURL!, '--state-dir', state.agent.stateDir], { stdio: 'ignore' });
});
test.afterAll(() => agent?.kill('SIGTERM'));

test('the admin gives tenant Shop the sim cluster’s payments namespace, with a tenant admin and an approver', async ({ browser }) => {
  const admin = await page(browser);
  await signInAsFirstAdmin(admin);
  await admin.goto('/tenants');
  const form = admin.getByRole('form', { name: 'Create tenant' });
  await form.getByLabel('Name', { exact: true }).fill('Shop');
  await form.getByLabel('Cluster').fill(loadState().agent!.cluster);
  await form.getByLabel('Namespaces').fill('payments');
  await form.getByRole('button', { name: 'Create tenant' }).click();
  await expect(admin.getByRole('link', { name: 'Shop' })).toBeVisible();
  // Shop has no approval rule of its own: the global one (one approval) applies; the admin can set one.
  await admin.getByRole('link', { name: 'Shop' }).click();
  await expect(admin.getByTestId('approval-rule')).toContainText('1 approval from this tenant');
  await expect(admin.getByTestId('approval-rule')).toContainText('the global rule');
  await admin.getByRole('form', { name: 'Approval rule' }).getByLabel('Valid for (hours)').fill('8');
  await admin.getByRole('form', { name: 'Approval rule' }).getByRole('button', { name: 'Save rule' }).click();
  await expect(admin.getByTestId('approval-rule')).toContainText('counts for 8 h');
  await expect(admin.getByTestId('approval-rule')).not.toContainText('the global rule');
  await admin.goto('/admin/users');
  links[TA.email] = await createUser(admin, { email: TA.email, name: 'Sam Shop', role: 'tenant_admin', scope: 'Shop' });
  links[APPROVER.email] = await createUser(admin, { email: APPROVER.email, name: 'Alex Approver', role: 'approver', scope: 'Shop' });
});

test('the tenant admin drafts, sees the problem inline, fixes it, and submits; the preview names the flow it blocks', async ({ browser }) => {
  const ta = await page(browser);
  await setPassword(ta, links[TA.email]!, TA.password);
  await signIn(ta, TA.email, TA.password);
  await expect(ta.getByRole('heading', { name: 'Overview' })).toBeVisible();
  await ta.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Changes' }).click();
  await ta.getByRole('link', { name: 'New change' }).click();
  const form = ta.getByRole('form', { name: 'Change request' });
  await form.getByRole('combobox', { name: /^Tenant/ }).selectOption({ label: 'Shop' });
  await form.getByRole('combobox', { name: /^Cluster/ }).selectOption({ label: loadState().agent!.cluster });
  await form.getByLabel('Title').fill('Close postgres to everyone');
  const setYaml = async (text: string) => {
    await ta.locator('.cm-content').click();
    await ta.keyboard.press('Control+A');
    await ta.keyboard.press('Delete');
    await ta.keyboard.insertText(text);
  };
  await setYaml(POLICY.replace('[Ingress]', '[Ingres]'));
  await form.getByRole('button', { name: 'Save draft' }).click();
  await expect(ta.getByRole('list', { name: 'Problems' })).toContainText('spec.policyTypes[0]');
  await setYaml(POLICY.replace('namespace: payments', 'namespace: kube-system'));
  await form.getByRole('button', { name: 'Save draft' }).click();
  await expect(ta.getByRole('list', { name: 'Problems' })).toContainText("namespace kube-system is not one of this tenant's namespaces");

  // The preview needs observed traffic: the agent flushes its flows every 10 s.
  await ta.waitForTimeout(Math.max(0, agentStartedAt + 15_000 - Date.now()));
  await setYaml(POLICY);
  await expect(async () => {
    await form.getByRole('button', { name: 'Save and submit for approval' }).click();
    await expect(ta).toHaveURL(/\/changes\/[0-9a-f-]{36}$/, { timeout: 5_000 });
  }).toPass({ timeout: 60_000 });
  changeUrl = new URL(ta.url()).pathname;
  await expect(ta.getByTestId('change-status')).toHaveText('Waiting for approval');
  const impact = ta.getByRole('region', { name: 'Traffic impact' });
  await expect(impact.getByRole('row', { name: /allowed → denied.*payments\/payment-service.*payments\/postgres.*5432/ })).toBeVisible();
  await shot(ta, 'change-submitted');
  // The requester has no way to approve: no form, and the API refuses.
  await expect(ta.getByRole('button', { name: 'Approve' })).toHaveCount(0);
  const direct = await ta.request.post('/api/trpc/changes.decide', {
    headers: { origin: new URL(ta.url()).origin, 'content-type': 'application/json' },
    data: { json: { changeId: changeUrl.split('/').pop(), decision: 'approve', reason: 'self', digest: 'a'.repeat(64), totpCode: '123456' } },
  });
  expect(direct.status()).toBe(403);
});

test('an approver of the tenant approves with a fresh code and the agent applies it', async ({ browser }) => {
  const ap = await page(browser);
  await setPassword(ap, links[APPROVER.email]!, APPROVER.password);
  await signIn(ap, APPROVER.email, APPROVER.password);
  await expect(ap).toHaveURL(/\/account\?enrol=1/);
  await ap.getByRole('button', { name: 'Set up two-factor authentication' }).click();
  const secret = (await ap.getByTestId('totp-secret').textContent())!.trim();
  await ap.getByLabel('Code from the app').fill(totpCodeAt(secret, new Date()));
  await ap.getByRole('button', { name: 'Confirm' }).click();
  await expect(ap.getByTestId('recovery-codes')).toBeVisible();
  await ap.goto('/changes?view=inbox');
  await ap.getByRole('link', { name: 'Close postgres to everyone' }).click();
  await ap.getByLabel('Reason (required)').fill('Postgres is reached only through payment-service; agreed');
  await ap.getByLabel(/Authentication code/).fill('000000');
  await ap.getByRole('button', { name: 'Approve' }).click();
  await expect(ap.locator('p.error[role=alert]')).toContainText('not valid');
  await ap.getByLabel(/Authentication code/).fill(totpCodeAt(secret, new Date(Date.now() + 30_000)));
  await ap.getByRole('button', { name: 'Approve' }).click();
  await expect(ap.getByTestId('change-status')).toHaveText('Applied', { timeout: 45_000 });
  const result = ap.getByRole('region', { name: 'What the agent did' });
  await expect(result.getByRole('row', { name: /NetworkPolicy payments\/postgres.*applied/ })).toBeVisible();
  // The agent reports the object back; the page confirms the cluster holds what was approved.
  const verify = ap.getByRole('region', { name: 'Does the cluster hold what was approved?' });
  await expect(async () => {
    await ap.reload();
    await expect(verify.getByText('matches')).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 30_000 });
  await shot(ap, 'change-applied');
});

test('the tenant admin rolls the change back: the inverse draft restores the old policy and the flow it allowed', async ({ browser }) => {
  const ta = await page(browser);
  await signIn(ta, TA.email, TA.password);
  await expect(ta.getByRole('heading', { name: 'Overview' })).toBeVisible();
  await ta.goto(changeUrl);
  await ta.getByRole('button', { name: /Roll back/ }).click();
  await expect(ta.getByRole('heading', { name: 'Roll back: Close postgres to everyone' })).toBeVisible();
  await expect(ta.getByText('This change rolls back')).toBeVisible();
  await ta.getByRole('button', { name: 'Submit for approval' }).click();
  await expect(ta.getByTestId('change-status')).toHaveText('Waiting for approval');
  const impact = ta.getByRole('region', { name: 'Traffic impact' });
  await expect(impact.getByRole('row', { name: /denied → allowed.*payments\/payment-service.*payments\/postgres.*5432/ })).toBeVisible();
  await shot(ta, 'change-rollback');
});
