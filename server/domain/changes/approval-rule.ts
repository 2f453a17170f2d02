// Whether a change has the approvals its rule asks for. Only approvals of the current digest
// count, each person once, never the requester, never one that has expired; a rejection
// by anyone in scope stops the change.

export interface ApprovalRule {
  requiredApprovals: number;
  /** How long an approval stays valid. */
  approvalTtlMinutes: number;
}

export const DEFAULT_RULE: ApprovalRule = { requiredApprovals: 1, approvalTtlMinutes: 24 * 60 };

export interface Decision {
  userId: string;
  decision: 'approve' | 'reject';
  digest: string;
  at: Date;
}

export interface ApprovalState {
  met: boolean;
  rejected: boolean;
  /** The approvals that count, oldest first. */
  counted: Decision[];
  /** Why others do not count, for the page. */
  ignored: { userId: string; reason: 'requester' | 'stale-digest' | 'expired' | 'duplicate' }[];
  missing: number;
}

export function evaluateApprovals(rule: ApprovalRule, decisions: readonly Decision[], requesterId: string, digest: string, now: Date): ApprovalState {
  const counted: Decision[] = [];
  const ignored: ApprovalState['ignored'] = [];
  const people = new Set<string>();
  let rejected = false;
  for (const d of [...decisions].sort((a, b) => a.at.getTime() - b.at.getTime())) {
    if (d.userId === requesterId) {
      ignored.push({ userId: d.userId, reason: 'requester' });
      continue;
    }
    if (d.digest !== digest) {
      ignored.push({ userId: d.userId, reason: 'stale-digest' });
      continue;
    }
    if (d.decision === 'reject') {
      rejected = true;
      continue;
    }
    if (now.getTime() - d.at.getTime() > rule.approvalTtlMinutes * 60_000) {
      ignored.push({ userId: d.userId, reason: 'expired' });
      continue;
    }
    if (people.has(d.userId)) {
      ignored.push({ userId: d.userId, reason: 'duplicate' });
      continue;
    }
    people.add(d.userId);
    counted.push(d);
  }
  const missing = Math.max(0, rule.requiredApprovals - counted.length);
  return { met: !rejected && missing === 0, rejected, counted, ignored, missing };
}
