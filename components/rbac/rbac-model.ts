// The visual RBAC editor's model and its exact conversion to and from YAML. A Role or
// ClusterRole is a verbs × resources matrix: one row per (API group, resource or
// resource/subresource, resourceNames), the verbs ticked in it; rules are additive, so
// expanding every rule into rows and grouping rows back into rules grants exactly the same
// permissions. Bindings are subjects ↔ role, with an optional expiry (a time-bound grant)
// carried as an annotation, so it is part of the object that is previewed and approved.
// Documents that are not RBAC objects keep their text verbatim.
import { type Document, parseAllDocuments, stringify } from 'yaml';
import { EXPIRES_ANNOTATION } from '@/server/domain/changes/grant-expiry';

export const RBAC_API_VERSION = 'rbac.authorization.k8s.io/v1';
/** The annotation a time-bound grant carries: when Verity removes the binding. */
export { EXPIRES_ANNOTATION };
export const STANDARD_VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'] as const;

export interface MatrixRow {
  apiGroup: string;
  /** `pods`, `pods/exec`, `*` … */
  resource: string;
  /** Empty: every object of the resource. */
  resourceNames: string[];
  verbs: string[];
}

export interface NonResourceRow {
  url: string;
  verbs: string[];
}

export interface RoleModel {
  kind: 'Role' | 'ClusterRole';
  name: string;
  /** null for a ClusterRole. */
  namespace: string | null;
  rows: MatrixRow[];
  /** Only ClusterRoles may grant non-resource URLs. */
  nonResource: NonResourceRow[];
  /** Everything else the object carried (labels, annotations, aggregationRule), kept as it was. */
  rest: Record<string, unknown>;
}

export interface SubjectModel {
  kind: 'User' | 'Group' | 'ServiceAccount';
  name: string;
  /** ServiceAccounts only. */
  namespace?: string;
}

export interface BindingModel {
  kind: 'RoleBinding' | 'ClusterRoleBinding';
  name: string;
  namespace: string | null;
  roleRef: { kind: 'Role' | 'ClusterRole'; name: string };
  subjects: SubjectModel[];
  /** ISO timestamp when the grant ends; null: no expiry. */
  expiresAt: string | null;
  rest: Record<string, unknown>;
}

export type EditorDocument =
  | { type: 'role'; model: RoleModel; line: number }
  | { type: 'binding'; model: BindingModel; line: number }
  /** Not an RBAC object (or not one the form can show): its text, kept verbatim. */
  | { type: 'other'; text: string; line: number; why: string };

export interface SourceError {
  line: number;
  message: string;
}

const ROLE_KINDS = new Set(['Role', 'ClusterRole']);
const BINDING_KINDS = new Set(['RoleBinding', 'ClusterRoleBinding']);

// ---- rules ↔ matrix ------------------------------------------------------------------------

interface RuleLike {
  apiGroups?: unknown;
  resources?: unknown;
  verbs?: unknown;
  resourceNames?: unknown;
  nonResourceURLs?: unknown;
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const rowKey = (r: Pick<MatrixRow, 'apiGroup' | 'resource' | 'resourceNames'>) => `${r.apiGroup}\u0000${r.resource}\u0000${[...r.resourceNames].sort().join(',')}`;

/** Expands rules into matrix rows; null when a rule cannot be shown as cells (mixes resources and URLs). */
export function rulesToMatrix(rules: readonly RuleLike[]): { rows: MatrixRow[]; nonResource: NonResourceRow[] } | null {
  const rows = new Map<string, MatrixRow>();
  const urls = new Map<string, NonResourceRow>();
  for (const rule of rules) {
    const verbs = strings(rule.verbs);
    const nonResourceURLs = strings(rule.nonResourceURLs);
    const resources = strings(rule.resources);
    if (nonResourceURLs.length > 0) {
      if (resources.length > 0) return null;
      for (const url of nonResourceURLs) {
        const row = urls.get(url) ?? { url, verbs: [] };
        row.verbs = union(row.verbs, verbs);
        urls.set(url, row);
      }
      continue;
    }
    const names = [...new Set(strings(rule.resourceNames))].sort();
    for (const apiGroup of strings(rule.apiGroups)) {
      for (const resource of resources) {
        const key = rowKey({ apiGroup, resource, resourceNames: names });
        const row = rows.get(key) ?? { apiGroup, resource, resourceNames: names, verbs: [] };
        row.verbs = union(row.verbs, verbs);
        rows.set(key, row);
      }
    }
  }
  return { rows: [...rows.values()], nonResource: [...urls.values()] };
}

/** Groups rows back into PolicyRules: one rule per (API group, resourceNames, verb set). */
export function matrixToRules(rows: readonly MatrixRow[], nonResource: readonly NonResourceRow[]): Record<string, string[]>[] {
  const rules = new Map<string, Record<string, string[]>>();
  for (const row of rows) {
    if (row.verbs.length === 0 || !row.resource) continue;
    const verbs = sortVerbs(row.verbs);
    const names = [...new Set(row.resourceNames)].sort();
    const key = `${row.apiGroup}\u0000${names.join(',')}\u0000${verbs.join(',')}`;
    const rule = rules.get(key) ?? { apiGroups: [row.apiGroup], resources: [], ...(names.length ? { resourceNames: names } : {}), verbs };
    if (!rule.resources!.includes(row.resource)) rule.resources!.push(row.resource);
    rules.set(key, rule);
  }
  const urlRules = new Map<string, Record<string, string[]>>();
  for (const row of nonResource) {
    if (row.verbs.length === 0 || !row.url) continue;
    const verbs = sortVerbs(row.verbs);
    const rule = urlRules.get(verbs.join(',')) ?? { nonResourceURLs: [], verbs };
    if (!rule.nonResourceURLs!.includes(row.url)) rule.nonResourceURLs!.push(row.url);
    urlRules.set(verbs.join(','), rule);
  }
  return [...rules.values(), ...urlRules.values()];
}

function union(a: readonly string[], b: readonly string[]): string[] {
  return sortVerbs([...new Set([...a, ...b])]);
}

/** The standard verbs in kubectl's order, then the others alphabetically, `*` first. */
export function sortVerbs(verbs: readonly string[]): string[] {
  const rank = (v: string) => (v === '*' ? 0 : (STANDARD_VERBS as readonly string[]).includes(v) ? 1 + (STANDARD_VERBS as readonly string[]).indexOf(v) : 100);
  return [...new Set(verbs)].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

// ---- objects ↔ models ----------------------------------------------------------------------

type Obj = Record<string, unknown> & { metadata?: Record<string, unknown> };

function splitMeta(o: Obj) {
  const meta = { ...(o.metadata ?? {}) };
  const name = typeof meta.name === 'string' ? meta.name : '';
  const namespace = typeof meta.namespace === 'string' ? meta.namespace : null;
  delete meta.name;
  delete meta.namespace;
  return { name, namespace, meta };
}

/** A Role or ClusterRole as the matrix; null when its rules cannot be shown as cells. */
export function roleFromObject(o: Obj): RoleModel | null {
  if (!ROLE_KINDS.has(String(o.kind))) return null;
  const rules = Array.isArray(o.rules) ? (o.rules as RuleLike[]) : [];
  if (rules.some((r) => typeof r !== 'object' || r === null)) return null;
  const matrix = rulesToMatrix(rules);
  if (!matrix) return null;
  const { name, namespace, meta } = splitMeta(o);
  const rest: Record<string, unknown> = { ...o, metadata: meta };
  delete rest.rules;
  delete rest.kind;
  delete rest.apiVersion;
  return { kind: o.kind as RoleModel['kind'], name, namespace: o.kind === 'Role' ? namespace : null, rows: matrix.rows, nonResource: matrix.nonResource, rest };
}

export function roleToObject(m: RoleModel): Record<string, unknown> {
  const restMeta = (m.rest.metadata as Record<string, unknown> | undefined) ?? {};
  const metadata: Record<string, unknown> = { name: m.name, ...(m.kind === 'Role' ? { namespace: m.namespace ?? '' } : {}), ...restMeta };
  const { metadata: _drop, ...rest } = m.rest;
  void _drop;
  return { apiVersion: RBAC_API_VERSION, kind: m.kind, metadata, ...rest, rules: matrixToRules(m.rows, m.kind === 'ClusterRole' ? m.nonResource : []) };
}

export function bindingFromObject(o: Obj): BindingModel | null {
  if (!BINDING_KINDS.has(String(o.kind))) return null;
  const ref = o.roleRef as { kind?: unknown; name?: unknown } | undefined;
  const subjects = Array.isArray(o.subjects) ? o.subjects : [];
  const okSubjects: SubjectModel[] = [];
  for (const s of subjects as { kind?: unknown; name?: unknown; namespace?: unknown; apiGroup?: unknown }[]) {
    if (typeof s !== 'object' || s === null) return null;
    if (s.kind !== 'User' && s.kind !== 'Group' && s.kind !== 'ServiceAccount') return null;
    if (typeof s.name !== 'string') return null;
    okSubjects.push(s.kind === 'ServiceAccount' ? { kind: s.kind, name: s.name, namespace: typeof s.namespace === 'string' ? s.namespace : '' } : { kind: s.kind, name: s.name });
  }
  const { name, namespace, meta } = splitMeta(o);
  const annotations = { ...((meta.annotations as Record<string, string> | undefined) ?? {}) };
  const expiresAt = typeof annotations[EXPIRES_ANNOTATION] === 'string' ? annotations[EXPIRES_ANNOTATION] : null;
  delete annotations[EXPIRES_ANNOTATION];
  if (Object.keys(annotations).length > 0) meta.annotations = annotations;
  else delete meta.annotations;
  const rest: Record<string, unknown> = { ...o, metadata: meta };
  for (const k of ['kind', 'apiVersion', 'roleRef', 'subjects']) delete rest[k];
  return {
    kind: o.kind as BindingModel['kind'],
    name,
    namespace: o.kind === 'RoleBinding' ? namespace : null,
    roleRef: { kind: ref?.kind === 'Role' ? 'Role' : 'ClusterRole', name: typeof ref?.name === 'string' ? ref.name : '' },
    subjects: okSubjects,
    expiresAt,
    rest,
  };
}

export function bindingToObject(m: BindingModel): Record<string, unknown> {
  const restMeta = { ...((m.rest.metadata as Record<string, unknown> | undefined) ?? {}) };
  const annotations = { ...((restMeta.annotations as Record<string, string> | undefined) ?? {}), ...(m.expiresAt ? { [EXPIRES_ANNOTATION]: m.expiresAt } : {}) };
  delete restMeta.annotations;
  const metadata: Record<string, unknown> = {
    name: m.name,
    ...(m.kind === 'RoleBinding' ? { namespace: m.namespace ?? '' } : {}),
    ...restMeta,
    ...(Object.keys(annotations).length ? { annotations } : {}),
  };
  const { metadata: _drop, ...rest } = m.rest;
  void _drop;
  return {
    apiVersion: RBAC_API_VERSION,
    kind: m.kind,
    metadata,
    ...rest,
    subjects: m.subjects.map((s) =>
      s.kind === 'ServiceAccount' ? { kind: s.kind, name: s.name, namespace: s.namespace ?? '' } : { apiGroup: 'rbac.authorization.k8s.io', kind: s.kind, name: s.name },
    ),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: m.roleRef.kind, name: m.roleRef.name },
  };
}

// ---- source text ↔ documents ---------------------------------------------------------------

/**
 * Reads the change's YAML into documents the form can show. YAML errors stop the form (the
 * text is the truth until it parses again) and are reported at their line.
 */
export function parseSource(text: string): { documents: EditorDocument[]; errors: SourceError[] } {
  const documents: EditorDocument[] = [];
  const errors: SourceError[] = [];
  let docs: Document.Parsed[];
  try {
    docs = parseAllDocuments(text, { uniqueKeys: true }) as Document.Parsed[];
  } catch (err) {
    return { documents, errors: [{ line: 1, message: err instanceof Error ? err.message : String(err) }] };
  }
  if (!Array.isArray(docs)) docs = [docs];
  let previousEnd = 0;
  for (const doc of docs) {
    // A document's own text runs from where the previous one ended (its comments included).
    const end = doc.range?.[2] ?? text.length;
    const own = text.slice(previousEnd, end);
    previousEnd = end;
    const line = lineOf(text, (doc.contents as { range?: [number, number, number] } | null)?.range?.[0] ?? doc.range?.[0] ?? 0);
    if (doc.errors.length > 0) {
      for (const e of doc.errors) errors.push({ line: e.linePos?.[0]?.line ?? line, message: e.message.split('\n')[0]! });
      continue;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      errors.push({ line, message: err instanceof Error ? err.message : String(err) });
      continue;
    }
    if (value === null || value === undefined) {
      if (own.trim() && !/^\s*(#.*\s*)*$/.test(own)) documents.push({ type: 'other', text: own, line, why: 'empty document' });
      else if (own.trim()) documents.push({ type: 'other', text: own, line, why: 'comments only' });
      continue;
    }
    const o = value as Obj;
    const role = typeof o === 'object' && !Array.isArray(o) ? roleFromObject(o) : null;
    if (role) {
      documents.push({ type: 'role', model: role, line });
      continue;
    }
    const binding = typeof o === 'object' && !Array.isArray(o) ? bindingFromObject(o) : null;
    if (binding) {
      documents.push({ type: 'binding', model: binding, line });
      continue;
    }
    const kind = typeof o === 'object' && o !== null && 'kind' in o ? String(o.kind) : 'not an object';
    documents.push({ type: 'other', text: own, line, why: ROLE_KINDS.has(kind) || BINDING_KINDS.has(kind) ? `this ${kind} has rules or subjects the form cannot show; edit it as YAML` : kind });
  }
  return { documents, errors };
}

/** Writes the documents back: RBAC objects from their models, the others verbatim. */
export function renderSource(documents: readonly EditorDocument[]): string {
  return documents
    .map((d) => {
      if (d.type === 'other') return d.text.replace(/^\s*---[ \t]*\n/, '').replace(/\s*$/, '\n');
      return stringify(d.type === 'role' ? roleToObject(d.model) : bindingToObject(d.model), { lineWidth: 0 });
    })
    .join('---\n');
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

// ---- new objects -----------------------------------------------------------------------------

export function newRole(kind: RoleModel['kind'], namespace: string | null): RoleModel {
  return { kind, name: '', namespace: kind === 'Role' ? namespace : null, rows: [], nonResource: [], rest: { metadata: {} } };
}

export function newBinding(kind: BindingModel['kind'], namespace: string | null): BindingModel {
  return { kind, name: '', namespace: kind === 'RoleBinding' ? namespace : null, roleRef: { kind: 'ClusterRole', name: '' }, subjects: [], expiresAt: null, rest: { metadata: {} } };
}
