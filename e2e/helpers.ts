// Shared steps for the end-to-end tests: what a person does, in the browser.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { totpCodeAt } from '@/server/security/totp';

export const artifacts = path.resolve('e2e/.artifacts');

export function firstAdminSetupPath(): string {
  const out = readFileSync(path.join(artifacts, 'first-admin.txt'), 'utf8');
  const url = out.match(/https?:\/\/\S+\/setup-account#token=\S+/)?.[0];
  if (!url) throw new Error(`no setup link in the CLI output:\n${out}`);
  return new URL(url).pathname + new URL(url).hash;
}

/**
 * A spec's own demo console (`verity demo` on a fresh data folder and its own port, with the
 * sim agent the demo starts), so the spine suite's console and first admin are left alone.
 * Registers the spec's beforeAll/afterAll; the demo accounts' password is known once it is up.
 */
export interface OwnDemo {
  base: string;
  password: string;
  signedIn(browser: Browser, email: string, password?: string, width?: number): Promise<Page>;
}

export function ownDemo(name: string, portOffset: number, env: Record<string, string> = {}): OwnDemo {
  const port = Number(process.env.E2E_PORT ?? 3210) + portOffset;
  const dataDir = path.join(artifacts, name);
  const demo: OwnDemo = {
    base: `http://127.0.0.1:${port}`,
    password: '',
    /** A new browser context on this demo, signed in (the demo accounts share one password). */
    async signedIn(browser, email, password = demo.password, width = 1400) {
      const page = await (await browser.newContext({ baseURL: demo.base, viewport: { width, height: 1000 } })).newPage();
      await signIn(page, email, password);
      await expect(page).not.toHaveURL(/\/signin$/);
      return page;
    },
  };
  let child: ChildProcess | undefined;
  test.beforeAll(async () => {
    // A fresh demo migrates, seeds and enrolls its agent before it answers: minutes on a busy 2-core machine.
    test.setTimeout(250_000);
    rmSync(dataDir, { recursive: true, force: true });
    child = spawn('./bin/verity', ['demo'], {
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', VERITY_DATA_DIR: dataDir, DATABASE_URL: '', VERITY_SECRET: '', ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    demo.password = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`the demo did not start:\n${out}`)), 240_000);
      child!.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const m = out.match(/password for all: (\S+)\)/);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
    });
  });
  test.afterAll(() => child?.kill('SIGTERM'));
  return demo;
}

export async function setPassword(page: Page, setupPath: string, password: string) {
  await page.goto('about:blank');
  await page.goto(setupPath);
  await page.getByLabel('New password').fill(password);
  await page.getByLabel('Repeat it').fill(password);
  await page.getByRole('button', { name: 'Set password' }).click();
  await expect(page.getByText('Your password is set')).toBeVisible();
}

export async function signIn(page: Page, email: string, password: string) {
  await page.goto('/signin');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Creates a user on the Users screen (the caller is on it) and returns their one-time setup path. */
export async function createUser(admin: Page, user: { email: string; name: string; role: string; scope: string }): Promise<string> {
  const create = admin.getByRole('form', { name: 'Create user' });
  await create.getByLabel('Email').fill(user.email);
  await create.getByLabel('Name', { exact: true }).fill(user.name);
  await create.getByLabel('Role').selectOption(user.role);
  await create.getByLabel('Scope').selectOption({ label: user.scope });
  await create.getByRole('button', { name: 'Create user' }).click();
  await expect(admin.getByTestId('setup-link')).toHaveValue(/\/setup-account#token=/);
  const link = new URL(await admin.getByTestId('setup-link').inputValue());
  return link.pathname + link.hash;
}

/** A code for the next 30-second step: the current one may already have been used. */
export function nextTotp(secret: string): string {
  return totpCodeAt(secret, new Date(Date.now() + 30_000));
}

export async function shot(page: Page, name: string) {
  await page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });
}

/**
 * What the spine suite leaves for the suites that run after it (see playwright.config.ts):
 * the first admin's credentials with unused recovery codes, and the enrolled sim agent.
 */
export interface SuiteState {
  admin?: { email: string; password: string; recoveryCodes: string[] };
  agent?: { cluster: string; stateDir: string };
}

const stateFile = () => path.join(artifacts, 'state.json');

export function saveState(patch: SuiteState) {
  writeFileSync(stateFile(), JSON.stringify({ ...loadState(), ...patch }, null, 2), { mode: 0o600 });
}

export function loadState(): SuiteState {
  return existsSync(stateFile()) ? (JSON.parse(readFileSync(stateFile(), 'utf8')) as SuiteState) : {};
}

/** Signs the first admin in again, spending one recovery code as the second factor. */
export async function signInAsFirstAdmin(page: Page) {
  const state = loadState();
  if (!state.admin) throw new Error('the spine suite did not leave the first admin behind');
  const code = state.admin.recoveryCodes.shift()!;
  saveState({ admin: state.admin });
  await signIn(page, state.admin.email, state.admin.password);
  await expect(page).toHaveURL(/\/signin\/mfa/);
  await page.getByLabel('Authentication code').fill(code);
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByRole('heading', { name: 'Overview' })).toBeVisible();
}

// The traffic graph's list view ("the graph as a list"): the keyboard's way to every node and
// edge, and the one the specs use, since a canvas node may lie outside the fitted view.
export const graphList = (page: Page) => page.locator('details.graph-list');
export async function openGraphList(page: Page) {
  if (!(await graphList(page).evaluate((d: HTMLDetailsElement) => d.open))) await graphList(page).locator('summary').click();
}
export function graphEdgeRow(page: Page, from: string, to: string) {
  return graphList(page).locator('tbody tr').filter({ has: page.getByRole('button', { name: from, exact: true }) }).filter({ has: page.getByRole('button', { name: to, exact: true }) });
}
