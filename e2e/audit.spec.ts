// The audit trail as investigators use it: full-text search (a phrase, a -word), a facet
// with its count and the URL following it, paging to older events, one event with its place
// in the chain and a change request's story, NDJSON and CSV exports through the page's
// links, and a tenant admin who sees their tenant's events only, however they ask.
// Runs after the spine (tenants Acme and Globex, tenant admin ta@acme.test) and before
// changes.spec.ts: it signs the first admin in once (one recovery code) and deletes nothing.
import { readFileSync } from 'node:fs';
import { expect, test, type Browser, type Locator, type Page } from '@playwright/test';
import { CSV_COLUMNS } from '@/server/domain/audit/csv';
import { shot, signIn, signInAsFirstAdmin } from './helpers';

test.describe.configure({ mode: 'serial' });

const TENANT_ADMIN = { email: 'ta@acme.test', password: 'tenant admin passphrase 2' };
const CHANGE_TITLE = 'Default-deny ingress for acme-web';
const POLICY = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny
  namespace: acme-web
spec:
  podSelector: {}
  policyTypes: [Ingress]
  ingress: []
`;

interface ExportedEvent {
  seq: number;
  action: string;
  tenantId: string | null;
  resourceType: string | null;
  resourceId: string | null;
}

let admin: Page;
let changeId = '';
const tenantIds: Record<string, string> = {};
let globexCreatedSeq = 0;

async function newPage(browser: Browser): Promise<Page> {
  return (await browser.newContext()).newPage();
}

const facets = (page: Page) => page.getByRole('complementary', { name: 'Facets' });
const facetGroup = (page: Page, name: string) => facets(page).getByRole('group', { name });
const events = (page: Page) => page.getByRole('region', { name: 'Events' });
const openButtons = (page: Page) => events(page).getByRole('button', { name: /^Open event \d+: / });

/** The timeline's rows as [seq, action], read from each row's "Open event" button. */
async function rows(page: Page): Promise<{ seq: number; action: string }[]> {
  const labels = await openButtons(page).evaluateAll((els) => els.map((el) => el.getAttribute('aria-label') ?? ''));
  return labels.map((l) => {
    const m = /^Open event (\d+): (.+)$/.exec(l)!;
    return { seq: Number(m[1]), action: m[2]! };
  });
}

async function search(page: Page, q: string) {
  const box = page.getByRole('search', { name: 'Search the audit trail' });
  await box.getByRole('textbox', { name: 'Search' }).fill(q);
  await box.getByRole('button', { name: 'Search' }).click();
  await expect.poll(() => new URL(page.url()).searchParams.get('q')).toBe(q);
}

/** Clicks an export link on the page and returns what the browser downloaded. */
async function download(page: Page, link: string): Promise<{ name: string; text: string }> {
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: link, exact: true }).click()]);
  const path = await file.path();
  return { name: file.suggestedFilename(), text: readFileSync(path, 'utf8') };
}

const ndjson = (text: string) =>
  text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as ExportedEvent);

/** CSV lines as cells; the first five columns (seq … tenant_id) never hold commas or quotes. */
const csvLines = (text: string) => text.split('\r\n').filter(Boolean);
const csvLead = (line: string) => line.split(',').slice(0, 5);

async function dd(panel: Locator, term: string): Promise<string> {
  return (await panel.locator('dt', { hasText: new RegExp(`^${term}$`) }).locator('xpath=following-sibling::dd[1]').textContent())!.trim();
}

async function trpcQuery<T>(page: Page, proc: string, input: unknown): Promise<{ status: number; data: T }> {
  const query = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify({ json: input }))}`;
  const res = await page.request.get(`/api/trpc/${proc}${query}`);
  const body = (await res.json()) as { result?: { data: { json: T } } };
  return { status: res.status(), data: body.result?.data.json as T };
}

test('the tenant admin drafts a change request and edits it, so it has a story', async ({ browser }) => {
  const ta = await newPage(browser);
  await signIn(ta, TENANT_ADMIN.email, TENANT_ADMIN.password);
  await expect(ta.getByRole('heading', { name: 'Overview' })).toBeVisible();
  await ta.goto('/changes/new');
  const form = ta.getByRole('form', { name: 'Change request' });
  await form.getByRole('combobox', { name: /^Tenant/ }).selectOption({ label: 'Acme' });
  await form.getByRole('combobox', { name: /^Cluster/ }).selectOption({ label: 'prod-eu-1' });
  await form.getByLabel('Title').fill(`${CHANGE_TITLE} (first try)`);
  await ta.locator('.cm-content').click();
  await ta.keyboard.press('Control+A');
  await ta.keyboard.press('Delete');
  await ta.keyboard.insertText(POLICY);
  await form.getByRole('button', { name: 'Save draft' }).click();
  await expect(ta).toHaveURL(/\/changes\/[0-9a-f-]{36}\/edit$/);
  changeId = ta.url().match(/\/changes\/([0-9a-f-]{36})\/edit$/)![1]!;
  // An edit of the draft: a second event of the same change.
  await form.getByLabel('Title').fill(CHANGE_TITLE);
  const saved = ta.waitForResponse((r) => r.url().includes('changes.saveDraft') && r.ok());
  await form.getByRole('button', { name: 'Save draft' }).click();
  await saved;
  await ta.context().close();
});

test('the admin searches the whole trail with a phrase and a -word', async ({ browser }) => {
  admin = await newPage(browser);
  await signInAsFirstAdmin(admin);
  // Tenant ids, to check events and exports against (the admin sees every tenant).
  const list = await trpcQuery<{ id: string; name: string }[]>(admin, 'tenants.list', undefined);
  for (const t of list.data) tenantIds[t.name] = t.id;
  expect(Object.keys(tenantIds)).toEqual(expect.arrayContaining(['Acme', 'Globex']));

  await admin.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit trail' }).click();
  await expect(admin.getByRole('heading', { name: 'Audit trail' })).toBeVisible();
  await expect(openButtons(admin).first()).toBeVisible();

  // A phrase: both tenants' creation events (and the audited searches that quoted it).
  await search(admin, '"tenant created"');
  await expect.poll(async () => (await rows(admin)).filter((r) => r.action === 'tenant.created').length).toBe(2);
  for (const r of await rows(admin)) expect(['tenant.created', 'audit.searched']).toContain(r.action);
  await expect(events(admin).getByRole('row', { name: /tenant\.created.*Globex/ })).toHaveCount(1);

  // The same phrase without any event that mentions Globex.
  await search(admin, '"tenant created" -globex');
  await expect.poll(async () => (await rows(admin)).filter((r) => r.action === 'tenant.created').length).toBe(1);
  await expect(events(admin).getByRole('row', { name: /tenant\.created.*Acme/ })).toHaveCount(1);
  await expect(events(admin).getByText('Globex')).toHaveCount(0);
  await expect(admin.getByRole('button', { name: 'Remove filter q: "tenant created" -globex' })).toBeVisible();

  // Words that match nothing say so.
  await search(admin, 'no-such-word-anywhere-xyzzy');
  await expect(events(admin).getByText('No events match this search')).toBeVisible();
  await shot(admin, 'audit-search');
});

test('picking a facet narrows the trail, shows its count and lands in the URL', async () => {
  await admin.getByRole('button', { name: 'Clear all' }).click();
  await expect.poll(() => new URL(admin.url()).search).toBe('');
  const action = facetGroup(admin, 'Action');
  const value = action.getByRole('listitem').filter({ has: admin.getByRole('button', { name: 'tenant.created', exact: true }) });
  // Its count before picking it: Acme and Globex.
  await expect(value).toHaveText(/^tenant\.created\s+2$/);
  await value.getByRole('button').click();
  await expect(admin).toHaveURL(/[?&]action=tenant\.created(&|$)/);
  await expect(action.getByRole('button', { name: 'tenant.created', exact: true })).toHaveAttribute('aria-pressed', 'true');
  await expect(facets(admin).getByText('2 matching events')).toBeVisible();
  await expect.poll(async () => (await rows(admin)).map((r) => r.action)).toEqual(['tenant.created', 'tenant.created']);
  // Every other facet counts within the selection: one event per tenant.
  for (const name of ['Acme', 'Globex']) await expect(facetGroup(admin, 'Tenant').getByRole('listitem').filter({ hasText: name })).toHaveText(new RegExp(`^${name}\\s+1$`));
  const globexRow = events(admin).getByRole('row', { name: /Globex/ });
  globexCreatedSeq = Number((await globexRow.getByRole('button', { name: /^Open event/ }).getAttribute('aria-label'))!.match(/^Open event (\d+)/)![1]);
  // The URL is the search: a reload (or a shared link) shows the same thing.
  await admin.reload();
  await expect(action.getByRole('button', { name: 'tenant.created', exact: true })).toHaveAttribute('aria-pressed', 'true');
  await expect(openButtons(admin)).toHaveCount(2);
  await shot(admin, 'audit-facet');
});

test('exports of the search download only its events, as NDJSON and as CSV with a header', async () => {
  const expected = (await rows(admin)).map((r) => r.seq).sort((a, b) => a - b);
  expect(expected).toHaveLength(2);

  const nd = await download(admin, 'NDJSON');
  expect(nd.name).toMatch(/^verity-audit-.+\.ndjson$/);
  const exported = ndjson(nd.text);
  expect(exported.map((e) => e.seq).sort((a, b) => a - b)).toEqual(expected);
  for (const e of exported) expect(e.action).toBe('tenant.created');
  expect(exported.map((e) => e.tenantId).sort()).toEqual([tenantIds.Acme, tenantIds.Globex].sort());

  const csv = await download(admin, 'CSV');
  expect(csv.name).toMatch(/^verity-audit-.+\.csv$/);
  const [header, ...lines] = csvLines(csv.text);
  expect(header).toBe(CSV_COLUMNS.join(','));
  expect(lines.map((l) => Number(csvLead(l)[0])).sort((a, b) => a - b)).toEqual(expected);
  for (const l of lines) expect(l).toContain(',tenant.created,');

  // Exporting is itself audited (and was not part of what it exported).
  await admin.goto('/audit?action=audit.exported');
  await expect(openButtons(admin)).toHaveCount(2);
  await expect(facetGroup(admin, 'Actor').getByRole('button', { name: 'first-admin@example.test' })).toBeVisible();
});

test('paging loads older events after the newest fifty, without repeating any', async () => {
  // The trail needs more than one page; every first-page search is itself an audited event.
  const total = async () => (await trpcQuery<{ total: number }>(admin, 'audit.facets', { filters: {} })).data.total;
  for (let i = 0, n = await total(); n <= 60 && i < 80; i += 1, n += 1) {
    expect((await trpcQuery(admin, 'audit.search', { filters: { q: `padding search ${i}` }, limit: 1 })).status).toBe(200);
  }
  await admin.goto('/audit');
  await expect(facets(admin).getByText(/^\d+ matching events$/)).toBeVisible();
  const shown = Number((await facets(admin).getByText(/^\d+ matching events$/).textContent())!.match(/^\d+/)![0]);
  expect(shown).toBeGreaterThan(60);
  await admin.getByRole('button', { name: 'Pause live tail' }).click();
  await expect(admin.getByText('Live tail paused.')).toBeVisible();
  const first = await rows(admin);
  expect(first.length).toBeGreaterThanOrEqual(50);
  await admin.getByRole('button', { name: 'Older events' }).click();
  await expect.poll(async () => (await rows(admin)).length).toBeGreaterThan(first.length);
  const after = await rows(admin);
  const seqs = after.map((r) => r.seq);
  expect(new Set(seqs).size).toBe(seqs.length);
  // The rows already shown stay, in their order (a tail poll in flight when pausing may still
  // add one at the top), and the new ones come after them, older than any of them.
  const shownBefore = new Set(first.map((r) => r.seq));
  expect(seqs.filter((s) => shownBefore.has(s))).toEqual(first.map((r) => r.seq));
  const lastShown = seqs.indexOf(first[first.length - 1]!.seq);
  const older = seqs.slice(lastShown + 1);
  expect(older.length).toBeGreaterThan(0);
  expect(older.every((s) => !shownBefore.has(s))).toBe(true);
  expect(Math.min(...seqs)).toBeLessThan(Math.min(...first.map((r) => r.seq)));
  await admin.getByRole('button', { name: 'Resume live tail' }).click();
});

test('an event shows its place in the chain, and a change request its whole story', async () => {
  await admin.goto('/audit');
  await facetGroup(admin, 'Action').getByRole('button', { name: 'change.drafted', exact: true }).click();
  await expect(admin).toHaveURL(/action=change\.drafted/);
  await expect(openButtons(admin)).toHaveCount(1);
  const label = (await openButtons(admin).first().getAttribute('aria-label'))!;
  const seq = Number(label.match(/^Open event (\d+)/)![1]);
  await openButtons(admin).first().click();
  await expect(admin).toHaveURL(new RegExp(`[?&]event=${seq}(&|$)`));
  const panel = admin.getByRole('complementary', { name: `Event ${seq}` });
  await expect(panel.getByRole('heading', { name: `Event ${seq}` })).toBeVisible();
  await expect(panel.getByText(/tenant Acme · cluster prod-eu-1 · source console/)).toBeVisible();
  await expect(panel.getByRole('status')).toHaveText(new RegExp(`^Verified: hash recomputes; link to event ${seq - 1} holds; `));
  expect(Number(await dd(panel, 'seq'))).toBe(seq);
  const prevHash = await dd(panel, 'previous');
  expect(await dd(panel, 'hash')).toMatch(/^[0-9a-f]{64}$/);
  expect(prevHash).toMatch(/^[0-9a-f]{64}$/);

  // The story of the change: its draft and its edit, this event marked as the current one.
  await panel.getByRole('button', { name: 'Show the rest of its story' }).click();
  const story = panel.getByRole('region', { name: 'Story' });
  await expect(story.getByRole('heading', { name: `Change ${changeId}` })).toBeVisible();
  await expect(story.getByRole('listitem')).toHaveCount(2);
  await expect(story.getByRole('button', { name: /change\.drafted/ })).toHaveAttribute('aria-current', 'true');
  await shot(admin, 'audit-story');
  await story.getByRole('button', { name: /change\.edited/ }).click();
  const edited = admin.getByRole('complementary', { name: /^Event \d+$/ });
  await expect(edited.getByRole('heading', { name: /^Event \d+$/ })).not.toHaveText(`Event ${seq}`);
  const editedSeq = Number((await edited.getByRole('heading', { name: /^Event \d+$/ }).textContent())!.replace('Event ', ''));
  expect(editedSeq).toBeGreaterThan(seq);
  await expect(admin).toHaveURL(new RegExp(`[?&]event=${editedSeq}(&|$)`));
  await expect(edited.getByText('change.edited', { exact: true })).toBeVisible();

  // The previous hash is the hash of the event before it in the chain.
  await admin.goto(`/audit?event=${seq - 1}`);
  const previous = admin.getByRole('complementary', { name: `Event ${seq - 1}` });
  await expect(previous.getByRole('status')).toHaveText(/^Verified: /);
  expect(await dd(previous, 'hash')).toBe(prevHash);
});

test('a tenant admin sees only their tenant’s events, in the page, the exports and tRPC', async ({ browser }) => {
  const ta = await newPage(browser);
  await signIn(ta, TENANT_ADMIN.email, TENANT_ADMIN.password);
  await expect(ta.getByRole('heading', { name: 'Overview' })).toBeVisible();
  await ta.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit trail' }).click();
  await expect(openButtons(ta).first()).toBeVisible();

  // Facets: one tenant, and nothing of Globex anywhere.
  await expect(facetGroup(ta, 'Tenant').getByRole('button')).toHaveCount(1);
  await expect(facetGroup(ta, 'Tenant').getByRole('button', { name: 'Acme', exact: true })).toBeVisible();
  await expect(facets(ta).getByText(/Globex/)).toHaveCount(0);
  await expect(facetGroup(ta, 'Action').getByRole('button', { name: 'change.drafted', exact: true })).toBeVisible();
  // Every row is Acme's.
  const all = events(ta).getByRole('row').filter({ has: ta.getByRole('button', { name: /^Open event/ }) });
  const n = await all.count();
  expect(n).toBeGreaterThan(0);
  await expect(events(ta).getByRole('row').filter({ hasText: 'Acme' }).filter({ has: ta.getByRole('button', { name: /^Open event/ }) })).toHaveCount(n);
  await expect(events(ta).getByText(/Globex/)).toHaveCount(0);
  // Searching for the other tenant finds nothing.
  await search(ta, 'globex');
  await expect(events(ta).getByText('No events match this search')).toBeVisible();
  await shot(ta, 'audit-tenant-admin');

  // The page's own export links: Acme's events only.
  await ta.getByRole('button', { name: 'Clear all' }).click();
  await expect(openButtons(ta).first()).toBeVisible();
  const nd = ndjson((await download(ta, 'NDJSON')).text);
  expect(nd.length).toBeGreaterThan(0);
  for (const e of nd) expect(e.tenantId).toBe(tenantIds.Acme);
  expect(nd.some((e) => e.action === 'change.drafted' && e.resourceId === changeId)).toBe(true);
  const [header, ...lines] = csvLines((await download(ta, 'CSV')).text);
  expect(header).toBe(CSV_COLUMNS.join(','));
  expect(lines.length).toBe(nd.length);
  for (const l of lines) expect(csvLead(l)[4]).toBe(tenantIds.Acme);

  // Asking the export route directly for Globex's events, or for words only they contain.
  for (const query of [`tenant=${tenantIds.Globex}`, 'q=globex', `tenant=${tenantIds.Globex}&action=tenant.created`]) {
    const res = await ta.request.get(`/api/audit/export?format=ndjson&${query}`);
    expect(res.status()).toBe(200);
    expect(await res.text()).toBe('');
    const csvRes = await ta.request.get(`/api/audit/export?format=csv&${query}`);
    expect(csvLines(await csvRes.text())).toEqual([CSV_COLUMNS.join(',')]);
  }
  const unfiltered = ndjson(await (await ta.request.get('/api/audit/export?format=ndjson')).text());
  expect(unfiltered.length).toBeGreaterThan(0);
  expect(unfiltered.filter((e) => e.tenantId !== tenantIds.Acme)).toEqual([]);

  // And through tRPC with the tenant admin's own cookie.
  type Page_ = { events: { seq: number; tenantId: string | null }[]; nextCursor: string | null };
  for (const filters of [{}, { tenant: tenantIds.Globex }, { q: 'globex' }, { action: 'tenant.created' }]) {
    const r = await trpcQuery<Page_>(ta, 'audit.search', { filters, limit: 200 });
    expect(r.status).toBe(200);
    for (const e of r.data.events) expect(e.tenantId).toBe(tenantIds.Acme);
    if ('tenant' in filters || 'q' in filters) expect(r.data.events).toEqual([]);
  }
  const own = await trpcQuery<Page_>(ta, 'audit.search', { filters: { action: 'tenant.created' }, limit: 200 });
  expect(own.data.events).toHaveLength(1);
  const facetsAnswer = await trpcQuery<{ facets: { tenant: { value: string; label: string }[] } }>(ta, 'audit.facets', { filters: {} });
  expect(facetsAnswer.data.facets.tenant.map((v) => v.label)).toEqual(['Acme']);
  // Globex's event by its number is "not found", like one that does not exist.
  expect(globexCreatedSeq).toBeGreaterThan(0);
  expect((await trpcQuery(ta, 'audit.event', { seq: globexCreatedSeq })).status).toBe(404);
  expect((await trpcQuery(ta, 'audit.story', { seq: globexCreatedSeq })).status).toBe(404);
  await ta.context().close();
});
