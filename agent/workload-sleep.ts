// Sleep and wake of one workload, as JSON merge patches (RFC 7386) computed from the live
// object: sleep scales a Deployment or StatefulSet to zero replicas, or suspends a CronJob,
// and writes what it changed into an annotation on the object itself; wake restores exactly
// that and removes the annotation. The state lives on the object, not in the console, so a
// workload slept by one console is woken correctly by any other, and `kubectl get -o yaml`
// shows why it has no pods. A merge patch (not server-side apply) names only the fields it
// changes and deletes the annotation with null, whoever owns the other fields.
import { z } from 'zod';

export const SLEEP_ANNOTATION = 'verity.dev/sleep-state';
export const SLEEP_KINDS = ['Deployment', 'StatefulSet', 'CronJob'] as const;
export type SleepKind = (typeof SLEEP_KINDS)[number];
export const API_VERSION_OF: Record<SleepKind, string> = { Deployment: 'apps/v1', StatefulSet: 'apps/v1', CronJob: 'batch/v1' };

/** What the annotation holds: the fields sleep changed, as they were. */
export const SleepState = z.union([
  z.object({ kind: z.enum(['Deployment', 'StatefulSet']), replicas: z.number().int().min(0), sleptAt: z.string() }),
  z.object({ kind: z.literal('CronJob'), suspend: z.boolean(), sleptAt: z.string() }),
]);
export type SleepState = z.infer<typeof SleepState>;

type Live = { metadata?: { name?: string; namespace?: string; resourceVersion?: string; annotations?: Record<string, string> }; spec?: { replicas?: unknown; suspend?: unknown } };

export type SleepPlan =
  | { action: 'patch'; patch: Record<string, unknown>; state: SleepState; resourceVersion: string }
  /** Nothing to do; `state` is what the object already records. */
  | { action: 'none'; message: string; state: SleepState | null }
  | { action: 'refuse'; message: string };

function recorded(live: Live): { state: SleepState | null; error: string | null } {
  const text = live.metadata?.annotations?.[SLEEP_ANNOTATION];
  if (text === undefined) return { state: null, error: null };
  try {
    const parsed = SleepState.safeParse(JSON.parse(text));
    return parsed.success ? { state: parsed.data, error: null } : { state: null, error: `annotation ${SLEEP_ANNOTATION} is not a sleep state Verity wrote` };
  } catch {
    return { state: null, error: `annotation ${SLEEP_ANNOTATION} is not JSON` };
  }
}

function header(kind: SleepKind, live: Live, annotation: string | null): Record<string, unknown> {
  return {
    apiVersion: API_VERSION_OF[kind],
    kind,
    // The resourceVersion makes the patch conditional: if the object moved since it was read, the server refuses (409).
    metadata: { name: live.metadata?.name, namespace: live.metadata?.namespace, resourceVersion: live.metadata?.resourceVersion, annotations: { [SLEEP_ANNOTATION]: annotation } },
  };
}

export function planSleep(kind: SleepKind, live: Live, now: Date): SleepPlan {
  const { state, error } = recorded(live);
  if (error) return { action: 'refuse', message: `${error}; remove it or wake the workload by hand` };
  if (state) return { action: 'none', message: `already asleep since ${state.sleptAt}`, state };
  if (!live.metadata?.resourceVersion) return { action: 'refuse', message: 'the live object has no resourceVersion' };
  const sleptAt = now.toISOString();
  if (kind === 'CronJob') {
    const suspend = live.spec?.suspend === true;
    const next: SleepState = { kind, suspend, sleptAt };
    return { action: 'patch', state: next, resourceVersion: live.metadata.resourceVersion, patch: { ...header(kind, live, JSON.stringify(next)), spec: { suspend: true } } };
  }
  // An absent spec.replicas means 1 (the API server's default).
  const replicas = typeof live.spec?.replicas === 'number' ? live.spec.replicas : 1;
  const next: SleepState = { kind, replicas, sleptAt };
  return { action: 'patch', state: next, resourceVersion: live.metadata.resourceVersion, patch: { ...header(kind, live, JSON.stringify(next)), spec: { replicas: 0 } } };
}

export function planWake(kind: SleepKind, live: Live): SleepPlan {
  const { state, error } = recorded(live);
  if (error) return { action: 'refuse', message: error };
  if (!state) return { action: 'none', message: `not asleep: no ${SLEEP_ANNOTATION} annotation`, state: null };
  if (state.kind !== kind) return { action: 'refuse', message: `the annotation records a ${state.kind}, the object is a ${kind}` };
  if (!live.metadata?.resourceVersion) return { action: 'refuse', message: 'the live object has no resourceVersion' };
  const spec = state.kind === 'CronJob' ? { suspend: state.suspend } : { replicas: state.replicas };
  return { action: 'patch', state, resourceVersion: live.metadata.resourceVersion, patch: { ...header(kind, live, null), spec } };
}

/** RFC 7386 JSON merge patch: objects merge key by key, null deletes, anything else replaces. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = applyMergePatch(out[k], v);
  }
  return out;
}

/** The API server drops an empty annotations map (omitempty); the sim stores objects the same way. */
export function dropEmptyAnnotations<T>(object: T): T {
  const meta = (object as { metadata?: { annotations?: Record<string, string> } }).metadata;
  if (meta?.annotations && Object.keys(meta.annotations).length === 0) delete meta.annotations;
  return object;
}
