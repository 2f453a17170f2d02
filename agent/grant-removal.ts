// The agent's check of a removal Verity issues when a time-bound grant expires. Such a
// removal has no approvals of its own: it was approved with the grant. So it carries the
// grant's apply bundle exactly as the console signed it, and the agent verifies from that
// alone, with its pinned key and its own clock, that the removal is what was approved:
// the same approvals and digest, only deletions, each of a binding that grant created
// (it did not exist before) and whose approved expiry has passed.
import { CommandBundle } from './protocol/messages';
import { verifyBundleSignature } from './protocol/request-signing';
import { EXPIRES_ANNOTATION, parseExpiry } from './protocol/time-bound';

/** The grant's apply bundle, as signed by the console, that a removal refers to. */
export type GrantExpiryProof = NonNullable<CommandBundle['grantExpiry']>;

const groupOf = (apiVersion: unknown) => (typeof apiVersion === 'string' && apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '');

/** Null when the removal is covered by the grant's approvals; otherwise why not. */
export function verifyGrantRemoval(removal: CommandBundle, proof: GrantExpiryProof, consoleSigningKey: string, now: Date): string | null {
  if (!verifyBundleSignature(consoleSigningKey, proof.bundle, proof.signature)) return 'the grant it removes is not signed by the pinned console key';
  let raw: unknown;
  try {
    raw = JSON.parse(proof.bundle);
  } catch {
    return 'the grant it removes is not JSON';
  }
  const parsed = CommandBundle.safeParse(raw);
  if (!parsed.success) return 'the grant it removes is malformed';
  const grant = parsed.data;
  if (grant.type !== 'apply') return 'the grant it removes is not an apply';
  if (grant.clusterId !== removal.clusterId) return 'the grant it removes was for another cluster';
  if (grant.approvals.length === 0 || !grant.approvalsDigest) return 'the grant it removes carries no approvals';
  if (removal.approvalsDigest !== grant.approvalsDigest) return 'the removal does not carry the digest the grant was approved under';
  if (JSON.stringify(removal.approvals) !== JSON.stringify(grant.approvals)) return 'the removal does not carry the grant’s approvals';
  if (removal.operations.length === 0) return 'the removal removes nothing';
  for (const op of removal.operations) {
    if (op.action !== 'delete') return 'a grant’s removal may only delete';
    const { ref } = op;
    if (ref.kind !== 'RoleBinding' && ref.kind !== 'ClusterRoleBinding') return `${ref.kind} ${ref.name} is not a binding`;
    const created = grant.operations.find(
      (g) =>
        g.action === 'apply' &&
        g.object.kind === ref.kind &&
        groupOf(g.object.apiVersion) === groupOf(ref.apiVersion) &&
        (g.object.metadata as { name?: unknown } | undefined)?.name === ref.name &&
        ((g.object.metadata as { namespace?: unknown } | undefined)?.namespace ?? null) === ref.namespace,
    );
    if (!created || created.action !== 'apply') return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name} is not part of the grant`;
    if (created.expectedResourceVersion !== null) return `${ref.kind} ${ref.name} existed before the grant: removing it would take more than the grant gave`;
    const expires = (created.object.metadata as { annotations?: Record<string, unknown> } | undefined)?.annotations?.[EXPIRES_ANNOTATION];
    const at = parseExpiry(expires);
    if (!at) return `${ref.kind} ${ref.name} was granted without a valid expiry`;
    if (at.getTime() > now.getTime()) return `${ref.kind} ${ref.name} expires at ${at.toISOString()}, not yet`;
  }
  return null;
}
