// The traffic graph as people use it, against the running demo: its own console (`verity
// demo` on a fresh data folder and its own port, so the spine's first-admin flow is left
// alone) with the real sim agent process the demo starts, whose traffic obeys its policies
// and mesh modes.
import { expect, test } from '@playwright/test';
import { graphEdgeRow, graphList, openGraphList, ownDemo, shot } from './helpers';


test.describe.configure({ mode: 'serial' });
test.setTimeout(120_000);


const demo = ownDemo('graph-demo', 3);
const BASE = demo.base;



test('the graph shows the sim services with their mTLS and verdict markings', async ({ browser }) => {
  const admin = await demo.signedIn(browser, 'admin@demo.verity.local', undefined, 1500);
  await admin.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Traffic graph' }).click();
  await expect(admin.getByRole('heading', { name: 'Traffic graph' })).toBeVisible();
  // Flows arrive within a few ticks of the agent's start.
  await expect(async () => {
    await admin.reload();
    await expect(admin.getByRole('button', { name: 'Workload payments/payment-service' })).toBeVisible({ timeout: 5_000 });
  }).toPass({ timeout: 90_000 });
  await expect(admin.locator('.graph-canvas[data-ready=true]')).toBeVisible();
  await openGraphList(admin);
  // checkout runs one of three pods without a sidecar: into STRICT payments that is mixed, and its plaintext is dropped.
  await expect(async () => {
    await expect(graphEdgeRow(admin, 'storefront/checkout', 'payments/payment-service').locator('td').nth(2)).toHaveText('mixed', { timeout: 2_000 });
  }).toPass({ timeout: 60_000 });
  await expect(graphEdgeRow(admin, 'storefront/checkout', 'payments/payment-service').locator('td').nth(3)).toHaveText(/mixed|dropped/);
  // analytics has no sidecars: plaintext.
  await expect(graphList(admin).locator('tbody tr').filter({ hasText: 'analytics/' }).first()).toContainText('plaintext');
  await expect(admin.getByRole('region', { name: 'Posture' })).toContainText('plaintext edge');
  await expect(admin.getByRole('region', { name: 'Legend' })).toContainText('dashed: plaintext');
  await shot(admin, 'graph-admin');
});

test('filters narrow the graph and survive a reload, with the selection', async ({ browser }) => {
  const admin = await demo.signedIn(browser, 'admin@demo.verity.local', undefined, 1500);
  await admin.goto('/graph');
  await expect(admin.getByRole('button', { name: 'Workload payments/payment-service' })).toBeVisible({ timeout: 30_000 });
  // The checkbox follows the URL, so it turns checked once the URL has changed.
  await admin.getByRole('group', { name: 'mTLS' }).getByLabel('plaintext').click();
  await expect(admin).toHaveURL(/mtls=plaintext/);
  await admin.getByRole('combobox', { name: 'Namespace', exact: true }).selectOption('analytics');
  await expect(admin).toHaveURL(/ns=analytics/);
  await openGraphList(admin);
  await expect(graphList(admin).locator('tbody tr').first()).toBeVisible();
  for (const row of await graphList(admin).locator('tbody tr').all()) {
    await expect(row.locator('td').nth(2)).toHaveText('plaintext');
    await expect(row).toContainText('analytics/');
  }
  // Picked from the list (the keyboard's way in): after elk refines a new picture its nodes
  // may glide past the fitted view, so a canvas node is not always on screen to click.
  await graphList(admin).getByRole('button', { name: /^analytics\// }).first().click();
  await expect(admin).toHaveURL(/sel=node%3Aw%3Aanalytics|sel=node:w:analytics/);
  await admin.reload();
  await expect(admin.getByRole('group', { name: 'mTLS' }).getByLabel('plaintext')).toBeChecked();
  await expect(admin.getByRole('combobox', { name: 'Namespace', exact: true })).toHaveValue('analytics');
  await expect(admin.getByRole('complementary', { name: 'Details' })).toContainText('Effective mTLS');
  await shot(admin, 'graph-filtered');
});

test('the side panels explain nodes and edges', async ({ browser }) => {
  const admin = await demo.signedIn(browser, 'admin@demo.verity.local', undefined, 1500);
  await admin.goto('/graph');
  await expect(admin.getByRole('button', { name: 'Workload payments/payment-service' })).toBeVisible({ timeout: 30_000 });
  await openGraphList(admin);
  await graphList(admin).getByRole('button', { name: 'payments/payment-service', exact: true }).first().click();
  const panel = admin.getByRole('complementary', { name: 'Details' });
  await expect(panel.getByRole('region', { name: 'Effective mTLS' })).toContainText('STRICT');
  await expect(panel.getByRole('region', { name: 'Network policies' })).toContainText('payments/');
  await expect(panel.getByRole('region', { name: 'STRICT readiness' })).toBeVisible();
  await panel.getByRole('button', { name: 'storefront/checkout → payments/payment-service' }).first().click();
  await expect(admin).toHaveURL(/sel=edge/);
  const why = panel.getByRole('region', { name: 'Verdict explanation' });
  await expect(why).toContainText('under the policies in force now');
  await expect(why).toContainText(/ingress to payments\/payment-service: allowed, isolated by payments\//);
  await expect(panel.getByRole('region', { name: 'Plaintext by source' })).toContainText('storefront/checkout on port 8443');
  await expect(panel.getByRole('region', { name: 'Counts over time' })).toContainText('One bar per minute');
  await shot(admin, 'graph-edge-panel');
});

test('a tenant admin sees only their tenant and an opaque node for the rest', async ({ browser }) => {
  const ta = await demo.signedIn(browser, 'payments-admin@demo.verity.local', undefined, 1500);
  await ta.goto('/graph');
  await expect(ta.getByRole('button', { name: 'Workload payments/payment-service' })).toBeVisible({ timeout: 30_000 });
  await expect(ta.getByRole('button', { name: /Other tenant \(hidden\)/ })).toBeVisible();
  await expect(ta.locator('main')).not.toContainText('storefront');
  await expect(ta.locator('main')).not.toContainText('analytics');
  const res = await ta.request.get(`/api/trpc/graph.read?input=${encodeURIComponent(JSON.stringify({ json: { range: '1h' } }))}`);
  expect(res.status()).toBe(200);
  const body = await res.text();
  expect(body).not.toContain('storefront');
  expect(body).not.toContain('checkout');
  await shot(ta, 'graph-tenant-admin');
});
