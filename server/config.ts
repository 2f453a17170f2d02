// The console's settings, read once from the environment and validated, so a typo in a
// variable stops start-up with its name instead of misbehaving later.
import path from 'node:path';
import { z } from 'zod';

const Duration = z.coerce.number().int().positive();

export const ConsoleConfig = z.object({
  DATABASE_URL: z.string().url().optional(),
  VERITY_DATA_DIR: z.string().min(1).default('./.data'),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  // Public origin (scheme://host[:port]) used for CSRF checks and links; defaults to the Host header.
  VERITY_ORIGIN: z.string().url().optional(),
  // At least 32 characters; without DATABASE_URL a random one is kept in the data folder.
  VERITY_SECRET: z.string().min(32, 'VERITY_SECRET must be at least 32 characters').optional(),
  // Comma-separated addresses of reverse proxies whose X-Forwarded-For is believed.
  VERITY_TRUSTED_PROXIES: z.string().default(''),
  VERITY_DEMO: z.enum(['0', '1']).default('0'),
  VERITY_SESSION_IDLE_MINUTES: Duration.default(30),
  VERITY_SESSION_ABSOLUTE_HOURS: Duration.default(12),
});
export type ConsoleConfig = z.infer<typeof ConsoleConfig>;

let cached: ConsoleConfig | undefined;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ConsoleConfig {
  if (cached && env === process.env) return cached;
  // An empty variable means unset (DATABASE_URL= is how one turns PostgreSQL off for one command).
  const parsed = ConsoleConfig.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  if (env === process.env) cached = parsed.data;
  return parsed.data;
}

export function pgliteDir(config: ConsoleConfig): string {
  return path.join(path.resolve(config.VERITY_DATA_DIR), 'pglite');
}
