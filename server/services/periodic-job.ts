// A job every console process runs on a timer (checkpoints, sweeps, detection). Each job
// makes itself safe to run in several processes (advisory locks, idempotent steps); here
// it is only kept from overlapping itself in this process, and a failure is logged by
// message (never the error object, which may carry query parameters) and retried next tick.
import { sql } from 'drizzle-orm';
import type { Db, Tx } from '@/db/client';
import { rowsOf } from './audit/audit-query';
import type { ServiceContext } from './context';

/** The context a scheduled job runs in: the system, at the wall clock. */
export function jobContext(db: Db, label: string): ServiceContext {
  return { db, now: () => new Date(), principal: { kind: 'system', label }, client: { address: null, userAgent: null } };
}

/** Runs `run` every `everyMs` (first after `firstAfterMs`, default one period); returns a stop function. */
export function startPeriodic(name: string, everyMs: number, run: () => Promise<unknown>, firstAfterMs = everyMs): () => void {
  let running = false;
  const tick = () => {
    if (running) return; // a slow run is not overlapped by the next tick
    running = true;
    run()
      .catch((err: unknown) => console.error(`${name} failed:`, err instanceof Error ? err.message : err))
      .finally(() => {
        running = false;
      });
  };
  const timer = setInterval(tick, everyMs);
  const first = firstAfterMs === everyMs ? null : setTimeout(tick, firstAfterMs);
  timer.unref();
  first?.unref();
  return () => {
    clearInterval(timer);
    if (first) clearTimeout(first);
  };
}

/**
 * Takes the job's transaction-scoped advisory lock if no other process holds it. Keys are
 * names ('verity.<job>') hashed by PostgreSQL, so jobs cannot collide by picking numbers.
 */
export async function tryJobLock(tx: Tx, name: string): Promise<boolean> {
  const [row] = rowsOf(await tx.execute(sql`select pg_try_advisory_xact_lock(hashtext(${name})) as locked`));
  return Boolean(row?.locked);
}
