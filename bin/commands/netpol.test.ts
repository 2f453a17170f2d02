// Runs the real `verity netpol` binary on fixture files and checks what a user sees:
// output, explanations and exit codes (0 pass, 1 expectation failed, 2 invalid input).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const fixtures = join(root, 'server/domain/netpol/fixtures');

function verity(...args: string[]) {
  const r = spawnSync(join(root, 'bin/verity'), ['netpol', ...args], { cwd: root, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('verity netpol test', () => {
  it('exits 0 and prints one PASS line per probe when every expectation holds', () => {
    const r = verity('test', join(fixtures, 'payments.yaml'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(13);
    expect(lines[0]).toBe('PASS allow production/order-service -> production/payment-service 8080/TCP  # order calls payment');
    expect(lines.at(-1)).toBe('12 probes: 12 passed, 0 failed');
  });

  it('exits 1 and explains the probe that did not hold', () => {
    const r = verity('test', join(fixtures, 'cli/wrong-expectation.yaml'));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('FAIL deny  shop/web -> shop/api 9090/TCP (expected allow)  # wrong on purpose');
    expect(r.stdout).toContain('egress from shop/web: allowed, not isolated for egress');
    expect(r.stdout).toContain('ingress to shop/api: denied, isolated by shop/api-from-web; no rule');
    // The passing probe is not explained unless asked.
    expect(r.stdout.split('\n')[1]).toMatch(/^FAIL/);
    expect(r.stdout).toContain('2 probes: 1 passed, 1 failed');
  });

  it('--explain explains passing probes too', () => {
    const r = verity('test', join(fixtures, 'cli/wrong-expectation.yaml'), '--explain');
    expect(r.stdout).toContain('allowed by shop/api-from-web ingress[0] from[0] ports[0]');
  });

  it('--format json prints one object per probe', () => {
    const r = verity('test', join(fixtures, 'cli/wrong-expectation.yaml'), '--format', 'json');
    expect(r.code).toBe(1);
    const objects = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(objects).toHaveLength(2);
    expect(objects[0]).toMatchObject({ probe: 0, from: 'shop/web', to: 'shop/api', port: 8080, protocol: 'TCP', expect: 'allow', verdict: 'allow', pass: true });
    expect(objects[0].ingress.allowedBy).toEqual([{ policy: { namespace: 'shop', name: 'api-from-web' }, rule: 0, peer: 0, port: 0 }]);
    expect(objects[1]).toMatchObject({ name: 'wrong on purpose', verdict: 'deny', pass: false });
    expect(objects[1].ingress.isolatingPolicies).toEqual([{ namespace: 'shop', name: 'api-from-web' }]);
  });

  it('exits 2 on an invalid policy, naming the object and JSON path', () => {
    const r = verity('test', join(fixtures, 'cli/invalid-policy.yaml'));
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('NetworkPolicy shop/partners');
    expect(r.stderr).toContain('spec.ingress[0].from[1].ipBlock.except[0]: 198.51.100.0/28 must be a strict subset of `cidr` (192.0.2.0/24)');
  });

  it('exits 2 on unreadable, unparsable or malformed scenarios', () => {
    const dir = mkdtempSync(join(tmpdir(), 'netpol-cli-'));
    writeFileSync(join(dir, 'broken.yaml'), 'pods: [\n');
    writeFileSync(join(dir, 'typo.yaml'), 'probez: []\n');
    expect(verity('test', join(dir, 'missing.yaml')).code).toBe(2);
    const broken = verity('test', join(dir, 'broken.yaml'));
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/^error: file .*broken\.yaml/);
    const typo = verity('test', join(dir, 'typo.yaml'));
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/probez/);
  });

  it('exits 2 on usage errors', () => {
    expect(verity('test').code).toBe(2);
    expect(verity('test', join(fixtures, 'payments.yaml'), '--format', 'xml').code).toBe(2);
    expect(verity('test', join(fixtures, 'payments.yaml'), '--bogus').code).toBe(2);
  });

  it('--policies DIR reads manifests recursively for a scenario without policies', () => {
    const r = verity('test', join(fixtures, 'cli/no-policies.yaml'), '--policies', join(fixtures, 'cli/policies'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('4 probes: 4 passed, 0 failed');
    // Without the directory nothing is isolated, so the deny expectation fails.
    expect(verity('test', join(fixtures, 'cli/no-policies.yaml')).code).toBe(1);
  });

  it('--policies with a scenario that has its own policies is invalid input', () => {
    const r = verity('test', join(fixtures, 'payments.yaml'), '--policies', join(fixtures, 'cli/policies'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('do not also pass a policy directory');
  });
});

describe('verity netpol matrix', () => {
  it('prints the truth table for the requested ports', () => {
    const r = verity('matrix', join(fixtures, 'cli/no-policies.yaml'), '--policies', join(fixtures, 'cli/policies'), '--port', '8080');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        'port 8080/TCP (rows: from, columns: to; . allow, X deny, - no such port)',
        '                1  2  3',
        '  1  shop/web   X  .  .',
        '  2  shop/api   X  X  .',
        '  3  ops/debug  X  .  .',
        '',
        '',
      ].join('\n'),
    );
  });

  it('resolves named ports per destination and prints json', () => {
    const r = verity('matrix', join(fixtures, 'cli/no-policies.yaml'), '--policies', join(fixtures, 'cli/policies'), '--port', 'http', '--format', 'json');
    expect(r.code).toBe(0);
    const m = JSON.parse(r.stdout);
    expect(m.members).toEqual(['shop/web', 'shop/api', 'ops/debug']);
    expect(m.ports[0].cells).toEqual([
      [null, true, null],
      [null, false, null],
      [null, true, null],
    ]);
  });

  it('exits 2 on a bad --port', () => {
    expect(verity('matrix', join(fixtures, 'payments.yaml'), '--port', '70000').code).toBe(2);
  });
});
