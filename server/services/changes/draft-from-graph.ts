// changes.draftFromGraph: a draft change request prefilled from the traffic graph (allow an
// edge, remove an allowed path, default-deny a namespace, allow what a workload was seen
// doing, require STRICT mTLS), new or appended to one of the caller's drafts. The caller needs
// netpol:propose in the tenant of every namespace the objects land in; ends and flows are
// read in the caller's own scope (another tenant's workload is never named in their draft),
// the policy model with cluster scope because isolation depends on every policy.
import { and, eq } from 'drizzle-orm';
import { stringify } from 'yaml';
import { z } from 'zod';
import { inventoryObjects } from '@/db/schema';
import { externalEndpoint, namespaceVisible, OTHER_TENANT_ID, WORLD_ID, type FlowAggregate, type Visibility } from '@/server/domain/graph';
import { FLOW_WINDOW_KEYS, FLOW_WINDOWS } from '@/server/domain/changes/flow-windows';
import { formToObject } from '@/server/domain/changes/policy-form';
import { readPolicyDocuments } from '@/server/domain/changes/policy-yaml';
import { allowEdge, allowObserved, defaultDeny, type Draft, type End, GeneratorError, type ObservedConnection, removePath, requireStrict } from '@/server/domain/changes/netpol-generators';
import { readNetworkPolicy } from '@/server/domain/netpol/validate-policy';
import type { NetworkPolicy, Protocol } from '@/server/domain/netpol/model';
import { authorize } from '../authorize';
import type { ServiceContext } from '../context';
import { badInput, forbidden, notFound } from '../errors';
import { readFlowAggregates, readPolicyModel, readVisibility, visibleClusters } from '../graph/cluster-model';
import { inAuthScope, inScope } from '../scope';
import { loadChange } from './change-context';
import { saveDraft } from './save-draft';

const NodeId = z.string().min(2).max(300);
const Namespace = z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'a namespace name').max(63);
const Range = z.enum(FLOW_WINDOW_KEYS);

export const DraftFromGraphInput = z.object({
  clusterId: z.uuid(),
  /** Append to this draft of the caller's instead of starting a new one. */
  intoChangeId: z.uuid().optional(),
  action: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('allow-edge'), source: NodeId, target: NodeId, range: Range.default('1d') }),
    z.object({ kind: z.literal('remove-path'), source: NodeId, target: NodeId, range: Range.default('1d') }),
    z.object({ kind: z.literal('default-deny'), namespace: Namespace, direction: z.enum(['ingress', 'egress', 'both']), keepDns: z.boolean().default(true) }),
    z.object({ kind: z.literal('allow-observed'), workload: NodeId, range: Range.default('1d') }),
    z.object({ kind: z.literal('require-strict'), namespace: Namespace }),
  ]),
});
export type DraftFromGraphInput = z.input<typeof DraftFromGraphInput>;

const PROTOCOLS = new Set(['TCP', 'UDP', 'SCTP']);

export async function draftFromGraph(ctx: ServiceContext, raw: DraftFromGraphInput) {
  authorize(ctx, 'netpol:propose');
  if (ctx.principal.kind !== 'user') throw forbidden('Only people draft changes');
  const userId = ctx.principal.userId;
  const global = ctx.principal.grants.some((g) => g.tenantId === null);
  const input = DraftFromGraphInput.parse(raw);
  const { action } = input;
  const now = ctx.now();
  const hours = 'range' in action ? FLOW_WINDOWS[action.range].hours : 24;

  const scoped = await inScope(ctx, async (tx) => {
    const clusters = await visibleClusters(tx, ctx);
    if (!clusters.some((c) => c.id === input.clusterId)) throw notFound('Cluster');
    const visibility = await readVisibility(tx, ctx, input.clusterId);
    const into = input.intoChangeId ? (await loadChange(tx, input.intoChangeId)).row : null;
    const needsFlows = action.kind === 'allow-edge' || action.kind === 'remove-path' || action.kind === 'allow-observed';
    const flows = needsFlows ? await readFlowAggregates(tx, { clusterId: input.clusterId, from: new Date(now.getTime() - hours * 3_600_000), to: now }) : [];
    return { visibility, into, flows };
  });
  const { visibility, into, flows } = scoped;
  if (into) {
    if (into.requestedBy !== userId) throw forbidden('Only the requester adds to a draft');
    if (into.status !== 'draft') throw badInput('intoChangeId', 'Only a draft can take more objects; this change was submitted');
    if (into.clusterId !== input.clusterId) throw badInput('intoChangeId', 'That draft is for another cluster');
  }

  const model = await readPolicyModel(ctx, input.clusterId);
  // Isolation the draft itself adds counts: "default-deny, then allow this edge" in one change.
  const draftPolicies: NetworkPolicy[] = into
    ? readPolicyDocuments(into.sourceText)
        .flatMap((d) => (d.kind === 'NetworkPolicy' && d.form ? [readNetworkPolicy(formToObject(d.form)).policy] : []))
        .filter((p): p is NetworkPolicy => p !== null)
    : [];
  const replaced = new Set(draftPolicies.map((p) => `${p.namespace}/${p.name}`));
  const view = { namespaces: model.namespaces, workloads: model.workloads, policies: [...model.policies.filter((p) => !replaced.has(`${p.namespace}/${p.name}`)), ...draftPolicies] };

  const ensureNamespace = (ns: string) => {
    if (!namespaceVisible(visibility, ns) || !model.namespaces.some((n) => n.name === ns)) throw notFound('Namespace');
  };
  let draft: Draft;
  try {
    switch (action.kind) {
      case 'default-deny':
        ensureNamespace(action.namespace);
        draft = defaultDeny(action.namespace, action.direction, { keepDns: action.keepDns });
        break;
      case 'require-strict': {
        ensureNamespace(action.namespace);
        const sources = await inAuthScope(ctx, (tx) =>
          tx.select({ namespace: inventoryObjects.namespace, name: inventoryObjects.name, object: inventoryObjects.object }).from(inventoryObjects).where(and(eq(inventoryObjects.clusterId, input.clusterId), eq(inventoryObjects.kind, 'PeerAuthentication'), eq(inventoryObjects.namespace, action.namespace))),
        );
        draft = requireStrict(action.namespace, model.peerAuthentications, new Map(sources.map((s) => [`${s.namespace}/${s.name}`, s.object])));
        break;
      }
      case 'allow-observed': {
        const w = workloadEnd(action.workload, visibility);
        const touches = (ns: string, wl: string) => wl !== '' && `${ns}/${wl}` === w.workload;
        const { conns, hidden } = observed(flows, visibility, (f) => touches(f.srcNamespace, f.srcWorkload) || touches(f.dstNamespace, f.dstWorkload));
        draft = allowObserved(view, w.workload, conns, FLOW_WINDOWS[action.range], hidden);
        break;
      }
      case 'allow-edge':
      case 'remove-path': {
        if (action.source === OTHER_TENANT_ID || action.target === OTHER_TENANT_ID) endOf(OTHER_TENANT_ID, [], visibility);
        const edge = flows.filter((f) => matchesEnd(action.source, f.srcNamespace, f.srcWorkload, f.srcIp, visibility) && matchesEnd(action.target, f.dstNamespace, f.dstWorkload, f.dstIp, visibility));
        const ports = uniquePorts(edge);
        if (ports.length === 0) throw badInput('action', `No connection from ${action.source} to ${action.target} was observed over ${FLOW_WINDOWS[action.range].label}`);
        const source = endOf(action.source, edge.map((f) => f.srcIp), visibility);
        const target = endOf(action.target, edge.map((f) => f.dstIp), visibility);
        if (action.kind === 'allow-edge') draft = allowEdge(view, source, target, ports);
        else {
          const { conns } = observed(flows, visibility, () => true);
          draft = removePath(view, source, target, ports, conns);
        }
        break;
      }
    }
  } catch (err) {
    if (err instanceof GeneratorError) throw badInput('action', err.message);
    throw err;
  }

  // The tenant whose namespaces the objects land in; a global caller may draft across tenants.
  const namespaces = [...new Set(draft.objects.map((o) => String((o.metadata as { namespace?: string }).namespace)))];
  for (const ns of namespaces) if (!namespaceVisible(visibility, ns)) throw forbidden(`The draft would change ${ns}, which is not one of your tenants' namespaces`);
  const owners = new Set(namespaces.map((ns) => visibility.tenantOfNamespace.get(ns)?.id ?? null));
  let tenantId: string | null;
  if (into) tenantId = into.tenantId;
  else if (owners.size === 1 && [...owners][0] !== null) tenantId = [...owners][0]!;
  else if (global) tenantId = null;
  else throw forbidden('The draft would change namespaces of more than one tenant; a security admin can draft it');
  if (tenantId) for (const ns of namespaces) if (visibility.tenantOfNamespace.get(ns)?.id !== tenantId) throw badInput('action', `${ns} is not in this draft's tenant; start a new draft`);

  const documents = draft.objects.map((o) => stringify(o, { lineWidth: 0 })).join('---\n');
  const header = `# ${draft.title}\n# ${draft.description.replace(/\n/g, ' ')}\n`;
  const origin = { action: action.kind };
  if (into) {
    const text = into.sourceText.replace(/\s+$/, '');
    const sourceText = text && readPolicyDocuments(text).some((d) => d.kind !== null) ? `${text}\n---\n${header}${documents}` : `${header}${documents}`;
    const description = into.description ? `${into.description}\n\n${draft.description}` : draft.description;
    const r = await saveDraft(ctx, { changeId: into.id, tenantId: into.tenantId, clusterId: into.clusterId, title: into.title, description: description.slice(0, 5_000), sourceText, deletes: (into.deletes as { kind: string; namespace: string | null; name: string }[]) ?? [], origin, expectedRevision: into.revision });
    return { ...r, title: into.title };
  }
  const r = await saveDraft(ctx, { tenantId, clusterId: input.clusterId, title: draft.title.slice(0, 200), description: draft.description.slice(0, 5_000), sourceText: `${header}${documents}`, deletes: [], origin });
  return { ...r, title: draft.title };
}

function workloadEnd(id: string, v: Visibility): { workload: string } {
  if (!id.startsWith('w:')) throw badInput('action', 'Choose a workload');
  const ref = id.slice(2);
  const ns = ref.split('/')[0]!;
  if (!namespaceVisible(v, ns)) throw notFound('Workload');
  return { workload: ref };
}

function matchesEnd(id: string, ns: string, wl: string, ip: string, v: Visibility): boolean {
  if (id.startsWith('w:')) return wl !== '' && `w:${ns}/${wl}` === id && namespaceVisible(v, ns);
  if (id.startsWith('ext:')) return ns === '' && externalEndpoint(ip).id === id;
  return false;
}

function endOf(id: string, ips: string[], v: Visibility): End {
  if (id === OTHER_TENANT_ID) throw badInput('action', "The other end is in another tenant; its policies are that tenant's to change");
  if (id.startsWith('w:')) return workloadEnd(id, v);
  if (id === WORLD_ID) {
    const distinct = [...new Set(ips)];
    if (distinct.length !== 1) throw badInput('action', `This edge reaches ${distinct.length} internet addresses; use "allow what was observed" on the workload to allow each of them`);
    return { ip: distinct[0]! };
  }
  if (id.startsWith('ext:')) return { ip: id.slice(4) };
  throw badInput('action', 'Choose an edge between workloads (expand the namespaces first)');
}

function uniquePorts(rows: readonly FlowAggregate[]): { port: number; protocol: Protocol }[] {
  const out = new Map<string, { port: number; protocol: Protocol }>();
  for (const r of rows) if (r.port > 0 && PROTOCOLS.has(r.protocol)) out.set(`${r.port}/${r.protocol}`, { port: r.port, protocol: r.protocol as Protocol });
  return [...out.values()];
}

/** Allowed connections the caller may name; those touching another tenant are only counted. */
function observed(flows: readonly FlowAggregate[], v: Visibility, keep: (f: FlowAggregate) => boolean): { conns: ObservedConnection[]; hidden: number } {
  const conns: ObservedConnection[] = [];
  let hidden = 0;
  for (const f of flows) {
    if (f.verdict !== 'allowed' || f.port <= 0 || !PROTOCOLS.has(f.protocol) || !keep(f)) continue;
    const end = (ns: string, wl: string, ip: string): End | null => (ns === '' ? { ip } : namespaceVisible(v, ns) ? { workload: `${ns}/${wl}` } : null);
    const source = end(f.srcNamespace, f.srcWorkload, f.srcIp);
    // DNS to the cluster's resolver is named by every least-privilege policy; it hides nothing.
    const destination = f.dstNamespace === 'kube-system' && f.port === 53 ? { workload: `${f.dstNamespace}/${f.dstWorkload}` } : end(f.dstNamespace, f.dstWorkload, f.dstIp);
    if (!source || !destination) {
      hidden++;
      continue;
    }
    conns.push({ source, destination, port: f.port, protocol: f.protocol as Protocol, count: f.count });
  }
  return { conns, hidden };
}
