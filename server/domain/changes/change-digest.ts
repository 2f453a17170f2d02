// The digest an approval signs: SHA-256 over the canonical form of exactly what was
// previewed (the objects, the base resourceVersions the diff was computed against, and the
// dry-run result). Any edit, rebase or new dry run changes it, and old approvals stop counting.
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { ChangeOperation } from './change-objects';
import { expiriesForDigest, readGrantExpiries } from './grant-expiry';

export interface DigestInput {
  changeId: string;
  clusterId: string;
  revision: number;
  operations: readonly ChangeOperation[];
  /** resourceVersion of each object's live version when previewed (null: did not exist). */
  baseVersions: Readonly<Record<string, string | null>>;
  dryRun: unknown;
}

export function changeDigest(input: DigestInput): string {
  // When time-bound grants end, named on their own so an approval visibly covers the expiry
  // and the removal Verity makes without asking again. Absent when there is none, so the
  // digests of changes without grants are what they were.
  const grantExpiries = expiriesForDigest(readGrantExpiries(input.operations).grants);
  const text = canonicalize({
    v: 1,
    changeId: input.changeId,
    clusterId: input.clusterId,
    revision: input.revision,
    operations: input.operations,
    baseVersions: input.baseVersions,
    dryRun: input.dryRun ?? null,
    ...(grantExpiries.length > 0 ? { grantExpiries } : {}),
  });
  return createHash('sha256').update(text!).digest('hex');
}
