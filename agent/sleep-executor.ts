// Carries out a signed sleep or wake command: for each target, read the live object, plan
// the merge patch (agent/workload-sleep.ts) and send it with the object's resourceVersion as
// a precondition. Sleep and wake carry no approvals: they change only replicas or suspend,
// are undone exactly by their counterpart, and the console issues them only for a person
// holding workload:sleep (audited) or a tenant that opted in to activity-based sleep.
import type { ClusterDriver } from './drivers/cluster-driver';
import { FIELD_MANAGER } from './drivers/cluster-driver';
import type { CommandBundle, CommandResult, ObjectRef, OperationResult } from './protocol/messages';
import { API_VERSION_OF, planSleep, planWake } from './workload-sleep';

export async function executeSleepCommand(bundle: CommandBundle, driver: ClusterDriver, now: Date): Promise<CommandResult> {
  const targets = bundle.targets ?? [];
  const refused = (message: string): CommandResult => ({ commandId: bundle.commandId, status: 'refused', message, results: [] });
  if (bundle.operations.length > 0) return refused(`a ${bundle.type} command carries targets, not operations`);
  if (targets.length === 0) return refused(`a ${bundle.type} command needs at least one target`);
  if (!driver.readObject || !driver.mergePatch) return refused(`the ${driver.name} driver cannot ${bundle.type} workloads`);
  const results: OperationResult[] = [];
  for (const t of targets) {
    const ref: ObjectRef = { apiVersion: API_VERSION_OF[t.kind], kind: t.kind, namespace: t.namespace, name: t.name };
    try {
      const live = await driver.readObject(ref);
      if (!live) {
        results.push({ ref, outcome: 'failed', message: `${t.kind} ${t.namespace}/${t.name} not found` });
        continue;
      }
      const plan = bundle.type === 'sleep' ? planSleep(t.kind, live, now) : planWake(t.kind, live);
      if (plan.action === 'refuse') results.push({ ref, outcome: 'failed', message: plan.message });
      else if (plan.action === 'none') results.push({ ref, outcome: 'unchanged', message: plan.message, object: live });
      else results.push(await driver.mergePatch(ref, plan.patch, { fieldManager: FIELD_MANAGER }));
    } catch (err) {
      results.push({ ref, outcome: 'failed', message: err instanceof Error ? err.message : String(err) });
    }
  }
  const done = results.filter((r) => r.outcome === 'applied' || r.outcome === 'unchanged').length;
  const failed = results.filter((r) => r.outcome === 'failed');
  return {
    commandId: bundle.commandId,
    status: failed.length === 0 ? 'applied' : done > 0 ? 'partial' : 'failed',
    ...(failed.length > 0 ? { message: failed.map((r) => `${r.ref.kind} ${r.ref.namespace}/${r.ref.name}: ${r.message ?? 'failed'}`).join('; ') } : {}),
    results,
  };
}
