// The engine's vocabulary: validated NetworkPolicies (as the evaluator needs them) and the
// cluster members they select, which the console fills from inventory and the CLI from a scenario.
import { z } from 'zod';
import type { Cidr } from './ip-block';
import type { LabelSelector } from './label-selector';

export const Protocol = z.enum(['TCP', 'UDP', 'SCTP']);
export type Protocol = z.infer<typeof Protocol>;

const LabelMap = z.record(z.string(), z.string());

/** A port a container listens on; named ports in policies resolve against these. */
export const ContainerPort = z.object({
  name: z.string().min(1).optional(),
  port: z.number().int().min(1).max(65535),
  protocol: Protocol.default('TCP'),
});
export type ContainerPort = z.infer<typeof ContainerPort>;

export const Namespace = z.object({
  name: z.string().min(1),
  labels: LabelMap.default({}),
});
export type Namespace = z.infer<typeof Namespace>;

/**
 * A pod, or a workload (pods grouped by owner) standing in for all its pods: policies see
 * labels, container ports and addresses, which the pods of one owner share (except the IPs,
 * which are collected).
 */
export const ClusterMember = z.object({
  namespace: z.string().min(1),
  name: z.string().min(1),
  labels: LabelMap.default({}),
  ips: z.array(z.string()).default([]),
  ports: z.array(ContainerPort).default([]),
});
export type ClusterMember = z.infer<typeof ClusterMember>;

/** Inventory shape the console feeds: a workload with a stable id the flows refer to. */
export const Workload = ClusterMember.extend({
  id: z.string().min(1),
  /** Owner kind (Deployment, StatefulSet, DaemonSet, Job, bare Pod, ...); informational. */
  kind: z.string().default('Deployment'),
});
export type Workload = z.infer<typeof Workload>;

export interface PolicyRef {
  namespace: string;
  name: string;
}

export function formatPolicyRef(ref: PolicyRef): string {
  return `${ref.namespace}/${ref.name}`;
}

export interface IpBlock {
  cidr: Cidr;
  except: Cidr[];
}

/** One entry of `from`/`to`. At least one field is set; ipBlock never with another. */
export interface PolicyPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: IpBlock;
}

export interface PolicyPort {
  protocol: Protocol;
  /** Absent: every port of the protocol. A string is a named port. */
  port?: number | string;
  endPort?: number;
}

export interface PolicyRule {
  /** `from`/`to`; null when absent or empty, which both mean every peer. */
  peers: PolicyPeer[] | null;
  /** Empty when `ports` is absent or empty: every port and protocol. */
  ports: PolicyPort[];
}

export interface NetworkPolicy {
  namespace: string;
  name: string;
  podSelector: LabelSelector;
  /** Effective policy types after the API server's defaulting. */
  ingressIsolation: boolean;
  egressIsolation: boolean;
  /** True when `policyTypes` was absent or empty and the defaulting rule decided. */
  policyTypesDefaulted: boolean;
  ingress: PolicyRule[];
  egress: PolicyRule[];
  /** The object as given, for diffs and re-serialising; never consulted by evaluation. */
  source: unknown;
}
