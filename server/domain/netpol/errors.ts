// Structured problems found while reading manifests: never thrown, always returned, so a
// console page or the CLI can show every problem at once with the object and field it is in.

export interface ObjectRef {
  kind: string;
  namespace?: string;
  name?: string;
  /** Where the object came from (a file path, "scenario.policies[2]"), when known. */
  source?: string;
}

export interface Problem {
  severity: 'error' | 'warning';
  object: ObjectRef;
  /** JSON path inside the object, e.g. `spec.ingress[0].from[1].ipBlock.except[0]`. */
  path: string;
  message: string;
}

export function describeObject(ref: ObjectRef): string {
  const where = ref.namespace ? `${ref.namespace}/${ref.name ?? '?'}` : (ref.name ?? '?');
  return `${ref.kind} ${where}${ref.source ? ` (${ref.source})` : ''}`;
}

export function formatProblem(p: Problem): string {
  return `${p.severity}: ${describeObject(p.object)}: ${p.path || '<root>'}: ${p.message}`;
}

/** Builds `a.b[0].c` paths the way Kubernetes field errors print them. */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return parent ? `${parent}.${key}` : key;
}
