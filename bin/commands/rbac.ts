// `verity rbac ...`: the RBAC engine on manifest files, for people and for CI. Exit codes
// follow `kubectl auth can-i`: 0 yes / all checks hold, 1 no / a check failed, 2 invalid input.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import {
  buildRbacIndex,
  canI,
  describeCheck,
  effectivePermissions,
  formatPermission,
  riskFindings,
  semanticDiffObjects,
  formatIssue,
  formatObjectRef,
  formatSubject,
  hasErrors,
  parseRbacObjects,
  resolveResourceArg,
  runScenarioText,
  whoCan,
  type ManifestInput,
  type ParsedObjects,
  type RequestAttributes,
  type RequestSubject,
  type Severity,
} from '../../server/domain/rbac/index';

const EXIT_YES = 0;
const EXIT_NO = 1;
const EXIT_INVALID = 2;

/** Raised for bad input; the action wrapper prints it and exits 2. */
class InvalidInput extends Error {}

const MANIFEST_FILE = /\.(ya?ml|json)$/i;

function readManifests(path: string): ManifestInput[] {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    throw new InvalidInput(`cannot read ${path}: no such file or directory`);
  }
  if (stat.isFile()) return [{ source: path, text: readFileSync(path, 'utf8') }];
  if (!stat.isDirectory()) throw new InvalidInput(`${path} is neither a file nor a directory`);
  return readdirSync(path, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((e) => {
      const p = join(path, e.name);
      if (e.isDirectory()) return readManifests(p);
      return e.isFile() && MANIFEST_FILE.test(e.name) ? [{ source: p, text: readFileSync(p, 'utf8') }] : [];
    });
}

function loadObjects(paths: string[]): ParsedObjects {
  if (paths.length === 0) throw new InvalidInput('--objects PATH is required');
  const parsed = parseRbacObjects(paths.flatMap(readManifests));
  for (const issue of parsed.issues) process.stderr.write(`${formatIssue(issue)}\n`);
  if (hasErrors(parsed.issues)) throw new InvalidInput('invalid RBAC objects (see above); no answer is given on a partial set');
  return parsed;
}

type RequestOpts = { namespace?: string; apiGroup?: string };

function requestFrom(verb: string, target: string, name: string | undefined, opts: RequestOpts): RequestAttributes {
  if (target.startsWith('/')) {
    if (name !== undefined) throw new InvalidInput('a non-resource URL takes no NAME');
    if (opts.namespace) throw new InvalidInput('a non-resource URL is not namespaced; drop -n');
    return { verb, nonResourceURL: target };
  }
  const r = resolveResourceArg(target, opts.apiGroup);
  if (r.resource === '') throw new InvalidInput(`no resource in ${JSON.stringify(target)}`);
  return { verb, apiGroup: r.apiGroup, resource: r.resource, subresource: r.subresource, ...(opts.namespace ? { namespace: opts.namespace } : {}), ...(name ? { name } : {}) };
}

function subjectFrom(opts: { as?: string; asGroup: string[]; asSa?: string }): RequestSubject {
  if (opts.asSa !== undefined) {
    if (opts.as !== undefined) throw new InvalidInput('use either --as or --as-sa, not both');
    const m = /^([^/]+)\/([^/]+)$/.exec(opts.asSa);
    if (!m) throw new InvalidInput(`--as-sa takes NAMESPACE/NAME, got ${JSON.stringify(opts.asSa)}`);
    if (opts.asGroup.length > 0) throw new InvalidInput('--as-group applies to --as users; a service account has its own groups');
    return { kind: 'ServiceAccount', namespace: m[1]!, name: m[2]! };
  }
  if (opts.as === undefined || opts.as === '') throw new InvalidInput('say who is asking: --as USER or --as-sa NAMESPACE/NAME');
  return { kind: 'User', name: opts.as, groups: opts.asGroup };
}

function describeRequest(a: RequestAttributes): string {
  if (a.nonResourceURL !== undefined) return `${a.verb} ${a.nonResourceURL}`;
  const res = `${a.resource}${a.apiGroup ? `.${a.apiGroup}` : ''}${a.subresource ? `/${a.subresource}` : ''}`;
  return `${a.verb} ${res}${a.name ? ` ${a.name}` : ''}${a.namespace ? ` in namespace ${a.namespace}` : ' cluster-wide'}`;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

const formatOption = () => new Option('--format <format>', 'output format').choices(['text', 'json']).default('text');

/** Runs an action, mapping bad input to exit 2 and printing the reason. */
function run(action: () => number): void {
  // Piped into `head`, the reader may leave early; that is not an error worth a stack trace.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
  let code: number;
  try {
    code = action();
  } catch (err) {
    if (!(err instanceof InvalidInput)) throw err;
    process.stderr.write(`error: ${err.message}\n`);
    code = EXIT_INVALID;
  }
  process.exitCode = code;
}

function exitInvalidOnUsageError(cmd: Command): Command {
  return cmd.exitOverride((err: CommanderError) => {
    process.exit(err.exitCode === 0 ? 0 : EXIT_INVALID);
  });
}

export function register(program: Command) {
  const rbac = program.command('rbac').description('Kubernetes RBAC on manifest files: can-i, who-can, scenario tests, permissions, findings, diff');

  exitInvalidOnUsageError(
    rbac
      .command('can-i')
      .description('whether a user or service account may make a request (exit 0 yes, 1 no, 2 invalid input)')
      .argument('<verb>', 'verb, e.g. get, list, create')
      .argument('<resource>', 'RESOURCE[.GROUP][/SUBRESOURCE] (pods, deployments.apps, pods/exec) or a non-resource URL (/healthz)')
      .argument('[name]', 'resource name')
      .option('--objects <path>', 'manifest file or directory (JSON or YAML); repeatable', collect, [] as string[])
      .option('--as <user>', 'user name (system:serviceaccount:NS:NAME works too)')
      .option('--as-group <group>', 'group of the --as user; repeatable', collect, [] as string[])
      .option('--as-sa <ns/name>', 'service account NAMESPACE/NAME')
      .option('-n, --namespace <namespace>', 'namespace of the request; without it the request is cluster-wide')
      .option('--api-group <group>', 'API group of the resource, when RESOURCE.GROUP is not used')
      .addOption(formatOption()),
  ).action((verb: string, target: string, name: string | undefined, opts: { objects: string[]; as?: string; asGroup: string[]; asSa?: string; namespace?: string; apiGroup?: string; format: string }) =>
    run(() => {
      const subject = subjectFrom(opts);
      const attrs = requestFrom(verb, target, name, opts);
      const index = buildRbacIndex(loadObjects(opts.objects).objects);
      const answer = canI(index, subject, attrs);
      if (opts.format === 'json') {
        process.stdout.write(`${JSON.stringify({ subject, request: attrs, ...answer }, null, 2)}\n`);
      } else {
        process.stdout.write(`${answer.allowed ? 'yes' : 'no'}\n${answer.reason}\n`);
        for (const p of answer.missingRoles) process.stderr.write(`warning: ${formatObjectRef(p.binding)} ${p.message}\n`);
      }
      return answer.allowed ? EXIT_YES : EXIT_NO;
    }),
  );

  exitInvalidOnUsageError(
    rbac
      .command('who-can')
      .description('every user, group and service account allowed a request')
      .argument('<verb>', 'verb')
      .argument('<resource>', 'RESOURCE[.GROUP][/SUBRESOURCE] or a non-resource URL')
      .argument('[name]', 'resource name')
      .option('--objects <path>', 'manifest file or directory (JSON or YAML); repeatable', collect, [] as string[])
      .option('-n, --namespace <namespace>', 'namespace of the request; without it the request is cluster-wide')
      .option('--api-group <group>', 'API group of the resource')
      .addOption(formatOption()),
  ).action((verb: string, target: string, name: string | undefined, opts: { objects: string[]; namespace?: string; apiGroup?: string; format: string }) =>
    run(() => {
      const attrs = requestFrom(verb, target, name, opts);
      const result = whoCan(buildRbacIndex(loadObjects(opts.objects).objects), attrs);
      if (opts.format === 'json') {
        process.stdout.write(`${JSON.stringify({ request: attrs, ...result }, null, 2)}\n`);
        return EXIT_YES;
      }
      process.stdout.write(`Who can ${describeRequest(attrs)}:\n`);
      if (result.subjects.length === 0) process.stdout.write('  nobody\n');
      for (const entry of result.subjects) {
        const via = entry.grants.map((g) => `${formatObjectRef(g.binding)} -> ${formatObjectRef(g.role)} rule ${g.ruleIndex}`).join('; ');
        process.stdout.write(`  ${formatSubject(entry.subject)}  (via ${via})\n`);
      }
      for (const p of result.missingRoles) process.stdout.write(`warning: ${formatObjectRef(p.binding)} ${p.message}\n`);
      return EXIT_YES;
    }),
  );

  exitInvalidOnUsageError(
    rbac
      .command('test')
      .description('check a scenario of objects and expected can-i answers (exit 0 all hold, 1 some do not, 2 invalid input)')
      .argument('<scenario>', 'scenario file (YAML or JSON) with `objects` and `checks`')
      .addOption(formatOption()),
  ).action((path: string, opts: { format: string }) =>
    run(() => {
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch {
        throw new InvalidInput(`cannot read ${path}`);
      }
      const result = runScenarioText(text, path);
      if (!result.valid) {
        if (opts.format === 'json') process.stdout.write(`${JSON.stringify({ valid: false, issues: result.issues }, null, 2)}\n`);
        else for (const issue of result.issues) process.stderr.write(`${formatIssue(issue)}\n`);
        return EXIT_INVALID;
      }
      if (opts.format === 'json') {
        process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      } else {
        for (const r of result.results.filter((x) => !x.pass)) {
          const expected = r.check.expect ? 'allowed' : 'denied';
          process.stdout.write(`FAIL check ${r.index + 1}: ${describeCheck(r.check)}: expected ${expected}, got ${r.allowed ? 'allowed' : 'denied'}\n  ${r.reason}\n`);
        }
        for (const p of result.problems) process.stdout.write(`warning: ${formatObjectRef(p.binding)} ${p.message}\n`);
        const total = result.results.length;
        process.stdout.write(`${total} checks: ${total - result.failed} hold, ${result.failed} do not\n`);
      }
      return result.failed === 0 ? EXIT_YES : EXIT_NO;
    }),
  );
  exitInvalidOnUsageError(
    rbac
      .command('permissions')
      .description("a subject's effective permissions as a verbs x resources matrix")
      .option('--objects <path>', 'manifest file or directory (JSON or YAML); repeatable', collect, [] as string[])
      .option('--as <user>', 'user name')
      .option('--as-group <group>', 'group of the --as user; repeatable', collect, [] as string[])
      .option('--as-sa <ns/name>', 'service account NAMESPACE/NAME')
      .option('-n, --namespace <namespace>', 'only what applies in this namespace (default: cluster-wide and every namespace)')
      .addOption(formatOption()),
  ).action((opts: { objects: string[]; as?: string; asGroup: string[]; asSa?: string; namespace?: string; format: string }) =>
    run(() => {
      const subject = subjectFrom(opts);
      const p = effectivePermissions(buildRbacIndex(loadObjects(opts.objects).objects), subject, opts.namespace);
      if (opts.format === 'json') {
        process.stdout.write(`${JSON.stringify(p, null, 2)}\n`);
        return EXIT_YES;
      }
      const header = ['SCOPE', 'RESOURCE', 'NAMES', ...p.verbs];
      const lines = p.rows.map((r) => [
        r.scope === '' ? '*' : r.scope,
        r.apiGroup === '' ? r.resource : `${r.resource}.${r.apiGroup}`,
        r.resourceNames === null ? '*' : r.resourceNames.join(','),
        ...p.verbs.map((v) => (r.cells[v] ? 'x' : '')),
      ]);
      for (const u of p.nonResourceURLs) lines.push(['*', u.url, '', ...p.verbs.map((v) => (u.cells[v] ? 'x' : ''))]);
      const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
      for (const l of [header, ...lines]) process.stdout.write(`${l.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()}\n`);
      for (const m of p.missingRoles) process.stderr.write(`warning: ${formatObjectRef(m.binding)} ${m.message}\n`);
      return EXIT_YES;
    }),
  );

  const SEVERITIES: Severity[] = ['critical', 'high', 'medium', 'low'];
  exitInvalidOnUsageError(
    rbac
      .command('findings')
      .description('risky grants, most severe first (exit 1 with --fail-on when a finding is at least that severe)')
      .option('--objects <path>', 'manifest file or directory (JSON or YAML); repeatable', collect, [] as string[])
      .option('--privileged-namespace <ns>', 'namespace where creating workloads is privileged; repeatable (default: kube-system, kube-public, kube-node-lease)', collect, [] as string[])
      .option('--service-accounts', 'report ServiceAccount subjects missing from the ServiceAccount manifests among --objects')
      .option('--include-bootstrap-roles', 'also report the rules of the API server\'s own roles')
      .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding is at least this severe').choices(SEVERITIES))
      .addOption(formatOption()),
  ).action((opts: { objects: string[]; privilegedNamespace: string[]; serviceAccounts?: boolean; includeBootstrapRoles?: boolean; failOn?: Severity; format: string }) =>
    run(() => {
      const parsed = loadObjects(opts.objects);
      const findings = riskFindings(buildRbacIndex(parsed.objects), {
        ...(opts.privilegedNamespace.length > 0 ? { privilegedNamespaces: opts.privilegedNamespace } : {}),
        ...(opts.serviceAccounts ? { serviceAccounts: parsed.serviceAccounts } : {}),
        includeBootstrapRoles: opts.includeBootstrapRoles === true,
      });
      if (opts.format === 'json') process.stdout.write(`${JSON.stringify(findings, null, 2)}\n`);
      else {
        for (const f of findings) process.stdout.write(`${f.severity.toUpperCase().padEnd(8)} ${f.message}\n         id ${f.id}\n`);
        process.stdout.write(`${findings.length} findings\n`);
      }
      const limit = opts.failOn ? SEVERITIES.indexOf(opts.failOn) : -1;
      return findings.some((f) => SEVERITIES.indexOf(f.severity) <= limit) ? EXIT_NO : EXIT_YES;
    }),
  );

  exitInvalidOnUsageError(
    rbac
      .command('diff')
      .description('permissions each subject gains and loses between two sets of objects')
      .requiredOption('--before <path>', 'objects before the change (file or directory)')
      .requiredOption('--after <path>', 'objects after the change (file or directory)')
      .addOption(formatOption()),
  ).action((opts: { before: string; after: string; format: string }) =>
    run(() => {
      const before = buildRbacIndex(loadObjects([opts.before]).objects);
      const diff = semanticDiffObjects(before, loadObjects([opts.after]).objects);
      if (opts.format === 'json') {
        process.stdout.write(`${JSON.stringify(diff, null, 2)}\n`);
        return EXIT_YES;
      }
      if (diff.subjects.length === 0) process.stdout.write('no subject gains or loses a permission\n');
      for (const s of diff.subjects) {
        process.stdout.write(`${formatSubject(s.subject)}\n`);
        for (const g of s.gained) process.stdout.write(`  + ${formatPermission(g)}  (${g.via.map((v) => `${formatObjectRef(v.binding)} -> ${formatObjectRef(v.role)} rule ${v.ruleIndex}`).join('; ')})\n`);
        for (const l of s.lost) process.stdout.write(`  - ${formatPermission(l)}\n`);
      }
      for (const p of diff.missingRolesAdded) process.stdout.write(`warning: now ${formatObjectRef(p.binding)} ${p.message}\n`);
      return EXIT_YES;
    }),
  );
}
