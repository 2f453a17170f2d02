// STRICT readiness: before anyone switches a namespace or workload to PeerAuthentication
// STRICT, which observed edges would break. Plaintext that gets through today (allowed,
// into a port that is not already STRICT) is exactly what STRICT would start rejecting.
// The graph asks it of a whole namespace or workload; a change's preview passes the modes
// the change would leave, and only ports those make STRICT count.
import type { WorkloadEdge } from './build-graph';
import type { ModeOf } from './model';
import type { EffectiveMtlsMode } from '@/server/domain/netpol';

export interface ReadinessItem {
  source: string;
  sourceLabel: string;
  target: string;
  targetLabel: string;
  port: number;
  protocol: string;
  /** Plaintext connections in the range that STRICT would reject. */
  plaintext: number;
  total: number;
  currentMode: EffectiveMtlsMode;
}

export interface StrictReadiness {
  ready: boolean;
  breaking: ReadinessItem[];
  /** Ports already STRICT where plaintext was seen (and dropped): broken today, not by the switch. */
  alreadyRejected: ReadinessItem[];
}

export function strictReadiness(edges: readonly WorkloadEdge[], target: { namespace: string; workload?: string }, modeOf: ModeOf, proposed?: ModeOf): StrictReadiness {
  const breaking: ReadinessItem[] = [];
  const alreadyRejected: ReadinessItem[] = [];
  for (const e of edges) {
    const t = e.target;
    if (t.kind !== 'workload' || t.namespace !== target.namespace || (target.workload && t.name !== target.workload)) continue;
    for (const p of e.ports.values()) {
      if (p.plaintext === 0) continue;
      if (proposed && proposed(t.namespace, t.name, p.port) !== 'STRICT') continue;
      const mode = modeOf(t.namespace, t.name, p.port);
      const item: ReadinessItem = {
        source: e.source.id,
        sourceLabel: e.source.kind === 'workload' ? `${e.source.namespace}/${e.source.name}` : e.source.kind === 'external' ? e.source.label : 'another tenant',
        target: t.id,
        targetLabel: `${t.namespace}/${t.name}`,
        port: p.port,
        protocol: p.protocol,
        plaintext: p.plaintext,
        total: p.total,
        currentMode: mode,
      };
      if (mode === 'STRICT') alreadyRejected.push(item);
      else breaking.push(item);
    }
  }
  const order = (a: ReadinessItem, b: ReadinessItem) => b.plaintext - a.plaintext || a.sourceLabel.localeCompare(b.sourceLabel) || a.port - b.port;
  breaking.sort(order);
  alreadyRejected.sort(order);
  return { ready: breaking.length === 0, breaking, alreadyRejected };
}
