// Traffic graph benchmark: generates a cluster of 2,000 workloads in 40 namespaces of 8
// tenants with 10,000 observed edges in an embedded database, then, per run, starts the
// console on a fresh copy of it (no stored layout: the very first load anyone makes), signs
// in, loads /graph in headless Chromium and reports:
//   - first complete render (cold: empty layout store; warm: a reload, positions from the
//     database), taken inside the page, with where the time went (document, graph.read on the
//     server and on the wire, its size, and the page's own work after the response);
//   - frame intervals (requestAnimationFrame) during a scripted pan (2 s, one 180 px circle,
//     mouse drag) and zoom (2 s, 8x in then out at the centre), input sent through the
//     DevTools protocol at 60 Hz (Playwright's awaited mouse moves deliver only a few events
//     a second), moves not awaited so Chromium coalesces them like real mouse input, wheel
//     deltas time-proportional with at most two in flight.
// Needs a build (`next build`). Run nothing else heavy at the same time (2 cores).
//   npx tsx bench/graph.bench.ts [--reps 5] [--workloads 2000] [--edges 10000] [--port 3313]
//     [--app-dir .] [--out results.json] [--trace DIR] [--screenshots DIR]   (of run 1)
//     [--minutes 1]  (the traffic repeated in each of the last N full minutes: N flow rows per
//     edge and mTLS/verdict, as an hour of real history would give the default range)
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { chromium, type Browser, type Page } from '@playwright/test';
import { migrateDatabase, openDatabase } from '@/db/client';
import { clusters, inventoryObjects } from '@/db/schema';
import { seedTenant, seedUser, systemContext } from '@/db/seed/factories';
import { rollUpFlows } from '@/server/services/graph/roll-up-flows';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const WORKLOADS = Number(arg('workloads', '2000'));
const EDGES = Number(arg('edges', '10000'));
const PORT = Number(arg('port', '3313'));
const REPS = Number(arg('reps', '5'));
const APP_DIR = path.resolve(arg('app-dir', '.'));
const OUT = arg('out', '');
const TRACE = arg('trace', '');
const SHOTS = arg('screenshots', '');
const MINUTES = Math.max(1, Math.min(60, Number(arg('minutes', '1'))));
const TENANTS = 8;
const NAMESPACES = 40;
const PASSWORD = 'layered elk picture 2000';

function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

async function generate(dataDir: string) {
  const database = await openDatabase({ dataDir });
  await migrateDatabase(database);
  const db = database.db;
  const nsNames: string[] = [];
  for (let t = 0; t < TENANTS; t++) {
    const namespaces = Array.from({ length: NAMESPACES / TENANTS }, (_, i) => `t${t}-ns${i}`);
    nsNames.push(...namespaces);
    await seedTenant(db, `tenant-${t}`, { cluster: 'bench', namespaces });
  }
  await seedUser(db, { email: 'graph-runner@example.test', password: PASSWORD, grants: [{ role: 'viewer', tenantId: null }] });
  const clusterId = (await db.select().from(clusters))[0]!.id;
  const now = new Date();
  const workloads = Array.from({ length: WORKLOADS }, (_, i) => ({ namespace: nsNames[i % NAMESPACES]!, name: `svc-${i}` }));
  const rows = [
    ...nsNames.map((n) => ({ clusterId, kind: 'Namespace', namespace: '', name: n, object: { metadata: { name: n } }, resourceVersion: '1', updatedAt: now })),
    ...workloads.map((w) => ({
      clusterId,
      kind: 'Workload',
      namespace: w.namespace,
      name: w.name,
      object: { namespace: w.namespace, name: w.name, ownerKind: 'Deployment', labels: { app: w.name }, ips: [], ports: [{ port: 8080, protocol: 'TCP' }], serviceAccount: w.name, replicas: 2 },
      resourceVersion: '1',
      updatedAt: now,
    })),
  ];
  for (let i = 0; i < rows.length; i += 500) await db.insert(inventoryObjects).values(rows.slice(i, i + 500));
  const r = rng(42);
  const byNs = new Map<string, typeof workloads>();
  for (const w of workloads) byNs.set(w.namespace, [...(byNs.get(w.namespace) ?? []), w]);
  const pick = <T,>(a: T[]) => a[Math.floor(r() * a.length)]!;
  const flows: Record<string, unknown>[] = [];
  // The traffic in the last MINUTES full minutes, inside the default range (the last hour) of every run.
  const lastMinute = Math.floor(now.getTime() / 60_000) * 60_000 - 60_000;
  const minutes = Array.from({ length: MINUTES }, (_, i) => new Date(lastMinute - i * 60_000).toISOString());
  const minute = minutes[0]!;
  const seen = new Set<string>();
  while (seen.size < EDGES) {
    const src = pick(workloads);
    const x = r();
    const tenant = src.namespace.split('-')[0]!;
    const dstNs = x < 0.6 ? src.namespace : x < 0.88 ? pick(nsNames.filter((n) => n.startsWith(`${tenant}-`))) : pick(nsNames);
    const dst = pick(byNs.get(dstNs)!);
    const key = `${src.namespace}/${src.name}>${dst.namespace}/${dst.name}`;
    if (dst === src || seen.has(key)) continue;
    seen.add(key);
    const m = r();
    const mtls = m < 0.7 ? 'mutual' : m < 0.9 ? 'plaintext' : 'mixed';
    const denied = r() < 0.05;
    const base = { m: minute, sn: src.namespace, sw: src.name, si: '', dn: dst.namespace, dw: dst.name, di: '', p: 8080, pr: 'TCP', b: 1000 };
    for (const m of minutes) {
      if (denied) flows.push({ ...base, m, t: 'unknown', v: 'denied', c: 3 });
      else if (mtls === 'mixed') flows.push({ ...base, m, t: 'mutual', v: 'allowed', c: 90 }, { ...base, m, t: 'plaintext', v: 'allowed', c: 10 });
      else flows.push({ ...base, m, t: mtls, v: 'allowed', c: 50 });
    }
  }
  // Two days from the earliest minute: an hour of history may start before midnight.
  await db.execute(sql`select verity_ensure_flow_partitions(${minutes.at(-1)!.slice(0, 10)}::date, 2)`);
  for (let i = 0; i < flows.length; i += 5000) {
    await db.execute(sql`
      INSERT INTO flow_minutes (cluster_id, minute, src_namespace, src_workload, src_ip, dst_namespace, dst_workload, dst_ip, port, protocol, mtls, verdict, count, bytes)
      SELECT ${clusterId}::uuid, m, sn, sw, si, dn, dw, di, p, pr, t, v, c, b
      FROM json_to_recordset(${JSON.stringify(flows.slice(i, i + 5000))}::json)
        AS r(m timestamptz, sn text, sw text, si text, dn text, dw text, di text, p integer, pr text, t text, v text, c bigint, b bigint)`);
  }
  // A console that has been running has rolled up every closed bucket (roll-up-flows.ts runs
  // each minute); the console under test starts fresh, so roll up what it would have.
  let rolled = { tens: 0, hours: 0 };
  for (;;) {
    const report = await rollUpFlows(systemContext(db, () => now, 'bench'));
    if (!report.clusters.length) break;
    for (const c of report.clusters) rolled = { tens: rolled.tens + c.tens, hours: rolled.hours + c.hours };
  }
  await database.close();
  return { flows: flows.length, rolled };
}

async function waitForServer(url: string, child: ChildProcess) {
  for (let i = 0; i < 240; i++) {
    if (child.exitCode !== null) throw new Error(`the console exited with ${child.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error('the console did not start');
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))]! : NaN;
};
const r0 = (x: number) => Math.round(x);
const r1 = (x: number) => Math.round(x * 10) / 10;

interface LoadTiming {
  /** navigation start → first complete render, ms */
  render: number;
  nodes: number;
  edges: number;
  /** navigation start → first byte of the page, and → the end of its stream (the page's data included) */
  ttfb: number;
  document: number;
  /** navigation start → the page's scripts loaded */
  scripts: number;
  /** navigation start → the graph's data in the page's hands (the page's 'graph:data' mark) */
  data: number;
  /** graph.read asked by the browser (when the page's own data did not fit): time on the wire and size */
  readMs: number;
  readKB: number;
  /** data in hand → first complete render: layout, React, drawing */
  afterData: number;
}

/** Loads (or reloads) /graph and waits for the page's own "first complete render" mark. */
async function load(page: Page, url: string, reload: boolean): Promise<LoadTiming> {
  if (reload) await page.reload();
  else await page.goto(url);
  // Polled from outside (the page's CSP forbids the eval waitForFunction needs); the time
  // itself is taken inside the page, so polling does not change it.
  for (let i = 0; i < 1200 && !(await page.evaluate('window.__graphRendered !== undefined')); i++) await new Promise((r) => setTimeout(r, 50));
  const t = (await page.evaluate(`(() => {
    const r = window.__graphRendered;
    const nav = performance.getEntriesByType('navigation')[0];
    const res = performance.getEntriesByType('resource');
    const g = res.find((e) => e.name.includes('graph.read'));
    const scripts = Math.max(0, ...res.filter((e) => e.initiatorType === 'script').map((e) => e.responseEnd));
    const data = performance.getEntriesByName('graph:data')[0];
    return { r, ttfb: nav.responseStart, document: nav.responseEnd, scripts, data: data ? data.startTime : NaN, g: g ? { ms: g.responseEnd - g.startTime, size: g.decodedBodySize } : null };
  })()`)) as { r?: { at: number; nodes: number; edges: number }; ttfb: number; document: number; scripts: number; data: number; g: { ms: number; size: number } | null };
  if (!t.r) throw new Error('the graph did not render within 60 s');
  return { render: r1(t.r.at), nodes: t.r.nodes, edges: t.r.edges, ttfb: r0(t.ttfb), document: r0(t.document), scripts: r0(t.scripts), data: r0(t.data), readMs: t.g ? r0(t.g.ms) : 0, readKB: t.g ? r0(t.g.size / 1024) : 0, afterData: r0(t.r.at - t.data) };
}

/** Frame intervals during a scripted pan and zoom; input through CDP at 60 Hz. */
async function panAndZoom(page: Page) {
  const cdp = await page.context().newCDPSession(page);
  const box = (await page.locator('.graph-canvas').boundingBox())!;
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  // Start the drag on the background, not on a node.
  const start = (await page.evaluate(`(() => { const x = ${cx}, y = ${cy}; for (let dy = 0; dy < 300; dy += 10) for (const sx of [x, x - 300, x + 300]) { const el = document.elementFromPoint(sx, y + dy); if (el && el.classList.contains('react-flow__pane')) return { x: sx, y: y + dy }; } return { x, y }; })()`)) as { x: number; y: number };
  // A string, not a function: tsx's name-keeping helper does not exist in the page.
  await page.evaluate(`(() => { window.__frames = []; window.__stop = false; const tick = (t) => { window.__frames.push(t); if (!window.__stop) requestAnimationFrame(tick); }; requestAnimationFrame(tick); })()`);
  const send = (params: Record<string, unknown>) => void cdp.send('Input.dispatchMouseEvent', params as never).catch(() => {});
  await cdp.send('Input.dispatchMouseEvent', { type: 'mousePressed', x: start.x, y: start.y, button: 'left', clickCount: 1 });
  const t0 = Date.now();
  while (Date.now() - t0 < 2000) {
    const a = ((Date.now() - t0) / 2000) * 2 * Math.PI;
    send({ type: 'mouseMoved', x: start.x + 180 * Math.sin(a), y: start.y + (180 * (1 - Math.cos(a))) / 2, button: 'left', buttons: 1 });
    await new Promise((r) => setTimeout(r, 1000 / 60));
  }
  await cdp.send('Input.dispatchMouseEvent', { type: 'mouseReleased', x: start.x, y: start.y, button: 'left', clickCount: 1 });
  let inFlight = 0;
  let wheelError: unknown;
  const t1 = Date.now();
  let last = t1;
  while (Date.now() - t1 < 2000) {
    const now = Date.now();
    const dir = now - t1 < 1000 ? -1 : 1;
    if (inFlight < 2) {
      inFlight++;
      // Not awaited (at most two in flight): a rejection is kept and thrown after the loop.
      cdp.send('Input.dispatchMouseEvent', { type: 'mouseWheel', x: start.x, y: start.y, deltaX: 0, deltaY: dir * (now - last) * 0.6 }).then(
        () => inFlight--,
        (err: unknown) => ((inFlight--, (wheelError ??= err))),
      );
      last = now;
    }
    await new Promise((r) => setTimeout(r, 1000 / 60));
  }
  if (wheelError) throw wheelError;
  const frames = (await page.evaluate(`(() => { window.__stop = true; return window.__frames; })()`)) as number[];
  const intervals = frames.slice(1).map((t, i) => t - frames[i]!);
  const span = (frames.at(-1)! - frames[0]!) / 1000;
  const heap = await cdp.send('Runtime.getHeapUsage');
  await cdp.detach();
  return { count: intervals.length, fps: r1(intervals.length / span), p50: r1(quantile(intervals, 0.5)), p95: r1(quantile(intervals, 0.95)), max: r1(Math.max(...intervals)), over50ms: intervals.filter((x) => x > 50).length, heapMB: r1(heap.usedSize / 1e6), intervals: intervals.map(r1) };
}

async function run(browser: Browser, template: string, rep: number) {
  const runDir = mkdtempSync(path.join(os.tmpdir(), 'verity-graph-run-'));
  cpSync(template, path.join(runDir, 'db'), { recursive: true });
  // A console left on the port (say by a bench that was killed) would answer instead of this
  // run's and measure the wrong build and database.
  if (await fetch(`http://127.0.0.1:${PORT}/signin`).then(() => true, () => false)) throw new Error(`something already answers on port ${PORT}; stop it or pass --port`);
  const server = spawn(path.join(APP_DIR, 'bin/verity'), ['serve'], { cwd: APP_DIR, env: { ...process.env, PORT: String(PORT), HOST: '127.0.0.1', VERITY_DATA_DIR: path.join(runDir, 'db'), DATABASE_URL: '' }, stdio: ['ignore', 'ignore', 'inherit'] });
  const base = `http://127.0.0.1:${PORT}`;
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    await waitForServer(`${base}/signin`, server);
    const page = await context.newPage();
    page.on('crash', () => console.error(`run ${rep}: the page crashed`));
    await page.goto(`${base}/signin`);
    await page.getByLabel('Email').fill('graph-runner@example.test');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor({ timeout: 60_000 }).catch(async (err) => {
      throw new Error(`sign-in failed: ${await page.locator('p.error').allInnerTexts()} ${page.url()} ${err}`);
    });
    const trace = TRACE && rep === 1;
    if (trace) await browser.startTracing(page, { path: path.join(TRACE, 'cold-load.json'), categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8.execute', 'disabled-by-default-v8.cpu_profiler', 'blink.user_timing', 'loading'] });
    // The layout the worker computes in the background is saved; wait for that before the reload.
    const saved = page.waitForResponse((r) => r.url().includes('graph.saveLayout'), { timeout: 60_000 }).then(() => true, () => false);
    const cold = await load(page, `${base}/graph`, false);
    if (trace) await browser.stopTracing();
    if (SHOTS && rep === 1) await page.screenshot({ path: path.join(SHOTS, 'cold-first-render.png') });
    const layoutSaved = await saved;
    await page.waitForTimeout(500);
    const warm = await load(page, `${base}/graph`, true);
    await page.waitForTimeout(500);
    if (SHOTS && rep === 1) await page.screenshot({ path: path.join(SHOTS, 'warm.png') });
    if (trace) await browser.startTracing(page, { path: path.join(TRACE, 'pan-zoom.json'), categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'disabled-by-default-devtools.timeline.frame', 'v8.execute', 'disabled-by-default-v8.cpu_profiler', 'benchmark', 'cc', 'viz'] });
    const frames = await panAndZoom(page);
    if (trace) await browser.stopTracing();
    return { cold, warm, layoutSaved, frames };
  } finally {
    await context.close();
    server.kill('SIGTERM');
    if (server.exitCode === null) await new Promise((r) => server.once('exit', r));
    rmSync(runDir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => quantile(xs, 0.5);
const range = (xs: number[], unit = '') => (xs.length ? `${Math.min(...xs)}–${Math.max(...xs)}${unit} (median ${median(xs)}${unit})` : 'no run rendered');

async function main() {
  const work = mkdtempSync(path.join(os.tmpdir(), 'verity-graph-bench-'));
  // The generator and the console must share the console secret (it keys password checks),
  // and nothing here may touch ./.data.
  process.env.VERITY_SECRET ??= randomBytes(32).toString('hex');
  const template = path.join(work, 'db');
  for (const dir of [TRACE, SHOTS]) if (dir) mkdirSync(dir, { recursive: true });
  const started = Date.now();
  const gen = await generate(path.join(template, 'pglite')); // where the console opens it (server/config.ts pgliteDir)
  console.error(`generated ${WORKLOADS} workloads, ${EDGES} edges (${gen.flows} flow rows; rolled up ${gen.rolled.tens} ten-minute and ${gen.rolled.hours} hourly buckets) in ${((Date.now() - started) / 1000).toFixed(1)} s; load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
  const runs: Awaited<ReturnType<typeof run>>[] = [];
  const failed: number[] = [];
  try {
    for (let rep = 1; rep <= REPS; rep++) {
      let r: Awaited<ReturnType<typeof run>>;
      try {
        r = await run(browser, template, rep);
      } catch (err) {
        // One broken run is reported and counted, not silently dropped or fatal to the rest.
        failed.push(rep);
        console.error(`run ${rep} failed: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
        continue;
      }
      runs.push(r);
      const how = (c: LoadTiming) => `${c.render} ms (first byte ${c.ttfb}, scripts ${c.scripts}, data ${c.data}${c.readMs ? ` via graph.read ${c.readMs} ms ${c.readKB} KB` : ' with the page'}, document ${c.document}; then ${c.afterData} ms to drawn)`;
      console.error(
        `run ${rep}: cold ${how(r.cold)}, ${r.cold.nodes} nodes, ${r.cold.edges} edges, elk layout saved: ${r.layoutSaved} · warm ${how(r.warm)} · ` +
          `frames p50 ${r.frames.p50} p95 ${r.frames.p95} max ${r.frames.max} ms, ${r.frames.fps} fps, ${r.frames.over50ms} over 50 ms · load ${os.loadavg()[0]!.toFixed(2)}`,
      );
    }
  } finally {
    await browser.close();
    rmSync(work, { recursive: true, force: true });
  }
  const summary = {
    workloads: WORKLOADS,
    edges: EDGES,
    minutesOfHistory: MINUTES,
    reps: REPS,
    failedRuns: failed,
    cold: range(runs.map((r) => r.cold.render), ' ms'),
    warm: range(runs.map((r) => r.warm.render), ' ms'),
    dataInHand: range(runs.map((r) => r.cold.data), ' ms'),
    framesP50: range(runs.map((r) => r.frames.p50), ' ms'),
    framesP95: range(runs.map((r) => r.frames.p95), ' ms'),
    fps: range(runs.map((r) => r.frames.fps)),
    drawn: runs[0] ? `${runs[0].cold.nodes} nodes, ${runs[0].cold.edges} edges` : 'no run rendered',
    loadAverage: os.loadavg().map((l) => l.toFixed(2)).join(' '),
  };
  console.log(JSON.stringify(summary, null, 2));
  if (OUT) writeFileSync(OUT, JSON.stringify({ summary, runs }, null, 2));
}

await main();
