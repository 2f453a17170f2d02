// Offline verification of an exported bundle file: read line by line (a bundle of a million
// events is never held in memory) and fed to the pure bundle verifier. No database.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { type BundleReport, createBundleVerifier } from '@/server/domain/audit/bundle';

export async function verifyBundleFile(file: string, trustedKeyPem: string | null): Promise<BundleReport> {
  const verifier = createBundleVerifier(trustedKeyPem);
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) {
    if (verifier.push(line)) break;
  }
  lines.close();
  return verifier.finish();
}
