// `verity serve`: the console on the configured database (embedded PGlite by default).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';

export const projectDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export function register(program: Command) {
  program
    .command('serve')
    .description('Start the console (PORT, HOST, DATABASE_URL, VERITY_DATA_DIR, VERITY_SECRET configure it)')
    .option('--dev', 'run Next.js in development mode')
    .action(async (opts: { dev?: boolean }) => {
      (process.env as Record<string, string>).NODE_ENV ??= opts.dev ? 'development' : 'production';
      const { startConsoleServer } = await import('@/server/http/console-server');
      const { countUsers } = await import('@/server/services/users/count-users');
      const { database, url } = await startConsoleServer({ dir: projectDir, dev: opts.dev });
      console.log(`Verity console listening on ${url} (${database.driver === 'pglite' ? 'embedded PGlite' : 'PostgreSQL'})`);
      if ((await countUsers(database.db)) === 0) {
        console.log('No accounts yet. Stop the console and create the first security admin with:');
        console.log('  verity admin create --email you@example.com --name "Your Name"');
      }
    });
}
