// End-to-end tests in Debian's Chromium against the real console (`verity serve`) on a
// fresh embedded database. The first admin is created with the real CLI before it starts.
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { defineConfig } from '@playwright/test';

const PORT = Number(process.env.E2E_PORT ?? 3210);
export const artifacts = path.resolve('e2e/.artifacts');
const dataDir = path.join(artifacts, 'data');

// The runner loads this file once before starting the server; workers load it again, and
// must not wipe the data folder the running server holds.
if (!process.env.TEST_WORKER_INDEX) {
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(artifacts, { recursive: true });
  process.env.E2E_SECRET ??= randomBytes(32).toString('hex');
}

export default defineConfig({
  testDir: 'e2e',
  fullyParallel: false,
  workers: 1,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  // The spine suite creates the first admin (from the CLI's one-time link) and enrolls an
  // agent; every other suite runs after it and starts from what it left (e2e/helpers.ts).
  projects: [
    { name: 'spine', testMatch: /spine\.spec\.ts/ },
    { name: 'features', testIgnore: /spine\.spec\.ts/, dependencies: ['spine'] },
  ],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    },
    trace: 'retain-on-failure',
  },
  webServer: {
    command: `./bin/verity admin create --email first-admin@example.test --name "First Admin" > ${artifacts}/first-admin.txt && exec ./bin/verity serve`,
    url: `http://127.0.0.1:${PORT}/signin`,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    env: {
      PORT: String(PORT),
      HOST: '127.0.0.1',
      VERITY_DATA_DIR: dataDir,
      VERITY_SECRET: process.env.E2E_SECRET!,
      // Expired time-bound grants are removed within seconds (e2e/rbac-grants.spec.ts).
      VERITY_EXPIRY_SWEEP_SECONDS: '5',
      DATABASE_URL: '',
    },
  },
});
