// Reads audit.k8s.io/v1 Event lines and drops what must never leave the cluster: the
// request and response bodies of Secrets.
import { KubeAuditEvent } from '../protocol/messages';

export type KubeAuditParse = { event: KubeAuditEvent } | { skip: string };

export function kubeAuditEvent(line: unknown): KubeAuditParse {
  const o = line as { kind?: string; apiVersion?: string } | null;
  if (!o || o.kind !== 'Event' || !String(o.apiVersion ?? '').startsWith('audit.k8s.io/')) return { skip: 'not an audit.k8s.io Event' };
  const parsed = KubeAuditEvent.safeParse(o);
  if (!parsed.success) return { skip: `invalid event: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}` };
  const e = parsed.data;
  if (e.objectRef?.resource === 'secrets') return { event: { ...e, requestObject: undefined, responseObject: undefined } };
  return { event: e };
}
