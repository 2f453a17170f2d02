// Reads what a change request proposes: YAML or JSON documents to create or update, and
// references to delete. Only the kinds Verity governs are accepted, each validated by its
// engine, and every object must lie inside the caller's reach (a tenant's namespaces, or
// global scope for cluster-scoped objects). Errors name the document, the object and the field.
import { parseAllDocuments } from 'yaml';
import { readNetworkPolicy } from '../netpol/validate-policy';
import { readPeerAuthentication } from '../netpol/mesh-posture';
import { validateObject } from '../rbac/validate-object';

export const GOVERNED_KINDS = {
  NetworkPolicy: { apiVersion: 'networking.k8s.io/v1', namespaced: true },
  PeerAuthentication: { apiVersion: 'security.istio.io/v1', namespaced: true },
  Role: { apiVersion: 'rbac.authorization.k8s.io/v1', namespaced: true },
  RoleBinding: { apiVersion: 'rbac.authorization.k8s.io/v1', namespaced: true },
  ClusterRole: { apiVersion: 'rbac.authorization.k8s.io/v1', namespaced: false },
  ClusterRoleBinding: { apiVersion: 'rbac.authorization.k8s.io/v1', namespaced: false },
  ResourceQuota: { apiVersion: 'v1', namespaced: true },
} as const;
export type GovernedKind = keyof typeof GOVERNED_KINDS;

export interface ObjectKey {
  kind: GovernedKind;
  namespace: string | null;
  name: string;
}

export type ChangeOperation =
  | { action: 'apply'; key: ObjectKey; object: Record<string, unknown> }
  | { action: 'delete'; key: ObjectKey };

export interface ChangeProblem {
  /** 1-based document number in the YAML, or 'delete[i]' for a deletion. */
  where: string;
  /** 1-based line of the document's start, when known (for inline editor markers). */
  line?: number;
  object?: string;
  path: string;
  message: string;
}

export interface Reach {
  /** Namespaces the caller may change; null = every namespace (global scope). */
  namespaces: ReadonlySet<string> | null;
  /** Whether cluster-scoped objects (ClusterRole, ClusterRoleBinding) may be changed. */
  clusterScoped: boolean;
}

export function objectKeyString(k: ObjectKey): string {
  return `${k.kind}/${k.namespace ?? ''}/${k.name}`;
}

/** Fields the API server owns; a proposal carrying them would mislead the diff. */
const SERVER_FIELDS = ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields', 'selfLink'] as const;

export function parseChangeObjects(
  text: string,
  deletes: readonly { kind: string; namespace?: string | null; name: string }[],
  reach: Reach,
): { operations: ChangeOperation[]; problems: ChangeProblem[] } {
  const problems: ChangeProblem[] = [];
  const operations: ChangeOperation[] = [];
  const seen = new Set<string>();
  let docs;
  try {
    docs = parseAllDocuments(text, { prettyErrors: true, uniqueKeys: true });
  } catch (err) {
    return { operations, problems: [{ where: 'yaml', path: '', message: err instanceof Error ? err.message : String(err) }] };
  }
  const list = Array.isArray(docs) ? docs : [docs];
  list.forEach((doc, i) => {
    const where = `document ${i + 1}`;
    const line = doc.range ? lineOf(text, doc.range[0]) : undefined;
    if (doc.errors.length > 0) {
      const e = doc.errors[0]!;
      problems.push({ where, line: e.linePos?.[0]?.line ?? line, path: '', message: yamlProblemText(e) });
      return;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      // Unresolved aliases and alias bombs surface only when the document is built.
      problems.push({ where, line, path: '', message: `YAML: ${err instanceof Error ? err.message : String(err)}` });
      return;
    }
    if (value === null || value === undefined) return; // an empty document (e.g. a trailing ---)
    const checked = checkObject(value, where, line, reach, problems, (path) => lineOfPath(text, doc, path) ?? line);
    if (!checked) return;
    const id = objectKeyString(checked.key);
    if (seen.has(id)) {
      problems.push({ where, line, object: id, path: 'metadata.name', message: `${id} appears twice in this change` });
      return;
    }
    seen.add(id);
    operations.push({ action: 'apply', key: checked.key, object: checked.object });
  });
  deletes.forEach((d, i) => {
    const where = `delete[${i}]`;
    const spec = GOVERNED_KINDS[d.kind as GovernedKind];
    if (!spec) {
      problems.push({ where, path: 'kind', message: unsupportedKind(d.kind) });
      return;
    }
    const key: ObjectKey = { kind: d.kind as GovernedKind, namespace: spec.namespaced ? (d.namespace ?? null) : null, name: d.name };
    if (spec.namespaced && !key.namespace) {
      problems.push({ where, path: 'namespace', message: `${d.kind} is namespaced: name its namespace` });
      return;
    }
    const reachProblem = outOfReach(key, reach);
    if (reachProblem) {
      problems.push({ where, object: objectKeyString(key), path: 'namespace', message: reachProblem });
      return;
    }
    const id = objectKeyString(key);
    if (seen.has(id)) {
      problems.push({ where, object: id, path: '', message: `${id} is both applied and deleted in this change` });
      return;
    }
    seen.add(id);
    operations.push({ action: 'delete', key });
  });
  return { operations, problems };
}

function unsupportedKind(kind: unknown): string {
  return `kind ${String(kind)} is not governed by Verity; allowed: ${Object.keys(GOVERNED_KINDS).join(', ')}`;
}

function outOfReach(key: ObjectKey, reach: Reach): string | null {
  if (key.namespace === null) return reach.clusterScoped ? null : `${key.kind} is cluster-scoped: changing it needs a global permission`;
  if (reach.namespaces && !reach.namespaces.has(key.namespace)) return `namespace ${key.namespace} is not one of this tenant's namespaces`;
  return null;
}

function checkObject(value: unknown, where: string, line: number | undefined, reach: Reach, problems: ChangeProblem[], lineAt: (path: string) => number | undefined) {
  const push = (path: string, message: string, object?: string) => problems.push({ where, line: path ? lineAt(path) : line, object, path, message });
  if (typeof value !== 'object' || Array.isArray(value) || value === null) {
    push('', 'each document must be one Kubernetes object (a mapping)');
    return null;
  }
  const o = structuredClone(value) as Record<string, unknown> & { metadata?: Record<string, unknown> };
  const kind = o.kind;
  const spec = GOVERNED_KINDS[kind as GovernedKind];
  if (!spec) {
    push('kind', unsupportedKind(kind));
    return null;
  }
  const meta = o.metadata;
  if (!meta || typeof meta !== 'object' || typeof meta.name !== 'string' || meta.name === '') {
    push('metadata.name', `${String(kind)} needs metadata.name`);
    return null;
  }
  const apiVersion = o.apiVersion;
  const istioOk = kind === 'PeerAuthentication' && apiVersion === 'security.istio.io/v1beta1';
  if (apiVersion !== spec.apiVersion && !istioOk) {
    push('apiVersion', `${String(kind)} must be ${spec.apiVersion}, not ${String(apiVersion)}`);
    return null;
  }
  const namespace = spec.namespaced ? (typeof meta.namespace === 'string' ? meta.namespace : null) : null;
  if (spec.namespaced && !namespace) {
    push('metadata.namespace', `${String(kind)} ${meta.name} is namespaced: set metadata.namespace`);
    return null;
  }
  if (!spec.namespaced && meta.namespace !== undefined) {
    push('metadata.namespace', `${String(kind)} is cluster-scoped and takes no namespace`);
    return null;
  }
  const key: ObjectKey = { kind: kind as GovernedKind, namespace, name: meta.name };
  const id = objectKeyString(key);
  const reachProblem = outOfReach(key, reach);
  if (reachProblem) {
    push('metadata.namespace', reachProblem, id);
    return null;
  }
  for (const f of SERVER_FIELDS) delete meta[f];
  delete o.status;

  const before = problems.length;
  if (kind === 'NetworkPolicy') {
    for (const p of readNetworkPolicy(o).problems) if (p.severity === 'error') push(p.path, p.message, id);
  } else if (kind === 'PeerAuthentication') {
    for (const p of readPeerAuthentication(o).problems) if (p.severity === 'error') push(p.path, p.message, id);
  } else if (kind === 'ResourceQuota') {
    const hard = (o.spec as { hard?: unknown } | undefined)?.hard;
    if (!hard || typeof hard !== 'object' || Array.isArray(hard)) push('spec.hard', 'a ResourceQuota needs spec.hard', id);
    else for (const [k, v] of Object.entries(hard)) if (typeof v !== 'string' && typeof v !== 'number') push(`spec.hard.${k}`, 'must be a quantity', id);
  } else {
    for (const issue of validateObject(o).issues) if (issue.severity === 'error') push(issue.path, issue.message, id);
  }
  return problems.length === before ? { key, object: o } : null;
}

/** The line of the node at an engine's JSON path (`spec.ingress[0].from`), for inline markers. */
function lineOfPath(text: string, doc: { getIn(path: Iterable<unknown>, keepScalar?: boolean): unknown }, path: string): number | undefined {
  const segments = path.split(/\.|\[(\d+)\]/).filter((s) => s !== undefined && s !== '').map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  // The deepest node that exists: a missing field is reported where its parent is.
  for (let n = segments.length; n > 0; n--) {
    const node = doc.getIn(segments.slice(0, n), true) as { range?: [number, number, number] } | undefined;
    if (node?.range) return lineOf(text, node.range[0]);
  }
  return undefined;
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** yaml's error as one line: its first line ends "at line N, column M:" before a code excerpt; the colon goes with the excerpt. */
export function yamlProblemText(error: { message: string }): string {
  return `YAML: ${error.message.split('\n')[0]!.replace(/:\s*$/, '')}`;
}
