// Keeps the policy form and the YAML text of a change in step. Reading: every document of the
// text with its form when it has one, or the reason and line why not. Writing: a form edit is
// applied to its own document node by node (yaml's Document API), so comments, key order and
// the other documents stay as the author wrote them; a result that would not read back as the
// same form falls back to rewriting that one document.
import { type Document, isMap, isScalar, isSeq, parseAllDocuments, stringify, type Node } from 'yaml';
import { yamlProblemText } from './change-objects';
import { formToObject, NoFormError, objectToForm, type PolicyForm } from './policy-form';

export interface PolicyDocument {
  /** 0-based position among the text's documents (empty documents included). */
  index: number;
  /** 1-based line where the document's content starts. */
  line: number;
  kind: string | null;
  name: string | null;
  namespace: string | null;
  /** The form, when the document parses and is a NetworkPolicy or PeerAuthentication of a shape the form has. */
  form: PolicyForm | null;
  /** Why there is no form (YAML error or shape), with the line it points at. */
  problem: { line: number; message: string } | null;
}

const TO_STRING = { flowCollectionPadding: false, lineWidth: 0 } as const;

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function parse(text: string) {
  return parseAllDocuments(text, { uniqueKeys: true }) as unknown as Document.Parsed[] | { errors: unknown[] };
}

function docsOf(text: string): Document.Parsed[] {
  const docs = parse(text);
  return Array.isArray(docs) ? docs : [];
}

function lineAtPath(text: string, doc: Document.Parsed, path: string): number | undefined {
  const segments = path.split(/\.|\[(\d+)\]/).filter((s) => s !== undefined && s !== '').map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  for (let n = segments.length; n > 0; n--) {
    const node = doc.getIn(segments.slice(0, n), true) as { range?: [number, number, number] } | undefined;
    if (node?.range) return lineOf(text, node.range[0]);
  }
  return undefined;
}

/** Every document of the text, with its form when it has one. */
export function readPolicyDocuments(text: string): PolicyDocument[] {
  return docsOf(text).map((doc, index) => {
    const start = doc.contents?.range?.[0] ?? doc.range[0];
    const line = lineOf(text, start);
    const base = { index, line, form: null };
    if (doc.errors.length > 0) {
      // What the document is still shows while it is broken (yaml keeps what it could read),
      // so the editor goes on naming the policy and points at the problem instead of losing it.
      const e = doc.errors[0]!;
      return { ...base, ...identityOf(doc.contents), problem: { line: e.linePos?.[0]?.line ?? line, message: yamlProblemText(e) } };
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      return { ...base, ...identityOf(doc.contents), problem: { line, message: `YAML: ${err instanceof Error ? err.message : String(err)}` } };
    }
    const { kind, name, namespace } = identityOf(doc.contents);
    if (kind !== 'NetworkPolicy' && kind !== 'PeerAuthentication') return { ...base, kind, name, namespace, problem: null };
    try {
      return { ...base, kind, name, namespace, form: objectToForm(value), problem: null };
    } catch (err) {
      if (!(err instanceof NoFormError)) throw err;
      return { ...base, kind, name, namespace, problem: { line: lineAtPath(text, doc, err.path) ?? line, message: err.message } };
    }
  });
}

/** kind, metadata.name and metadata.namespace as plain strings, read node by node (no toJS, which may throw). */
function identityOf(contents: unknown): { kind: string | null; name: string | null; namespace: string | null } {
  const str = (node: unknown) => (isScalar(node) && typeof node.value === 'string' ? node.value : null);
  if (!isMap(contents)) return { kind: null, name: null, namespace: null };
  const metadata = contents.get('metadata', true);
  return {
    kind: str(contents.get('kind', true)),
    name: isMap(metadata) ? str(metadata.get('name', true)) : null,
    namespace: isMap(metadata) ? str(metadata.get('namespace', true)) : null,
  };
}

const isPlain = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => same(x, b[i]));
  if (isPlain(a) && isPlain(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && same(a[k], b[k]));
  }
  return false;
}

const keyText = (k: unknown) => String(isScalar(k) ? k.value : k);

/**
 * Patches `node` (whose content the form rendered as `before`) so that it holds `after`.
 * Parts the form did not render (unknown fields, an explicit `ingress: []`) are left alone.
 */
function patch(doc: Document, node: unknown, before: unknown, after: unknown): unknown {
  if (same(before, after) && node !== undefined) return node;
  if (isMap(node) && isPlain(after)) {
    const prev = isPlain(before) ? before : {};
    const wasEmpty = node.items.length === 0;
    node.items = node.items.filter((pair) => {
      const k = keyText(pair.key);
      return Object.hasOwn(after, k) || !Object.hasOwn(prev, k);
    });
    for (const pair of node.items) {
      const k = keyText(pair.key);
      if (Object.hasOwn(after, k)) pair.value = patch(doc, pair.value, prev[k], after[k]) as Node;
    }
    const present = new Set(node.items.map((p) => keyText(p.key)));
    for (const [k, v] of Object.entries(after)) if (!present.has(k)) node.items.push(doc.createPair(k, v));
    // Keys in the form's order (label order is part of the form); fields it does not render last.
    const order = Object.keys(after);
    const rank = (pair: (typeof node.items)[number], i: number) => {
      const at = order.indexOf(keyText(pair.key));
      return at === -1 ? order.length + i : at;
    };
    const ranked = node.items.map((pair, i) => ({ pair, r: rank(pair, i) }));
    if (ranked.some((x, i) => i > 0 && x.r < ranked[i - 1]!.r)) node.items = ranked.sort((a, b) => a.r - b.r).map((x) => x.pair);
    if (wasEmpty && node.items.length > 0) node.flow = false;
    return node;
  }
  if (isSeq(node) && Array.isArray(after)) {
    const prev = Array.isArray(before) ? before : [];
    const wasEmpty = node.items.length === 0;
    node.items = node.items.slice(0, after.length);
    node.items = node.items.map((item, i) => patch(doc, item, prev[i], after[i]));
    for (let i = node.items.length; i < after.length; i++) node.items.push(doc.createNode(after[i]));
    if (wasEmpty && after.length > 0 && after.some((x) => typeof x === 'object' && x !== null)) node.flow = false;
    return node;
  }
  if (isScalar(node) && (after === null || typeof after !== 'object')) {
    // An empty string had to be quoted; once it holds text, let the writer choose the
    // plainest style again (a field typed key by key would otherwise stay "quoted").
    if (before === '' && node.type !== 'PLAIN') node.type = undefined;
    node.value = after;
    return node;
  }
  return doc.createNode(after);
}

function segmentBounds(text: string, docs: Document.Parsed[], index: number): [number, number] {
  const start = index === 0 ? 0 : docs[index - 1]!.range[2];
  return [start, docs[index]!.range[2]];
}

/**
 * The text with document `index` changed from what `before` rendered to `after`. Throws when
 * the document does not exist; never returns text that reads back as another form.
 */
export function applyFormToText(text: string, index: number, before: PolicyForm | null, after: PolicyForm): string {
  const docs = docsOf(text);
  const doc = docs[index];
  if (!doc) throw new Error(`there is no document ${index + 1}`);
  const [from, to] = segmentBounds(text, docs, index);
  const want = formToObject(after);
  let rendered: string | null = null;
  if (doc.errors.length === 0 && isMap(doc.contents)) {
    const copy = doc.clone();
    copy.contents = patch(copy, copy.contents, before ? formToObject(before) : {}, want) as typeof copy.contents;
    rendered = copy.toString(TO_STRING);
    if (!sameForm(rendered, after)) rendered = null;
  }
  if (rendered === null) {
    const lead = text.slice(from, to).startsWith('---') || index > 0 ? '---\n' : '';
    rendered = lead + stringify(want, TO_STRING);
  }
  // A document that ended without a newline must still be followed by the next one's `---`.
  if (to < text.length && !rendered.endsWith('\n')) rendered += '\n';
  return text.slice(0, from) + rendered + text.slice(to);
}

function sameForm(docText: string, form: PolicyForm): boolean {
  const docs = readPolicyDocuments(docText);
  return docs.length === 1 && docs[0]!.form !== null && same(docs[0]!.form, form);
}

/** The text with a new document for `form` at its end. */
export function appendFormToText(text: string, form: PolicyForm): string {
  const body = stringify(formToObject(form), TO_STRING);
  const trimmed = text.replace(/\s+$/, '');
  if (docsOf(text).every((d) => d.contents === null)) return `${trimmed ? `${trimmed}\n` : ''}${body}`;
  return `${trimmed}\n---\n${body}`;
}

/** The text without document `index`. */
export function removeDocument(text: string, index: number): string {
  const docs = docsOf(text);
  if (!docs[index]) throw new Error(`there is no document ${index + 1}`);
  const [from, to] = segmentBounds(text, docs, index);
  let rest = text.slice(0, from) + text.slice(to);
  // The document that now comes first needs no separator.
  if (index === 0) rest = rest.replace(/^---\s*\n/, '');
  return rest;
}
