// The removal of an expired time-bound grant, as the agent judges it: accepted only when it
// carries the grant's own signed bundle and approvals, deletes only bindings that grant
// created, and only once their approved expiry has passed on the agent's clock.
import { generateKeyPairSync } from 'node:crypto';
import canonicalize from 'canonicalize';
import { describe, expect, it } from 'vitest';
import { FakeDriver } from '@/test/helpers/fake-driver';
import { executeCommand, type ExecutorDeps } from './command-executor';
import type { BundleOperation, CommandBundle, CommandResult } from './protocol/messages';
import { signBundle } from './protocol/request-signing';

const consoleKey = generateKeyPairSync('ed25519');
const pinned = consoleKey.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const CLUSTER = '11111111-1111-4111-8111-111111111111';
const EXPIRES = '2026-11-30T12:00:00.000Z';
const binding = (name: string, expires: string | null = EXPIRES) => ({
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'RoleBinding',
  metadata: { name, namespace: 'shop', ...(expires ? { annotations: { 'verity.dev/expires-at': expires } } : {}) },
  subjects: [{ kind: 'User', name: 'ana', apiGroup: 'rbac.authorization.k8s.io' }],
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
});
const APPROVALS = [{ userId: 'u', email: 'a@x', at: '2026-11-30T10:00:00.000Z' }];

const sign = (b: CommandBundle, key = consoleKey.privateKey) => {
  const text = canonicalize(b)!;
  return { bundle: text, signature: signBundle(key, text) };
};
function grant(operations: BundleOperation[] = [{ action: 'apply', object: binding('oncall'), expectedResourceVersion: null }], over: Partial<CommandBundle> = {}): CommandBundle {
  return { version: 1, commandId: '22222222-2222-4222-8222-222222222222', type: 'apply', changeId: 'grant', clusterId: CLUSTER, issuedAt: '2026-11-30T10:00:01.000Z', operations, approvalsDigest: 'a'.repeat(64), approvals: APPROVALS, ...over };
}
const del = (name: string, rv: string | null): BundleOperation => ({ action: 'delete', ref: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', namespace: 'shop', name }, expectedResourceVersion: rv });
function removal(proof: { bundle: string; signature: string }, operations: BundleOperation[], over: Partial<CommandBundle> = {}): CommandBundle {
  return { version: 1, commandId: '44444444-4444-4444-8444-444444444444', type: 'apply', changeId: 'removal', clusterId: CLUSTER, issuedAt: '2026-11-30T12:00:05.000Z', operations, approvalsDigest: 'a'.repeat(64), approvals: APPROVALS, grantExpiry: proof, ...over };
}

function deps(now: string): ExecutorDeps & { driver: FakeDriver } {
  const store = new Map<string, CommandResult>();
  const driver = new FakeDriver();
  return { consoleSigningKey: pinned, clusterId: CLUSTER, driver, remembered: (id) => store.get(id) ?? null, remember: (r) => void store.set(r.commandId, r), log: () => {}, now: () => new Date(now) };
}

describe('removal of an expired grant', () => {
  it('deletes the binding the grant created once its expiry has passed', async () => {
    const d = deps('2026-11-30T12:00:01Z');
    const rv = d.driver.put(binding('oncall'));
    const r = await executeCommand(sign(removal(sign(grant()), [del('oncall', rv)])), d);
    expect(r).toMatchObject({ status: 'applied', results: [{ outcome: 'deleted' }] });
  });

  it('refuses it before the expiry, on the agent’s clock', async () => {
    const d = deps('2026-11-30T11:59:59Z');
    const rv = d.driver.put(binding('oncall'));
    expect(await executeCommand(sign(removal(sign(grant()), [del('oncall', rv)])), d)).toMatchObject({ status: 'refused', message: expect.stringContaining('not yet') });
    expect(d.driver.executed).toHaveLength(0);
  });

  it('refuses a proof not signed by the pinned key, another digest or other approvals', async () => {
    const d = deps('2026-11-30T13:00:00Z');
    const rv = d.driver.put(binding('oncall'));
    const forged = sign(grant(), generateKeyPairSync('ed25519').privateKey);
    expect(await executeCommand(sign(removal(forged, [del('oncall', rv)])), d)).toMatchObject({ status: 'refused', message: expect.stringContaining('pinned console key') });
    expect(await executeCommand(sign(removal(sign(grant()), [del('oncall', rv)], { approvalsDigest: 'b'.repeat(64) })), d)).toMatchObject({ status: 'refused', message: expect.stringContaining('digest') });
    expect(await executeCommand(sign(removal(sign(grant()), [del('oncall', rv)], { approvals: [{ ...APPROVALS[0]!, userId: 'v' }] })), d)).toMatchObject({ status: 'refused', message: expect.stringContaining('approvals') });
    expect(d.driver.executed).toHaveLength(0);
  });

  it('refuses to delete anything the grant did not create with an expiry, or to apply anything', async () => {
    const d = deps('2026-11-30T13:00:00Z');
    const rv = d.driver.put(binding('oncall'));
    const other = d.driver.put(binding('other'));
    const proof = sign(grant());
    expect(await executeCommand(sign(removal(proof, [del('other', other)])), d)).toMatchObject({ status: 'refused', message: expect.stringContaining('not part of the grant') });
    expect(await executeCommand(sign(removal(proof, [{ action: 'apply', object: binding('oncall', null), expectedResourceVersion: rv }])), d)).toMatchObject({ status: 'refused', message: expect.stringContaining('only delete') });
    const existedBefore = sign(grant([{ action: 'apply', object: binding('oncall'), expectedResourceVersion: '7' }]));
    expect(await executeCommand(sign(removal(existedBefore, [del('oncall', rv)])), d)).toMatchObject({ status: 'refused', message: expect.stringContaining('existed before') });
    const noExpiry = sign(grant([{ action: 'apply', object: binding('oncall', null), expectedResourceVersion: null }]));
    expect(await executeCommand(sign(removal(noExpiry, [del('oncall', rv)])), d)).toMatchObject({ status: 'refused', message: expect.stringContaining('without a valid expiry') });
    // A moment without its zone is no expiry: the console refuses it in a draft, so a bundle with one was not approved as a time-bound grant.
    const zoneless = sign(grant([{ action: 'apply', object: binding('oncall', '2020-01-01T00:00'), expectedResourceVersion: null }]));
    expect(await executeCommand(sign(removal(zoneless, [del('oncall', rv)])), d)).toMatchObject({ status: 'refused', message: expect.stringContaining('without a valid expiry') });
    const elsewhere = sign(grant(undefined, { clusterId: '33333333-3333-4333-8333-333333333333' }));
    expect(await executeCommand(sign(removal(elsewhere, [del('oncall', rv)])), d)).toMatchObject({ status: 'refused', message: expect.stringContaining('another cluster') });
    expect(d.driver.executed).toHaveLength(0);
  });
});
