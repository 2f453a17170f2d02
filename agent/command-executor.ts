// Carries out one command bundle from the console, or refuses it. Nothing is applied
// unless the console's pinned key signed it, it targets this cluster, an apply carries its
// approvals, and every object is still at the version the approvers saw.
import type { ClusterDriver } from './drivers/cluster-driver';
import { FIELD_MANAGER, refOfOperation } from './drivers/cluster-driver';
import { CommandBundle, type CommandResult, type OperationResult, type SignedCommand } from './protocol/messages';
import { verifyBundleSignature } from './protocol/request-signing';
import { verifyGrantRemoval } from './grant-removal';
import { executeSleepCommand } from './sleep-executor';

export interface ExecutorDeps {
  consoleSigningKey: string;
  clusterId: string;
  driver: ClusterDriver;
  /** Results of commands already carried out, by id, so a re-delivery is not applied twice. */
  remembered: (commandId: string) => CommandResult | null;
  remember: (result: CommandResult) => void;
  log: (message: string) => void;
  /** The clock sleep records in its annotation; the system clock unless given. */
  now?: () => Date;
}

export async function executeCommand(signed: SignedCommand, deps: ExecutorDeps): Promise<CommandResult | null> {
  let raw: unknown;
  try {
    raw = JSON.parse(signed.bundle);
  } catch {
    deps.log('refused a command whose bundle is not JSON');
    return null;
  }
  const commandId = (raw as { commandId?: unknown })?.commandId;
  const refuse = (message: string): CommandResult | null => {
    deps.log(`refused command ${String(commandId)}: ${message}`);
    return typeof commandId === 'string' && /^[0-9a-f-]{36}$/i.test(commandId) ? { commandId, status: 'refused', message, results: [] } : null;
  };
  if (!verifyBundleSignature(deps.consoleSigningKey, signed.bundle, signed.signature)) return refuse('signature does not verify with the pinned console key');
  const parsed = CommandBundle.safeParse(raw);
  if (!parsed.success) return refuse(`bundle is malformed: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`);
  const bundle = parsed.data;
  if (bundle.clusterId !== deps.clusterId) return refuse(`bundle targets cluster ${bundle.clusterId}, this agent serves ${deps.clusterId}`);
  if (bundle.type === 'apply' && (bundle.approvals.length === 0 || !bundle.approvalsDigest)) return refuse('an apply bundle must carry its approvals and their digest');
  // The removal of an expired grant carries the grant's approvals: they must be the grant's.
  if (bundle.grantExpiry) {
    if (bundle.type !== 'apply') return refuse('only an apply removes an expired grant');
    const why = verifyGrantRemoval(bundle, bundle.grantExpiry, deps.consoleSigningKey, deps.now?.() ?? new Date());
    if (why) return refuse(`expired-grant removal refused: ${why}`);
  }

  const earlier = deps.remembered(bundle.commandId);
  if (earlier) return earlier;
  if (bundle.type === 'sleep' || bundle.type === 'wake') {
    const result = await executeSleepCommand(bundle, deps.driver, deps.now?.() ?? new Date());
    deps.remember(result);
    return result;
  }

  const refs = bundle.operations.map(refOfOperation);
  const live = await deps.driver.liveVersions(refs);
  const stale = bundle.operations.flatMap((op, i) => (live[i]?.resourceVersion !== op.expectedResourceVersion ? [i] : []));
  if (stale.length > 0) {
    const result: CommandResult = {
      commandId: bundle.commandId,
      status: 'stale',
      message: `${stale.length} object(s) changed in the cluster since the change was reviewed; nothing was applied`,
      results: bundle.operations.map((op, i) => ({
        ref: refs[i]!,
        outcome: stale.includes(i) ? ('stale' as const) : ('skipped' as const),
        ...(stale.includes(i) ? { message: `expected resourceVersion ${op.expectedResourceVersion ?? '(absent)'}, found ${live[i]?.resourceVersion ?? '(absent)'}` } : {}),
      })),
    };
    deps.remember(result);
    return result;
  }

  const dryRun = bundle.type === 'dry-run';
  const results: OperationResult[] = [];
  let failedAt = -1;
  for (const [i, op] of bundle.operations.entries()) {
    if (failedAt >= 0) {
      results.push({ ref: refs[i]!, outcome: 'skipped', message: 'not attempted after an earlier failure' });
      continue;
    }
    const r = await deps.driver.execute(op, { dryRun, fieldManager: FIELD_MANAGER }).catch((err: unknown) => ({ ref: refs[i]!, outcome: 'failed' as const, message: err instanceof Error ? err.message : String(err) }));
    results.push(r);
    if (r.outcome === 'failed') failedAt = i;
  }
  const applied = results.filter((r) => r.outcome === 'applied' || r.outcome === 'deleted' || r.outcome === 'unchanged').length;
  const result: CommandResult = {
    commandId: bundle.commandId,
    status: dryRun ? (failedAt >= 0 ? 'failed' : 'dry-run') : failedAt < 0 ? 'applied' : applied > 0 ? 'partial' : 'failed',
    ...(failedAt >= 0 ? { message: `operation ${failedAt + 1} of ${bundle.operations.length} failed: ${results[failedAt]!.message ?? ''}; ${applied} applied before it` } : {}),
    results,
  };
  if (!dryRun) deps.remember(result);
  return result;
}
