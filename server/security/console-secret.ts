// The console's master secret, from which encryption keys are derived. From VERITY_SECRET,
// or, on the embedded database only, a random one kept (mode 0600) in the data folder.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type ConsoleConfig, loadConfig } from '../config';

let cached: string | undefined;

export function consoleSecret(config: ConsoleConfig = loadConfig()): string {
  if (config.VERITY_SECRET) return config.VERITY_SECRET;
  if (cached) return cached;
  if (config.DATABASE_URL) {
    throw new Error('VERITY_SECRET is required when DATABASE_URL is set (at least 32 random characters, the same for every console process)');
  }
  const dir = path.resolve(config.VERITY_DATA_DIR);
  const file = path.join(dir, 'console-secret');
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, randomBytes(48).toString('base64url'), { mode: 0o600, flag: 'wx' });
  }
  chmodSync(file, 0o600);
  cached = readFileSync(file, 'utf8').trim();
  return cached;
}
