// Node identities. Workloads the caller may see keep their names; the far end of a flow in
// a namespace the caller may not see becomes one opaque node; addresses outside the cluster
// are grouped into private blocks or "world".
import type { TenantRef } from './model';

export const OTHER_TENANT_ID = 'other-tenant';
export const WORLD_ID = 'ext:world';
export const NO_TENANT = 't:~cluster';

export const workloadId = (namespace: string, name: string) => `w:${namespace}/${name}`;
export const namespaceId = (namespace: string) => `ns:${namespace}`;
export const tenantId = (slug: string) => `t:${slug}`;

export type Endpoint =
  | { kind: 'workload'; id: string; namespace: string; name: string }
  | { kind: 'external'; id: string; label: string }
  | { kind: 'other-tenant'; id: string };

function ipv4(ip: string): number[] | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m) return null;
  const parts = m.slice(1).map(Number);
  return parts.every((p) => p <= 255) ? parts : null;
}

/** Private and shared address space by /24 block (a peer network, a VPC); anything else is the world. */
export function externalEndpoint(ip: string): Endpoint {
  const p = ipv4(ip);
  const isPrivate = p && (p[0] === 10 || (p[0] === 172 && p[1]! >= 16 && p[1]! <= 31) || (p[0] === 192 && p[1] === 168) || (p[0] === 100 && p[1]! >= 64 && p[1]! <= 127));
  if (p && isPrivate) {
    const block = `${p[0]}.${p[1]}.${p[2]}.0/24`;
    return { kind: 'external', id: `ext:${block}`, label: block };
  }
  if (!p && /^f[cd]/i.test(ip)) return { kind: 'external', id: 'ext:fc00::/7', label: 'fc00::/7' };
  return { kind: 'external', id: WORLD_ID, label: 'world (internet)' };
}

export interface Visibility {
  allTenants: boolean;
  tenantOfNamespace: ReadonlyMap<string, TenantRef>;
}

export function namespaceVisible(v: Visibility, namespace: string): boolean {
  return v.allTenants || v.tenantOfNamespace.has(namespace);
}

export function resolveEndpoint(v: Visibility, namespace: string, workload: string, ip: string): Endpoint {
  if (!namespace) return externalEndpoint(ip);
  if (!namespaceVisible(v, namespace)) return { kind: 'other-tenant', id: OTHER_TENANT_ID };
  return { kind: 'workload', id: workloadId(namespace, workload), namespace, name: workload };
}

export function tenantKeyOf(v: Visibility, namespace: string): string {
  const t = v.tenantOfNamespace.get(namespace);
  return t ? tenantId(t.slug) : NO_TENANT;
}
