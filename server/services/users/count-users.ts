// How many accounts exist: tells a first start that the first admin is still to be created.
import { count } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { users } from '@/db/schema';

export async function countUsers(db: Db): Promise<number> {
  const [row] = await db.select({ n: count() }).from(users);
  return row?.n ?? 0;
}
