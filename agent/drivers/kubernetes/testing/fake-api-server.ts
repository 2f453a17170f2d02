// A fake Kubernetes API server on loopback HTTP for the driver's tests: discovery, lists,
// GET, server-side apply (PATCH application/apply-patch+yaml), JSON merge patch, DELETE and watch streams,
// each request recorded. It implements only what the driver uses, and only roughly: an
// apply replaces the fields it names, it does not merge field ownership.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';

export interface FakeResource {
  apiVersion: string;
  kind: string;
  plural: string;
  namespaced: boolean;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  auditId: string;
}

export type KubeObject = {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace?: string; resourceVersion?: string; labels?: Record<string, string>; [k: string]: unknown };
  [k: string]: unknown;
};

interface Injected {
  method: string;
  pathIncludes: string;
  status: number;
  reason: string;
  message: string;
}

export const DEFAULT_RESOURCES: FakeResource[] = [
  { apiVersion: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false },
  { apiVersion: 'v1', kind: 'Pod', plural: 'pods', namespaced: true },
  { apiVersion: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts', namespaced: true },
  { apiVersion: 'v1', kind: 'ResourceQuota', plural: 'resourcequotas', namespaced: true },
  { apiVersion: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true },
  { apiVersion: 'apps/v1', kind: 'ReplicaSet', plural: 'replicasets', namespaced: true },
  { apiVersion: 'apps/v1', kind: 'Deployment', plural: 'deployments', namespaced: true },
  { apiVersion: 'batch/v1', kind: 'Job', plural: 'jobs', namespaced: true },
  { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', plural: 'networkpolicies', namespaced: true },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', plural: 'roles', namespaced: true },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', plural: 'clusterroles', namespaced: false },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', plural: 'rolebindings', namespaced: true },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', plural: 'clusterrolebindings', namespaced: false },
];

export const ISTIO_PEER_AUTHENTICATION: FakeResource = { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', plural: 'peerauthentications', namespaced: true };

function status(code: number, reason: string, message: string): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

export class FakeKubeApiServer {
  readonly requests: RecordedRequest[] = [];
  private readonly server: Server;
  private readonly resources: FakeResource[];
  private readonly store = new Map<string, KubeObject>();
  private readonly watchers = new Set<{ resource: FakeResource; res: ServerResponse }>();
  private readonly injected: Injected[] = [];
  private revision = 100;
  url = '';

  constructor(resources: FakeResource[] = DEFAULT_RESOURCES) {
    this.resources = resources;
    this.server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => this.handle(req, res, body));
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    for (const w of this.watchers) w.res.end();
    this.watchers.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** A kubeconfig for this server (http:// needs insecure-skip-tls-verify), with a bearer token. */
  writeKubeconfig(token = 'test-token'): string {
    const dir = mkdtempSync(join(tmpdir(), 'verity-kube-'));
    const path = join(dir, 'kubeconfig');
    writeFileSync(
      path,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        '- name: fake',
        '  cluster:',
        `    server: ${this.url}`,
        '    insecure-skip-tls-verify: true',
        'users:',
        '- name: agent',
        '  user:',
        `    token: ${token}`,
        'contexts:',
        '- name: fake',
        '  context: { cluster: fake, user: agent }',
        'current-context: fake',
        '',
      ].join('\n'),
    );
    return path;
  }

  /** The next request matching method and path fragment gets this error instead. */
  failNext(method: string, pathIncludes: string, code: number, reason: string, message: string): void {
    this.injected.push({ method, pathIncludes, status: code, reason, message });
  }

  private resourceOf(apiVersion: string | undefined, kind: string | undefined): FakeResource {
    const r = this.resources.find((x) => x.apiVersion === (apiVersion ?? 'v1') && x.kind === kind);
    if (!r) throw new Error(`fake API server does not serve ${apiVersion} ${kind}`);
    return r;
  }

  private keyOf(r: FakeResource, namespace: string | undefined, name: string): string {
    return `${r.apiVersion}|${r.plural}|${r.namespaced ? (namespace ?? '') : ''}|${name}`;
  }

  /** Stores an object as if someone created or changed it, and tells the watchers. */
  put(obj: KubeObject): KubeObject {
    const r = this.resourceOf(obj.apiVersion, obj.kind);
    const key = this.keyOf(r, obj.metadata.namespace, obj.metadata.name);
    const type = this.store.has(key) ? 'MODIFIED' : 'ADDED';
    const stored = structuredClone(obj);
    stored.metadata.resourceVersion = String(++this.revision);
    this.store.set(key, stored);
    this.notify(r, type, stored);
    return stored;
  }

  remove(apiVersion: string, kind: string, namespace: string | undefined, name: string): void {
    const r = this.resourceOf(apiVersion, kind);
    const key = this.keyOf(r, namespace, name);
    const obj = this.store.get(key);
    if (!obj) return;
    this.store.delete(key);
    this.notify(r, 'DELETED', { ...obj, metadata: { ...obj.metadata, resourceVersion: String(++this.revision) } });
  }

  get(apiVersion: string, kind: string, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.store.get(this.keyOf(this.resourceOf(apiVersion, kind), namespace, name));
  }

  /** Writes a raw watch line (e.g. an ERROR event) to every open watch of the kind. */
  sendWatchLine(apiVersion: string, kind: string, line: unknown): void {
    const r = this.resourceOf(apiVersion, kind);
    for (const w of this.watchers) if (w.resource === r) w.res.write(`${JSON.stringify(line)}\n`);
  }

  openWatches(plural?: string): number {
    return [...this.watchers].filter((w) => !plural || w.resource.plural === plural).length;
  }

  /** Ends every open watch, as an API server does when a watch times out. */
  endWatches(): void {
    for (const w of this.watchers) w.res.end();
    this.watchers.clear();
  }

  private notify(r: FakeResource, type: string, obj: KubeObject): void {
    for (const w of this.watchers) if (w.resource === r) w.res.write(`${JSON.stringify({ type, object: { apiVersion: r.apiVersion, kind: r.kind, ...obj } })}\n`);
  }

  private send(res: ServerResponse, code: number, body: unknown, auditId: string): void {
    res.writeHead(code, { 'Content-Type': 'application/json', 'Audit-Id': auditId });
    res.end(JSON.stringify(body));
  }

  private handle(req: IncomingMessage, res: ServerResponse, body: string): void {
    const url = new URL(req.url ?? '/', this.url);
    const auditId = randomUUID();
    this.requests.push({ method: req.method ?? '', path: url.pathname, query: Object.fromEntries(url.searchParams), headers: req.headers, body, auditId });
    if (req.headers.authorization !== 'Bearer test-token') return this.send(res, 401, status(401, 'Unauthorized', 'Unauthorized'), auditId);
    const injectedAt = this.injected.findIndex((i) => i.method === req.method && url.pathname.includes(i.pathIncludes));
    if (injectedAt >= 0) {
      const [i] = this.injected.splice(injectedAt, 1);
      return this.send(res, i!.status, status(i!.status, i!.reason, i!.message), auditId);
    }

    // Discovery.
    const discovery = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))$/.exec(url.pathname);
    if (discovery && req.method === 'GET') {
      const apiVersion = discovery[1] ?? `${discovery[2]}/${discovery[3]}`;
      const served = this.resources.filter((r) => r.apiVersion === apiVersion);
      if (!served.length) return this.send(res, 404, status(404, 'NotFound', 'the server could not find the requested resource'), auditId);
      return this.send(
        res,
        200,
        { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: apiVersion, resources: served.map((r) => ({ name: r.plural, singularName: r.kind.toLowerCase(), namespaced: r.namespaced, kind: r.kind, verbs: ['get', 'list', 'watch', 'patch', 'delete'] })) },
        auditId,
      );
    }

    const m = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))\/(.+)$/.exec(url.pathname);
    if (!m) return this.send(res, 404, status(404, 'NotFound', 'no such path'), auditId);
    const apiVersion = m[1] ?? `${m[2]}/${m[3]}`;
    const parts = m[4]!.split('/').map(decodeURIComponent);
    let namespace: string | undefined;
    let plural: string;
    let name: string | undefined;
    if (parts[0] === 'namespaces' && parts.length >= 3) [, namespace, plural, name] = parts as [string, string, string, string | undefined];
    else [plural, name] = parts as [string, string | undefined];
    const r = this.resources.find((x) => x.apiVersion === apiVersion && x.plural === plural);
    if (!r) return this.send(res, 404, status(404, 'NotFound', 'the server could not find the requested resource'), auditId);

    if (!name) {
      if (req.method !== 'GET') return this.send(res, 405, status(405, 'MethodNotAllowed', 'not here'), auditId);
      if (url.searchParams.get('watch') === 'true') {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Audit-Id': auditId });
        res.flushHeaders();
        const w = { resource: r, res };
        this.watchers.add(w);
        res.on('close', () => this.watchers.delete(w));
        return;
      }
      const items = [...this.store.entries()]
        .filter(([k]) => k.startsWith(`${r.apiVersion}|${r.plural}|${namespace ?? ''}`))
        .map(([, v]) => v);
      // One item per page when asked for a small limit, to exercise the continue token.
      const limit = Number(url.searchParams.get('limit') ?? '0');
      const start = Number(url.searchParams.get('continue') ?? '0');
      const page = limit > 0 ? items.slice(start, start + limit) : items;
      const next = limit > 0 && start + limit < items.length ? String(start + limit) : undefined;
      return this.send(res, 200, { kind: `${r.kind}List`, apiVersion: r.apiVersion, metadata: { resourceVersion: String(this.revision), ...(next ? { continue: next } : {}) }, items: page }, auditId);
    }

    const key = this.keyOf(r, namespace, name);
    const existing = this.store.get(key);
    const dryRun = url.searchParams.get('dryRun') === 'All';
    if (req.method === 'GET') {
      if (!existing) return this.send(res, 404, status(404, 'NotFound', `${r.plural} "${name}" not found`), auditId);
      return this.send(res, 200, { apiVersion: r.apiVersion, kind: r.kind, ...existing }, auditId);
    }
    if (req.method === 'PATCH' && req.headers['content-type'] === 'application/merge-patch+json') {
      // RFC 7386, as the API server does it for a merge patch; a resourceVersion in the patch is a precondition.
      if (!existing) return this.send(res, 404, status(404, 'NotFound', `${r.plural} "${name}" not found`), auditId);
      const patch = JSON.parse(body) as KubeObject;
      const precondition = patch.metadata?.resourceVersion;
      if (precondition && existing.metadata.resourceVersion !== precondition) {
        return this.send(res, 409, status(409, 'Conflict', `Operation cannot be fulfilled on ${r.plural} "${name}": the object has been modified; please apply your changes to the latest version and try again`), auditId);
      }
      const { apiVersion: _a, kind: _k, ...rest } = patch;
      const { resourceVersion: _rv, ...patchMeta } = rest.metadata ?? { name };
      const merged = mergeJson(existing, { ...rest, metadata: patchMeta }) as KubeObject;
      // The API server leaves out an empty annotations map (omitempty).
      if (merged.metadata.annotations && Object.keys(merged.metadata.annotations as object).length === 0) delete merged.metadata.annotations;
      merged.metadata.managedFields = [{ manager: url.searchParams.get('fieldManager') ?? 'unknown', operation: 'Update', apiVersion: r.apiVersion, fieldsType: 'FieldsV1', fieldsV1: {} }];
      const stored = { ...merged, metadata: { ...merged.metadata, resourceVersion: dryRun ? existing.metadata.resourceVersion : String(++this.revision) } };
      if (!dryRun) {
        this.store.set(key, stored);
        this.notify(r, 'MODIFIED', stored);
      }
      return this.send(res, 200, { apiVersion: r.apiVersion, kind: r.kind, ...stored }, auditId);
    }
    if (req.method === 'PATCH') {
      if (req.headers['content-type'] !== 'application/apply-patch+yaml') return this.send(res, 415, status(415, 'UnsupportedMediaType', `unsupported patch type ${req.headers['content-type']}`), auditId);
      if (!url.searchParams.get('fieldManager')) return this.send(res, 400, status(400, 'BadRequest', 'fieldManager is required for apply'), auditId);
      const patch = parseYaml(body) as KubeObject;
      const precondition = patch.metadata?.resourceVersion;
      if (precondition && existing?.metadata.resourceVersion !== precondition) {
        return this.send(res, 409, status(409, 'Conflict', `Operation cannot be fulfilled on ${r.plural} "${name}": the object has been modified; please apply your changes to the latest version and try again`), auditId);
      }
      const { resourceVersion: _rv, ...patchMeta } = patch.metadata ?? { name };
      const merged: KubeObject = {
        ...(existing ?? {}),
        ...patch,
        metadata: {
          ...(existing?.metadata ?? {}),
          ...patchMeta,
          name,
          ...(namespace ? { namespace } : {}),
          managedFields: [{ manager: url.searchParams.get('fieldManager'), operation: 'Apply', apiVersion: r.apiVersion, fieldsType: 'FieldsV1', fieldsV1: {} }],
        },
      };
      delete merged.apiVersion;
      delete merged.kind;
      const { resourceVersion: _old, ...existingMeta } = existing?.metadata ?? ({} as KubeObject['metadata']);
      const unchanged = existing && JSON.stringify({ ...existing, metadata: existingMeta }) === JSON.stringify({ ...merged, metadata: { ...merged.metadata, resourceVersion: undefined } });
      let stored: KubeObject;
      if (unchanged) stored = existing;
      else {
        stored = { ...merged, metadata: { ...merged.metadata, resourceVersion: dryRun ? (existing?.metadata.resourceVersion ?? '') : String(++this.revision) } };
        if (!dryRun) {
          this.store.set(key, stored);
          this.notify(r, existing ? 'MODIFIED' : 'ADDED', stored);
        }
      }
      return this.send(res, existing ? 200 : 201, { apiVersion: r.apiVersion, kind: r.kind, ...stored }, auditId);
    }
    if (req.method === 'DELETE') {
      if (!existing) return this.send(res, 404, status(404, 'NotFound', `${r.plural} "${name}" not found`), auditId);
      const options = body ? (JSON.parse(body) as { preconditions?: { resourceVersion?: string } }) : {};
      if (options.preconditions?.resourceVersion && options.preconditions.resourceVersion !== existing.metadata.resourceVersion) {
        return this.send(res, 409, status(409, 'Conflict', `Operation cannot be fulfilled on ${r.plural} "${name}": the ResourceVersion in the precondition (${options.preconditions.resourceVersion}) does not match the ResourceVersion in record (${existing.metadata.resourceVersion})`), auditId);
      }
      if (!dryRun) this.remove(r.apiVersion, r.kind, namespace, name);
      return this.send(res, 200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name, kind: r.plural } }, auditId);
    }
    return this.send(res, 405, status(405, 'MethodNotAllowed', `${req.method} not supported`), auditId);
  }
}

/** RFC 7386 merge: maps merge key by key, null deletes, anything else replaces. */
function mergeJson(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = target && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (v === null) delete out[k];
    else out[k] = mergeJson(out[k], v);
  }
  return out;
}
