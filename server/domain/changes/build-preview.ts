// What an approver reads before signing: per object the text diff against the live object,
// the network-policy impact on observed flows (which flip, which allowed paths no flow
// used, how much history that covers), and the RBAC blast radius with the risk findings the
// change adds or removes. Pure: inventory, flows and the proposal come in, the preview goes out.
import { stringify } from 'yaml';
import { analyzeImpact, type ObservedFlow } from '../netpol/impact';
import type { Namespace, NetworkPolicy, Workload } from '../netpol/model';
import { readNetworkPolicy } from '../netpol/validate-policy';
import { matchesSelector } from '../netpol/label-selector';
import { explainVerdict } from '../netpol/explain-verdict';
import { NetpolEngine } from '../netpol/evaluate-connection';
import { buildRbacIndex } from '../rbac/index-bindings';
import type { RbacObject } from '../rbac/model';
import { riskFindings } from '../rbac/risk-findings';
import { formatPermission, semanticDiffObjects } from '../rbac/semantic-diff';
import { validateObject } from '../rbac/validate-object';
import { type ChangeOperation, objectKeyString } from './change-objects';
import type { DryRunRecord } from './dry-run';
import type { MeshPreview } from './mesh-preview';

export interface PreviewInput {
  operations: readonly ChangeOperation[];
  /** Live objects by objectKeyString, as in the inventory (null: absent). */
  live: ReadonlyMap<string, Record<string, unknown> | null>;
  namespaces: readonly Namespace[];
  workloads: readonly Workload[];
  /** Every NetworkPolicy object of the cluster, live. */
  networkPolicies: readonly Record<string, unknown>[];
  /** Every RBAC object of the cluster, live. */
  rbacObjects: readonly Record<string, unknown>[];
  /** Observed flows over the window; `minutes`: in how many distinct minutes each was seen. */
  flows: readonly (ObservedFlow & { minutes?: number })[];
  window: { from: Date; to: Date; minutesWithData: number };
  /** Namespaces the reader may see by name; others are shown as "another tenant". null: all. */
  visibleNamespaces: ReadonlySet<string> | null;
}

export interface ObjectDiff {
  key: string;
  action: 'create' | 'update' | 'delete' | 'unchanged';
  before: string | null;
  after: string | null;
}

export interface FlowFlip {
  source: string;
  destination: string;
  port: number;
  protocol: string;
  count: number;
  change: 'allowed-to-denied' | 'denied-to-allowed';
  explanation: string;
  /** In how many distinct minutes of the window the flow was seen. */
  minutes: number | null;
  rare: boolean;
}

export interface Preview {
  objects: ObjectDiff[];
  /** The live objects the preview was computed against (null: absent), kept so an applied
   * change can be rolled back to exactly what was there. */
  base: Record<string, Record<string, unknown> | null>;
  netpol: null | {
    flips: FlowFlip[];
    newlyDenied: number;
    newlyAllowed: number;
    flowsConsidered: number;
    window: { from: string; to: string; minutesWithData: number };
    /** How much of the window had flow data, and how many of the flows considered were seen only rarely. */
    coverage: { windowMinutes: number; minutesWithData: number; rareFlows: number; rareFlips: number };
    /** Over-permission: paths the proposed policies allow (workload to workload, on the
     * destination's ports) that no observed flow used in the window. At most UNUSED_LISTED. */
    unusedAllowedPaths: string[];
    unusedAllowedTotal: number;
    /** Paths an applied policy allows, in all; the unused ones are a share of these. */
    allowedPathsTotal: number;
    /** Set when the cluster is too large to enumerate every allowed path. */
    unusedNotComputed?: string;
  };
  rbac: null | {
    subjects: { subject: string; gained: string[]; lost: string[] }[];
    findingsAdded: { severity: string; message: string }[];
    findingsRemoved: { severity: string; message: string }[];
  };
  /** PeerAuthentication changes: the STRICT-readiness list and the modes that change. */
  mesh?: MeshPreview | null;
  /** The agent's server-side dry run: pending while it runs, absent in previews made before it existed. */
  dryRun?: DryRunRecord;
}

const RBAC_KINDS = new Set(['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']);
/** A flow seen this rarely over the window may be a periodic job the window only just caught
 * (and the next run of which may fall outside it): few connections, or in very few minutes. */
export const RARE_COUNT = 3;
export const RARE_MINUTES = 2;
/** How many unused allowed paths the preview lists by name. */
export const UNUSED_LISTED = 50;
/** Beyond this many (source, destination, port) evaluations over-permission is not enumerated. */
export const MAX_PATH_EVALUATIONS = 400_000;

const LEADING_KEYS = ['apiVersion', 'kind', 'metadata', 'spec'];

/** Keys in the order people read manifests in (jsonb storage reorders them), then alphabetical. */
function displayOrder(value: unknown, top = true): unknown {
  if (Array.isArray(value)) return value.map((v) => displayOrder(v, false));
  if (!value || typeof value !== 'object') return value;
  const keys = Object.keys(value).sort((a, b) => {
    const ia = top ? LEADING_KEYS.indexOf(a) : a === 'name' ? -2 : a === 'namespace' ? -1.5 : -1;
    const ib = top ? LEADING_KEYS.indexOf(b) : b === 'name' ? -2 : b === 'namespace' ? -1.5 : -1;
    if (ia !== ib) return (ia === -1 ? 99 : ia) - (ib === -1 ? 99 : ib);
    return a.localeCompare(b);
  });
  return Object.fromEntries(keys.map((k) => [k, displayOrder((value as Record<string, unknown>)[k], false)]));
}

/** An object as YAML for reading and diffing, without what the API server alone maintains. */
export function manifestYaml(o: Record<string, unknown> | null): string | null {
  if (!o) return null;
  const { metadata, status: _s, ...rest } = o as { metadata?: Record<string, unknown>; status?: unknown };
  const { managedFields: _m, resourceVersion: _r, uid: _u, creationTimestamp: _c, generation: _g, ...meta } = metadata ?? {};
  return stringify(displayOrder({ ...rest, metadata: meta }));
}

/** Stage one: per object, the text diff against the live object. */
export function diffObjects(input: Pick<PreviewInput, 'operations' | 'live'>): ObjectDiff[] {
  return input.operations.map((op) => {
    const key = objectKeyString(op.key);
    const before = manifestYaml(input.live.get(key) ?? null);
    const after = op.action === 'delete' ? null : manifestYaml(op.object);
    const action = op.action === 'delete' ? 'delete' : before === null ? 'create' : before === after ? 'unchanged' : 'update';
    return { key, action, before, after };
  });
}

/** The live objects the preview was computed against, kept so an applied change can be rolled back. */
export function baseObjects(input: Pick<PreviewInput, 'operations' | 'live'>): Preview['base'] {
  return Object.fromEntries(input.operations.map((op) => [objectKeyString(op.key), input.live.get(objectKeyString(op.key)) ?? null]));
}

/** Rare: a handful of connections, or seen in very few minutes of a window that has plenty of
 * data (with only minutes of history every flow is "seen in few minutes"; the coverage says that). */
function isRare(flow: { count: number; minutes?: number }, minutesWithData: number): boolean {
  return flow.count <= RARE_COUNT || (flow.minutes !== undefined && flow.minutes <= RARE_MINUTES && minutesWithData >= 10 * RARE_MINUTES);
}

/** Stage two: the network-policy impact on observed flows, over-permission and coverage. */
export function netpolImpact(input: PreviewInput): Preview['netpol'] {
  const netpolOps = input.operations.filter((o) => o.key.kind === 'NetworkPolicy');
  if (netpolOps.length === 0) return null;
  // Explanations name policies and workloads on both ends; what lies in a namespace the
  // reader may not see is masked, as the flow ends are.
  const visible = input.visibleNamespaces;
  const maskText = (text: string) =>
    visible ? text.replace(/\b([a-z0-9](?:[-a-z0-9]*[a-z0-9])?)\/([a-z0-9](?:[-a-z0-9.]*[a-z0-9])?)/g, (whole, ns: string) => (visible.has(ns) ? whole : '(another tenant)')) : text;
  const nameOfWorkload = (id: string) => (visible && !visible.has(id.split('/')[0]!) ? '(another tenant)' : id);
  const nameOf = (endpoint: ObservedFlow['source']) => ('ip' in endpoint ? endpoint.ip : nameOfWorkload(endpoint.workload));

  const parse = (raw: Record<string, unknown>) => readNetworkPolicy(raw).policy;
  const current = input.networkPolicies.map(parse).filter((p): p is NetworkPolicy => p !== null);
  const changed = new Set(netpolOps.map((o) => objectKeyString(o.key)));
  const applied = netpolOps.flatMap((o) => (o.action === 'apply' ? [parse(o.object)].filter((p): p is NetworkPolicy => p !== null) : []));
  const proposed = [
    ...input.networkPolicies.filter((raw) => !changed.has(objectKeyString({ kind: 'NetworkPolicy', namespace: String((raw.metadata as { namespace?: string })?.namespace), name: String((raw.metadata as { name?: string })?.name) }))).map(parse).filter((p): p is NetworkPolicy => p !== null),
    ...applied,
  ];
  const impact = analyzeImpact({ namespaces: input.namespaces, workloads: input.workloads, current, proposed, flows: input.flows });
  const flips = impact.changes.map((c) => {
    const flow = c.flow as ObservedFlow & { minutes?: number };
    return {
      source: nameOf(flow.source),
      destination: nameOf(flow.destination),
      port: flow.port,
      protocol: flow.protocol,
      count: flow.count,
      change: c.change,
      explanation: maskText(explainVerdict(c.after).join('\n')),
      minutes: flow.minutes ?? null,
      rare: isRare(flow, input.window.minutesWithData),
    };
  });
  const unused = unusedAllowedPaths(input, proposed, applied);
  const windowMinutes = Math.max(1, Math.round((input.window.to.getTime() - input.window.from.getTime()) / 60_000));
  return {
    flips,
    newlyDenied: impact.summary.newlyDenied.flows,
    newlyAllowed: impact.summary.newlyAllowed.flows,
    flowsConsidered: impact.summary.flows,
    window: { from: input.window.from.toISOString(), to: input.window.to.toISOString(), minutesWithData: input.window.minutesWithData },
    coverage: { windowMinutes, minutesWithData: input.window.minutesWithData, rareFlows: input.flows.filter((f) => isRare(f, input.window.minutesWithData)).length, rareFlips: flips.filter((f) => f.rare).length },
    unusedAllowedPaths: collapseRepeats(unused.listed.map(maskText)),
    unusedAllowedTotal: unused.total,
    allowedPathsTotal: unused.allowed,
    ...(unused.notComputed ? { unusedNotComputed: unused.notComputed } : {}),
  };
}

/** Masked paths from several workloads of another tenant read the same: say it once, with how many. */
function collapseRepeats(lines: readonly string[]): string[] {
  const counts = new Map<string, number>();
  for (const l of lines) counts.set(l, (counts.get(l) ?? 0) + 1);
  return [...counts].map(([line, n]) => (n > 1 ? `${line} (${n} paths)` : line));
}

/**
 * Over-permission: every (source workload, destination workload, destination port) that a
 * policy this change applies lets through (its rule is among those allowing the direction it
 * governs, and the other direction allows it too), minus the paths some observed flow used
 * in the window, whatever its verdict then.
 */
function unusedAllowedPaths(input: PreviewInput, proposed: readonly NetworkPolicy[], applied: readonly NetworkPolicy[]) {
  const result = { listed: [] as string[], total: 0, allowed: 0, notComputed: undefined as string | undefined };
  if (applied.length === 0) return result;
  const workloads = input.workloads;
  const engine = new NetpolEngine({ namespaces: input.namespaces, members: workloads, policies: proposed });
  const used = new Set(input.flows.flatMap((f) => ('workload' in f.source && 'workload' in f.destination ? [`${f.source.workload}>${f.destination.workload}:${f.port}/${f.protocol}`] : [])));
  const appliedKeys = new Set(applied.map((p) => `${p.namespace}/${p.name}`));
  const selected = (p: NetworkPolicy) => workloads.flatMap((w, i) => (w.namespace === p.namespace && matchesSelector(p.podSelector, w.labels) ? [i] : []));
  // Candidate pairs: ingress to what an applied policy isolates for ingress, egress from what it isolates for egress.
  const pairs = new Map<string, { src: number; dst: number; direction: 'ingress' | 'egress' }>();
  for (const p of applied) {
    for (const i of selected(p)) {
      for (let j = 0; j < workloads.length; j++) {
        if (i === j) continue;
        if (p.ingressIsolation) pairs.set(`${j}>${i}`, { src: j, dst: i, direction: 'ingress' });
        if (p.egressIsolation && !pairs.has(`${i}>${j}`)) pairs.set(`${i}>${j}`, { src: i, dst: j, direction: 'egress' });
      }
    }
  }
  let evaluations = 0;
  for (const { dst } of pairs.values()) evaluations += workloads[dst]!.ports.length;
  if (evaluations > MAX_PATH_EVALUATIONS) {
    result.notComputed = `${evaluations} workload-to-port paths are more than this preview enumerates (${MAX_PATH_EVALUATIONS})`;
    return result;
  }
  for (const { src, dst } of pairs.values()) {
    for (const port of workloads[dst]!.ports) {
      const conn = { source: { member: src }, destination: { member: dst }, port: port.port, protocol: port.protocol };
      if (!engine.allows(conn)) continue;
      const v = engine.evaluate(conn);
      const by = [...v.ingress.allowedBy, ...v.egress.allowedBy].filter((m) => appliedKeys.has(`${m.policy.namespace}/${m.policy.name}`));
      if (by.length === 0) continue;
      result.allowed++;
      const from = workloads[src]!.id;
      const to = workloads[dst]!.id;
      if (used.has(`${from}>${to}:${port.port}/${port.protocol}`)) continue;
      result.total++;
      if (result.listed.length < UNUSED_LISTED) {
        const rules = [...new Set(by.map((m) => `${m.policy.namespace}/${m.policy.name} ${v.ingress.allowedBy.includes(m) ? 'ingress' : 'egress'} rule ${m.rule + 1}`))].join(', ');
        result.listed.push(`${from} → ${to} ${port.port}/${port.protocol} (allowed by ${rules}): no flow used it in the window`);
      }
    }
  }
  return result;
}

/** Stage three: RBAC blast radius per subject and the risk findings the change adds or removes. */
export function rbacImpact(input: Pick<PreviewInput, 'operations' | 'rbacObjects'>): Preview['rbac'] {
  const rbacOps = input.operations.filter((o) => RBAC_KINDS.has(o.key.kind));
  if (rbacOps.length === 0) return null;
  const toObject = (raw: Record<string, unknown>) => validateObject(raw).object;
  const before = input.rbacObjects.map(toObject).filter((o): o is RbacObject => Boolean(o));
  const changed = new Set(rbacOps.map((o) => objectKeyString(o.key)));
  const keyOfRaw = (raw: Record<string, unknown>) => {
    const m = raw.metadata as { namespace?: string; name?: string } | undefined;
    const kind = String(raw.kind);
    const namespaced = kind === 'Role' || kind === 'RoleBinding';
    return `${kind}/${namespaced ? (m?.namespace ?? '') : ''}/${m?.name ?? ''}`;
  };
  const after = [
    ...input.rbacObjects.filter((raw) => !changed.has(keyOfRaw(raw))).map(toObject).filter((o): o is RbacObject => Boolean(o)),
    ...rbacOps.flatMap((o) => (o.action === 'apply' ? [toObject(o.object)].filter((x): x is RbacObject => Boolean(x)) : [])),
  ];
  const beforeIndex = buildRbacIndex(before);
  const diff = semanticDiffObjects(beforeIndex, after);
  const afterIndex = buildRbacIndex(after);
  const fBefore = riskFindings(beforeIndex);
  const fAfter = riskFindings(afterIndex);
  const idsBefore = new Set(fBefore.map((f) => f.id));
  const idsAfter = new Set(fAfter.map((f) => f.id));
  const subjectName = (s: { kind: string; name: string; namespace?: string }) => (s.kind === 'ServiceAccount' ? `ServiceAccount ${s.namespace}/${s.name}` : `${s.kind} ${s.name}`);
  return {
    subjects: diff.subjects.map((s) => ({ subject: subjectName(s.subject), gained: s.gained.map(formatPermission), lost: s.lost.map(formatPermission) })),
    findingsAdded: fAfter.filter((f) => !idsBefore.has(f.id)).map((f) => ({ severity: f.severity, message: f.message })),
    findingsRemoved: fBefore.filter((f) => !idsAfter.has(f.id)).map((f) => ({ severity: f.severity, message: f.message })),
  };
}

/** All stages at once (the background pipeline runs them one by one, reporting progress). */
export function buildPreview(input: PreviewInput): Preview {
  return { objects: diffObjects(input), base: baseObjects(input), netpol: netpolImpact(input), rbac: rbacImpact(input) };
}
