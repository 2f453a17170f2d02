// The console's Ed25519 key for signing command bundles. Made on first use, its private
// half sealed with the console secret; every console process shares the one in the database.
import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Tx } from '@/db/client';
import { consoleKeys } from '@/db/schema';
import { consoleSecret } from '@/server/security/console-secret';
import { open, seal } from '@/server/security/secret-box';

const PURPOSE = 'command-signing';

export async function consoleSigningKey(tx: Tx, now: Date): Promise<{ publicKey: string; privateKey: KeyObject }> {
  let [row] = await tx.select().from(consoleKeys).where(eq(consoleKeys.purpose, PURPOSE));
  if (!row) {
    const pair = generateKeyPairSync('ed25519');
    await tx
      .insert(consoleKeys)
      .values({
        purpose: PURPOSE,
        publicKey: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        privateKeyEnc: seal(consoleSecret(), 'console-signing-key', pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()),
        createdAt: now,
      })
      .onConflictDoNothing();
    // Another process may have won the race: whichever row is stored is the key.
    [row] = await tx.select().from(consoleKeys).where(eq(consoleKeys.purpose, PURPOSE));
  }
  return { publicKey: row!.publicKey, privateKey: createPrivateKey(open(consoleSecret(), 'console-signing-key', row!.privateKeyEnc)) };
}
