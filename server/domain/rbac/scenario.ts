// RBAC scenarios: a set of objects plus expected can-i answers, the format `verity rbac test`
// reads and the fixtures use, checked against the engine.
import { z } from 'zod';
import { canI, type AllowedBy } from './can-i';
import { buildRbacIndex, type BindingProblem } from './index-bindings';
import { decodeManifestText, hasErrors, validateDocuments } from './parse-objects';
import { RequestAttributes } from './rule-matches';
import { RequestSubject } from './subject';
import type { ValidationIssue } from './validate-object';

export const ScenarioCheck = RequestAttributes.extend({
  subject: RequestSubject,
  expect: z.boolean(),
}).refine((c) => (c.nonResourceURL === undefined) !== (c.resource === undefined), {
  message: 'a check needs exactly one of resource and nonResourceURL',
});
export type ScenarioCheck = z.infer<typeof ScenarioCheck>;

export const Scenario = z.object({
  objects: z.array(z.unknown()),
  checks: z.array(ScenarioCheck),
});
export type Scenario = z.infer<typeof Scenario>;

export type CheckResult = {
  index: number;
  check: ScenarioCheck;
  allowed: boolean;
  pass: boolean;
  reason: string;
  allowedBy?: AllowedBy;
};

export type ScenarioResult =
  | { valid: true; results: CheckResult[]; failed: number; problems: BindingProblem[]; warnings: ValidationIssue[] }
  | { valid: false; issues: ValidationIssue[] };

function zodIssues(error: z.ZodError, source: string): ValidationIssue[] {
  return error.issues.map((i) => ({
    severity: 'error' as const,
    object: { kind: 'Scenario' },
    path: i.path.map((p, n) => (typeof p === 'number' ? `[${p}]` : `${n === 0 ? '' : '.'}${String(p)}`)).join(''),
    message: i.message,
    location: { source, document: 0 },
  }));
}

/** Runs an already-decoded scenario document. */
export function runScenario(value: unknown, source = 'scenario'): ScenarioResult {
  const parsed = Scenario.safeParse(value);
  if (!parsed.success) return { valid: false, issues: zodIssues(parsed.error, source) };
  const documents = parsed.data.objects.flatMap((o, i) => {
    const rec = o as { kind?: unknown; items?: unknown };
    if (typeof rec === 'object' && rec !== null && typeof rec.kind === 'string' && rec.kind.endsWith('List') && Array.isArray(rec.items)) {
      return rec.items.map((item, j) => ({ value: item, location: { source, document: i, item: j } }));
    }
    return [{ value: o, location: { source, document: i } }];
  });
  const objects = validateDocuments(documents);
  if (hasErrors(objects.issues)) return { valid: false, issues: objects.issues };
  const index = buildRbacIndex(objects.objects);
  const results = parsed.data.checks.map((check, i): CheckResult => {
    const { subject, expect, ...attrs } = check;
    const answer = canI(index, subject, attrs);
    return {
      index: i,
      check,
      allowed: answer.allowed,
      pass: answer.allowed === expect,
      reason: answer.reason,
      ...(answer.allowedBy ? { allowedBy: answer.allowedBy } : {}),
    };
  });
  return {
    valid: true,
    results,
    failed: results.filter((r) => !r.pass).length,
    problems: index.problems,
    warnings: objects.issues,
  };
}

/** Decodes scenario text (YAML or JSON) and runs it. */
export function runScenarioText(text: string, source: string): ScenarioResult {
  const decoded = decodeManifestText(text, source);
  if (decoded.issues.length > 0) return { valid: false, issues: decoded.issues };
  const docs = decoded.documents;
  if (docs.length !== 1 || docs[0]!.location.item !== undefined) {
    return {
      valid: false,
      issues: [{ severity: 'error', object: { kind: 'Scenario' }, path: '', message: 'a scenario file holds exactly one document with `objects` and `checks`', location: { source, document: 0 } }],
    };
  }
  return runScenario(docs[0]!.value, source);
}

export function describeCheck(c: ScenarioCheck): string {
  const who = c.subject.kind === 'ServiceAccount' ? `ServiceAccount ${c.subject.namespace}/${c.subject.name}` : `${c.subject.kind} ${c.subject.name}`;
  if (c.nonResourceURL !== undefined) return `${who} ${c.verb} ${c.nonResourceURL}`;
  const group = c.apiGroup ? `.${c.apiGroup}` : '';
  const res = c.subresource ? `${c.resource}${group}/${c.subresource}` : c.resource!.includes('/') ? c.resource!.replace('/', `${group}/`) : `${c.resource}${group}`;
  return `${who} ${c.verb} ${res}${c.name ? ` ${c.name}` : ''}${c.namespace ? ` -n ${c.namespace}` : ' (cluster-wide)'}`;
}
