// A change request's life as a pure function: state + action → new state, or a refusal
// with the reason. The services persist what this returns; the property tests drive it
// with arbitrary sequences to show no path lets a requester approve their own change or
// lets content be issued other than the content approved.
import { type ApprovalRule, type Decision, evaluateApprovals } from './approval-rule';
import { type ChangeStatus, nextStatus } from './lifecycle';

export interface ChangeState {
  status: ChangeStatus;
  requesterId: string;
  revision: number;
  /** Digest of the previewed content; null while a draft has never been submitted. */
  digest: string | null;
  decisions: Decision[];
}

export type ChangeEvent =
  | { type: 'edit'; by: string }
  /** Without a digest the preview is still being computed (in the background); `previewed` sets it. */
  | { type: 'submit'; by: string; digest?: string | null }
  /** The background preview of `revision` finished: its digest, or null when its dry run blocks approval. */
  | { type: 'previewed'; revision: number; digest: string | null }
  | { type: 'approve'; by: string; at: Date; digest: string }
  | { type: 'reject'; by: string; at: Date; digest: string }
  | { type: 'cancel'; by: string }
  | { type: 'issue'; digest: string }
  | { type: 'result'; outcome: 'applied' | 'partial' | 'failed' | 'stale' }
  | { type: 'rebase'; by: string }
  /** The sweeper found the approvals lapsed before the bundle reached the agent. */
  | { type: 'approvals-expired' };

export type Reduced = { ok: true; state: ChangeState } | { ok: false; reason: string };

export function reduceChange(state: ChangeState, event: ChangeEvent, rule: ApprovalRule, now: Date): Reduced {
  const refuse = (reason: string): Reduced => ({ ok: false, reason });
  switch (event.type) {
    case 'edit': {
      if (event.by !== state.requesterId) return refuse('only the requester edits a change');
      const to = nextStatus(state.status, 'edit');
      if (!to) return refuse(`a ${state.status} change cannot be edited`);
      // Editing invalidates every approval: they were for the old content.
      return { ok: true, state: { ...state, status: to, revision: state.revision + 1, digest: null, decisions: [] } };
    }
    case 'submit': {
      if (event.by !== state.requesterId) return refuse('only the requester submits a change');
      const to = nextStatus(state.status, 'submit');
      if (!to) return refuse(`a ${state.status} change cannot be submitted`);
      return { ok: true, state: { ...state, status: to, digest: event.digest ?? null, decisions: [] } };
    }
    case 'previewed': {
      if (state.status !== 'pending') return refuse(`a ${state.status} change takes no preview`);
      if (event.revision !== state.revision) return refuse('the change was edited while its preview was computed');
      if (state.digest !== null) return refuse('this revision already has its preview');
      return { ok: true, state: { ...state, digest: event.digest, decisions: [] } };
    }
    case 'approve':
    case 'reject': {
      if (state.status !== 'pending') return refuse(`a ${state.status} change cannot be ${event.type}d`);
      if (event.by === state.requesterId) return refuse('you cannot approve or reject your own change');
      if (state.digest === null) return refuse('the preview is not complete (still computing, waiting for the dry run, or the dry run refused the change): nothing can be decided yet');
      if (event.digest !== state.digest) return refuse('the change was edited since you loaded it: review the new preview');
      if (state.decisions.some((d) => d.userId === event.by && d.digest === state.digest)) return refuse('you already decided on this version of the change');
      const decisions = [...state.decisions, { userId: event.by, decision: event.type, digest: event.digest, at: event.at }];
      const approval = evaluateApprovals(rule, decisions, state.requesterId, state.digest, now);
      const status: ChangeStatus = approval.rejected ? 'rejected' : approval.met ? 'approved' : 'pending';
      return { ok: true, state: { ...state, status, decisions } };
    }
    case 'cancel': {
      if (event.by !== state.requesterId) return refuse('only the requester cancels a change');
      const to = nextStatus(state.status, 'cancel');
      if (!to) return refuse(`a ${state.status} change cannot be cancelled`);
      return { ok: true, state: { ...state, status: to } };
    }
    case 'issue': {
      if (state.status !== 'approved') return refuse('only an approved change is applied');
      if (event.digest !== state.digest) return refuse('the content to apply is not the content approved');
      // Approvals are checked again at issue time: one may have expired meanwhile.
      const approval = evaluateApprovals(rule, state.decisions, state.requesterId, state.digest, now);
      if (!approval.met) return refuse(`approvals no longer suffice (${approval.missing} missing)`);
      return { ok: true, state: { ...state, status: 'applying' } };
    }
    case 'result': {
      const to = nextStatus(state.status, event.outcome);
      if (!to) return refuse(`a ${state.status} change cannot become ${event.outcome}`);
      return { ok: true, state: { ...state, status: to } };
    }
    case 'approvals-expired': {
      const to = nextStatus(state.status, 'expire');
      if (!to || state.digest === null) return refuse(`a ${state.status} change has no approvals to expire`);
      const approval = evaluateApprovals(rule, state.decisions, state.requesterId, state.digest, now);
      if (approval.met) return refuse('its approvals still suffice');
      return { ok: true, state: { ...state, status: to } };
    }
    case 'rebase': {
      if (event.by !== state.requesterId) return refuse('only the requester rebases a change');
      const to = nextStatus(state.status, 'rebase');
      if (!to) return refuse(`a ${state.status} change cannot be rebased`);
      return { ok: true, state: { ...state, status: to, revision: state.revision + 1, digest: null, decisions: [] } };
    }
  }
}
