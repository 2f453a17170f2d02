// The scenario format shared by `verity netpol test`, the matrix and the project's own test
// fixtures: namespaces, pods, policies and probes with expectations, all in one document.
import { z } from 'zod';
import { childPath, type Problem } from './errors';
import { NetpolEngine, type Connection, type Endpoint, type EngineOptions, type Verdict } from './evaluate-connection';
import { parseIp } from './ip-block';
import { isDns1123Label, labelKeyProblem, labelValueProblem } from './label-selector';
import { ContainerPort, Namespace, Protocol, type ClusterMember, type NetworkPolicy } from './model';
import { parseManifestText, readPolicies } from './parse-policies';

export const ScenarioEndpoint = z.union([
  z.string().regex(/^[^/\s]+\/[^/\s]+$/, 'must be "namespace/pod"'),
  z.strictObject({ ip: z.string() }),
]);
export type ScenarioEndpoint = z.infer<typeof ScenarioEndpoint>;

export const ScenarioPod = z.strictObject({
  namespace: z.string().min(1),
  name: z.string().min(1),
  labels: z.record(z.string(), z.string()).default({}),
  ip: z.string().optional(),
  /** Dual-stack pods list both addresses here. */
  ips: z.array(z.string()).optional(),
  ports: z.array(ContainerPort).default([]),
});
export type ScenarioPod = z.infer<typeof ScenarioPod>;

export const ScenarioProbe = z.strictObject({
  name: z.string().optional(),
  from: ScenarioEndpoint,
  to: ScenarioEndpoint,
  port: z.union([z.number().int().min(1).max(65535), z.string().min(1)]),
  protocol: Protocol.optional(),
  expect: z.enum(['allow', 'deny']),
});
export type ScenarioProbe = z.infer<typeof ScenarioProbe>;

export const Scenario = z.strictObject({
  description: z.string().optional(),
  options: z.strictObject({ ipBlockMatchesPods: z.boolean().optional() }).optional(),
  namespaces: z.array(Namespace).default([]),
  pods: z.array(ScenarioPod).default([]),
  /** Raw objects: validated with the API server's rules, not with this schema. */
  policies: z.array(z.unknown()).optional(),
  probes: z.array(ScenarioProbe).default([]),
});
export type Scenario = z.infer<typeof Scenario>;

export interface ParsedScenario {
  scenario: Scenario;
  source: string;
}

function scenarioProblem(source: string, path: string, message: string): Problem {
  return { severity: 'error', object: { kind: 'Scenario', source }, path, message };
}

function zodPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, k) => childPath(acc, typeof k === 'number' ? k : String(k)), '');
}

/** Parses scenario text (JSON or YAML, one document). */
export function parseScenario(text: string, source: string): { scenario: ParsedScenario | null; problems: Problem[] } {
  const parsed = parseManifestText(text, source);
  if (parsed.problems.length > 0) return { scenario: null, problems: parsed.problems };
  if (parsed.documents.length !== 1) {
    return { scenario: null, problems: [scenarioProblem(source, '', `expected exactly one document, found ${parsed.documents.length}`)] };
  }
  const result = Scenario.safeParse(parsed.documents[0]!.value);
  if (!result.success) {
    return {
      scenario: null,
      problems: result.error.issues.map((i) => scenarioProblem(source, zodPath(i.path), i.message)),
    };
  }
  return { scenario: { scenario: result.data, source }, problems: [] };
}

export interface ResolvedProbe {
  index: number;
  probe: ScenarioProbe;
  connection: Connection;
}

export interface BuiltScenario {
  engine: NetpolEngine;
  members: ClusterMember[];
  probes: ResolvedProbe[];
}

/**
 * Checks the scenario's cluster description, validates its policies (or the ones given from
 * a manifest directory) and resolves probes to connections. Problems with severity error
 * mean the scenario cannot be evaluated.
 */
export function buildScenario(
  parsed: ParsedScenario,
  external?: { policies: NetworkPolicy[]; problems: Problem[] },
  engineOptions: EngineOptions = {},
): { built: BuiltScenario | null; problems: Problem[] } {
  const { scenario, source } = parsed;
  const problems: Problem[] = [];
  const err = (path: string, message: string) => problems.push(scenarioProblem(source, path, message));

  const nsNames = new Set<string>();
  scenario.namespaces.forEach((ns, i) => {
    if (!isDns1123Label(ns.name)) err(`namespaces[${i}].name`, `${JSON.stringify(ns.name)} must be a lowercase DNS label`);
    if (nsNames.has(ns.name)) err(`namespaces[${i}].name`, `duplicate namespace ${ns.name}`);
    nsNames.add(ns.name);
    checkLabels(ns.labels, `namespaces[${i}].labels`, err);
  });

  const members: ClusterMember[] = [];
  const byName = new Map<string, number>();
  const byIp = new Map<string, number>();
  scenario.pods.forEach((pod, i) => {
    const key = `${pod.namespace}/${pod.name}`;
    if (byName.has(key)) err(`pods[${i}]`, `duplicate pod ${key}`);
    checkLabels(pod.labels, `pods[${i}].labels`, err);
    const ips = [...(pod.ip ? [pod.ip] : []), ...(pod.ips ?? [])];
    ips.forEach((ip, j) => {
      const parsedIp = parseIp(ip);
      if (!parsedIp) {
        err(pod.ip && j === 0 ? `pods[${i}].ip` : `pods[${i}].ips`, `${JSON.stringify(ip)} is not an IP address`);
        return;
      }
      const canonical = `${parsedIp.family}:${parsedIp.value}`;
      const owner = byIp.get(canonical);
      if (owner !== undefined && owner !== members.length) err(`pods[${i}]`, `IP ${ip} is also the IP of ${describeMember(members[owner]!)}`);
      byIp.set(canonical, members.length);
    });
    const portNames = new Set<string>();
    pod.ports.forEach((p, j) => {
      if (!p.name) return;
      if (portNames.has(p.name)) err(`pods[${i}].ports[${j}].name`, `duplicate port name ${p.name} (names are unique within a pod)`);
      portNames.add(p.name);
    });
    byName.set(key, members.length);
    members.push({ namespace: pod.namespace, name: pod.name, labels: pod.labels, ips, ports: pod.ports });
  });

  let policies: NetworkPolicy[] = [];
  if (scenario.policies && scenario.policies.length > 0 && external) {
    err('policies', 'the scenario has its own policies; do not also pass a policy directory');
  } else if (external) {
    policies = external.policies;
    problems.push(...external.problems);
  } else if (scenario.policies) {
    const read = readPolicies(
      scenario.policies.map((value, i) => ({ value, source: `${source} policies[${i}]` })),
      { assumeNetworkPolicy: true },
    );
    policies = read.policies;
    problems.push(...read.problems);
    for (const s of read.skipped) {
      problems.push({ severity: 'error', object: { kind: s.kind, source: s.source }, path: 'kind', message: 'only NetworkPolicy objects belong in policies' });
    }
  }

  const resolveEndpoint = (e: ScenarioEndpoint, path: string): Endpoint | null => {
    if (typeof e === 'string') {
      const idx = byName.get(e);
      if (idx === undefined) {
        err(path, `no pod ${e} in the scenario`);
        return null;
      }
      return { member: idx };
    }
    const ip = parseIp(e.ip);
    if (!ip) {
      err(childPath(path, 'ip'), `${JSON.stringify(e.ip)} is not an IP address`);
      return null;
    }
    // An address that belongs to a pod is that pod: policies then apply to it.
    const owner = byIp.get(`${ip.family}:${ip.value}`);
    return owner === undefined ? { ip: e.ip } : { member: owner };
  };

  const probes: ResolvedProbe[] = [];
  scenario.probes.forEach((probe, i) => {
    const path = `probes[${i}]`;
    const source = resolveEndpoint(probe.from, `${path}.from`);
    const destination = resolveEndpoint(probe.to, `${path}.to`);
    if (!source || !destination) return;
    let port: number;
    let protocol: Protocol = probe.protocol ?? 'TCP';
    if (typeof probe.port === 'number') port = probe.port;
    else {
      if (!('member' in destination)) {
        err(`${path}.port`, `named port ${probe.port} needs a pod destination to resolve against`);
        return;
      }
      const cp = members[destination.member]!.ports.find((p) => p.name === probe.port);
      if (!cp) {
        err(`${path}.port`, `${describeMember(members[destination.member]!)} has no port named ${probe.port}`);
        return;
      }
      if (probe.protocol && probe.protocol !== cp.protocol) {
        err(`${path}.protocol`, `port ${probe.port} of the destination is ${cp.protocol}, not ${probe.protocol}`);
        return;
      }
      port = cp.port;
      protocol = cp.protocol;
    }
    probes.push({ index: i, probe, connection: { source, destination, port, protocol } });
  });

  if (problems.some((p) => p.severity === 'error')) return { built: null, problems };
  const engine = new NetpolEngine(
    { namespaces: scenario.namespaces, members, policies },
    { ipBlockMatchesPods: scenario.options?.ipBlockMatchesPods, ...engineOptions },
  );
  return { built: { engine, members, probes }, problems };
}

function describeMember(m: ClusterMember): string {
  return `${m.namespace}/${m.name}`;
}

function checkLabels(labels: Record<string, string>, path: string, err: (path: string, message: string) => void): void {
  for (const [k, v] of Object.entries(labels)) {
    const problem = labelKeyProblem(k) ?? labelValueProblem(v);
    if (problem) err(childPath(path, k), problem);
  }
}

export interface ProbeResult {
  index: number;
  name?: string;
  expect: 'allow' | 'deny';
  pass: boolean;
  verdict: Verdict;
}

export function runProbes(built: BuiltScenario): ProbeResult[] {
  return built.probes.map(({ index, probe, connection }) => {
    const verdict = built.engine.evaluate(connection);
    return {
      index,
      ...(probe.name ? { name: probe.name } : {}),
      expect: probe.expect,
      pass: verdict.allowed === (probe.expect === 'allow'),
      verdict,
    };
  });
}

/** Parse, build and run in one call: what fixture-driven tests want. */
export function runScenarioText(text: string, source: string): { results: ProbeResult[] | null; problems: Problem[] } {
  const { scenario, problems } = parseScenario(text, source);
  if (!scenario) return { results: null, problems };
  const { built, problems: buildProblems } = buildScenario(scenario);
  if (!built) return { results: null, problems: buildProblems };
  return { results: runProbes(built), problems: buildProblems };
}
