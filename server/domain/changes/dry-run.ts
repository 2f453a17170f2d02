// The agent's server-side dry run of a change, as the preview shows it and the digest covers
// it: per object what the cluster would store (defaults and admission changes included) as a
// diff against the submitted object, or why the API server refused it, or why there was no
// dry run at all. Pure: the agent's answer and the submitted operations come in.
import { manifestYaml } from './build-preview';
import { type ChangeOperation, objectKeyString } from './change-objects';

export interface DryRunObject {
  key: string;
  outcome: string;
  /** The API server's message for this object (why it was refused, for instance). */
  message: string | null;
  /** The submitted object as YAML (null for a delete), the left side of the diff. */
  submitted: string | null;
  /** What the cluster would store, as YAML without server-maintained metadata; null when nothing. */
  stored: string | null;
}

export type DryRunRecord =
  | { state: 'pending'; commandId: string; deadline: string }
  /** The API server accepted every object; `objects` say what it would store. */
  | { state: 'answered'; commandId: string; at: string; objects: DryRunObject[] }
  /** The API server (or its admission) refused an object, or the agent refused the bundle. */
  | { state: 'rejected'; commandId: string; at: string; reason: string; objects: DryRunObject[] }
  /** An object changed in the cluster since the preview read it: the preview is out of date. */
  | { state: 'stale'; commandId: string; at: string; reason: string; objects: DryRunObject[] }
  /** No dry run: no agent connected, or it did not answer in time. Approvers are told. */
  | { state: 'unavailable'; at: string; reason: string };

export type FinalDryRun = Exclude<DryRunRecord, { state: 'pending' }>;

/** Whether approvals may be given on a preview with this dry run. */
export function dryRunAllowsApproval(record: FinalDryRun): boolean {
  return record.state === 'answered' || record.state === 'unavailable';
}

interface AgentAnswer {
  status: string;
  message?: string;
  results: { ref: { kind: string; namespace: string | null; name: string }; outcome: string; message?: string; object?: Record<string, unknown> }[];
}

export function summarizeDryRun(operations: readonly ChangeOperation[], commandId: string, answer: AgentAnswer, at: Date): FinalDryRun {
  const byKey = new Map(answer.results.map((r) => [objectKeyString({ kind: r.ref.kind as ChangeOperation['key']['kind'], namespace: r.ref.namespace, name: r.ref.name }), r]));
  const objects: DryRunObject[] = operations.map((op) => {
    const key = objectKeyString(op.key);
    const r = byKey.get(key);
    const submitted = op.action === 'apply' ? manifestYaml(op.object) : null;
    const stored = r?.object ? manifestYaml(r.object) : null;
    return { key, submitted, outcome: r?.outcome ?? 'missing', message: r?.message ?? (r ? null : 'the agent reported nothing for this object'), stored };
  });
  const stamp = at.toISOString();
  if (answer.status === 'dry-run') return { state: 'answered', commandId, at: stamp, objects };
  if (answer.status === 'stale') return { state: 'stale', commandId, at: stamp, reason: answer.message ?? 'an object changed in the cluster since the preview read it', objects };
  const failed = objects.filter((o) => o.outcome === 'failed' || o.outcome === 'missing').map((o) => `${o.key}: ${o.message ?? 'refused'}`);
  const reason = answer.status === 'refused' ? `the agent refused the dry run: ${answer.message ?? 'no reason given'}` : failed.length ? failed.join('; ') : (answer.message ?? `the dry run ended as ${answer.status}`);
  return { state: 'rejected', commandId, at: stamp, reason, objects };
}

/** The part of a dry run the approval digest covers: everything but the bookkeeping of when. */
export function dryRunForDigest(record: FinalDryRun): unknown {
  if (record.state === 'unavailable') return { state: record.state, reason: record.reason };
  return { state: record.state, commandId: record.commandId, objects: record.objects.map((o) => ({ key: o.key, outcome: o.outcome, message: o.message, stored: o.stored })) };
}
