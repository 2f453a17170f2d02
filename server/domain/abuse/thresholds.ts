// Per-tenant thresholds of the abuse rules and the tenant's activity-based sleep policy,
// with defaults chosen so a normal service does not trip them and a miner does. Stored
// per tenant as JSON (abuse_settings); what is stored is parsed with this schema, so a
// missing field takes its default and a bad one is refused with its name.
import { z } from 'zod';
import { parseRange } from './mining-pools';

// Refusals say what is wrong in words ("must be at most 1,440"): the service names the
// field in front, and the console shows the words beside the input they are about.
const figure = (n: number) => n.toLocaleString('en-US');
function number(min: number, max: number, whole: boolean) {
  const n = z.number({ error: 'must be a number' });
  return (whole ? n.int({ error: 'must be a whole number' }) : n).min(min, { error: `must be at least ${figure(min)}` }).max(max, { error: `must be at most ${figure(max)}` });
}
const minutes = (max: number) => number(1, max, true);
const ratio = number(0.01, 1, false);

export const AbuseSettings = z.object({
  cpuPinned: z
    .object({
      enabled: z.boolean().default(true),
      /** CPU at or above this share of the limit counts as "at the limit". */
      limitRatio: ratio.default(0.9),
      /** For at least this many consecutive minutes... */
      minutes: minutes(1440).default(10),
      /** ...while receiving at most this many inbound connections a minute on average. */
      maxInboundPerMinute: number(0, 1_000_000, false).default(5),
    })
    .prefault({}),
  miningPool: z
    .object({
      enabled: z.boolean().default(true),
      /** Extra addresses (single IPs or CIDRs) the tenant's security team knows to be pools. */
      extraAddresses: z.array(z.string().max(49).refine((a) => parseRange(a) !== null, 'must be an IP address or a CIDR such as 203.0.113.0/24')).max(500, { error: 'must hold at most 500 addresses' }).default([]),
      /** Extra ports counted as stratum ports for connections leaving the cluster. */
      extraPorts: z.array(number(1, 65535, true)).max(100, { error: 'must hold at most 100 ports' }).default([]),
    })
    .prefault({}),
  egressFanout: z
    .object({
      enabled: z.boolean().default(true),
      /** Distinct external addresses, not contacted in the baseline before the window... */
      newAddresses: number(1, 100_000, true).default(25),
      /** ...within this many minutes. */
      windowMinutes: minutes(1440).default(10),
      /** How far back "already contacted" looks. */
      baselineHours: number(1, 24 * 30, true).default(24),
    })
    .prefault({}),
  deniedBurst: z
    .object({
      enabled: z.boolean().default(true),
      /** At least this many denied connection attempts... */
      attempts: number(1, 10_000_000, true).default(200),
      /** ...to at least this many distinct destinations (address or workload, and port)... */
      distinctTargets: number(1, 100_000, true).default(3),
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
      cpuBelowMillicores: number(0, 1_000_000, false).default(25),
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
