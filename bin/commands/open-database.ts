// Opens and migrates the configured database for a one-shot command, and closes it after.
import { type Database, migrateDatabase, openDatabase } from '@/db/client';
import { loadConfig, pgliteDir } from '@/server/config';

export async function withDatabase<T>(fn: (database: Database) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const database = await openDatabase(config.DATABASE_URL ? { url: config.DATABASE_URL } : { dataDir: pgliteDir(config) });
  try {
    await migrateDatabase(database);
    return await fn(database);
  } finally {
    await database.close();
  }
}

export function publicOrigin(): string {
  const c = loadConfig();
  return c.VERITY_ORIGIN ?? `http://localhost:${c.PORT}`;
}
