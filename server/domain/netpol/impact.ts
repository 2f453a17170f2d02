// "What would this change break": replays observed aggregated flows against the policies in
// force and a proposed set, and returns the flows whose verdict flips, with both explanations.
// Sized for a cluster's worth of flows: only flows with an endpoint whose effective rules
// change are evaluated, and each distinct (source, destination, port, protocol) once.
import { z } from 'zod';
import { NetpolEngine, type Connection, type Endpoint, type EngineOptions, type Verdict } from './evaluate-connection';
import { parseIp } from './ip-block';
import { Protocol, type Namespace, type NetworkPolicy, type PolicyRef, type Workload } from './model';

export const FlowEndpoint = z.union([z.strictObject({ workload: z.string().min(1) }), z.strictObject({ ip: z.string().min(1) })]);
export type FlowEndpoint = z.infer<typeof FlowEndpoint>;

/** One aggregated flow row as the agent reports it (per time bucket, summed over connections). */
export const ObservedFlow = z.object({
  source: FlowEndpoint,
  destination: FlowEndpoint,
  port: z.number().int().min(1).max(65535),
  protocol: Protocol.default('TCP'),
  count: z.number().int().nonnegative(),
});
export type ObservedFlow = z.infer<typeof ObservedFlow>;

export interface ImpactInput {
  namespaces: readonly Namespace[];
  workloads: readonly Workload[];
  current: readonly NetworkPolicy[];
  proposed: readonly NetworkPolicy[];
  /** Already validated (e.g. with ObservedFlow); not re-parsed here, for speed. */
  flows: readonly ObservedFlow[];
  options?: EngineOptions;
}

export interface FlowChange {
  /** Index of the flow in the input. */
  index: number;
  flow: ObservedFlow;
  change: 'allowed-to-denied' | 'denied-to-allowed';
  /** Shared between flows with the same (source, destination, port, protocol). */
  before: Verdict;
  after: Verdict;
}

export interface PolicyChanges {
  added: PolicyRef[];
  removed: PolicyRef[];
  modified: PolicyRef[];
}

export interface ImpactResult {
  changes: FlowChange[];
  policyChanges: PolicyChanges;
  summary: {
    flows: number;
    /** Flows neither of whose endpoints has different effective rules: their verdict cannot change. */
    untouched: number;
    /** Distinct (source, destination, port, protocol) keys evaluated under both policy sets. */
    distinctEvaluated: number;
    newlyDenied: { flows: number; count: number };
    newlyAllowed: { flows: number; count: number };
    /** Flows naming a workload not in the inventory (stale flows); not evaluated. */
    unresolved: { flows: number; workloads: string[] };
  };
}

const PROTOCOL_INDEX: Record<Protocol, number> = { TCP: 0, UDP: 1, SCTP: 2 };

function policyKey(p: { namespace: string; name: string }): string {
  return `${p.namespace}/${p.name}`;
}

/** A stable fingerprint of what a policy means (bigints of parsed CIDRs as text). */
function fingerprint(p: NetworkPolicy): string {
  return JSON.stringify(p, (k, v) => (k === 'source' ? undefined : typeof v === 'bigint' ? v.toString() : v));
}

export function diffPolicies(current: readonly NetworkPolicy[], proposed: readonly NetworkPolicy[]): PolicyChanges {
  const before = new Map(current.map((p) => [policyKey(p), p]));
  const after = new Map(proposed.map((p) => [policyKey(p), p]));
  const out: PolicyChanges = { added: [], removed: [], modified: [] };
  for (const [key, p] of after) {
    const old = before.get(key);
    if (!old) out.added.push({ namespace: p.namespace, name: p.name });
    else if (fingerprint(old) !== fingerprint(p)) out.modified.push({ namespace: p.namespace, name: p.name });
  }
  for (const [key, p] of before) if (!after.has(key)) out.removed.push({ namespace: p.namespace, name: p.name });
  return out;
}

export function analyzeImpact(input: ImpactInput): ImpactResult {
  const { workloads, flows } = input;
  const policyChanges = diffPolicies(input.current, input.proposed);
  const changedKeys = new Set([...policyChanges.added, ...policyChanges.removed, ...policyChanges.modified].map(policyKey));
  const changedNamespaces = new Set([...changedKeys].map((k) => k.slice(0, k.indexOf('/'))));

  const before = new NetpolEngine({ namespaces: input.namespaces, members: workloads, policies: input.current }, input.options);
  const after = new NetpolEngine({ namespaces: input.namespaces, members: workloads, policies: input.proposed }, input.options);

  const workloadIndex = new Map<string, number>();
  workloads.forEach((w, i) => workloadIndex.set(w.id, i));

  // Per workload and direction: 0 unknown, 1 untouched, 2 touched by the change. A side is
  // untouched when the rules that can allow it are the same before and after (renaming a
  // policy, or splitting one in two, touches nothing); isolation only ever comes from
  // policies of the workload's own namespace, so other namespaces are not even looked at.
  const touched = { egress: new Uint8Array(workloads.length), ingress: new Uint8Array(workloads.length) };
  const isTouched = (w: number, direction: 'egress' | 'ingress'): boolean => {
    const memo = touched[direction];
    if (memo[w]) return memo[w] === 2;
    let result = false;
    if (changedNamespaces.has(workloads[w]!.namespace)) {
      result = before.ruleSignature(w, direction) !== after.ruleSignature(w, direction);
    }
    memo[w] = result ? 2 : 1;
    return result;
  };

  // External addresses get ids after the workloads so one integer names either kind; the
  // Endpoint objects are made once per id so the loop below allocates nothing per flow.
  const endpoints: Endpoint[] = workloads.map((_, member) => ({ member }));
  // An address that belongs to a workload is that workload, so its policies apply.
  const workloadByIp = new Map<string, number>();
  workloads.forEach((w, i) => {
    for (const text of w.ips) {
      const ip = parseIp(text);
      if (ip) workloadByIp.set(`${ip.family}:${ip.value}`, i);
    }
  });
  const ipIds = new Map<string, number>();
  const endpointId = (e: FlowEndpoint): number => {
    if ('workload' in e) return workloadIndex.get(e.workload) ?? -1;
    let id = ipIds.get(e.ip);
    if (id === undefined) {
      const ip = parseIp(e.ip);
      id = ip ? workloadByIp.get(`${ip.family}:${ip.value}`) : undefined;
      if (id === undefined) {
        id = endpoints.length;
        endpoints.push({ ip: e.ip });
      }
      ipIds.set(e.ip, id);
    }
    return id;
  };

  // First pass: resolve endpoints and intern (port, protocol) pairs, so keys can be packed
  // into small integers (V8 keeps those unboxed; boxed keys made the map the bottleneck).
  const n = flows.length;
  const srcIds = new Int32Array(n);
  const dstIds = new Int32Array(n);
  const portIds = new Int32Array(n);
  const portProtos = new Map<number, number>();
  const portProtoList: { port: number; protocol: Protocol }[] = [];
  for (let i = 0; i < n; i++) {
    const flow = flows[i]!;
    srcIds[i] = endpointId(flow.source);
    dstIds[i] = endpointId(flow.destination);
    const pp = flow.port * 4 + PROTOCOL_INDEX[flow.protocol];
    let id = portProtos.get(pp);
    if (id === undefined) {
      id = portProtoList.length;
      portProtos.set(pp, id);
      portProtoList.push({ port: flow.port, protocol: flow.protocol });
    }
    portIds[i] = id;
  }
  const ids = endpoints.length;
  const pps = Math.max(1, portProtoList.length);
  const packed = ids * ids * pps < Number.MAX_SAFE_INTEGER;
  const keyOf = (src: number, dst: number, pp: number): number | string => (packed ? (src * ids + dst) * pps + pp : `${src}:${dst}:${pp}`);

  // Bit 0: allowed before, bit 1: allowed after.
  const outcomes = new Map<number | string, number>();
  const verdicts = new Map<number | string, { before: Verdict; after: Verdict }>();
  const connectionOf = (src: number, dst: number, pp: number): Connection => ({
    source: endpoints[src]!,
    destination: endpoints[dst]!,
    port: portProtoList[pp]!.port,
    protocol: portProtoList[pp]!.protocol,
  });

  const unresolved = new Set<string>();
  let unresolvedFlows = 0;
  let untouched = 0;
  const changes: FlowChange[] = [];
  const summary = { newlyDenied: { flows: 0, count: 0 }, newlyAllowed: { flows: 0, count: 0 } };
  const workloadCount = workloads.length;

  for (let i = 0; i < n; i++) {
    const src = srcIds[i]!;
    const dst = dstIds[i]!;
    if (src < 0 || dst < 0) {
      const flow = flows[i]!;
      unresolvedFlows++;
      if (src < 0) unresolved.add((flow.source as { workload: string }).workload);
      if (dst < 0) unresolved.add((flow.destination as { workload: string }).workload);
      continue;
    }
    const egressTouched = src < workloadCount && isTouched(src, 'egress');
    const ingressTouched = dst < workloadCount && isTouched(dst, 'ingress');
    if (!egressTouched && !ingressTouched) {
      untouched++;
      continue;
    }
    const pp = portIds[i]!;
    const key = keyOf(src, dst, pp);
    let outcome = outcomes.get(key);
    if (outcome === undefined) {
      // An untouched side has the same verdict under both sets: evaluate it once, and skip
      // the ingress side entirely when egress denies under both.
      const conn = connectionOf(src, dst, pp);
      const egressBefore = before.allowsDirection(conn, 'egress');
      const egressAfter = egressTouched ? after.allowsDirection(conn, 'egress') : egressBefore;
      if (!egressBefore && !egressAfter) outcome = 0;
      else {
        const ingressBefore = before.allowsDirection(conn, 'ingress');
        const ingressAfter = ingressTouched ? after.allowsDirection(conn, 'ingress') : ingressBefore;
        outcome = (egressBefore && ingressBefore ? 1 : 0) | (egressAfter && ingressAfter ? 2 : 0);
      }
      outcomes.set(key, outcome);
    }
    if (outcome === 0 || outcome === 3) continue;
    let pair = verdicts.get(key);
    if (!pair) {
      const conn = connectionOf(src, dst, pp);
      pair = { before: before.evaluate(conn), after: after.evaluate(conn) };
      verdicts.set(key, pair);
    }
    const flow = flows[i]!;
    const bucket = outcome === 1 ? summary.newlyDenied : summary.newlyAllowed;
    bucket.flows++;
    bucket.count += flow.count;
    changes.push({ index: i, flow, change: outcome === 1 ? 'allowed-to-denied' : 'denied-to-allowed', before: pair.before, after: pair.after });
  }

  return {
    changes,
    policyChanges,
    summary: {
      flows: flows.length,
      untouched,
      distinctEvaluated: outcomes.size,
      ...summary,
      unresolved: { flows: unresolvedFlows, workloads: [...unresolved].sort() },
    },
  };
}
