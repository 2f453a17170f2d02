// A time-bound RBAC grant, as the people involved make it: a tenant admin builds a Role in
// the verbs × resources matrix and binds it to an on-call user for four minutes, the YAML
// following the form (and refusing to submit while it does not parse); the preview names the
// permission gained; an approver approves with a fresh code; the sim agent applies it. When
// the four minutes pass, Verity issues the removal on its own (the console sweeps every 5 s
// here), the agent applies it, and both steps are in the audit trail.
import { type ChildProcess, spawn } from 'node:child_process';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { totpCodeAt } from '@/server/security/totp';
import { createUser, loadState, setPassword, shot, signIn, signInAsFirstAdmin } from './helpers';

test.describe.configure({ mode: 'serial' });
// Drafting, previewing (in the background, with the agent's dry run) and approving take more
// than the default minute on a 2-core machine.
test.setTimeout(150_000);

const TA = { email: 'analytics-admin@example.test', password: 'analytics admin passphrase 5' };
const APPROVER = { email: 'analytics-approver@example.test', password: 'analytics approver passphrase 6' };
const links: Record<string, string> = {};
let agent: ChildProcess | undefined;
let grantUrl = '';
let expiresAt = 0;

async function page(browser: Browser): Promise<Page> {
  return (await browser.newContext({ viewport: { width: 1400, height: 1000 } })).newPage();
}


test.beforeAll(({ baseURL }) => {
  const state = loadState();
  if (!state.agent) throw new Error('the spine suite left no agent behind');
  agent = spawn(process.execPath, ['--import', 'tsx', 'bin/verity.ts', 'agent', '--driver', 'sim', '--console', baseURL!, '--state-dir', state.agent.stateDir], { stdio: 'ignore' });
});
test.afterAll(() => agent?.kill('SIGTERM'));

test('the admin gives tenant Analytics the sim cluster’s analytics namespace, with a tenant admin and an approver', async ({ browser }) => {
  const admin = await page(browser);
  await signInAsFirstAdmin(admin);
  await admin.goto('/tenants');
  const form = admin.getByRole('form', { name: 'Create tenant' });
  await form.getByLabel('Name', { exact: true }).fill('Analytics');
  await form.getByLabel('Cluster').fill(loadState().agent!.cluster);
  await form.getByLabel('Namespaces').fill('analytics');
  await form.getByRole('button', { name: 'Create tenant' }).click();
  await expect(admin.getByRole('link', { name: 'Analytics' })).toBeVisible();
  await admin.goto('/admin/users');
  links[TA.email] = await createUser(admin, { email: TA.email, name: 'Ana Lytics', role: 'tenant_admin', scope: 'Analytics' });
  links[APPROVER.email] = await createUser(admin, { email: APPROVER.email, name: 'Pat Approver', role: 'approver', scope: 'Analytics' });
});

test('the tenant admin builds a Role in the matrix and binds it for four minutes; the YAML follows and blocks submit while broken', async ({ browser }) => {
  const ta = await page(browser);
  await setPassword(ta, links[TA.email]!, TA.password);
  await signIn(ta, TA.email, TA.password);
  await expect(ta.getByRole('heading', { name: 'Overview' })).toBeVisible();
  await ta.goto('/changes/new');
  const form = ta.getByRole('form', { name: 'Change request' });
  await form.getByRole('group', { name: 'Form' }).getByRole('button', { name: 'RBAC form' }).click();
  await expect(ta).toHaveURL(/form=rbac/);
  await form.getByRole('combobox', { name: /^Tenant/ }).selectOption({ label: 'Analytics' });
  await form.getByRole('combobox', { name: /^Cluster/ }).selectOption({ label: loadState().agent!.cluster });
  await form.getByLabel('Title').fill('On-call debugging for incident 7');
  const rbac = ta.getByRole('region', { name: 'RBAC form' });
  const yaml = ta.locator('.cm-content');

  // A Role as a matrix: resources come from the cluster's inventory, subresources included.
  await rbac.getByRole('button', { name: '+ Role', exact: true }).click();
  await rbac.getByLabel('Role name').fill('incident-debug');
  const pick = rbac.getByRole('combobox', { name: /Add a resource from this cluster/ });
  await pick.selectOption({ label: 'pods' });
  await rbac.getByRole('button', { name: 'Add', exact: true }).click();
  // A subresource no Role in this tenant's reach names yet: typed in.
  await rbac.getByLabel(/Or type/).fill('pods/exec');
  await rbac.getByRole('button', { name: 'Add typed' }).click();
  await rbac.getByRole('checkbox', { name: 'get pods', exact: true }).check();
  await rbac.getByRole('checkbox', { name: 'list pods', exact: true }).check();
  await rbac.getByRole('checkbox', { name: 'create pods/exec', exact: true }).check();
  await expect(yaml).toContainText('resources:');
  await expect(yaml).toContainText('pods/exec');
  // Non-resource URLs belong to ClusterRoles only: a Role offers none.
  await expect(rbac.getByRole('group', { name: 'Non-resource URLs' })).toHaveCount(0);

  // The binding: the drafted Role, a user typed in, an expiry four minutes ahead (room for the
  // background preview and the approval on a busy machine).
  await rbac.getByRole('button', { name: '+ RoleBinding', exact: true }).click();
  await rbac.getByLabel('RoleBinding name').fill('incident-debug-oncall');
  await rbac.getByLabel('Role it grants').selectOption({ label: 'Role incident-debug' });
  await rbac.getByLabel('Subject kind').selectOption('User');
  await rbac.getByLabel(/^User name/).fill('oncall@example.test');
  await rbac.getByRole('button', { name: 'Add subject' }).click();
  await expect(rbac.getByRole('list', { name: 'Subjects' })).toContainText('User oncall@example.test');
  await expect(yaml).toContainText('name: oncall@example.test');

  // YAML → form: a Role written in the YAML appears in the form, and removing it in the form
  // removes it from the YAML.
  await yaml.click();
  await ta.keyboard.press('Control+End');
  await ta.keyboard.insertText('---\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: from-yaml\n  namespace: analytics\nrules:\n- apiGroups: [""]\n  resources: [configmaps]\n  verbs: [get, watch]\n');
  await rbac.getByRole('button', { name: /^Role analytics\/from-yaml/ }).click();
  await expect(rbac.getByRole('checkbox', { name: 'watch configmaps', exact: true })).toBeChecked();
  await expect(rbac.getByRole('checkbox', { name: 'list configmaps', exact: true })).not.toBeChecked();
  await rbac.getByRole('button', { name: 'Remove Role analytics/from-yaml from this change' }).click();
  await expect(yaml).not.toContainText('from-yaml');
  await rbac.getByRole('button', { name: /^RoleBinding analytics\/incident-debug-oncall/ }).click();

  // Invalid YAML: the form steps aside, the error is inline, and submit is disabled.
  await yaml.click();
  await ta.keyboard.press('Control+End');
  // A tab as indentation: never valid YAML, and no bracket or quote the editor would close by
  // itself (a closed bracket made the backspaces below eat into the document).
  const broken = '\n\tbroken: 1';
  await ta.keyboard.insertText(broken);
  await expect(rbac.getByText(/The YAML does not parse \(line \d+/)).toBeVisible();
  await expect(form.getByRole('button', { name: 'Save and submit for approval' })).toBeDisabled();
  await expect(ta.locator('.cm-lintRange-error, .cm-lint-marker-error').first()).toBeVisible();
  await shot(ta, 'rbac-yaml-invalid');
  for (let i = 0; i < broken.length; i++) await ta.keyboard.press('Backspace');
  await expect(rbac.getByText(/The YAML does not parse/)).toHaveCount(0);
  await expect(rbac.getByRole('list', { name: 'Subjects' })).toContainText('User oncall@example.test');
  await rbac.getByRole('button', { name: /^Role analytics\/incident-debug/ }).click();
  await expect(rbac.getByRole('checkbox', { name: 'create pods/exec', exact: true })).toBeChecked();
  await shot(ta, 'rbac-matrix');

  // Last, so the four minutes start as late as possible before submitting.
  await rbac.getByRole('button', { name: /^RoleBinding analytics\/incident-debug-oncall/ }).click();
  await rbac.getByLabel('Expires in').fill('4');
  await rbac.getByLabel('Expiry unit').selectOption('minutes');
  await rbac.getByRole('button', { name: 'Make it time-bound' }).click();
  expiresAt = Date.now() + 240_000;
  await expect(rbac.getByTestId('grant-countdown').first()).toHaveText(/3 min \d+ s left|4 min 0 s left/);
  await expect(yaml).toContainText('verity.dev/expires-at');
  await shot(ta, 'rbac-binding');

  await form.getByRole('button', { name: 'Save and submit for approval' }).click();
  await expect(ta).toHaveURL(/\/changes\/[0-9a-f-]{36}$/, { timeout: 30_000 });
  grantUrl = new URL(ta.url()).pathname;
  await expect(ta.getByTestId('time-bound-binding')).toContainText('RoleBinding analytics/incident-debug-oncall');
  // The preview names what the user gains.
  const radius = ta.getByRole('region', { name: 'Who gains and loses what' });
  await expect(radius.getByRole('heading', { name: /oncall@example\.test/ })).toBeVisible({ timeout: 60_000 });
  await expect(radius).toContainText('gains create pods/exec in namespace analytics');
  await shot(ta, 'rbac-grant-submitted');
});

test('an approver approves the grant with a fresh code and the agent applies it; the page counts down', async ({ browser }) => {
  const ap = await page(browser);
  await setPassword(ap, links[APPROVER.email]!, APPROVER.password);
  await signIn(ap, APPROVER.email, APPROVER.password);
  await expect(ap).toHaveURL(/\/account\?enrol=1/);
  await ap.getByRole('button', { name: 'Set up two-factor authentication' }).click();
  const secret = (await ap.getByTestId('totp-secret').textContent())!.trim();
  await ap.getByLabel('Code from the app').fill(totpCodeAt(secret, new Date()));
  await ap.getByRole('button', { name: 'Confirm' }).click();
  await expect(ap.getByTestId('recovery-codes')).toBeVisible();
  await ap.goto(grantUrl);
  await expect(ap.getByTestId('time-bound-binding')).toContainText('starts when this change is applied');
  await ap.getByLabel('Reason (required)').fill('Incident 7: exec into the pods for four minutes');
  await ap.getByLabel(/Authentication code/).fill(totpCodeAt(secret, new Date(Date.now() + 30_000)));
  await ap.getByRole('button', { name: 'Approve' }).click();
  await expect(ap.getByTestId('change-status')).toHaveText('Applied', { timeout: 45_000 });
  await expect(ap.getByTestId('time-bound-binding')).toContainText('removed automatically when it expires');
  await expect(ap.getByTestId('grant-countdown')).toHaveText(/min \d+ s left|\d+ s left/);
  await shot(ap, 'rbac-grant-applied');
});

test('when the grant expires Verity removes the binding on its own, the agent applies it, and both are audited', async ({ browser }) => {
  test.setTimeout(360_000);
  const ta = await page(browser);
  await signIn(ta, TA.email, TA.password);
  await expect(ta.getByRole('heading', { name: 'Overview' })).toBeVisible();
  await ta.goto(grantUrl);
  await ta.waitForTimeout(Math.max(0, expiresAt - Date.now()));
  // The sweeper runs every 5 s; the removal link appears once it has issued the removal. (Before
  // that the line reads 'removed automatically when it expires', which must not count.)
  await expect(async () => {
    await ta.reload();
    await expect(ta.getByTestId('time-bound-binding')).toContainText(/removal issued|removed \d{4}-/, { timeout: 1_000 });
  }).toPass({ timeout: 60_000 });
  await ta.getByTestId('time-bound-binding').getByRole('link', { name: 'the removal' }).click();
  await expect(ta.getByRole('heading', { name: 'Remove expired grant: On-call debugging for incident 7' })).toBeVisible();
  await expect(ta.getByTestId('grant-removal')).toContainText('needs no new approval');
  await expect(ta.getByTestId('change-status')).toHaveText('Applied', { timeout: 45_000 });
  const result = ta.getByRole('region', { name: 'What the agent did' });
  await expect(result.getByRole('row', { name: /RoleBinding analytics\/incident-debug-oncall.*deleted/ })).toBeVisible();
  await shot(ta, 'rbac-grant-removed');
  await ta.goto(grantUrl);
  await expect(ta.getByTestId('time-bound-binding')).toContainText(/removed \d{4}-\d{2}-\d{2}/);
  await expect(ta.getByTestId('grant-countdown')).toHaveText('removed');

  // Both steps in the audit trail, under the grant's change.
  for (const action of ['change.grant_expired', 'change.grant_removed']) {
    await ta.goto(`/audit?action=${action}`);
    await expect(ta.getByRole('button', { name: /^Open event \d+/ })).toHaveCount(1);
  }
});
