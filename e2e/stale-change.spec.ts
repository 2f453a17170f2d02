// A change that goes stale because the cluster changed after it was approved, against the
// running demo (its own console on a fresh data folder and port, with the real sim agent the
// demo starts). Payments needs two approvals; after the first, a security admin's global
// change to the same NetworkPolicy is approved and applied by the agent; the second approval
// then releases a bundle whose base version the cluster no longer holds, so the agent applies
// nothing and the page says which object went stale. Rebasing takes a new preview (dry run
// included) that needs new approvals.
import { expect, test, type Browser, type Page } from '@playwright/test';
import { totpCodeAt } from '@/server/security/totp';
import { ownDemo, setPassword, shot } from './helpers';

const SECOND = { email: 'second-approver@example.test', password: 'second approver passphrase 7' };

test.describe.configure({ mode: 'serial' });
test.setTimeout(240_000);

let changeA = '';
let changeB = '';
const secrets: Record<string, string> = {};
const lastStep: Record<string, number> = {};

const POSTGRES = (extra: string) => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: postgres
  namespace: payments
spec:
  podSelector:
    matchLabels:
      app: postgres
  policyTypes: [Ingress]
  ingress:
  - from:
    - podSelector:
        matchLabels:
          app: payment-service
    ports:
    - port: postgres
${extra}`;

const demo = ownDemo('stale-demo', 13);
const BASE = demo.base;


/** First sign-in of a role that needs a second factor: enrol it, keep the secret. */
async function enrolTotp(page: Page, email: string) {
  await expect(page).toHaveURL(/\/account\?enrol=1/);
  await page.getByRole('button', { name: 'Set up two-factor authentication' }).click();
  secrets[email] = (await page.getByTestId('totp-secret').textContent())!.trim();
  await page.getByLabel('Code from the app').fill(code(email, 0));
  await page.getByRole('button', { name: 'Confirm' }).click();
  await expect(page.getByTestId('recovery-codes')).toBeVisible();
}

/** A code for a 30-second step after the last one this person used (the console refuses a step twice). */
function code(email: string, ahead = 1): string {
  const at = Date.now() + ahead * 30_000;
  lastStep[email] = Math.floor(at / 30_000);
  return totpCodeAt(secrets[email]!, new Date(at));
}
async function nextCode(page: Page, email: string): Promise<string> {
  const used = lastStep[email] ?? 0;
  while (Math.floor((Date.now() + 30_000) / 30_000) <= used) await page.waitForTimeout(1_000);
  return code(email);
}

/** A later sign-in of someone who has a second factor: the code page, then in. */
async function signedInWithCode(browser: Browser, email: string, pass = demo.password): Promise<Page> {
  const page = await demo.signedIn(browser, email, pass);
  await expect(page).toHaveURL(/\/signin\/mfa/);
  await page.getByLabel('Authentication code').fill(await nextCode(page, email));
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page).not.toHaveURL(/\/signin/);
  return page;
}

async function draftAndSubmit(page: Page, tenant: string, title: string, yaml: string) {
  await page.goto('/changes/new');
  const form = page.getByRole('form', { name: 'Change request' });
  await form.getByRole('combobox', { name: /^Tenant/ }).selectOption({ label: tenant });
  await form.getByRole('combobox', { name: /^Cluster/ }).selectOption({ label: 'demo-cluster' });
  await form.getByLabel('Title').fill(title);
  await page.locator('.cm-content').first().click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(yaml);
  await form.getByRole('button', { name: 'Save and submit for approval' }).click();
  await expect(page).toHaveURL(/\/changes\/[0-9a-f-]{36}$/, { timeout: 30_000 });
  await expect(page.getByTestId('change-status')).toHaveText('Waiting for approval');
  return new URL(page.url()).pathname;
}

async function approve(page: Page, url: string, email: string, reason: string) {
  await page.goto(url);
  await page.getByLabel('Reason (required)').fill(reason);
  await page.getByLabel(/Authentication code/).fill(await nextCode(page, email));
  await page.getByRole('button', { name: 'Approve' }).click();
}

test('the security admin requires two approvals for Payments and adds a second approver', async ({ browser }) => {
  const admin = await demo.signedIn(browser, 'admin@demo.verity.local');
  await enrolTotp(admin, 'admin@demo.verity.local');
  await admin.goto('/tenants');
  await admin.getByRole('link', { name: 'Payments' }).click();
  const rule = admin.getByRole('form', { name: 'Approval rule' });
  await rule.getByLabel('Approvals needed').fill('2');
  await rule.getByRole('button', { name: 'Save rule' }).click();
  await expect(admin.getByTestId('approval-rule')).toContainText('2 approvals from this tenant');
  await admin.goto('/admin/users');
  const create = admin.getByRole('form', { name: 'Create user' });
  await create.getByLabel('Email').fill(SECOND.email);
  await create.getByLabel('Name', { exact: true }).fill('Second Approver');
  await create.getByLabel('Role').selectOption('approver');
  await create.getByLabel('Scope').selectOption({ label: 'Payments' });
  await create.getByRole('button', { name: 'Create user' }).click();
  await expect(admin.getByTestId('setup-link')).toHaveValue(/\/setup-account#token=/);
  const link = new URL(await admin.getByTestId('setup-link').inputValue());
  const second = await (await browser.newContext({ baseURL: BASE })).newPage();
  await setPassword(second, link.pathname + link.hash, SECOND.password);
  const signed = await demo.signedIn(browser, SECOND.email, SECOND.password);
  await enrolTotp(signed, SECOND.email);
});

test('the tenant admin submits a change; its preview carries the agent’s dry run', async ({ browser }) => {
  const ta = await demo.signedIn(browser, 'payments-admin@demo.verity.local');
  // The preview reads observed flows: give the agent time to send its first ones.
  await ta.waitForTimeout(5_000);
  changeA = await draftAndSubmit(ta, 'Payments', 'Postgres also from order-service', POSTGRES(`  - from:\n    - podSelector:\n        matchLabels:\n          app: order-service\n    ports:\n    - port: 5432\n`));
  const dryRun = ta.getByRole('region', { name: 'Server-side dry run' });
  await expect(dryRun.getByTestId('dry-run-state')).toContainText('accepted every object', { timeout: 45_000 });
  await expect(dryRun.getByText('NetworkPolicy/payments/postgres')).toBeVisible();
  // Diffs unified by default, side by side on request, the choice kept in the URL.
  await ta.getByRole('radio', { name: 'Side by side' }).click();
  await expect(ta).toHaveURL(/diff=split/);
  await expect(ta.getByRole('region', { name: /^Objects/ }).getByTestId('diff-split')).toBeVisible();
  await ta.reload();
  await expect(ta.getByRole('radio', { name: 'Side by side' })).toHaveAttribute('aria-checked', 'true');
  await expect(ta.getByRole('region', { name: 'Approvals' })).toContainText('2 more needed');
  await shot(ta, 'stale-1-submitted');
});

test('the first approval leaves it waiting for the second', async ({ browser }) => {
  const ap = await demo.signedIn(browser, 'approver@demo.verity.local');
  await enrolTotp(ap, 'approver@demo.verity.local');
  await approve(ap, changeA, 'approver@demo.verity.local', 'Order service needs direct reads; agreed');
  await expect(ap.getByRole('region', { name: 'Approvals' })).toContainText('1 more needed');
  await expect(ap.getByTestId('change-status')).toHaveText('Waiting for approval');
});

test('meanwhile a global change to the same policy is flagged on both, approved and applied', async ({ browser }) => {
  const admin = await signedInWithCode(browser, 'admin@demo.verity.local');
  // The same policy, its port now by number: a real change, so the cluster's resourceVersion moves.
  changeB = await draftAndSubmit(admin, 'Global (cluster-scoped objects)', 'Postgres: payment-service only, by port number', POSTGRES('').replace('- port: postgres', '- port: 5432'));
  await expect(admin.getByRole('status').filter({ hasText: 'Other open changes touch the same objects' })).toContainText('Postgres also from order-service');
  await admin.goto(changeA);
  await expect(admin.getByRole('status').filter({ hasText: 'Other open changes touch the same objects' })).toContainText('Postgres: payment-service only, by port number');
  const ap = await signedInWithCode(browser, 'approver@demo.verity.local');
  await approve(ap, changeB, 'approver@demo.verity.local', 'Tightening, fine');
  await expect(ap.getByTestId('change-status')).toHaveText('Applied', { timeout: 45_000 });
});

test('the second approval releases a bundle the cluster no longer matches: stale, per object, nothing applied', async ({ browser }) => {
  const second = await signedInWithCode(browser, SECOND.email, SECOND.password);
  await approve(second, changeA, SECOND.email, 'Agreed as well');
  await expect(second.getByTestId('change-status')).toHaveText('Stale: the cluster changed since review', { timeout: 45_000 });
  const result = second.getByRole('region', { name: 'What the agent did' });
  await expect(result).toContainText('changed in the cluster since the change was reviewed; nothing was applied');
  await expect(result.getByRole('row', { name: /NetworkPolicy payments\/postgres.*stale.*expected resourceVersion \d+, found \d+/ })).toBeVisible();
  await shot(second, 'stale-2-stale');
});

test('rebasing takes a new preview against the cluster as it is now, which needs new approvals', async ({ browser }) => {
  const ta = await demo.signedIn(browser, 'payments-admin@demo.verity.local');
  await ta.goto(changeA);
  await ta.getByRole('button', { name: /^Rebase on the cluster as it is now/ }).click();
  await expect(ta.getByTestId('change-status')).toHaveText('Draft');
  await expect(ta.getByText('revision 2')).toBeVisible();
  await ta.getByRole('button', { name: 'Submit for approval' }).click();
  await expect(ta.getByTestId('change-status')).toHaveText('Waiting for approval');
  await expect(ta.getByRole('region', { name: 'Server-side dry run' }).getByTestId('dry-run-state')).toContainText('accepted every object', { timeout: 45_000 });
  const approvals = ta.getByRole('region', { name: 'Approvals' });
  await expect(approvals).toContainText('2 more needed');
  // The earlier approvals are shown, and said not to count.
  await expect(approvals.getByRole('listitem').filter({ hasText: 'approver@demo.verity.local' })).toContainText('an earlier revision; does not count');
  await shot(ta, 'stale-3-rebased');
});
