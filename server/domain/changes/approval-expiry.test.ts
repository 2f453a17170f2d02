// Approvals that lapse before the bundle reached the agent: the change expires (and a rebase
// brings it back for new approvals); while they still count, nothing moves.
import { describe, expect, it } from 'vitest';
import { reduceChange, type ChangeState } from './reduce-change';

const RULE = { requiredApprovals: 1, approvalTtlMinutes: 60 };
const APPROVED_AT = new Date('2026-11-30T10:00:00Z');
const state = (status: ChangeState['status']): ChangeState => ({
  status,
  requesterId: 'req',
  revision: 1,
  digest: 'd',
  decisions: [{ userId: 'app', decision: 'approve', digest: 'd', at: APPROVED_AT }],
});

describe('approvals-expired', () => {
  it('expires an approved or applying change once its approvals no longer count', () => {
    const later = new Date(APPROVED_AT.getTime() + 61 * 60_000);
    for (const s of ['approved', 'applying'] as const) {
      const r = reduceChange(state(s), { type: 'approvals-expired' }, RULE, later);
      expect(r).toMatchObject({ ok: true, state: { status: 'expired' } });
    }
  });
  it('leaves it alone while they still count, and refuses other states', () => {
    const soon = new Date(APPROVED_AT.getTime() + 59 * 60_000);
    expect(reduceChange(state('approved'), { type: 'approvals-expired' }, RULE, soon)).toEqual({ ok: false, reason: 'its approvals still suffice' });
    for (const s of ['pending', 'applied', 'draft'] as const) expect(reduceChange(state(s), { type: 'approvals-expired' }, RULE, new Date('2027-01-01Z')).ok).toBe(false);
  });
  it('an expired change is rebased by its requester to a new revision without approvals, or cancelled', () => {
    const expired = state('expired');
    expect(reduceChange(expired, { type: 'rebase', by: 'req' }, RULE, APPROVED_AT)).toMatchObject({ ok: true, state: { status: 'draft', revision: 2, digest: null, decisions: [] } });
    expect(reduceChange(expired, { type: 'cancel', by: 'req' }, RULE, APPROVED_AT)).toMatchObject({ ok: true, state: { status: 'cancelled' } });
    expect(reduceChange(expired, { type: 'approve', by: 'app', at: APPROVED_AT, digest: 'd' }, RULE, APPROVED_AT).ok).toBe(false);
  });
});
