// Turns a Hubble flow record (one line of `hubble observe -o json`) into a flow
// observation: who (workload or IP) reached whom, on which port, with what verdict.
// Replies are skipped so each exchange is counted once, in the initiating direction.
import type { FlowEndpoint, FlowVerdict, MtlsState } from '../protocol/messages';
import type { FlowObservation } from '../drivers/cluster-driver';

interface HubbleEndpoint {
  namespace?: string;
  pod_name?: string;
  labels?: string[];
  workloads?: { name?: string; kind?: string }[];
}

interface HubbleFlow {
  time?: string;
  verdict?: string;
  drop_reason_desc?: string;
  IP?: { source?: string; destination?: string; encrypted?: boolean };
  l4?: { TCP?: { destination_port?: number }; UDP?: { destination_port?: number }; SCTP?: { destination_port?: number }; ICMPv4?: unknown; ICMPv6?: unknown };
  source?: HubbleEndpoint;
  destination?: HubbleEndpoint;
  reply?: boolean;
  is_reply?: boolean;
  l7?: { type?: string };
  auth_type?: string;
}

/** The owner name of a pod, from Hubble's workload field or the pod name's generated suffixes. */
export function workloadName(ep: HubbleEndpoint): string | undefined {
  const named = ep.workloads?.find((w) => w.name)?.name;
  if (named) return named;
  const pod = ep.pod_name;
  if (!pod) return undefined;
  return (
    /^(.+)-[a-z0-9]{6,10}-[a-z0-9]{5}$/.exec(pod)?.[1] ?? // Deployment: <name>-<replicaset hash>-<pod hash>
    /^(.+)-[a-z0-9]{5}$/.exec(pod)?.[1] ?? // DaemonSet / Job: <name>-<pod hash>
    /^(.+)-\d+$/.exec(pod)?.[1] ?? // StatefulSet: <name>-<ordinal>
    pod
  );
}

function endpoint(ep: HubbleEndpoint | undefined, ip: string | undefined): FlowEndpoint | null {
  const workload = ep ? workloadName(ep) : undefined;
  if (ep?.namespace && workload) return { namespace: ep.namespace, workload };
  return ip ? { ip } : null;
}

function verdictOf(f: HubbleFlow): FlowVerdict {
  if (f.verdict === 'DROPPED' || f.verdict === 'ERROR') return /POLICY/.test(f.drop_reason_desc ?? '') ? 'denied' : 'dropped';
  return 'allowed';
}

function mtlsOf(f: HubbleFlow): MtlsState {
  // Cilium's mutual authentication (SPIFFE via SPIRE) is the only mTLS Hubble itself attests.
  return f.auth_type === 'SPIRE' ? 'mutual' : 'unknown';
}

export type HubbleParse = { observation: FlowObservation } | { skip: string };

export function hubbleObservation(line: unknown): HubbleParse {
  const flow = (line as { flow?: HubbleFlow } | null)?.flow;
  if (!flow || typeof flow !== 'object') return { skip: 'no flow object' };
  if (flow.reply === true || flow.is_reply === true || flow.l7?.type === 'RESPONSE') return { skip: 'reply' };
  const time = flow.time ? new Date(flow.time) : null;
  if (!time || Number.isNaN(time.getTime())) return { skip: 'no time' };
  const source = endpoint(flow.source, flow.IP?.source);
  const destination = endpoint(flow.destination, flow.IP?.destination);
  if (!source || !destination) return { skip: 'no address' };
  const l4 = flow.l4 ?? {};
  const [protocol, port] = l4.TCP
    ? (['TCP', l4.TCP.destination_port ?? 0] as const)
    : l4.UDP
      ? (['UDP', l4.UDP.destination_port ?? 0] as const)
      : l4.SCTP
        ? (['SCTP', l4.SCTP.destination_port ?? 0] as const)
        : l4.ICMPv4 || l4.ICMPv6
          ? (['ICMP', 0] as const)
          : [null, 0];
  if (!protocol) return { skip: 'no layer-4 protocol' };
  return { observation: { time, source, destination, port, protocol, mtls: mtlsOf(flow), verdict: verdictOf(flow), count: 1 } };
}
