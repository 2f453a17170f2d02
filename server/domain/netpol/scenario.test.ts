// Runs the scenario fixtures the way `verity netpol test` does, and checks the scenario
// loader's own errors.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { explainVerdict } from './explain-verdict';
import { buildScenario, parseScenario, runScenarioText } from './scenario';

const dir = join(import.meta.dirname, 'fixtures');
const fixtures = readdirSync(dir).filter((f) => /\.(ya?ml|json)$/.test(f) && !f.startsWith('invalid-'));

describe('scenario fixtures', () => {
  it.each(fixtures)('%s: every probe holds', (file) => {
    const { results, problems } = runScenarioText(readFileSync(join(dir, file), 'utf8'), file);
    expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(results!.length).toBeGreaterThan(0);
    const failures = results!.filter((r) => !r.pass).map((r) => `probe ${r.index} expected ${r.expect}: ${explainVerdict(r.verdict).join('\n')}`);
    expect(failures).toEqual([]);
  });

  it('explains the payments fixture in terms of its policies', () => {
    const { results } = runScenarioText(readFileSync(join(dir, 'payments.yaml'), 'utf8'), 'payments.yaml');
    const checkout = results!.find((r) => r.name === 'checkout is not allowed to call payment')!;
    expect(explainVerdict(checkout.verdict)[2]).toBe(
      '  ingress to production/payment-service: denied, isolated by production/default-deny-all, production/payment-service-network; no rule of those policies allows this peer and port',
    );
  });
});

describe('scenario errors', () => {
  const errorsOf = (text: string) => {
    const parsed = parseScenario(text, 's.yaml');
    if (!parsed.scenario) return parsed.problems;
    return buildScenario(parsed.scenario).problems;
  };

  it('rejects unknown top-level keys and bad probe shapes', () => {
    expect(errorsOf('probe: []')[0]!.path).toBe('');
    expect(errorsOf('probes: [{from: a, to: b/c, port: 1, expect: allow}]').map((p) => p.path)).toContain('probes[0].from');
    expect(errorsOf('probes: [{from: a/b, to: b/c, port: 1, expect: maybe}]').map((p) => p.path)).toContain('probes[0].expect');
  });

  it('rejects probes to unknown pods and unresolvable named ports', () => {
    const text = `
pods: [{namespace: a, name: p, ports: [{name: web, port: 80}]}]
probes:
  - {from: a/p, to: a/missing, port: 80, expect: allow}
  - {from: a/p, to: a/p, port: grpc, expect: allow}
  - {from: a/p, to: {ip: 1.2.3.4}, port: web, expect: allow}
  - {from: a/p, to: a/p, port: web, protocol: UDP, expect: allow}
`;
    expect(errorsOf(text).map((p) => `${p.path}: ${p.message}`)).toEqual([
      'probes[0].to: no pod a/missing in the scenario',
      'probes[1].port: a/p has no port named grpc',
      'probes[2].port: named port web needs a pod destination to resolve against',
      'probes[3].protocol: port web of the destination is TCP, not UDP',
    ]);
  });

  it('carries policy validation errors with the object and path', () => {
    const text = `
policies:
  - metadata: {name: bad, namespace: x}
    spec: {podSelector: {}, ingress: [{ports: [{port: 99999}]}]}
`;
    const [problem] = errorsOf(text);
    expect(problem).toMatchObject({ object: { kind: 'NetworkPolicy', namespace: 'x', name: 'bad' }, path: 'spec.ingress[0].ports[0].port' });
  });

  it('rejects duplicate pods and IPs and bad IPs', () => {
    const text = `
pods:
  - {namespace: a, name: p, ip: 10.0.0.1}
  - {namespace: a, name: p, ip: 10.0.0.1}
  - {namespace: a, name: q, ip: 10.0.0.300}
`;
    expect(errorsOf(text).map((p) => p.path)).toEqual(['pods[1]', 'pods[1]', 'pods[2].ip']);
  });
});

describe('scenario input never throws', () => {
  it('arbitrary JSON documents and mutations of a valid scenario', async () => {
    const fc = (await import('fast-check')).default;
    const valid = readFileSync(join(dir, 'payments.yaml'), 'utf8');
    fc.assert(
      fc.property(fc.jsonValue(), fc.nat(), (junk, cut) => {
        for (const text of [JSON.stringify(junk), JSON.stringify({ pods: junk, probes: [junk], policies: [junk] }), valid.slice(0, cut % valid.length)]) {
          const parsed = parseScenario(text, 'fuzz');
          if (parsed.scenario) buildScenario(parsed.scenario);
        }
      }),
      { numRuns: 300 },
    );
  });
});
