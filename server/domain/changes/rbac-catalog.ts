// What the RBAC editor offers to pick from, derived from a cluster's inventory: the
// resources (with API group and subresources) that the cluster's own Roles name and the
// kinds the agent reported, the subjects already bound anywhere the caller can see, the
// service accounts per namespace, and the roles a binding can refer to. Only when inventory
// names no resource at all does it fall back to the built-in Kubernetes list, and says so.
import { BUILT_IN_GROUPS } from '../rbac/well-known-resources';

export interface CatalogInventoryItem {
  kind: string;
  namespace: string;
  name: string;
  object: Record<string, unknown>;
}

export interface CatalogResource {
  apiGroup: string;
  resource: string;
  subresources: string[];
  /** Where it was learned: a Role's rule in this cluster, an object kind in inventory, or the built-in list. */
  source: 'rules' | 'inventory' | 'built-in';
}

export interface CatalogSubject {
  kind: 'User' | 'Group' | 'ServiceAccount';
  name: string;
  namespace?: string;
  /** Bindings that name it (namespace/name or name), for the picker's hint. */
  boundIn: string[];
}

export interface RbacCatalog {
  resources: CatalogResource[];
  resourceSource: 'inventory' | 'built-in';
  subjects: CatalogSubject[];
  serviceAccounts: { namespace: string; name: string }[];
  roles: { kind: 'Role' | 'ClusterRole'; namespace: string | null; name: string }[];
  verbs: string[];
}

/** Inventory kinds and the resource each is served as. */
const KIND_RESOURCES: Record<string, { apiGroup: string; resource: string }> = {
  Namespace: { apiGroup: '', resource: 'namespaces' },
  ServiceAccount: { apiGroup: '', resource: 'serviceaccounts' },
  ResourceQuota: { apiGroup: '', resource: 'resourcequotas' },
  NetworkPolicy: { apiGroup: 'networking.k8s.io', resource: 'networkpolicies' },
  Role: { apiGroup: 'rbac.authorization.k8s.io', resource: 'roles' },
  ClusterRole: { apiGroup: 'rbac.authorization.k8s.io', resource: 'clusterroles' },
  RoleBinding: { apiGroup: 'rbac.authorization.k8s.io', resource: 'rolebindings' },
  ClusterRoleBinding: { apiGroup: 'rbac.authorization.k8s.io', resource: 'clusterrolebindings' },
  PeerAuthentication: { apiGroup: 'security.istio.io', resource: 'peerauthentications' },
};
/** A workload's owner kind and the resource it is; every workload also means pods. */
const OWNER_RESOURCES: Record<string, { apiGroup: string; resource: string }> = {
  Deployment: { apiGroup: 'apps', resource: 'deployments' },
  StatefulSet: { apiGroup: 'apps', resource: 'statefulsets' },
  DaemonSet: { apiGroup: 'apps', resource: 'daemonsets' },
  ReplicaSet: { apiGroup: 'apps', resource: 'replicasets' },
  Job: { apiGroup: 'batch', resource: 'jobs' },
  CronJob: { apiGroup: 'batch', resource: 'cronjobs' },
};
const STANDARD = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];

export function buildRbacCatalog(items: readonly CatalogInventoryItem[]): RbacCatalog {
  const resources = new Map<string, CatalogResource>();
  const add = (apiGroup: string, resourceWithSub: string, source: CatalogResource['source']) => {
    if (apiGroup === '*' || resourceWithSub === '*' || resourceWithSub.startsWith('*/')) return;
    const [resource = '', sub] = resourceWithSub.split('/', 2);
    if (!resource) return;
    const key = `${apiGroup}/${resource}`;
    const entry = resources.get(key) ?? { apiGroup, resource, subresources: [], source };
    // A resource seen in rules and as a kind counts as seen in the cluster's rules.
    if (source === 'rules') entry.source = 'rules';
    if (sub && sub !== '*' && !entry.subresources.includes(sub)) entry.subresources.push(sub);
    resources.set(key, entry);
  };
  const verbs = new Set(STANDARD);
  const subjects = new Map<string, CatalogSubject>();
  const serviceAccounts: RbacCatalog['serviceAccounts'] = [];
  const roles: RbacCatalog['roles'] = [];

  for (const item of items) {
    const known = KIND_RESOURCES[item.kind];
    if (known) add(known.apiGroup, known.resource, 'inventory');
    if (item.kind === 'Workload') {
      add('', 'pods', 'inventory');
      const owner = OWNER_RESOURCES[String((item.object as { ownerKind?: unknown }).ownerKind)];
      if (owner) add(owner.apiGroup, owner.resource, 'inventory');
    }
    if (item.kind === 'ServiceAccount') serviceAccounts.push({ namespace: item.namespace, name: item.name });
    if (item.kind === 'Role' || item.kind === 'ClusterRole') {
      roles.push({ kind: item.kind, namespace: item.kind === 'Role' ? item.namespace : null, name: item.name });
      const rules = (item.object as { rules?: unknown }).rules;
      for (const rule of Array.isArray(rules) ? (rules as { apiGroups?: unknown; resources?: unknown; verbs?: unknown }[]) : []) {
        const groups = Array.isArray(rule?.apiGroups) ? rule.apiGroups.filter((g): g is string => typeof g === 'string') : [];
        const names = Array.isArray(rule?.resources) ? rule.resources.filter((r): r is string => typeof r === 'string') : [];
        for (const g of groups) for (const r of names) add(g, r, 'rules');
        for (const v of Array.isArray(rule?.verbs) ? rule.verbs : []) if (typeof v === 'string' && v !== '*') verbs.add(v);
      }
    }
    if (item.kind === 'RoleBinding' || item.kind === 'ClusterRoleBinding') {
      const where = item.namespace ? `${item.namespace}/${item.name}` : item.name;
      const list = (item.object as { subjects?: unknown }).subjects;
      for (const s of Array.isArray(list) ? (list as { kind?: unknown; name?: unknown; namespace?: unknown }[]) : []) {
        if ((s?.kind !== 'User' && s?.kind !== 'Group' && s?.kind !== 'ServiceAccount') || typeof s.name !== 'string') continue;
        const namespace = s.kind === 'ServiceAccount' ? (typeof s.namespace === 'string' ? s.namespace : item.namespace) : undefined;
        const key = `${s.kind}/${namespace ?? ''}/${s.name}`;
        const entry = subjects.get(key) ?? { kind: s.kind, name: s.name, ...(namespace !== undefined ? { namespace } : {}), boundIn: [] };
        if (!entry.boundIn.includes(where)) entry.boundIn.push(where);
        subjects.set(key, entry);
      }
    }
  }

  let resourceSource: RbacCatalog['resourceSource'] = 'inventory';
  if (resources.size === 0) {
    resourceSource = 'built-in';
    for (const [group, list] of Object.entries(BUILT_IN_GROUPS)) for (const r of list) add(group, r, 'built-in');
  }
  const byName = <T extends { name: string }>(a: T, b: T) => a.name.localeCompare(b.name);
  return {
    resources: [...resources.values()]
      .map((r) => ({ ...r, subresources: r.subresources.sort() }))
      .sort((a, b) => a.apiGroup.localeCompare(b.apiGroup) || a.resource.localeCompare(b.resource)),
    resourceSource,
    subjects: [...subjects.values()].sort((a, b) => a.kind.localeCompare(b.kind) || (a.namespace ?? '').localeCompare(b.namespace ?? '') || byName(a, b)),
    serviceAccounts: serviceAccounts.sort((a, b) => a.namespace.localeCompare(b.namespace) || byName(a, b)),
    roles: roles.sort((a, b) => a.kind.localeCompare(b.kind) || (a.namespace ?? '').localeCompare(b.namespace ?? '') || byName(a, b)),
    verbs: [...verbs].sort((a, b) => {
      const ra = STANDARD.indexOf(a);
      const rb = STANDARD.indexOf(b);
      return (ra < 0 ? 100 : ra) - (rb < 0 ? 100 : rb) || a.localeCompare(b);
    }),
  };
}
