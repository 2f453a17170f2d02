// Kubernetes label selectors (metav1.LabelSelector): validation with the API server's rules
// and matching with its semantics, shared by pod and namespace selectors.
import { childPath } from './errors';

export type SelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

export interface LabelSelectorRequirement {
  key: string;
  operator: SelectorOperator;
  values: string[];
}

/** A validated selector. An empty one (no labels, no expressions) selects everything. */
export interface LabelSelector {
  matchLabels: Record<string, string>;
  matchExpressions: LabelSelectorRequirement[];
}

export type Labels = Readonly<Record<string, string>>;

export const EMPTY_SELECTOR: LabelSelector = Object.freeze({ matchLabels: {}, matchExpressions: [] }) as LabelSelector;

export function isEmptySelector(s: LabelSelector): boolean {
  return s.matchExpressions.length === 0 && Object.keys(s.matchLabels).length === 0;
}

export function matchesSelector(selector: LabelSelector, labels: Labels): boolean {
  for (const key in selector.matchLabels) {
    if (!Object.hasOwn(labels, key) || labels[key] !== selector.matchLabels[key]) return false;
  }
  for (const req of selector.matchExpressions) {
    const has = Object.hasOwn(labels, req.key);
    switch (req.operator) {
      case 'In':
        if (!has || !req.values.includes(labels[req.key]!)) return false;
        break;
      case 'NotIn':
        // An absent key satisfies NotIn: the pod has no value that is in the set.
        if (has && req.values.includes(labels[req.key]!)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
    }
  }
  return true;
}

export function formatSelector(s: LabelSelector): string {
  if (isEmptySelector(s)) return '{} (everything)';
  const parts = Object.entries(s.matchLabels).map(([k, v]) => `${k}=${v}`);
  for (const r of s.matchExpressions) {
    if (r.operator === 'Exists') parts.push(r.key);
    else if (r.operator === 'DoesNotExist') parts.push(`!${r.key}`);
    else parts.push(`${r.key} ${r.operator === 'In' ? 'in' : 'notin'} (${r.values.join(',')})`);
  }
  return parts.join(',');
}

// ---- validation (apimachinery's ValidateLabelSelector / IsQualifiedName / IsValidLabelValue) ----

const NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

export function isDns1123Subdomain(v: string): boolean {
  return v.length > 0 && v.length <= 253 && DNS1123_SUBDOMAIN.test(v);
}

export function isDns1123Label(v: string): boolean {
  return v.length > 0 && v.length <= 63 && DNS1123_LABEL.test(v);
}

/** Returns why `key` is not a valid label key, or null. */
export function labelKeyProblem(key: string): string | null {
  const slash = key.split('/');
  if (slash.length > 2) return `label key ${JSON.stringify(key)} must be a qualified name: an optional DNS subdomain prefix and '/', then a name`;
  const name = slash.length === 2 ? slash[1]! : slash[0]!;
  if (slash.length === 2) {
    const prefix = slash[0]!;
    if (!isDns1123Subdomain(prefix)) return `label key prefix ${JSON.stringify(prefix)} must be a lowercase DNS subdomain`;
  }
  if (name.length === 0) return `label key ${JSON.stringify(key)} has an empty name part`;
  if (name.length > 63) return `label key name part must be no more than 63 characters`;
  if (!NAME_PART.test(name)) {
    return `label key name ${JSON.stringify(name)} must consist of alphanumerics, '-', '_' or '.', and start and end with an alphanumeric`;
  }
  return null;
}

export function labelValueProblem(value: string): string | null {
  if (value.length > 63) return 'label value must be no more than 63 characters';
  if (!LABEL_VALUE.test(value)) {
    return `label value ${JSON.stringify(value)} must be empty or consist of alphanumerics, '-', '_' or '.', and start and end with an alphanumeric`;
  }
  return null;
}

export interface FieldProblem {
  severity: 'error' | 'warning';
  path: string;
  message: string;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const OPERATORS: readonly string[] = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

/**
 * Reads a selector from untrusted input. `null`/`undefined` input is the caller's concern
 * (absent means different things in different places); here it must be an object.
 */
export function readLabelSelector(raw: unknown, path: string, problems: FieldProblem[]): LabelSelector {
  const out: LabelSelector = { matchLabels: {}, matchExpressions: [] };
  if (!isPlainObject(raw)) {
    problems.push({ severity: 'error', path, message: 'must be a label selector object' });
    return out;
  }
  for (const key of Object.keys(raw)) {
    if (key !== 'matchLabels' && key !== 'matchExpressions') {
      problems.push({ severity: 'warning', path: childPath(path, key), message: 'unknown field, ignored' });
    }
  }
  const ml = raw.matchLabels;
  if (ml !== undefined && ml !== null) {
    if (!isPlainObject(ml)) {
      problems.push({ severity: 'error', path: childPath(path, 'matchLabels'), message: 'must be a map of string to string' });
    } else {
      for (const [k, v] of Object.entries(ml)) {
        const p = childPath(childPath(path, 'matchLabels'), k);
        const keyProblem = labelKeyProblem(k);
        if (keyProblem) problems.push({ severity: 'error', path: p, message: keyProblem });
        if (typeof v !== 'string') {
          problems.push({ severity: 'error', path: p, message: `label value must be a string (got ${JSON.stringify(v)}; quote it in YAML)` });
          continue;
        }
        const valueProblem = labelValueProblem(v);
        if (valueProblem) problems.push({ severity: 'error', path: p, message: valueProblem });
        out.matchLabels[k] = v;
      }
    }
  }
  const me = raw.matchExpressions;
  if (me !== undefined && me !== null) {
    if (!Array.isArray(me)) {
      problems.push({ severity: 'error', path: childPath(path, 'matchExpressions'), message: 'must be a list' });
    } else {
      me.forEach((r: unknown, i: number) => {
        const rp = childPath(childPath(path, 'matchExpressions'), i);
        const req = readRequirement(r, rp, problems);
        if (req) out.matchExpressions.push(req);
      });
    }
  }
  return out;
}

function readRequirement(raw: unknown, path: string, problems: FieldProblem[]): LabelSelectorRequirement | null {
  if (!isPlainObject(raw)) {
    problems.push({ severity: 'error', path, message: 'must be an object with key, operator and values' });
    return null;
  }
  let ok = true;
  const key = raw.key;
  if (typeof key !== 'string' || key === '') {
    problems.push({ severity: 'error', path: childPath(path, 'key'), message: 'required: a label key' });
    ok = false;
  } else {
    const kp = labelKeyProblem(key);
    if (kp) {
      problems.push({ severity: 'error', path: childPath(path, 'key'), message: kp });
      ok = false;
    }
  }
  const op = raw.operator;
  if (typeof op !== 'string' || !OPERATORS.includes(op)) {
    problems.push({
      severity: 'error',
      path: childPath(path, 'operator'),
      message: `${JSON.stringify(op ?? null)} is not a valid selector operator (In, NotIn, Exists, DoesNotExist)`,
    });
    ok = false;
  }
  const values: string[] = [];
  const rawValues = raw.values;
  if (rawValues !== undefined && rawValues !== null) {
    if (!Array.isArray(rawValues)) {
      problems.push({ severity: 'error', path: childPath(path, 'values'), message: 'must be a list of strings' });
      ok = false;
    } else {
      rawValues.forEach((v: unknown, i: number) => {
        const vp = childPath(childPath(path, 'values'), i);
        if (typeof v !== 'string') {
          problems.push({ severity: 'error', path: vp, message: `must be a string (got ${JSON.stringify(v)})` });
          ok = false;
          return;
        }
        const valueProblem = labelValueProblem(v);
        if (valueProblem) {
          problems.push({ severity: 'error', path: vp, message: valueProblem });
          ok = false;
        }
        values.push(v);
      });
    }
  }
  if ((op === 'In' || op === 'NotIn') && values.length === 0 && (!Array.isArray(rawValues) || rawValues.length === 0)) {
    problems.push({ severity: 'error', path: childPath(path, 'values'), message: `must be specified when operator is ${op}` });
    ok = false;
  }
  if ((op === 'Exists' || op === 'DoesNotExist') && Array.isArray(rawValues) && rawValues.length > 0) {
    problems.push({ severity: 'error', path: childPath(path, 'values'), message: `may not be specified when operator is ${op}` });
    ok = false;
  }
  for (const k of Object.keys(raw)) {
    if (k !== 'key' && k !== 'operator' && k !== 'values') {
      problems.push({ severity: 'warning', path: childPath(path, k), message: 'unknown field, ignored' });
    }
  }
  return ok ? { key: key as string, operator: op as SelectorOperator, values } : null;
}
