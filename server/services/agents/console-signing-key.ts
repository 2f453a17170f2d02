// The console's Ed25519 keys, one per purpose (signing command bundles, signing audit
// checkpoints). Made on first use, the private half sealed with the console secret; every
// console process shares the ones in the database.
import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Tx } from '@/db/client';
import { consoleKeys } from '@/db/schema';
import { consoleSecret } from '@/server/security/console-secret';
import { open, seal } from '@/server/security/secret-box';

export type ConsoleKeyPurpose = 'command-signing' | 'audit-checkpoint';

export async function consoleKey(tx: Tx, now: Date, purpose: ConsoleKeyPurpose): Promise<{ publicKey: string; privateKey: KeyObject }> {
  const sealPurpose = `console-key:${purpose}`;
  let [row] = await tx.select().from(consoleKeys).where(eq(consoleKeys.purpose, purpose));
  if (!row) {
    const pair = generateKeyPairSync('ed25519');
    await tx
      .insert(consoleKeys)
      .values({
        purpose,
        publicKey: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        privateKeyEnc: seal(consoleSecret(), sealPurpose, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()),
        createdAt: now,
      })
      .onConflictDoNothing();
    // Another process may have won the race: whichever row is stored is the key.
    [row] = await tx.select().from(consoleKeys).where(eq(consoleKeys.purpose, purpose));
  }
  return { publicKey: row!.publicKey, privateKey: createPrivateKey(open(consoleSecret(), sealPurpose, row!.privateKeyEnc)) };
}

/** The key that signs command bundles; agents pin its public half at enrollment. */
export function consoleSigningKey(tx: Tx, now: Date) {
  return consoleKey(tx, now, 'command-signing');
}
