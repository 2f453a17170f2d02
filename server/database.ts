// The process-wide database handle: opened lazily on first use (never while `next build`
// imports route modules) and migrated once before anyone queries it.
import { type Database, migrateDatabase, openDatabase } from '@/db/client';
import { loadConfig, pgliteDir } from './config';

const globalKey = Symbol.for('verity.database');
type Holder = { [globalKey]?: Promise<Database> };

export function getDatabase(): Promise<Database> {
  if (process.env.NEXT_PHASE === 'phase-production-build') {
    throw new Error('The database is not opened during the build');
  }
  // globalThis: Next.js may load this module more than once (route and page bundles).
  const holder = globalThis as Holder;
  holder[globalKey] ??= (async () => {
    const config = loadConfig();
    const database = await openDatabase(config.DATABASE_URL ? { url: config.DATABASE_URL } : { dataDir: pgliteDir(config) });
    await migrateDatabase(database);
    return database;
  })();
  return holder[globalKey];
}
