// Benchmark of the RBAC engine on a generated cluster of 10,000 bindings and 5,000 roles:
// canI per call after indexing, whoCan per query, and the semantic diff of a one-binding change.
// Run: npx tsx bench/rbac.bench.ts [--strict]   (--strict exits 1 when a budget is missed)
import {
  buildRbacIndex,
  canI,
  effectivePermissions,
  riskFindings,
  semanticDiff,
  semanticDiffObjects,
  validateDocuments,
  whoCan,
  type RbacObject,
  type RequestAttributes,
  type RequestSubject,
} from '../server/domain/rbac/index';

const V1 = 'rbac.authorization.k8s.io/v1';
const NAMESPACES = 250;
const CLUSTER_ROLES = 1_000;
const ROLES = 4_000;
const CLUSTER_BINDINGS = 1_500;
const ROLE_BINDINGS = 8_500;
const USERS = 4_000;
const GROUPS = 400;

// A fixed-seed generator, so every run measures the same cluster.
let seed = 42;
function rand(): number {
  seed = (seed * 1664525 + 1013904223) >>> 0;
  return seed / 2 ** 32;
}
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const pickSome = <T>(xs: readonly T[], max: number): T[] => [...new Set(Array.from({ length: 1 + Math.floor(rand() * max) }, () => pick(xs)))];

const namespaces = Array.from({ length: NAMESPACES }, (_, i) => `tenant-${i}`);
const verbs = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];
const resourcesByGroup: Record<string, string[]> = {
  '': ['pods', 'pods/log', 'pods/exec', 'services', 'configmaps', 'secrets', 'endpoints', 'persistentvolumeclaims', 'serviceaccounts', 'events'],
  apps: ['deployments', 'deployments/scale', 'statefulsets', 'daemonsets', 'replicasets'],
  batch: ['jobs', 'cronjobs'],
  'networking.k8s.io': ['ingresses', 'networkpolicies'],
  'example.com': ['widgets', 'gadgets', 'widgets/status'],
};
const groups = Object.keys(resourcesByGroup);

function rule() {
  const r = rand();
  if (r < 0.03) return { verbs: ['*'], apiGroups: [pick(groups)], resources: ['*'] };
  const apiGroup = pick(groups);
  const out: Record<string, string[]> = { verbs: pickSome(verbs, 4), apiGroups: [apiGroup], resources: pickSome(resourcesByGroup[apiGroup]!, 3) };
  if (r > 0.9) out.resourceNames = [`obj-${Math.floor(rand() * 50)}`];
  return out;
}
const rules = () => Array.from({ length: 1 + Math.floor(rand() * 5) }, rule);

const userName = (i: number) => `user-${i}@example.com`;
function subject() {
  const r = rand();
  if (r < 0.5) return { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: userName(Math.floor(rand() * USERS)) };
  if (r < 0.75) return { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: `group-${Math.floor(rand() * GROUPS)}` };
  return { kind: 'ServiceAccount', namespace: pick(namespaces), name: `sa-${Math.floor(rand() * 20)}` };
}
const subjects = () => Array.from({ length: 1 + Math.floor(rand() * 3) }, subject);

function generate(): unknown[] {
  const raws: unknown[] = [];
  for (let i = 0; i < CLUSTER_ROLES; i++) {
    // Every 50th ClusterRole aggregates the ones labelled for it, as admin/edit/view do.
    if (i % 50 === 0) {
      raws.push({ apiVersion: V1, kind: 'ClusterRole', metadata: { name: `cr-${i}` }, aggregationRule: { clusterRoleSelectors: [{ matchLabels: { 'aggregate-to': `cr-${i}` } }] } });
    } else {
      raws.push({ apiVersion: V1, kind: 'ClusterRole', metadata: { name: `cr-${i}`, labels: { 'aggregate-to': `cr-${Math.floor(i / 50) * 50}` } }, rules: rules() });
    }
  }
  for (let i = 0; i < ROLES; i++) raws.push({ apiVersion: V1, kind: 'Role', metadata: { name: `role-${i}`, namespace: namespaces[i % NAMESPACES] }, rules: rules() });
  for (let i = 0; i < CLUSTER_BINDINGS; i++) {
    raws.push({ apiVersion: V1, kind: 'ClusterRoleBinding', metadata: { name: `crb-${i}` }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: `cr-${Math.floor(rand() * CLUSTER_ROLES)}` }, subjects: subjects() });
  }
  for (let i = 0; i < ROLE_BINDINGS; i++) {
    const ns = namespaces[i % NAMESPACES]!;
    const toRole = rand() < 0.7;
    const roleRef = toRole
      ? { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: `role-${(i % NAMESPACES) + NAMESPACES * Math.floor(rand() * (ROLES / NAMESPACES))}` }
      : { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: `cr-${Math.floor(rand() * CLUSTER_ROLES)}` };
    raws.push({ apiVersion: V1, kind: 'RoleBinding', metadata: { name: `rb-${i}`, namespace: ns }, roleRef, subjects: subjects() });
  }
  return raws;
}

const groupNames = Array.from({ length: GROUPS }, (_, i) => `group-${i}`);
function requestSubject(): RequestSubject {
  return rand() < 0.7
    ? { kind: 'User', name: userName(Math.floor(rand() * USERS)), groups: pickSome(groupNames, 3) }
    : { kind: 'ServiceAccount', namespace: pick(namespaces), name: `sa-${Math.floor(rand() * 20)}` };
}
function request(): RequestAttributes {
  const apiGroup = pick(groups);
  const resource = pick(resourcesByGroup[apiGroup]!);
  return { verb: pick(verbs), apiGroup, resource, namespace: rand() < 0.9 ? pick(namespaces) : '', name: rand() < 0.5 ? `obj-${Math.floor(rand() * 50)}` : '' };
}

function time<T>(fn: () => T): [T, number] {
  const t0 = performance.now();
  const result = fn();
  return [result, performance.now() - t0];
}
function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
}
const ms = (x: number) => `${x.toFixed(x < 10 ? 2 : 1)} ms`;

const rows: [string, string, string, boolean | null][] = [];
const report = (what: string, value: string, budget: string, ok: boolean | null) => rows.push([what, value, budget, ok]);

const raws = generate();
const [parsed, tParse] = time(() => validateDocuments(raws.map((value, document) => ({ value, location: { source: 'bench', document } }))));
if (parsed.issues.some((i) => i.severity === 'error')) throw new Error('generated objects are invalid');
const objects: RbacObject[] = parsed.objects;
const counts = { roles: objects.filter((o) => o.kind === 'Role' || o.kind === 'ClusterRole').length, bindings: objects.filter((o) => o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding').length };
report('validate objects', ms(tParse), '', null);

// The machine this runs on is shared, so one-off timings are reported as the median of several runs.
const medianOf = (runs: number[]) => [...runs].sort((a, b) => a - b)[Math.floor(runs.length / 2)]!;
buildRbacIndex(objects);
const indexRuns: number[] = [];
let index = buildRbacIndex(objects);
for (let i = 0; i < 5; i++) {
  const [built, t] = time(() => buildRbacIndex(objects));
  index = built;
  indexRuns.push(t);
}
report('build index (median of 5)', `${ms(medianOf(indexRuns))} (min ${ms(Math.min(...indexRuns))})`, '', null);

// canI: batches of 1,000 calls, so timer resolution does not dominate.
const queries = Array.from({ length: 200_000 }, () => [requestSubject(), request()] as const);
let allowed = 0;
for (const [s, a] of queries.slice(0, 20_000)) canI(index, s, a);
const batchUs: number[] = [];
const tCanI0 = performance.now();
for (let b = 0; b < queries.length; b += 1000) {
  const t0 = performance.now();
  for (let i = b; i < b + 1000; i++) if (canI(index, queries[i]![0], queries[i]![1]).allowed) allowed++;
  batchUs.push(((performance.now() - t0) * 1000) / 1000);
}
const canIUs = ((performance.now() - tCanI0) * 1000) / queries.length;
batchUs.sort((a, b) => a - b);
report(`canI (${queries.length.toLocaleString('en')} calls, ${((100 * allowed) / queries.length).toFixed(1)}% allowed)`, `${canIUs.toFixed(2)} µs/call (batch p99 ${percentile(batchUs, 99).toFixed(2)} µs)`, '< 20 µs', canIUs < 20);

// whoCan: namespaced and cluster-wide questions.
const whoQueries = Array.from({ length: 300 }, request);
for (const q of whoQueries.slice(0, 30)) whoCan(index, q);
const whoTimes = whoQueries.map((q) => time(() => whoCan(index, q))[1]).sort((a, b) => a - b);
const whoMean = whoTimes.reduce((a, b) => a + b, 0) / whoTimes.length;
report(`whoCan (${whoQueries.length} queries)`, `mean ${ms(whoMean)}, p99 ${ms(percentile(whoTimes, 99))}, max ${ms(whoTimes.at(-1)!)}`, '< 50 ms', whoMean < 50);

// Semantic diff of a one-binding change: one RoleBinding gains a subject and points at another role.
const target = objects.findIndex((o) => o.kind === 'RoleBinding' && o.name === 'rb-4242');
const changed = objects.slice();
const old = objects[target]! as Extract<RbacObject, { kind: 'RoleBinding' }>;
changed[target] = { ...old, roleRef: { kind: 'ClusterRole', name: 'cr-0' }, subjects: [...old.subjects, { kind: 'User', name: 'new-approver@example.com' }] };
// The console builds the after set from the before set, so unchanged roles are the same objects.
const afterRuns: number[] = [];
let afterIndex = buildRbacIndex(changed, { reuse: index });
for (let i = 0; i < 5; i++) {
  const [built, t] = time(() => buildRbacIndex(changed, { reuse: index }));
  afterIndex = built;
  afterRuns.push(t);
}
const tAfterIndex = medianOf(afterRuns);
semanticDiff(index, afterIndex);
const diffTimes = Array.from({ length: 20 }, () => time(() => semanticDiff(index, afterIndex))[1]).sort((a, b) => a - b);
const diff = semanticDiff(index, afterIndex);
const diffMedian = percentile(diffTimes, 50);
report(
  `semantic diff, one binding changed (${diff.subjects.length} subjects, ${diff.subjects.reduce((n, s) => n + s.gained.length + s.lost.length, 0)} permission changes)`,
  `median ${ms(diffMedian)}, max ${ms(diffTimes.at(-1)!)} of 20`,
  '< 100 ms',
  diffMedian < 100,
);
report('  … plus indexing the whole after set (reusing compiled roles)', ms(tAfterIndex + diffMedian), '', null);
semanticDiffObjects(index, changed);
const fromObjects = Array.from({ length: 20 }, () => time(() => semanticDiffObjects(index, changed))[1]);
report('semantic diff from the after objects (semanticDiffObjects), median of 20', `${ms(medianOf(fromObjects))} (max ${ms(Math.max(...fromObjects))})`, '< 100 ms', medianOf(fromObjects) < 100);

// For context: a widely used ClusterRole changing touches every subject bound to it.
const roleTarget = objects.findIndex((o) => o.kind === 'ClusterRole' && o.name === 'cr-7');
const roleChanged = objects.slice();
roleChanged[roleTarget] = { ...(objects[roleTarget] as Extract<RbacObject, { kind: 'ClusterRole' }>), rules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'], resourceNames: [], nonResourceURLs: [] }] };
const roleIndex = buildRbacIndex(roleChanged, { reuse: index });
const [roleDiff, tRoleDiff] = time(() => semanticDiff(index, roleIndex));
report(`semantic diff, one ClusterRole changed (${roleDiff.subjects.length} subjects)`, ms(tRoleDiff), '', null);

// A user in eight groups, so the matrix has something to merge.
const someone: RequestSubject = { kind: 'User', name: userName(7), groups: groupNames.slice(0, 8) };
const [perms, tPerms] = time(() => effectivePermissions(index, someone));
report(`effectivePermissions, all namespaces (${perms.rows.length} rows)`, ms(tPerms), '', null);
const [findings, tFindings] = time(() => riskFindings(index));
report(`riskFindings (${findings.length} findings)`, ms(tFindings), '', null);

console.log(`RBAC engine benchmark: ${counts.roles.toLocaleString('en')} roles, ${counts.bindings.toLocaleString('en')} bindings, ${NAMESPACES} namespaces, node ${process.version}\n`);
const width = Math.max(...rows.map((r) => r[0].length));
const vwidth = Math.max(...rows.map((r) => r[1].length));
for (const [what, value, budget, ok] of rows) {
  console.log(`${what.padEnd(width)}  ${value.padEnd(vwidth)}  ${budget ? `${budget.padEnd(9)} ${ok ? 'ok' : 'MISSED'}` : ''}`);
}
const missed = rows.some((r) => r[3] === false);
if (missed && process.argv.includes('--strict')) process.exitCode = 1;
