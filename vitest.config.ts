import { defineConfig } from 'vitest/config';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  resolve: { alias: { '@': fileURLToPath(new URL('.', import.meta.url)) } },
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'e2e/**', '.next/**', '.data/**'],
    // Integration files each open their own database; two workers match the 2-core machines.
    maxWorkers: 2,
    // A throw-away console secret per run: tests never touch ./.data.
    env: { VERITY_SECRET: randomBytes(32).toString('hex') },
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
