// Time-bound grants, pure: a RoleBinding or ClusterRoleBinding whose verity.dev/expires-at
// annotation names when it ends. The expiry is part of the object, so the digest (and the
// approvals of it) covers it; when it passes, Verity removes the binding without a new
// approval, because that removal was approved with the grant. Only a binding the change
// creates can be time-bound: removing one that existed before would take away access that
// was never part of the grant.
import { EXPIRES_ANNOTATION, parseExpiry } from '@/agent/protocol/time-bound';
import { type ChangeOperation, type ChangeProblem, type ObjectKey, objectKeyString } from './change-objects';

export { EXPIRES_ANNOTATION };
const BINDINGS = new Set(['RoleBinding', 'ClusterRoleBinding']);

export interface GrantExpiry {
  key: ObjectKey & { kind: 'RoleBinding' | 'ClusterRoleBinding' };
  /** ISO 8601, UTC, as written in the annotation. */
  expiresAt: string;
}

/** The expiries the change's objects carry, and problems with any that is malformed or misplaced. */
export function readGrantExpiries(operations: readonly ChangeOperation[]): { grants: GrantExpiry[]; problems: ChangeProblem[] } {
  const grants: GrantExpiry[] = [];
  const problems: ChangeProblem[] = [];
  for (const op of operations) {
    if (op.action !== 'apply') continue;
    const annotations = (op.object.metadata as { annotations?: Record<string, unknown> } | undefined)?.annotations;
    const raw = annotations?.[EXPIRES_ANNOTATION];
    if (raw === undefined) continue;
    const object = objectKeyString(op.key);
    const path = `metadata.annotations.${EXPIRES_ANNOTATION}`;
    if (!BINDINGS.has(op.key.kind)) {
      problems.push({ where: object, object, path, message: `only a RoleBinding or ClusterRoleBinding can be time-bound, not a ${op.key.kind}` });
      continue;
    }
    const at = parseExpiry(raw);
    if (!at) {
      problems.push({ where: object, object, path, message: 'must be a moment with its time zone, e.g. 2026-12-01T18:00:00Z' });
      continue;
    }
    grants.push({ key: op.key as GrantExpiry['key'], expiresAt: at.toISOString() });
  }
  return { grants, problems };
}

/**
 * Problems a time-bound grant has against the cluster as it is now: its expiry must lie
 * ahead, and the binding must not exist yet (`exists` tells, from inventory).
 */
export function checkGrantsNow(grants: readonly GrantExpiry[], exists: (key: string) => boolean, now: Date): ChangeProblem[] {
  const problems: ChangeProblem[] = [];
  for (const g of grants) {
    const object = objectKeyString(g.key);
    const path = `metadata.annotations.${EXPIRES_ANNOTATION}`;
    if (new Date(g.expiresAt).getTime() <= now.getTime()) problems.push({ where: object, object, path, message: `the expiry ${g.expiresAt} has already passed` });
    if (exists(object)) problems.push({ where: object, object, path: 'metadata.name', message: 'a time-bound grant must create a new binding; this one exists already (choose another name)' });
  }
  return problems;
}

/** What the digest covers about expiries (sorted, so the order of objects does not matter). */
export function expiriesForDigest(grants: readonly GrantExpiry[]): { key: string; expiresAt: string }[] {
  return grants.map((g) => ({ key: objectKeyString(g.key), expiresAt: g.expiresAt })).sort((a, b) => a.key.localeCompare(b.key));
}
