// The objects a graduated response proposes, as change requests: a quarantine
// NetworkPolicy that denies every egress of one workload's pods, and a quota squeeze that
// lowers a namespace's CPU and memory ceilings. Pure: the live objects come in, YAML-ready
// objects and a description in words go out. Both are reversible (delete the policy, roll
// back the change) and go through the ordinary review and approval.
import { formatQuantity, parseQuantity } from '../quotas/quantity';

/** Labels the mesh injector adds to some pods of a workload, never to be selected on. */
const INJECTED_LABELS = new Set(['security.istio.io/tlsMode', 'service.istio.io/canonical-name', 'service.istio.io/canonical-revision', 'pod-template-hash']);

export function quarantinePolicyName(workload: string): string {
  const name = `verity-quarantine-${workload}`;
  return name.length <= 63 ? name : name.slice(0, 63).replace(/-+$/, '');
}

/**
 * A NetworkPolicy selecting exactly the workload's pods (all their own labels) with
 * policyTypes [Egress] and no egress rule: every connection they start is denied, DNS
 * included, while traffic into them is left as it was.
 */
export function quarantinePolicy(w: { namespace: string; workload: string; labels: Readonly<Record<string, string>> }, reason: string) {
  const matchLabels = Object.fromEntries(Object.entries(w.labels).filter(([k]) => !INJECTED_LABELS.has(k)).sort(([a], [b]) => a.localeCompare(b)));
  if (Object.keys(matchLabels).length === 0) throw new Error(`${w.namespace}/${w.workload} has no pod labels to select it by; a quarantine would select the whole namespace`);
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: {
      name: quarantinePolicyName(w.workload),
      namespace: w.namespace,
      labels: { 'app.kubernetes.io/managed-by': 'verity', 'verity.dev/quarantine': 'true' },
      annotations: { 'verity.dev/reason': reason.slice(0, 500) },
    },
    spec: { podSelector: { matchLabels }, policyTypes: ['Egress'], egress: [] as unknown[] },
  };
}

const SQUEEZABLE = new Set(['cpu', 'memory', 'requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory']);

export interface QuotaSqueeze {
  object: Record<string, unknown>;
  /** Each resource lowered, in words ("limits.cpu 8 → 4"). */
  changes: string[];
}

/**
 * The quota with each CPU and memory ceiling lowered to `percent` of its current value
 * (exact quantities, rounded down to whole milli-units / bytes); other resources unchanged.
 * null when the quota has no CPU or memory ceiling to lower.
 */
export function squeezeQuota(quota: { metadata?: { name?: string; namespace?: string }; spec?: { hard?: Record<string, unknown> } }, percent: number): QuotaSqueeze | null {
  if (!(Number.isInteger(percent) && percent >= 1 && percent <= 99)) throw new Error('percent must be a whole number from 1 to 99');
  const hard: Record<string, string> = {};
  const changes: string[] = [];
  for (const [resource, value] of Object.entries(quota.spec?.hard ?? {})) {
    const text = String(value);
    const q = parseQuantity(text);
    if (!SQUEEZABLE.has(resource) || !q.ok || q.quantity.nanos <= 0n) {
      hard[resource] = text;
      continue;
    }
    const unit = resource.includes('memory') ? 1_000_000_000n : 1_000_000n; // a byte, a millicore
    const nanos = ((q.quantity.nanos * BigInt(percent)) / 100n / unit) * unit;
    const next = formatQuantity({ nanos, format: q.quantity.format });
    hard[resource] = next;
    changes.push(`${resource} ${text} → ${next}`);
  }
  if (changes.length === 0) return null;
  return {
    object: { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: quota.metadata?.name, namespace: quota.metadata?.namespace }, spec: { hard } },
    changes,
  };
}
