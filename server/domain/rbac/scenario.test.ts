// The scenario format of `verity rbac test`, on the fixtures.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runScenario, runScenarioText } from './scenario';

const fixture = (name: string) => {
  const path = fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
  return runScenarioText(readFileSync(path, 'utf8'), name);
};

describe('scenarios', () => {
  it.each(['tenant-access.scenario.yaml', 'k8s-docs.scenario.yaml'])('%s holds', (name) => {
    const r = fixture(name);
    expect(r.valid, JSON.stringify(r)).toBe(true);
    if (r.valid) expect(r.results.filter((x) => !x.pass)).toEqual([]);
  });
  it('reports failing checks', () => {
    const r = fixture('failing.scenario.yaml');
    expect(r.valid && r.results.filter((x) => !x.pass).map((x) => x.index)).toEqual([1, 2]);
  });
  it('rejects invalid objects and malformed checks with their path', () => {
    const bad = fixture('invalid.scenario.yaml');
    expect(bad.valid).toBe(false);
    const r = runScenario({ objects: [], checks: [{ subject: { kind: 'Robot', name: 'x' }, verb: 'get', resource: 'pods', expect: true }, { subject: { kind: 'User', name: 'x' }, verb: 'get', expect: true }] });
    expect(r.valid).toBe(false);
    if (!r.valid) expect(r.issues.map((i) => i.path)).toEqual(['checks[0].subject.kind', 'checks[1]']);
  });
  it('accepts a kind: List among objects', () => {
    const r = runScenario({
      objects: [{ apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'c' }, rules: [{ verbs: ['get'], nonResourceURLs: ['/x'] }] }, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'b' }, roleRef: { kind: 'ClusterRole', name: 'c', apiGroup: 'rbac.authorization.k8s.io' }, subjects: [{ kind: 'User', name: 'u' }] }] }],
      checks: [{ subject: { kind: 'User', name: 'u' }, verb: 'get', nonResourceURL: '/x', expect: true }],
    });
    expect(r.valid && r.failed).toBe(0);
  });
});
