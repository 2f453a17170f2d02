// Reads RBAC objects out of manifest text: JSON or YAML, multi-document streams and
// `kind: List` wrappers (what `kubectl get -o yaml` prints), with every problem reported, never thrown.
import { parseAllDocuments } from 'yaml';
import { objectKey, objectRef, type RbacObject, type ServiceAccountRef, type SourceLocation } from './model';
import { validateObject, type ValidateOptions, type ValidationIssue } from './validate-object';

export type ManifestInput = { source: string; text: string };

export type DecodedDocument = { value: unknown; location: SourceLocation };

export type ParsedObjects = {
  objects: RbacObject[];
  /** ServiceAccount manifests found among the inputs. */
  serviceAccounts: ServiceAccountRef[];
  issues: ValidationIssue[];
  /** Documents of other kinds (Deployments, Namespaces, ...) that were left out. */
  skipped: { kind: string; location: SourceLocation }[];
};

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function syntaxIssue(source: string, document: number, message: string): ValidationIssue {
  return { severity: 'error', object: { kind: '' }, path: '', message: `cannot parse ${source}: ${message}`, location: { source, document } };
}

/** Splits manifest text into decoded documents, unwrapping lists into their items. */
export function decodeManifestText(text: string, source: string): { documents: DecodedDocument[]; issues: ValidationIssue[] } {
  const documents: DecodedDocument[] = [];
  const issues: ValidationIssue[] = [];
  const push = (value: unknown, document: number) => {
    if (value === null || value === undefined) return;
    const items = Array.isArray(value)
      ? value
      : isRecord(value) && typeof value.kind === 'string' && value.kind.endsWith('List') && Array.isArray(value.items)
        ? value.items
        : undefined;
    if (items) items.forEach((item, i) => documents.push({ value: item, location: { source, document, item: i } }));
    else documents.push({ value, location: { source, document } });
  };
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      push(JSON.parse(text), 0);
      return { documents, issues };
    } catch {
      // Not strict JSON; YAML (a superset of most JSON) gets a go and reports its own error.
    }
  }
  try {
    parseAllDocuments(text).forEach((doc, i) => {
      if (doc.errors.length > 0) {
        issues.push(syntaxIssue(source, i, doc.errors[0]?.message ?? 'invalid YAML'));
        return;
      }
      push(doc.toJS({ maxAliasCount: 100 }), i);
    });
  } catch (err) {
    issues.push(syntaxIssue(source, 0, err instanceof Error ? err.message : String(err)));
  }
  return { documents, issues };
}

/** Validates decoded documents into a set of objects; a repeated kind/namespace/name is an error. */
export function validateDocuments(documents: DecodedDocument[], options: Omit<ValidateOptions, 'location'> = {}): ParsedObjects {
  const out: ParsedObjects = { objects: [], serviceAccounts: [], issues: [], skipped: [] };
  const seen = new Map<string, SourceLocation | undefined>();
  const seenSa = new Set<string>();
  for (const doc of documents) {
    const result = validateObject(doc.value, { ...options, location: doc.location });
    out.issues.push(...result.issues);
    if (result.skippedKind !== undefined) out.skipped.push({ kind: result.skippedKind, location: doc.location });
    if (result.serviceAccount) {
      const key = `${result.serviceAccount.namespace}/${result.serviceAccount.name}`;
      if (!seenSa.has(key)) out.serviceAccounts.push(result.serviceAccount);
      seenSa.add(key);
    }
    const obj = result.object;
    if (!obj) continue;
    const key = objectKey(objectRef(obj));
    if (seen.has(key)) {
      const first = seen.get(key);
      const where = first ? ` (first defined in ${first.source}, document ${first.document + 1})` : '';
      const ref = objectRef(obj);
      out.issues.push({
        severity: 'error',
        object: { kind: ref.kind, name: ref.name, ...(ref.namespace !== undefined ? { namespace: ref.namespace } : {}) },
        path: 'metadata.name',
        message: `duplicate object${where}`,
        location: doc.location,
      });
      continue;
    }
    seen.set(key, doc.location);
    out.objects.push(obj);
  }
  return out;
}

/** Parses manifest texts (one per file) into validated RBAC objects. */
export function parseRbacObjects(inputs: ManifestInput[], options: Omit<ValidateOptions, 'location'> = {}): ParsedObjects {
  const documents: DecodedDocument[] = [];
  const issues: ValidationIssue[] = [];
  for (const input of inputs) {
    const decoded = decodeManifestText(input.text, input.source);
    documents.push(...decoded.documents);
    issues.push(...decoded.issues);
  }
  const parsed = validateDocuments(documents, options);
  parsed.issues.unshift(...issues);
  return parsed;
}

export function hasErrors(issues: ValidationIssue[]): boolean {
  return issues.some((i) => i.severity === 'error');
}

export function formatIssue(issue: ValidationIssue): string {
  const o = issue.object;
  const who = o.kind === '' && o.name === undefined ? 'document' : `${o.kind || '(no kind)'} ${o.namespace !== undefined ? `${o.namespace}/` : ''}${o.name ?? '(no name)'}`;
  const where = issue.location ? ` [${issue.location.source}#${issue.location.document + 1}${issue.location.item !== undefined ? ` item ${issue.location.item}` : ''}]` : '';
  const path = issue.path ? ` ${issue.path}:` : ':';
  return `${issue.severity}: ${who}${path} ${issue.message}${where}`;
}
