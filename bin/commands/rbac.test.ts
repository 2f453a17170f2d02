// The real `verity rbac` CLI on fixture files: output and exit codes.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fixtures = 'server/domain/rbac/fixtures';

function verity(...args: string[]) {
  const r = spawnSync('./bin/verity', ['rbac', ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('verity rbac can-i', () => {
  it('says yes with the binding, role and rule, exit 0', () => {
    const r = verity('can-i', '--objects', `${fixtures}/cluster`, '--as', 'jane', 'list', 'pods', '-n', 'shop');
    expect(r.stdout).toBe('yes\nRBAC: allowed by RoleBinding "read-pods/shop" of Role "pod-reader" to User "jane" (rule 0)\n');
    expect(r.code).toBe(0);
  });
  it('says no, exit 1, and a cluster-wide request is not a namespaced one', () => {
    const r = verity('can-i', '--objects', `${fixtures}/cluster`, '--as', 'jane', 'list', 'pods');
    expect(r.stdout.split('\n')[0]).toBe('no');
    expect(r.code).toBe(1);
  });
  it('evaluates service accounts, aggregated roles, groups and non-resource URLs; prints JSON', () => {
    const sa = verity('can-i', '--objects', `${fixtures}/cluster`, '--as-sa', 'ci/ci', 'update', 'deployments/scale', '-n', 'shop', '--format', 'json');
    expect(sa.code).toBe(0);
    const body = JSON.parse(sa.stdout);
    expect(body).toMatchObject({
      allowed: true,
      request: { verb: 'update', apiGroup: 'apps', resource: 'deployments', subresource: 'scale', namespace: 'shop' },
      allowedBy: { binding: { kind: 'RoleBinding', namespace: 'shop', name: 'deployers' }, role: { kind: 'ClusterRole', name: 'tenant-deployer' }, ruleIndex: 0, aggregatedFrom: { clusterRole: 'deployer-apps', ruleIndex: 0 } },
    });
    const url = verity('can-i', '--objects', `${fixtures}/cluster/roles.yaml`, '--objects', `${fixtures}/cluster/bindings.json`, '--as', 'anyone', 'get', '/metrics/cadvisor');
    expect(url.stdout).toContain('Group "system:authenticated"');
    expect(url.code).toBe(0);
  });
  it('exits 2 on invalid input', () => {
    expect(verity('can-i', '--objects', `${fixtures}/missing-dir`, '--as', 'x', 'get', 'pods').code).toBe(2);
    expect(verity('can-i', '--objects', `${fixtures}/cluster`, 'get', 'pods').code).toBe(2);
    expect(verity('can-i', '--objects', `${fixtures}/cluster`, '--as', 'x').code).toBe(2);
    const bad = verity('can-i', '--objects', `${fixtures}/invalid.scenario.yaml`, '--as', 'x', 'get', 'pods');
    expect(bad.code).toBe(2);
  });
});

describe('verity rbac who-can', () => {
  it('lists subjects with the bindings that allow them', () => {
    const r = verity('who-can', '--objects', `${fixtures}/cluster`, 'get', 'secrets', '-n', 'shop');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      'Who can get secrets in namespace shop:\n' +
        '  User dave  (via RoleBinding shop/shop-secrets -> ClusterRole secret-reader rule 0)\n' +
        '  Group platform-admins  (via ClusterRoleBinding admins -> ClusterRole cluster-admin rule 0)\n',
    );
  });
});

describe('verity rbac test', () => {
  it('exits 0 when every check holds', () => {
    const r = verity('test', `${fixtures}/tenant-access.scenario.yaml`);
    expect(r.stdout).toBe('12 checks: 12 hold, 0 do not\n');
    expect(r.code).toBe(0);
  });
  it('prints each check that differs, with the reason, and exits 1', () => {
    const r = verity('test', `${fixtures}/failing.scenario.yaml`);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('FAIL check 2: User jane delete pods -n shop: expected allowed, got denied');
    expect(r.stdout).toContain('FAIL check 3: User jane list pods -n shop: expected denied, got allowed\n  RBAC: allowed by RoleBinding "read-pods/shop"');
    expect(r.stdout).not.toContain('check 1:');
  });
  it('speaks JSON for machines', () => {
    const r = verity('test', `${fixtures}/failing.scenario.yaml`, '--format', 'json');
    expect(r.code).toBe(1);
    const body = JSON.parse(r.stdout);
    expect(body.failed).toBe(2);
    expect(body.results.map((x: { pass: boolean }) => x.pass)).toEqual([true, false, false]);
  });
  it('exits 2 on an invalid scenario, naming the object and field', () => {
    const r = verity('test', `${fixtures}/invalid.scenario.yaml`);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Role shop/bad rules[0].nonResourceURLs: namespaced rules cannot apply to non-resource URLs');
    const json = verity('test', `${fixtures}/invalid.scenario.yaml`, '--format', 'json');
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout).issues[0]).toMatchObject({ path: 'rules[0].nonResourceURLs', object: { kind: 'Role', namespace: 'shop', name: 'bad' } });
    expect(verity('test', `${fixtures}/cluster/roles.yaml`).code).toBe(2);
    expect(verity('test', `${fixtures}/no-such.yaml`).code).toBe(2);
  });
});

describe('verity rbac permissions, findings and diff', () => {
  it('prints a subject\'s matrix', () => {
    const r = verity('permissions', '--objects', `${fixtures}/cluster`, '--as', 'jane', '-n', 'shop');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').slice(0, 4)).toEqual([
      'SCOPE  RESOURCE    NAMES  get  list  watch',
      'shop   pods        *      x    x     x',
      'shop   pods/log    *      x    x     x',
      '*      /healthz           x',
    ]);
  });
  it('lists findings most severe first, and fails on request', () => {
    const r = verity('findings', '--objects', `${fixtures}/cluster`, '--service-accounts', '--format', 'json');
    expect(r.code).toBe(0);
    const findings = JSON.parse(r.stdout) as { id: string; severity: string }[];
    expect(findings[0]).toMatchObject({ id: 'cluster-admin-binding/ClusterRoleBinding/admins', severity: 'critical' });
    expect(findings.map((f) => f.id)).toContain('missing-service-account/RoleBinding/shop/deployers/subjects[0]');
    expect(findings.map((f) => f.id)).not.toContain('missing-service-account/RoleBinding/shop/settings/subjects[0]');
    expect(verity('findings', '--objects', `${fixtures}/cluster`, '--fail-on', 'critical').code).toBe(1);
  });
  it('shows what a change grants and takes away, per subject', () => {
    const r = verity('diff', '--before', `${fixtures}/change/before.yaml`, '--after', `${fixtures}/change/after.yaml`);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Group shop-devs\n  + patch apps/deployments/scale in namespace shop');
    expect(r.stdout).toContain('  - update apps/deployments in namespace shop\nServiceAccount shop/ci\n  + get apps/deployments in namespace shop');
  });
});
