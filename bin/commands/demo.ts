// `verity demo`: the console on the embedded database with demo tenants and accounts.
// Demo accounts exist only in a data folder started this way, never in a plain `serve`.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { projectDir } from './serve';

export function register(program: Command) {
  program
    .command('demo')
    .description('Start the console with demo tenants and accounts on the embedded database')
    .action(async () => {
      (process.env as Record<string, string>).NODE_ENV ??= 'production';
      process.env.VERITY_DEMO = '1';
      process.env.VERITY_DATA_DIR ??= './.data/demo';
      const { loadConfig } = await import('@/server/config');
      const config = loadConfig();
      if (config.DATABASE_URL) {
        console.error('verity demo runs on the embedded database only; unset DATABASE_URL (or use `verity serve`).');
        process.exit(2);
      }
      const dataDir = path.resolve(config.VERITY_DATA_DIR);
      mkdirSync(dataDir, { recursive: true });
      const { startConsoleServer } = await import('@/server/http/console-server');
      const { demoPassword, seedDemo } = await import('@/db/seed/demo');
      const { database, url } = await startConsoleServer({ dir: projectDir });
      const password = demoPassword(dataDir);
      const { accounts } = await seedDemo(database.db, password);
      console.log(`\nVerity DEMO console: ${url}`);
      console.log(`Demo accounts (password for all: ${password}); never use these outside a demo:`);
      for (const a of accounts) console.log(`  ${a.email.padEnd(36)} ${a.role}${a.tenant ? ` in ${a.tenant}` : ''}`);
      console.log('The security admin and the approver set up two-factor authentication at first sign-in.\n');
      await startDemoAgent(database, dataDir, url);
    });
}

/**
 * The demo's cluster agent: a separate process with the simulated driver, enrolled through
 * the real agent API over loopback on its first start, reusing its identity afterwards.
 */
async function startDemoAgent(database: import('@/db/client').Database, dataDir: string, url: string) {
  const { existsSync } = await import('node:fs');
  const { spawn } = await import('node:child_process');
  const { registerCluster } = await import('@/server/services/clusters/register-cluster');
  const { systemContext } = await import('@/db/seed/factories');
  const { DEMO_CLUSTER } = await import('@/db/seed/demo');
  const stateDir = path.join(dataDir, 'agent');
  const args = ['--import', 'tsx', path.join(projectDir, 'bin/verity.ts'), 'agent', '--driver', 'sim', '--state-dir', stateDir, '--console', url];
  if (!existsSync(path.join(stateDir, 'agent.json'))) {
    const { token } = await registerCluster(systemContext(database.db, undefined, 'verity demo'), { name: DEMO_CLUSTER });
    args.push('--enroll', token);
  }
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit'], cwd: projectDir });
  const stop = () => child.kill('SIGTERM');
  process.once('exit', stop);
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  child.on('exit', (code) => code && console.error(`demo agent exited with ${code}`));
}
