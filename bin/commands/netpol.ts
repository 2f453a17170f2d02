// `verity netpol`: run NetworkPolicy scenarios (probes with expectations) and print
// connectivity matrices, on top of the pure engine in server/domain/netpol.
// Exit codes: 0 every expectation holds, 1 some does not, 2 invalid input.
import type { Command } from 'commander';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  buildScenario,
  connectivityMatrix,
  explainVerdict,
  formatConnection,
  formatMatrix,
  formatProblem,
  parseManifestText,
  parseScenario,
  readPolicies,
  runProbes,
  type BuiltScenario,
  type MatrixPort,
  type NetworkPolicy,
  type Problem,
  type Protocol,
} from '../../server/domain/netpol/index';

const EXIT_OK = 0;
const EXIT_EXPECTATION_FAILED = 1;
const EXIT_INVALID = 2;

class InvalidInput extends Error {
  constructor(readonly problems: Problem[]) {
    super('invalid input');
  }
}

function fileProblem(source: string, message: string): Problem {
  return { severity: 'error', object: { kind: 'file', source }, path: '', message };
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new InvalidInput([fileProblem(path, `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)]);
  }
}

function manifestFiles(path: string): string[] {
  let st;
  try {
    st = statSync(path);
  } catch (err) {
    throw new InvalidInput([fileProblem(path, `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)]);
  }
  if (st.isFile()) return [path];
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(ya?ml|json)$/i.test(entry.name)) out.push(full);
    }
  };
  walk(path);
  return out;
}

function loadPolicyDir(dir: string): { policies: NetworkPolicy[]; problems: Problem[] } {
  const files = manifestFiles(dir);
  const documents = [];
  const problems: Problem[] = [];
  for (const file of files) {
    const parsed = parseManifestText(readText(file), relative(process.cwd(), file) || file);
    documents.push(...parsed.documents);
    problems.push(...parsed.problems);
  }
  const read = readPolicies(documents);
  if (read.policies.length === 0 && read.problems.length === 0 && problems.length === 0) {
    problems.push({ severity: 'warning', object: { kind: 'directory', source: dir }, path: '', message: 'no NetworkPolicy found' });
  }
  return { policies: read.policies, problems: [...problems, ...read.problems] };
}

function load(scenarioPath: string, policiesDir: string | undefined): BuiltScenario {
  const parsed = parseScenario(readText(scenarioPath), scenarioPath);
  if (!parsed.scenario) throw new InvalidInput(parsed.problems);
  const external = policiesDir === undefined ? undefined : loadPolicyDir(policiesDir);
  const { built, problems } = buildScenario(parsed.scenario, external);
  for (const p of problems) if (p.severity === 'warning') process.stderr.write(`${formatProblem(p)}\n`);
  if (!built) throw new InvalidInput(problems);
  return built;
}

function run(action: () => number): void {
  let code: number;
  try {
    code = action();
  } catch (err) {
    if (!(err instanceof InvalidInput)) throw err;
    for (const p of err.problems) process.stderr.write(`${formatProblem(p)}\n`);
    code = EXIT_INVALID;
  }
  process.exitCode = code;
}

function parseFormat(value: string): 'text' | 'json' {
  if (value !== 'text' && value !== 'json') throw new InvalidInput([fileProblem('--format', `must be text or json, not ${JSON.stringify(value)}`)]);
  return value;
}

function parseMatrixPort(value: string): MatrixPort {
  const m = /^([^/]+)(?:\/(TCP|UDP|SCTP))?$/i.exec(value);
  const protocol = m?.[2]?.toUpperCase() as Protocol | undefined;
  if (m && /^\d+$/.test(m[1]!)) {
    const port = Number(m[1]);
    if (port >= 1 && port <= 65535) return { port, protocol };
  } else if (m) return { port: m[1]!, protocol };
  throw new InvalidInput([fileProblem('--port', `${JSON.stringify(value)} is not PORT, PORT/PROTOCOL or a port name`)]);
}

function testCommand(scenarioPath: string, opts: { policies?: string; format: string; explain?: boolean }): number {
  const format = parseFormat(opts.format);
  const built = load(scenarioPath, opts.policies);
  const results = runProbes(built);
  const out: string[] = [];
  for (const r of results) {
    const v = r.verdict;
    if (format === 'json') {
      out.push(
        JSON.stringify({
          probe: r.index,
          ...(r.name ? { name: r.name } : {}),
          from: v.source,
          to: v.destination,
          port: v.port,
          protocol: v.protocol,
          expect: r.expect,
          verdict: v.allowed ? 'allow' : 'deny',
          pass: r.pass,
          egress: v.egress,
          ingress: v.ingress,
          explanation: explainVerdict(v).slice(1).map((l) => l.trim()),
        }),
      );
      continue;
    }
    const status = r.pass ? 'PASS' : 'FAIL';
    const verdict = v.allowed ? 'allow' : 'deny';
    const expected = r.pass ? '' : ` (expected ${r.expect})`;
    out.push(`${status} ${verdict.padEnd(5)} ${formatConnection(v)}${expected}${r.name ? `  # ${r.name}` : ''}`);
    if (!r.pass || opts.explain) out.push(...explainVerdict(v).slice(1).map((l) => `    ${l.trim()}`));
  }
  const failed = results.filter((r) => !r.pass).length;
  if (format === 'text') out.push(`${results.length} probes: ${results.length - failed} passed, ${failed} failed`);
  process.stdout.write(out.length ? `${out.join('\n')}\n` : '');
  return failed > 0 ? EXIT_EXPECTATION_FAILED : EXIT_OK;
}

function matrixCommand(scenarioPath: string, opts: { policies?: string; format: string; port?: string[] }): number {
  const format = parseFormat(opts.format);
  const requested = (opts.port ?? []).map(parseMatrixPort);
  const built = load(scenarioPath, opts.policies);
  let ports: MatrixPort[] = requested;
  if (ports.length === 0) {
    // Without --port: the ports the probes ask about, else every port the pods declare.
    const seen = new Map<string, MatrixPort>();
    for (const p of built.probes) seen.set(`${p.connection.port}/${p.connection.protocol}`, { port: p.connection.port, protocol: p.connection.protocol });
    if (seen.size === 0) for (const m of built.members) for (const p of m.ports) seen.set(`${p.port}/${p.protocol}`, { port: p.port, protocol: p.protocol });
    ports = [...seen.values()].sort((a, b) => Number(a.port) - Number(b.port) || String(a.protocol).localeCompare(String(b.protocol)));
  }
  if (ports.length === 0) throw new InvalidInput([fileProblem(scenarioPath, 'no ports to probe: pass --port, or add probes or container ports')]);
  const matrix = connectivityMatrix(built.engine, built.members.map((_, i) => i), ports);
  process.stdout.write(format === 'json' ? `${JSON.stringify(matrix)}\n` : `${formatMatrix(matrix)}\n`);
  return EXIT_OK;
}

export function register(program: Command): void {
  const netpol = program.command('netpol').description('Kubernetes NetworkPolicy scenarios: test expectations, print connectivity');
  const usageErrorsExit2 = (cmd: Command) =>
    cmd.exitOverride((err) => {
      process.exit(err.exitCode === 0 ? 0 : EXIT_INVALID);
    });
  usageErrorsExit2(netpol);

  usageErrorsExit2(
    netpol
      .command('test')
      .description('evaluate each probe of a scenario; exit 0 when all hold, 1 when any fails, 2 on invalid input')
      .argument('<scenario>', 'scenario file (JSON or YAML): namespaces, pods, policies, probes')
      .option('--policies <dir>', 'NetworkPolicy manifests (directory or file) for a scenario without policies')
      .option('--format <format>', 'text or json (one object per probe per line)', 'text')
      .option('--explain', 'explain every verdict, not only the failing ones')
      .action((scenario: string, opts) => run(() => testCommand(scenario, opts))),
  );

  usageErrorsExit2(
    netpol
      .command('matrix')
      .description('print the allow/deny truth table between every pair of pods of a scenario')
      .argument('<scenario>', 'scenario file (JSON or YAML)')
      .option('--policies <dir>', 'NetworkPolicy manifests (directory or file) for a scenario without policies')
      .option('--port <port...>', 'ports to probe: 8080, 53/UDP or a port name (default: the probes\' ports)')
      .option('--format <format>', 'text or json', 'text')
      .action((scenario: string, opts) => run(() => matrixCommand(scenario, opts))),
  );
}
