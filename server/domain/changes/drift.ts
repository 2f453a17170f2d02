// Does the cluster hold what was approved? Every field the approved object sets must have
// that value in the live object (the API server and other controllers may add fields; that
// is not drift). Lists are compared whole, as server-side apply treats atomic lists.
import type { ChangeOperation } from './change-objects';

const IGNORED_METADATA = new Set(['resourceVersion', 'uid', 'generation', 'creationTimestamp', 'managedFields', 'selfLink']);

export type Verification = { state: 'matches' } | { state: 'drift'; differences: string[] } | { state: 'missing' } | { state: 'still-present' };

export function verifyApplied(op: ChangeOperation, live: Record<string, unknown> | null): Verification {
  if (op.action === 'delete') return live === null ? { state: 'matches' } : { state: 'still-present' };
  if (live === null) return { state: 'missing' };
  const differences: string[] = [];
  compare(op.object, live, '', differences);
  return differences.length === 0 ? { state: 'matches' } : { state: 'drift', differences };
}

function compare(want: unknown, have: unknown, path: string, out: string[]) {
  if (Array.isArray(want)) {
    if (!deepEqual(want, have)) out.push(`${path || '(object)'}: approved ${JSON.stringify(want)}, cluster has ${JSON.stringify(have ?? null)}`);
    return;
  }
  if (want && typeof want === 'object') {
    if (!have || typeof have !== 'object' || Array.isArray(have)) {
      out.push(`${path}: approved an object, cluster has ${JSON.stringify(have ?? null)}`);
      return;
    }
    for (const [k, v] of Object.entries(want)) {
      if (path === 'metadata' && IGNORED_METADATA.has(k)) continue;
      compare(v, (have as Record<string, unknown>)[k], path ? `${path}.${k}` : k, out);
    }
    return;
  }
  if (want !== have && !(want === undefined && have === undefined)) out.push(`${path}: approved ${JSON.stringify(want)}, cluster has ${JSON.stringify(have ?? null)}`);
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]));
  return v;
}
