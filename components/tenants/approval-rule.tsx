'use client';
// A tenant's approval rule: shown to everyone who can see change requests, editable by admins.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTRPC } from '@/components/providers/trpc';
import { ErrorText, Loading } from '@/components/ui/status';

export function ApprovalRule({ tenantId, canEdit }: { tenantId: string; canEdit: boolean }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const rule = useQuery(trpc.changes.approvalRule.queryOptions({ tenantId }));
  const [approvals, setApprovals] = useState('');
  const [hours, setHours] = useState('');
  const save = useMutation(trpc.changes.setApprovalRule.mutationOptions({ onSuccess: () => qc.invalidateQueries({ queryKey: trpc.changes.approvalRule.queryKey({ tenantId }) }) }));
  if (rule.isPending) return <Loading what="the approval rule" />;
  if (rule.error) return <ErrorText error={rule.error} />;
  return (
    <div className="stack">
      <p data-testid="approval-rule">
        {rule.data.requiredApprovals} approval{rule.data.requiredApprovals === 1 ? '' : 's'} from this tenant&apos;s approvers (never the requester); an approval counts for{' '}
        {rule.data.approvalTtlMinutes % 60 === 0 ? `${rule.data.approvalTtlMinutes / 60} h` : `${rule.data.approvalTtlMinutes} min`}.{rule.data.inherited && <span className="muted"> (the global rule: this tenant has none of its own)</span>}
      </p>
      {canEdit && (
        <form
          className="inline-form"
          aria-label="Approval rule"
          onSubmit={(e) => {
            e.preventDefault();
            save.mutate({ tenantId, requiredApprovals: Number(approvals || rule.data.requiredApprovals), approvalTtlMinutes: Math.round(Number(hours || rule.data.approvalTtlMinutes / 60) * 60) });
          }}
        >
          <label>
            Approvals needed
            <input type="number" min={1} max={10} value={approvals} placeholder={String(rule.data.requiredApprovals)} onChange={(e) => setApprovals(e.target.value)} />
          </label>
          <label>
            Valid for (hours)
            <input type="number" min={0.1} step="any" value={hours} placeholder={String(rule.data.approvalTtlMinutes / 60)} onChange={(e) => setHours(e.target.value)} />
          </label>
          <button type="submit" disabled={save.isPending}>
            Save rule
          </button>
          <ErrorText error={save.error} />
        </form>
      )}
    </div>
  );
}
