// What an approver reads before signing: per object the text diff against the live object,
// the network-policy impact on observed flows (which flip, which allowed paths no flow
// used, how much history that covers), and the RBAC blast radius with the risk findings the
// change adds or removes. Pure: inventory, flows and the proposal come in, the preview goes out.
import { createTwoFilesPatch } from 'diff';
import { stringify } from 'yaml';
import { analyzeImpact, type ObservedFlow } from '../netpol/impact';
import type { Namespace, NetworkPolicy, Workload } from '../netpol/model';
import { readNetworkPolicy } from '../netpol/validate-policy';
import { matchesSelector } from '../netpol/label-selector';
import { explainVerdict } from '../netpol/explain-verdict';
import { buildRbacIndex } from '../rbac/index-bindings';
import type { RbacObject } from '../rbac/model';
import { riskFindings } from '../rbac/risk-findings';
import { formatPermission, semanticDiffObjects } from '../rbac/semantic-diff';
import { validateObject } from '../rbac/validate-object';
import { type ChangeOperation, objectKeyString } from './change-objects';

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
  flows: readonly ObservedFlow[];
  window: { from: Date; to: Date; minutesWithData: number };
  /** Namespaces the reader may see by name; others are shown as "another tenant". null: all. */
  visibleNamespaces: ReadonlySet<string> | null;
}

export interface ObjectDiff {
  key: string;
  action: 'create' | 'update' | 'delete' | 'unchanged';
  unified: string;
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
    unusedAllowedPaths: string[];
  };
  rbac: null | {
    subjects: { subject: string; gained: string[]; lost: string[] }[];
    findingsAdded: { severity: string; message: string }[];
    findingsRemoved: { severity: string; message: string }[];
  };
}

const RBAC_KINDS = new Set(['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']);
/** A flow seen this rarely over the window may be a periodic job the window only just caught. */
const RARE_COUNT = 3;

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

function yamlOf(o: Record<string, unknown> | null): string | null {
  if (!o) return null;
  const { metadata, status: _s, ...rest } = o as { metadata?: Record<string, unknown>; status?: unknown };
  const { managedFields: _m, resourceVersion: _r, uid: _u, creationTimestamp: _c, generation: _g, ...meta } = metadata ?? {};
  return stringify(displayOrder({ ...rest, metadata: meta }));
}

export function buildPreview(input: PreviewInput): Preview {
  const objects: ObjectDiff[] = input.operations.map((op) => {
    const key = objectKeyString(op.key);
    const before = yamlOf(input.live.get(key) ?? null);
    const after = op.action === 'delete' ? null : yamlOf(op.object);
    const action = op.action === 'delete' ? 'delete' : before === null ? 'create' : before === after ? 'unchanged' : 'update';
    return { key, action, before, after, unified: createTwoFilesPatch(`live/${key}`, `proposed/${key}`, before ?? '', after ?? '', undefined, undefined, { context: 3 }) };
  });

  // Explanations name policies and workloads on both ends; what lies in a namespace the
  // reader may not see is masked, as the flow ends are.
  const maskText = (text: string) =>
    input.visibleNamespaces
      ? text.replace(/\b([a-z0-9](?:[-a-z0-9]*[a-z0-9])?)\/([a-z0-9](?:[-a-z0-9.]*[a-z0-9])?)/g, (whole, ns: string) => (input.visibleNamespaces!.has(ns) ? whole : '(another tenant)'))
      : text;
  const nameOf = (endpoint: ObservedFlow['source']) => {
    if ('ip' in endpoint) return endpoint.ip;
    const ns = endpoint.workload.split('/')[0]!;
    return input.visibleNamespaces && !input.visibleNamespaces.has(ns) ? '(another tenant)' : endpoint.workload;
  };

  let netpol: Preview['netpol'] = null;
  const netpolOps = input.operations.filter((o) => o.key.kind === 'NetworkPolicy');
  if (netpolOps.length > 0) {
    const parse = (raw: Record<string, unknown>) => readNetworkPolicy(raw).policy;
    const current = input.networkPolicies.map(parse).filter((p): p is NetworkPolicy => p !== null);
    const changed = new Set(netpolOps.map((o) => objectKeyString(o.key)));
    const proposed = [
      ...input.networkPolicies.filter((raw) => !changed.has(objectKeyString({ kind: 'NetworkPolicy', namespace: String((raw.metadata as { namespace?: string })?.namespace), name: String((raw.metadata as { name?: string })?.name) }))).map(parse).filter((p): p is NetworkPolicy => p !== null),
      ...netpolOps.flatMap((o) => (o.action === 'apply' ? [parse(o.object)].filter((p): p is NetworkPolicy => p !== null) : [])),
    ];
    const impact = analyzeImpact({ namespaces: input.namespaces, workloads: input.workloads, current, proposed, flows: input.flows });
    const flips = impact.changes.map((c) => ({
      source: nameOf(c.flow.source),
      destination: nameOf(c.flow.destination),
      port: c.flow.port,
      protocol: c.flow.protocol,
      count: c.flow.count,
      change: c.change,
      explanation: maskText(explainVerdict(c.after).join('\n')),
      rare: c.flow.count <= RARE_COUNT,
    }));
    // Over-permission, first measure: workloads an applied policy selects (and so governs
    // ingress of) that received no flow at all in the window.
    const received = new Set(input.flows.flatMap((f) => ('workload' in f.destination ? [f.destination.workload] : [])));
    const unusedAllowedPaths = netpolOps
      .filter((o) => o.action === 'apply')
      .flatMap((o) => {
        const p = parse(o.object);
        if (!p) return [];
        const selected = input.workloads.filter((w) => w.namespace === p.namespace && matchesSelector(p.podSelector, w.labels));
        return selected.filter((w) => !received.has(w.id)).map((w) => `${objectKeyString(o.key)} governs ingress to ${w.id}, which received no traffic in the window`);
      });
    netpol = {
      flips,
      newlyDenied: impact.summary.newlyDenied.flows,
      newlyAllowed: impact.summary.newlyAllowed.flows,
      flowsConsidered: impact.summary.flows,
      window: { from: input.window.from.toISOString(), to: input.window.to.toISOString(), minutesWithData: input.window.minutesWithData },
      unusedAllowedPaths,
    };
  }

  let rbac: Preview['rbac'] = null;
  const rbacOps = input.operations.filter((o) => RBAC_KINDS.has(o.key.kind));
  if (rbacOps.length > 0) {
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
    rbac = {
      subjects: diff.subjects.map((s) => ({ subject: subjectName(s.subject), gained: s.gained.map(formatPermission), lost: s.lost.map(formatPermission) })),
      findingsAdded: fAfter.filter((f) => !idsBefore.has(f.id)).map((f) => ({ severity: f.severity, message: f.message })),
      findingsRemoved: fBefore.filter((f) => !idsAfter.has(f.id)).map((f) => ({ severity: f.severity, message: f.message })),
    };
  }
  const base = Object.fromEntries(input.operations.map((op) => [objectKeyString(op.key), input.live.get(objectKeyString(op.key)) ?? null]));
  return { objects, base, netpol, rbac };
}
