// Fresh, migrated databases for integration tests: an in-memory PGlite always, and a
// throw-away database on the PostgreSQL server named by DATABASE_URL when it is set.
import { randomBytes } from 'node:crypto';
import { type Database, migrateDatabase, openDatabase } from '@/db/client';

export type Driver = 'pglite' | 'postgres';

/** The drivers this run tests against. */
export function testDrivers(): Driver[] {
  return process.env.DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
}

export interface TestDatabase extends Database {
  /** Drops the database (PostgreSQL) and closes the connection. */
  dispose(): Promise<void>;
  /** Runs raw SQL as the owner, bypassing row-level security: for tampering tests only. */
  ownerSql(query: string): Promise<void>;
}

export async function openTestDatabase(driver: Driver): Promise<TestDatabase> {
  if (driver === 'pglite') {
    const database = await openDatabase({ memory: true });
    await migrateDatabase(database);
    return {
      ...database,
      dispose: () => database.close(),
      ownerSql: async (q) => {
        const { sql } = await import('drizzle-orm');
        await database.db.execute(sql.raw(q)).catch(unwrapQueryError);
      },
    };
  }
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) throw new Error('DATABASE_URL is not set');
  assertLocal(serverUrl);
  const name = `verity_test_${randomBytes(6).toString('hex')}`;
  const { default: postgres } = await import('postgres');
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ url: url.toString() });
  await migrateDatabase(database);
  return {
    ...database,
    dispose: async () => {
      await database.close();
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
    ownerSql: async (q) => {
      const { sql } = await import('drizzle-orm');
      await database.db.execute(sql.raw(q)).catch(unwrapQueryError);
    },
  };
}

// drizzle wraps driver errors as "Failed query: …"; tests want PostgreSQL's own message.
function unwrapQueryError(err: Error & { cause?: unknown }): never {
  throw err.cause instanceof Error ? err.cause : err;
}

// Tests create and drop databases: refuse anything but a server on this machine.
function assertLocal(url: string) {
  const host = new URL(url).hostname;
  if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host)) {
    throw new Error(`Refusing to run tests against a non-local database (${host})`);
  }
}
