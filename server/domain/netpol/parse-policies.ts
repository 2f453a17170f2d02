// Reads NetworkPolicies out of manifest text: JSON or YAML, single objects, `List`s and
// multi-document files. Text comes in from the caller; this module does no file I/O.
import { parseAllDocuments } from 'yaml';
import type { Problem } from './errors';
import type { NetworkPolicy } from './model';
import { readNetworkPolicy } from './validate-policy';

export interface ParsedDocument {
  value: unknown;
  /** `file.yaml#2` for the third document of a file. */
  source: string;
}

export interface ParseDocumentsResult {
  documents: ParsedDocument[];
  problems: Problem[];
}

/**
 * Splits manifest text into plain values. JSON is YAML, so one parser reads both. Alias
 * expansion is capped so a hostile file cannot blow up memory.
 */
export function parseManifestText(text: string, source: string): ParseDocumentsResult {
  const documents: ParsedDocument[] = [];
  const problems: Problem[] = [];
  let docs;
  try {
    docs = parseAllDocuments(text, { prettyErrors: true, uniqueKeys: true });
  } catch (err) {
    problems.push({ severity: 'error', object: { kind: 'file', source }, path: '', message: `cannot parse: ${(err as Error).message}` });
    return { documents, problems };
  }
  const list = Array.isArray(docs) ? docs : [docs];
  list.forEach((doc, i) => {
    const where = list.length > 1 ? `${source}#${i}` : source;
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        problems.push({ severity: 'error', object: { kind: 'file', source: where }, path: '', message: e.message.split('\n')[0]! });
      }
      return;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 1000 });
    } catch (err) {
      problems.push({ severity: 'error', object: { kind: 'file', source: where }, path: '', message: (err as Error).message });
      return;
    }
    // Empty documents (a trailing `---`, comments only) are normal in manifest files.
    if (value === null || value === undefined) return;
    documents.push({ value, source: where });
  });
  return { documents, problems };
}

export interface ReadPoliciesOptions {
  defaultNamespace?: string;
  /** When true, objects without `kind` are taken as NetworkPolicies (scenario files do this). */
  assumeNetworkPolicy?: boolean;
}

export interface ReadPoliciesResult {
  policies: NetworkPolicy[];
  problems: Problem[];
  /** Objects of other kinds that were passed over (a manifest directory holds Deployments too). */
  skipped: { kind: string; source: string }[];
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Validates every NetworkPolicy among `documents`, unwrapping `List` and `NetworkPolicyList`. */
export function readPolicies(documents: ParsedDocument[], options: ReadPoliciesOptions = {}): ReadPoliciesResult {
  const result: ReadPoliciesResult = { policies: [], problems: [], skipped: [] };
  const seen = new Map<string, string>();
  const visit = (value: unknown, source: string): void => {
    if (Array.isArray(value)) {
      value.forEach((v, i) => visit(v, `${source}[${i}]`));
      return;
    }
    if (!isPlainObject(value)) {
      result.problems.push({ severity: 'error', object: { kind: 'unknown', source }, path: '', message: 'expected a Kubernetes object' });
      return;
    }
    const kind = value.kind;
    if (kind === 'List' || kind === 'NetworkPolicyList') {
      if (!Array.isArray(value.items)) {
        result.problems.push({ severity: 'error', object: { kind: String(kind), source }, path: 'items', message: 'must be a list' });
        return;
      }
      value.items.forEach((item: unknown, i: number) => visit(item, `${source} items[${i}]`));
      return;
    }
    if (kind !== 'NetworkPolicy' && !(kind === undefined && options.assumeNetworkPolicy)) {
      result.skipped.push({ kind: typeof kind === 'string' ? kind : 'unknown', source });
      return;
    }
    const { policy, problems } = readNetworkPolicy(value, { defaultNamespace: options.defaultNamespace, source });
    result.problems.push(...problems);
    if (!policy) return;
    const key = `${policy.namespace}/${policy.name}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      // The API server keeps one object per name; a second one would replace the first.
      result.problems.push({
        severity: 'error',
        object: { kind: 'NetworkPolicy', namespace: policy.namespace, name: policy.name, source },
        path: 'metadata.name',
        message: `duplicate: ${key} is already defined in ${earlier}`,
      });
      return;
    }
    seen.set(key, source);
    result.policies.push(policy);
  };
  for (const doc of documents) visit(doc.value, doc.source);
  return result;
}

/** Convenience: text to validated policies in one step. */
export function parsePolicies(text: string, source: string, options: ReadPoliciesOptions = {}): ReadPoliciesResult {
  const parsed = parseManifestText(text, source);
  const read = readPolicies(parsed.documents, options);
  return { ...read, problems: [...parsed.problems, ...read.problems] };
}
