// Per-tenant thresholds of the abuse rules and the tenant's activity-based sleep policy,
// with defaults chosen so a normal service does not trip them and a miner does. Stored
// per tenant as JSON (abuse_settings); what is stored is parsed with this schema, so a
// missing field takes its default and a bad one is refused with its name.
import { z } from 'zod';
import { parseRange } from './mining-pools';

const minutes = (max: number) => z.number().int().min(1).max(max);
const ratio = z.number().min(0.01).max(1);

export const AbuseSettings = z.object({
  cpuPinned: z
    .object({
      enabled: z.boolean().default(true),
      /** CPU at or above this share of the limit counts as "at the limit". */
      limitRatio: ratio.default(0.9),
      /** For at least this many consecutive minutes... */
      minutes: minutes(1440).default(10),
      /** ...while receiving at most this many inbound connections a minute on average. */
      maxInboundPerMinute: z.number().min(0).max(1_000_000).default(5),
    })
    .prefault({}),
  miningPool: z
    .object({
      enabled: z.boolean().default(true),
      /** Extra addresses (single IPs or CIDRs) the tenant's security team knows to be pools. */
      extraAddresses: z.array(z.string().max(49).refine((a) => parseRange(a) !== null, 'must be an IP address or a CIDR such as 203.0.113.0/24')).max(500).default([]),
      /** Extra ports counted as stratum ports for connections leaving the cluster. */
      extraPorts: z.array(z.number().int().min(1).max(65535)).max(100).default([]),
    })
    .prefault({}),
  egressFanout: z
    .object({
      enabled: z.boolean().default(true),
      /** Distinct external addresses, not contacted in the baseline before the window... */
      newAddresses: z.number().int().min(1).max(100_000).default(25),
      /** ...within this many minutes. */
      windowMinutes: minutes(1440).default(10),
      /** How far back "already contacted" looks. */
      baselineHours: z.number().int().min(1).max(24 * 30).default(24),
    })
    .prefault({}),
  deniedBurst: z
    .object({
      enabled: z.boolean().default(true),
      /** At least this many denied connection attempts... */
      attempts: z.number().int().min(1).max(10_000_000).default(200),
      /** ...to at least this many distinct destinations (address or workload, and port)... */
      distinctTargets: z.number().int().min(1).max(100_000).default(3),
      /** ...within this many minutes. */
      windowMinutes: minutes(1440).default(5),
    })
    .prefault({}),
  quotaPinned: z
    .object({
      enabled: z.boolean().default(true),
      /** used ≥ this share of hard... */
      usedRatio: ratio.default(0.98),
      /** ...in every sample over at least this many minutes. */
      minutes: minutes(7 * 1440).default(30),
    })
    .prefault({}),
  /** Activity-based sleep: opt-in per tenant. */
  sleep: z
    .object({
      enabled: z.boolean().default(false),
      /** No inbound connections and CPU below the threshold for this many minutes. */
      idleMinutes: minutes(7 * 1440).default(60),
      cpuBelowMillicores: z.number().min(0).max(1_000_000).default(25),
      /** Workloads whose pods carry this label (any value but "false") are never slept. */
      exemptLabel: z
        .string()
        .regex(/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/, 'must be a Kubernetes label key')
        .max(253)
        .default('verity.dev/sleep-exempt'),
    })
    .prefault({}),
});
export type AbuseSettings = z.infer<typeof AbuseSettings>;

export const DEFAULT_ABUSE_SETTINGS: AbuseSettings = AbuseSettings.parse({});
