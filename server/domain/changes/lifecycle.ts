// The states a change request moves through, and which action may move it where. Anything
// not listed is refused, so a change cannot, say, be applied without passing approval.

export type ChangeStatus = 'draft' | 'pending' | 'approved' | 'applying' | 'applied' | 'partial' | 'failed' | 'stale' | 'rejected' | 'cancelled' | 'expired';
export type ChangeAction = 'edit' | 'submit' | 'approve' | 'reject' | 'cancel' | 'issue' | 'applied' | 'partial' | 'failed' | 'stale' | 'rebase' | 'expire';

const TRANSITIONS: Record<ChangeStatus, Partial<Record<ChangeAction, ChangeStatus>>> = {
  draft: { edit: 'draft', submit: 'pending', cancel: 'cancelled' },
  // An edit of a submitted change sends it back to draft: its approvals no longer count.
  pending: { edit: 'draft', approve: 'pending', reject: 'rejected', cancel: 'cancelled' },
  // Approvals that lapse before the agent took the bundle leave nothing to apply: the change
  // expires, and a rebase (new preview, new approvals) brings it back.
  approved: { issue: 'applying', cancel: 'cancelled', expire: 'expired' },
  applying: { applied: 'applied', partial: 'partial', failed: 'failed', stale: 'stale', expire: 'expired' },
  applied: {},
  partial: {},
  failed: { rebase: 'draft' },
  stale: { rebase: 'draft' },
  rejected: { edit: 'draft' },
  cancelled: {},
  expired: { rebase: 'draft', cancel: 'cancelled' },
};

export function nextStatus(status: ChangeStatus, action: ChangeAction): ChangeStatus | null {
  return TRANSITIONS[status][action] ?? null;
}

export const OPEN_STATUSES: readonly ChangeStatus[] = ['draft', 'pending', 'approved', 'applying'];
