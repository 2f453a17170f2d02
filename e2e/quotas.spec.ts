// Quota dashboards as a tenant admin sees them, against the running demo (its own console
// and data folder, with the real sim agent sending usage every minute): their tenant's
// quotas with bars, the chart and forecast over a range kept in the URL, and nothing of
// another tenant, whether listed, asked for by URL, or through the API.
import { expect, test } from '@playwright/test';
import { ownDemo, shot } from './helpers';


test.describe.configure({ mode: 'serial' });
test.setTimeout(150_000);


const demo = ownDemo('quotas-demo', 11);
const BASE = demo.base;


test('a tenant admin sees their quotas, the chart and the forecast, and no other tenant', async ({ browser }) => {
  const page = await demo.signedIn(browser, 'payments-admin@demo.verity.local');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Quotas' }).click();
  // The agent's first inventory and usage arrive within seconds of start-up.
  await expect(page.getByRole('table', { name: 'Quotas of Payments' })).toBeVisible({ timeout: 60_000 });
  await expect(page.getByRole('heading', { name: /Storefront/ })).toHaveCount(0);
  await expect(page.getByRole('table', { name: 'Quotas of Payments' }).getByRole('row', { name: /pods/ })).toContainText(/\d+ \/ \d+/);

  await page.getByRole('link', { name: 'History and forecast for Payments' }).click();
  await expect(page).toHaveURL(/\/quotas\?tenant=payments&range=day/);
  await page.getByRole('link', { name: 'Last hour' }).click();
  await expect(page).toHaveURL(/range=hour/);
  await expect(page.getByRole('link', { name: 'Last hour' })).toHaveAttribute('aria-current', 'page');
  // A chart per resource, drawn (uPlot's canvas), with its summary in words, and the forecast.
  const pods = page.getByRole('img', { name: /^pods over the hour: now \d+ of 30/ });
  await expect(pods).toBeVisible({ timeout: 30_000 });
  await expect(pods.locator('canvas')).toHaveCount(1);
  await expect(page.getByTestId('forecast-pods')).toHaveText(/^pods: (full in about .+|full now|no forecast: .+|not full within a year at this rate)$/);
  await expect(page.getByText(/Forecast: Least-squares line through the samples of the chosen range/)).toBeVisible();
  // A tenant admin cannot change quotas (that is a global change request): no such button.
  await expect(page.getByRole('button', { name: /Propose a quota change/ })).toHaveCount(0);
  await shot(page, 'quotas-tenant-admin');

  // Another tenant by URL: not there. Through the API: not found, nothing of it in the answer.
  await page.goto('/quotas?tenant=storefront&range=hour');
  await expect(page.getByText('No tenant “storefront” is visible to you.')).toBeVisible();
  const overview = await page.request.get('/api/trpc/quotas.overview');
  expect(overview.ok()).toBe(true);
  const body = await overview.text();
  expect(body).toContain('payments');
  expect(body).not.toContain('storefront');
});

test('a viewer of another tenant sees only that tenant', async ({ browser }) => {
  const page = await demo.signedIn(browser, 'viewer@demo.verity.local');
  // The viewer of storefront: their tenant only, and no change action.
  await page.goto('/quotas');
  await expect(page.getByRole('table', { name: 'Quotas of Storefront' })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole('table', { name: 'Quotas of Payments' })).toHaveCount(0);
});
