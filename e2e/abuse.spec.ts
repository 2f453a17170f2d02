// Abuse findings and the graduated response, against its own demo console (fresh data
// folder, own port, detection every 10 s) with the real sim agent: the security admin finds
// the miner, proposes a quarantine that an approver approves with a fresh code, the agent
// applies it and the graph shows the miner's pool connections denied; then the tenant's
// activity-based sleep puts the (now idle) miner to sleep and the admin wakes it. Once the
// miner is found, the admin also edits the tenant's rule thresholds (a tenant admin only reads them).
import { expect, test, type Browser, type Page } from '@playwright/test';
import { totpCodeAt } from '@/server/security/totp';
import { ownDemo, shot } from './helpers';


test.describe.configure({ mode: 'serial' });
test.setTimeout(240_000);

let findingUrl = '';
let changeUrl = '';
let adminSecret = '';

const demo = ownDemo('abuse-demo', 9, { VERITY_ABUSE_DETECTION_SECONDS: '10' });
const BASE = demo.base;

async function page(browser: Browser): Promise<Page> {
  return (await browser.newContext({ baseURL: BASE, viewport: { width: 1400, height: 1000 } })).newPage();
}

/** Signs in; at first sign-in the security admin and the approver enrol a second factor. */
async function signedIn(browser: Browser, email: string, secret?: string): Promise<{ p: Page; secret: string }> {
  const p = await page(browser);
  await p.goto('/signin');
  await p.getByLabel('Email').fill(email);
  await p.getByLabel('Password').fill(demo.password);
  await p.getByRole('button', { name: 'Sign in' }).click();
  if (secret) {
    await p.getByLabel('Authentication code').fill(totpCodeAt(secret, new Date(Date.now() + 30_000)));
    await p.getByRole('button', { name: 'Verify' }).click();
    await expect(p).not.toHaveURL(/\/signin/);
    return { p, secret };
  }
  await expect(p).toHaveURL(/\/account\?enrol=1/);
  await p.getByRole('button', { name: 'Set up two-factor authentication' }).click();
  const s = (await p.getByTestId('totp-secret').textContent())!.trim();
  await p.getByLabel('Code from the app').fill(totpCodeAt(s, new Date()));
  await p.getByRole('button', { name: 'Confirm' }).click();
  await expect(p.getByTestId('recovery-codes')).toBeVisible();
  return { p, secret: s };
}

test('the security admin finds the miner within minutes and proposes its quarantine', async ({ browser }) => {
  const { p: admin, secret } = await signedIn(browser, 'admin@demo.verity.local');
  adminSecret = secret;
  await admin.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Abuse findings' }).click();
  await expect(admin.getByRole('heading', { name: 'Abuse findings' })).toBeVisible();
  const link = admin.getByRole('link', { name: 'Connections to cryptocurrency mining pools' });
  await expect(async () => {
    await admin.reload();
    await expect(link).toBeVisible({ timeout: 5_000 });
  }).toPass({ timeout: 120_000 });
  // Filters live in the URL.
  await admin.getByLabel('Severity at least').selectOption('critical');
  await expect(admin).toHaveURL(/severity=critical/);
  await expect(link).toBeVisible();
  await shot(admin, 'abuse-findings');

  await link.click();
  await expect(admin.getByRole('heading', { name: /Connections to cryptocurrency mining pools: sandbox-students\/cuda-trainer/ })).toBeVisible();
  findingUrl = admin.url();
  await expect(admin.getByTestId('finding-summary')).toContainText('198.51.100.23:3333');
  await expect(admin.getByTestId('finding-started')).toContainText('UTC');
  await expect(admin.getByRole('table', { name: 'Flows behind the finding' })).toContainText('198.51.100.23');

  await admin.getByLabel('Propose a quarantine').check();
  await admin.getByLabel('Reason (the tenant admins see it)').fill('Stratum connections to a Monero pool from a student sandbox');
  await admin.getByRole('button', { name: 'Propose a quarantine' }).click();
  await admin.getByRole('link', { name: 'open it' }).click();
  await expect(admin.getByRole('heading', { name: /Quarantine sandbox-students\/cuda-trainer/ })).toBeVisible();
  changeUrl = admin.url();
  await expect(admin.getByTestId('change-status')).toHaveText('Waiting for approval', { timeout: 60_000 });
  await admin.goto(findingUrl);
  await expect(admin.getByTestId('responses')).toContainText('proposed a quarantine');
  await shot(admin, 'abuse-finding');
});

test('the security admin changes a threshold: a refused value is named in words, a valid one is saved and survives a reload', async ({ browser }) => {
  const { p: admin } = await signedIn(browser, 'admin@demo.verity.local', adminSecret);
  await admin.goto('/findings');
  await admin.getByRole('link', { name: 'rule thresholds' }).click();
  await expect(admin.getByRole('heading', { name: 'Abuse rule thresholds' })).toBeVisible();
  await admin.getByLabel('Tenant', { exact: true }).selectOption({ label: 'University' });
  await expect(admin).toHaveURL(/\/findings\/thresholds\?tenant=university/);
  const form = admin.getByRole('form', { name: 'Abuse thresholds for University' });
  const rule = form.getByRole('group', { name: 'CPU held at its limit with little inbound traffic' });
  const share = rule.getByLabel('Share of the CPU limit');
  await expect(share).toHaveValue('0.9');
  await expect(rule).toContainText('default 0.9');

  await share.fill('1.5');
  await form.getByRole('button', { name: 'Save 1 change' }).click();
  await expect(form.getByRole('alert')).toHaveText('Not saved: CPU held at its limit with little inbound traffic › Share of the CPU limit must be at most 1.');
  // The server's words sit beside the field they are about, and the field says it is invalid.
  await expect(share).toHaveAttribute('aria-invalid', 'true');
  await expect(share).toHaveAccessibleDescription(/must be at most 1/);
  await shot(admin, 'abuse-thresholds-refused');

  await share.fill('0.95');
  const pools = form.getByRole('group', { name: 'Extra pool addresses' });
  await pools.getByRole('button', { name: 'Add an address' }).click();
  await expect(pools.getByLabel('Extra pool addresses, row 1')).toBeFocused();
  await admin.keyboard.type('2001:db8:77::/48');
  await form.getByRole('button', { name: 'Save 2 changes' }).click();
  const saved = form.getByRole('status');
  await expect(saved).toContainText('Saved for University');
  await expect(saved).toContainText('Share of the CPU limit: 0.9 → 0.95');
  await expect(saved).toContainText('Extra pool addresses: now 2001:db8:77::/48');
  await expect(form.getByRole('button', { name: 'Save (nothing changed)' })).toBeDisabled();
  await shot(admin, 'abuse-thresholds-saved');

  await admin.reload();
  await expect(share).toHaveValue('0.95');
  await expect(pools.getByLabel('Extra pool addresses, row 1')).toHaveValue('2001:db8:77::/48');
  await shot(admin, 'abuse-thresholds');

  // A tenant admin reads its own tenant's thresholds but gets no editor.
  const payments = await demo.signedIn(browser, 'payments-admin@demo.verity.local');
  await payments.goto('/findings/thresholds');
  const own = payments.getByRole('form', { name: 'Abuse thresholds for Payments' });
  await expect(own.getByRole('group', { name: 'Egress fan-out to many new external addresses' })).toContainText('25');
  await expect(payments.getByTestId('thresholds-read-only')).toBeVisible();
  await expect(own.getByRole('button', { name: /Save/ })).toHaveCount(0);
  await expect(own.getByRole('spinbutton')).toHaveCount(0);
  await shot(payments, 'abuse-thresholds-read-only');
});

test('an approver approves the quarantine with a fresh code; the agent applies it and the graph shows the pool connections denied', async ({ browser }) => {
  const { p: ap, secret } = await signedIn(browser, 'approver@demo.verity.local');
  await ap.goto(changeUrl);
  await ap.getByLabel('Reason (required)').fill('Mining is against the sandbox rules');
  await ap.getByLabel(/Authentication code/).fill(totpCodeAt(secret, new Date(Date.now() + 30_000)));
  await ap.getByRole('button', { name: 'Approve' }).click();
  await expect(ap.getByTestId('change-status')).toHaveText('Applied', { timeout: 60_000 });

  // Flows from the minute after the apply on: the pool connections are denied.
  const from = new Date(Math.ceil((Date.now() + 1_000) / 60_000) * 60_000);
  const to = new Date(from.getTime() + 3_600_000);
  const iso = (d: Date) => d.toISOString().slice(0, 16);
  await ap.goto(`/graph?range=custom&from=${iso(from)}&to=${iso(to)}`);
  const list = ap.locator('details.graph-list');
  await expect(async () => {
    await ap.reload();
    await expect(ap.locator('.graph-canvas[data-ready=true]')).toBeVisible({ timeout: 10_000 });
    if (!(await list.evaluate((d: HTMLDetailsElement) => d.open))) await list.locator('summary').click();
    // Every edge out of the miner (the pools outside, and what it probed inside) is denied.
    const out = list.locator('tbody tr').filter({ has: ap.getByRole('button', { name: 'sandbox-students/cuda-trainer', exact: true }) });
    const rows = await out.all();
    let fromMiner = 0;
    for (const row of rows) {
      if ((await row.locator('td').first().textContent()) !== 'sandbox-students/cuda-trainer') continue;
      fromMiner += 1;
      await expect(row.locator('td').nth(3)).toHaveText('denied', { timeout: 1_000 });
    }
    expect(fromMiner).toBeGreaterThan(0);
  }).toPass({ timeout: 150_000 });
  await shot(ap, 'abuse-quarantined-graph');
});

test('activity-based sleep puts the idle miner to sleep, with why and when; the admin wakes it', async ({ browser }) => {
  const { p: admin } = await signedIn(browser, 'admin@demo.verity.local', adminSecret);
  await admin.goto('/findings');
  const policy = admin.getByRole('form', { name: 'Activity-based sleep for University' });
  await policy.getByLabel('Enabled').check();
  await policy.getByLabel('Idle minutes').fill('1');
  // Quarantined, the miner receives nothing; any CPU counts as idle for this test.
  await policy.getByLabel('CPU below (millicores)').fill('1000000');
  await policy.getByRole('button', { name: 'Save' }).click();
  await expect(policy.getByRole('status')).toHaveText('Saved.');
  const row = admin.getByTestId('sleep-sandbox-students-cuda-trainer');
  await expect(row).toContainText('asleep', { timeout: 120_000 });
  await expect(row).toContainText('No inbound connections and CPU below 1000000 millicores');
  await expect(row).toContainText('activity-based sleep');
  await expect(row).toContainText(/replicas: \d+/);
  await shot(admin, 'abuse-asleep');

  // Turn the policy off first, or the next run would put it straight back to sleep.
  await policy.getByLabel('Enabled').uncheck();
  await policy.getByRole('button', { name: 'Save' }).click();
  await expect(policy.getByRole('status')).toHaveText('Saved.');
  await row.getByLabel('Reason to wake sandbox-students/cuda-trainer').fill('Needed for the course demo');
  await row.getByRole('button', { name: 'Wake' }).click();
  await expect(row).toHaveCount(0, { timeout: 60_000 });
});
