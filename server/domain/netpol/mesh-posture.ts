// Istio PeerAuthentication resolution: the effective mTLS mode of a workload (and port),
// and which policy decided it, so the traffic graph can flag plaintext where STRICT is declared.
// Follows istiod's composition: workload > namespace > mesh, oldest first within a level,
// UNSET inheriting from the level above, PERMISSIVE when nothing decides.
import { childPath, type ObjectRef, type Problem } from './errors';
import { isDns1123Label, isDns1123Subdomain, labelKeyProblem, labelValueProblem, type Labels } from './label-selector';
import type { PolicyRef } from './model';

export const MTLS_MODES = ['UNSET', 'DISABLE', 'PERMISSIVE', 'STRICT'] as const;
export type MtlsMode = (typeof MTLS_MODES)[number];
export type EffectiveMtlsMode = Exclude<MtlsMode, 'UNSET'>;

export const DEFAULT_ROOT_NAMESPACE = 'istio-system';
const API_VERSIONS = ['security.istio.io/v1', 'security.istio.io/v1beta1'];

export interface PeerAuthentication {
  namespace: string;
  name: string;
  /** ISO 8601, as the API server reports it; absent for manifests not yet applied. */
  creationTimestamp?: string;
  /** matchLabels of the workload selector; null when absent or empty (namespace or mesh wide). */
  selector: Record<string, string> | null;
  /** UNSET when `mtls` or its mode is absent. */
  mode: MtlsMode;
  portLevelMtls: Map<number, MtlsMode>;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function readMode(raw: unknown, path: string, problems: Omit<Problem, 'object'>[]): MtlsMode {
  if (raw === undefined || raw === null) return 'UNSET';
  if (!isPlainObject(raw)) {
    problems.push({ severity: 'error', path, message: 'must be an object with mode' });
    return 'UNSET';
  }
  const mode = raw.mode;
  if (mode === undefined || mode === null) return 'UNSET';
  if (typeof mode !== 'string' || !(MTLS_MODES as readonly string[]).includes(mode)) {
    problems.push({ severity: 'error', path: childPath(path, 'mode'), message: `unsupported mode ${JSON.stringify(mode)}: one of ${MTLS_MODES.join(', ')}` });
    return 'UNSET';
  }
  return mode as MtlsMode;
}

/** Validates one PeerAuthentication with the checks istiod's webhook applies. Never throws. */
export function readPeerAuthentication(raw: unknown, source?: string): { policy: PeerAuthentication | null; problems: Problem[] } {
  const object: ObjectRef = { kind: 'PeerAuthentication', source };
  const problems: Omit<Problem, 'object'>[] = [];
  const done = (policy: PeerAuthentication | null) => {
    const out = problems.map((p) => ({ ...p, object }));
    return { policy: out.some((p) => p.severity === 'error') ? null : policy, problems: out };
  };
  if (!isPlainObject(raw)) {
    problems.push({ severity: 'error', path: '', message: 'a PeerAuthentication must be an object' });
    return done(null);
  }
  if (raw.kind !== undefined && raw.kind !== 'PeerAuthentication') problems.push({ severity: 'error', path: 'kind', message: `expected PeerAuthentication, got ${JSON.stringify(raw.kind)}` });
  if (raw.apiVersion !== undefined && !API_VERSIONS.includes(raw.apiVersion as string)) {
    problems.push({ severity: 'error', path: 'apiVersion', message: `unsupported apiVersion ${JSON.stringify(raw.apiVersion)}; expected ${API_VERSIONS.join(' or ')}` });
  }
  const meta = isPlainObject(raw.metadata) ? raw.metadata : {};
  const name = typeof meta.name === 'string' ? meta.name : '';
  const namespace = typeof meta.namespace === 'string' && meta.namespace !== '' ? meta.namespace : 'default';
  object.name = name || undefined;
  object.namespace = namespace;
  if (!isDns1123Subdomain(name)) problems.push({ severity: 'error', path: 'metadata.name', message: 'required: a lowercase DNS subdomain' });
  if (!isDns1123Label(namespace)) problems.push({ severity: 'error', path: 'metadata.namespace', message: 'must be a lowercase DNS label' });
  let creationTimestamp: string | undefined;
  if (meta.creationTimestamp !== undefined && meta.creationTimestamp !== null) {
    const ts = meta.creationTimestamp instanceof Date ? meta.creationTimestamp.toISOString() : meta.creationTimestamp;
    if (typeof ts !== 'string' || Number.isNaN(Date.parse(ts))) {
      problems.push({ severity: 'error', path: 'metadata.creationTimestamp', message: 'must be an RFC 3339 timestamp' });
    } else creationTimestamp = ts;
  }
  const spec = raw.spec === undefined || raw.spec === null ? {} : raw.spec;
  if (!isPlainObject(spec)) {
    problems.push({ severity: 'error', path: 'spec', message: 'must be an object' });
    return done(null);
  }
  let selector: Record<string, string> | null = null;
  if (spec.selector !== undefined && spec.selector !== null) {
    const ml = isPlainObject(spec.selector) ? spec.selector.matchLabels : undefined;
    if (!isPlainObject(spec.selector) || (ml !== undefined && ml !== null && !isPlainObject(ml))) {
      problems.push({ severity: 'error', path: 'spec.selector', message: 'must be {matchLabels: {...}}' });
    } else if (isPlainObject(ml) && Object.keys(ml).length > 0) {
      selector = {};
      for (const [k, v] of Object.entries(ml)) {
        const p = childPath('spec.selector.matchLabels', k);
        const problem = labelKeyProblem(k) ?? (typeof v === 'string' ? labelValueProblem(v) : 'label value must be a string');
        if (problem) problems.push({ severity: 'error', path: p, message: problem });
        else selector[k] = v as string;
      }
    }
  }
  const mode = readMode(spec.mtls, 'spec.mtls', problems);
  const portLevelMtls = new Map<number, MtlsMode>();
  if (spec.portLevelMtls !== undefined && spec.portLevelMtls !== null) {
    if (!isPlainObject(spec.portLevelMtls)) problems.push({ severity: 'error', path: 'spec.portLevelMtls', message: 'must be a map of port number to {mode}' });
    else {
      const entries = Object.entries(spec.portLevelMtls);
      if (entries.length === 0) problems.push({ severity: 'error', path: 'spec.portLevelMtls', message: 'if defined, must have at least one element' });
      if (selector === null && entries.length > 0) {
        problems.push({ severity: 'error', path: 'spec.portLevelMtls', message: 'mesh-wide and namespace-wide PeerAuthentication cannot have port level mTLS (it needs a workload selector)' });
      }
      for (const [key, value] of entries) {
        const p = childPath('spec.portLevelMtls', key);
        const port = /^\d+$/.test(key) ? Number(key) : NaN;
        if (!(port >= 1 && port <= 65535)) {
          problems.push({ severity: 'error', path: p, message: 'port must be between 1 and 65535' });
          continue;
        }
        portLevelMtls.set(port, readMode(value, p, problems));
      }
    }
  }
  return done({ namespace, name, creationTimestamp, selector, mode, portLevelMtls });
}

export interface MtlsResolution {
  mode: EffectiveMtlsMode;
  /** The level whose policy set the mode; `default` when no policy did. */
  decidedBy: { level: 'port' | 'workload' | 'namespace' | 'mesh' | 'default'; policy?: PolicyRef };
  /** The policy that applies at each level (after oldest-wins), even when its mode was UNSET. */
  applied: { mesh?: PolicyRef; namespace?: PolicyRef; workload?: PolicyRef };
  /** Policies that matched a level but lost to an older one, or were ignored, and why. */
  ignored: { policy: PolicyRef; reason: string }[];
}

export interface ResolveMtlsOptions {
  /** meshConfig.rootNamespace; `istio-system` unless configured. */
  rootNamespace?: string;
}

function ref(p: PeerAuthentication): PolicyRef {
  return { namespace: p.namespace, name: p.name };
}

// istiod orders configs by creation time, then name, then namespace. A missing timestamp is
// Go's zero time, i.e. older than any real one.
function olderFirst(a: PeerAuthentication, b: PeerAuthentication): number {
  const ta = a.creationTimestamp ? Date.parse(a.creationTimestamp) : -Infinity;
  const tb = b.creationTimestamp ? Date.parse(b.creationTimestamp) : -Infinity;
  if (ta !== tb) return ta < tb ? -1 : 1;
  return a.name.localeCompare(b.name) || a.namespace.localeCompare(b.namespace);
}

function isSubset(selector: Record<string, string>, labels: Labels): boolean {
  for (const k in selector) if (!Object.hasOwn(labels, k) || labels[k] !== selector[k]) return false;
  return true;
}

/** The effective mTLS mode for a workload, and for one of its ports when `port` is given. */
export function resolveMtls(
  policies: readonly PeerAuthentication[],
  workload: { namespace: string; labels: Labels },
  port?: number,
  options: ResolveMtlsOptions = {},
): MtlsResolution {
  const root = options.rootNamespace ?? DEFAULT_ROOT_NAMESPACE;
  const levels: { mesh: PeerAuthentication[]; namespace: PeerAuthentication[]; workload: PeerAuthentication[] } = { mesh: [], namespace: [], workload: [] };
  const ignored: MtlsResolution['ignored'] = [];
  for (const p of policies) {
    if (p.selector === null) {
      if (p.namespace === root) levels.mesh.push(p);
      else if (p.namespace === workload.namespace) levels.namespace.push(p);
    } else if (p.namespace === workload.namespace && isSubset(p.selector, workload.labels)) {
      if (p.namespace === root) ignored.push({ policy: ref(p), reason: 'a workload selector in the root namespace is ignored' });
      else levels.workload.push(p);
    }
  }
  const pick = (level: keyof typeof levels): PeerAuthentication | undefined => {
    const [winner, ...losers] = [...levels[level]].sort(olderFirst);
    for (const l of losers) ignored.push({ policy: ref(l), reason: `an older ${level}-level policy (${winner!.namespace}/${winner!.name}) takes precedence` });
    return winner;
  };
  const mesh = pick('mesh');
  const ns = pick('namespace');
  const wl = pick('workload');

  let mode: EffectiveMtlsMode = 'PERMISSIVE';
  let decidedBy: MtlsResolution['decidedBy'] = { level: 'default' };
  for (const [level, p] of [['mesh', mesh], ['namespace', ns], ['workload', wl]] as const) {
    if (p && p.mode !== 'UNSET') {
      mode = p.mode;
      decidedBy = { level, policy: ref(p) };
    }
  }
  if (port !== undefined && wl && wl.selector !== null) {
    const portMode = wl.portLevelMtls.get(port);
    if (portMode !== undefined && portMode !== 'UNSET') {
      mode = portMode;
      decidedBy = { level: 'port', policy: ref(wl) };
    }
  }
  return {
    mode,
    decidedBy,
    applied: { ...(mesh ? { mesh: ref(mesh) } : {}), ...(ns ? { namespace: ref(ns) } : {}), ...(wl ? { workload: ref(wl) } : {}) },
    ignored,
  };
}

export type ObservedTls = 'mtls' | 'plaintext' | 'mixed';

/**
 * What the graph shows for an edge into a port: plaintext reaching a STRICT port means a
 * sidecar is missing or bypassed (STRICT would reject it), plaintext into PERMISSIVE or
 * DISABLE is allowed but unauthenticated.
 */
export function mtlsFinding(mode: EffectiveMtlsMode, observed: ObservedTls): 'ok' | 'plaintext-on-strict' | 'plaintext-allowed' {
  if (observed === 'mtls') return 'ok';
  return mode === 'STRICT' ? 'plaintext-on-strict' : 'plaintext-allowed';
}
