// The agent's last line of defence: what it refuses, and that a command runs once.
import { generateKeyPairSync } from 'node:crypto';
import canonicalize from 'canonicalize';
import { describe, expect, it } from 'vitest';
import { FakeDriver } from '@/test/helpers/fake-driver';
import { executeCommand, type ExecutorDeps } from './command-executor';
import type { CommandBundle, CommandResult } from './protocol/messages';
import { signBundle } from './protocol/request-signing';

const consoleKey = generateKeyPairSync('ed25519');
const pinned = consoleKey.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const CLUSTER = '11111111-1111-4111-8111-111111111111';
const np = (name: string) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: 'payments' }, spec: { podSelector: {} } });

function bundle(over: Partial<CommandBundle> = {}): CommandBundle {
  return {
    version: 1,
    commandId: '22222222-2222-4222-8222-222222222222',
    type: 'apply',
    changeId: 'c1',
    clusterId: CLUSTER,
    issuedAt: '2026-11-23T10:00:00.000Z',
    operations: [{ action: 'apply', object: np('a'), expectedResourceVersion: null }],
    approvalsDigest: 'f'.repeat(64),
    approvals: [{ userId: 'u', email: 'a@x', at: '2026-11-23T09:59:00.000Z' }],
    ...over,
  };
}
const sign = (b: CommandBundle, key = consoleKey.privateKey) => {
  const text = canonicalize(b)!;
  return { bundle: text, signature: signBundle(key, text) };
};

function deps(driver = new FakeDriver()): ExecutorDeps & { driver: FakeDriver; store: Map<string, CommandResult> } {
  const store = new Map<string, CommandResult>();
  return { consoleSigningKey: pinned, clusterId: CLUSTER, driver, store, remembered: (id) => store.get(id) ?? null, remember: (r) => void store.set(r.commandId, r), log: () => {} };
}

describe('executeCommand', () => {
  it('applies a signed, approved, current bundle and records Audit-Ids', async () => {
    const d = deps();
    const r = await executeCommand(sign(bundle()), d);
    expect(r).toMatchObject({ status: 'applied', results: [{ outcome: 'applied', auditId: 'audit-1' }] });
    expect(d.driver.executed).toHaveLength(1);
  });
  it('applies a re-delivered command once and reports the same result', async () => {
    const d = deps();
    const first = await executeCommand(sign(bundle()), d);
    const second = await executeCommand(sign(bundle()), d);
    expect(second).toEqual(first);
    expect(d.driver.executed).toHaveLength(1);
  });
  it('refuses a bundle signed by any other key, or altered after signing', async () => {
    const d = deps();
    const other = generateKeyPairSync('ed25519');
    expect(await executeCommand(sign(bundle(), other.privateKey), d)).toMatchObject({ status: 'refused', message: expect.stringContaining('pinned console key') });
    const s = sign(bundle());
    const altered = { ...s, bundle: s.bundle.replace('"a"', '"evil"') };
    expect(await executeCommand(altered, d)).toMatchObject({ status: 'refused' });
    expect(d.driver.executed).toHaveLength(0);
  });
  it('refuses a bundle for another cluster and an apply without approvals', async () => {
    const d = deps();
    expect(await executeCommand(sign(bundle({ clusterId: '33333333-3333-4333-8333-333333333333' })), d)).toMatchObject({ status: 'refused', message: expect.stringContaining('targets cluster') });
    expect(await executeCommand(sign(bundle({ approvals: [] })), d)).toMatchObject({ status: 'refused', message: expect.stringContaining('approvals') });
    expect(d.driver.executed).toHaveLength(0);
  });
  it('applies nothing when any object changed since review (stale)', async () => {
    const d = deps();
    const rv = d.driver.put(np('b'));
    const r = await executeCommand(sign(bundle({ operations: [{ action: 'apply', object: np('a'), expectedResourceVersion: null }, { action: 'apply', object: np('b'), expectedResourceVersion: String(Number(rv) - 1) }] })), d);
    expect(r).toMatchObject({ status: 'stale', results: [{ outcome: 'skipped' }, { outcome: 'stale', message: expect.stringContaining(`found ${rv}`) }] });
    expect(d.driver.executed).toHaveLength(0);
  });
  it('stops at the first failure and says exactly what applied', async () => {
    const d = deps();
    const forbidden = { apiVersion: 'v1', kind: 'Forbidden', metadata: { name: 'x', namespace: 'payments' } };
    const r = await executeCommand(sign(bundle({ operations: [{ action: 'apply', object: np('a'), expectedResourceVersion: null }, { action: 'apply', object: forbidden, expectedResourceVersion: null }, { action: 'apply', object: np('c'), expectedResourceVersion: null }] })), d);
    expect(r).toMatchObject({ status: 'partial', results: [{ outcome: 'applied' }, { outcome: 'failed', message: expect.stringContaining('403') }, { outcome: 'skipped' }], message: expect.stringContaining('operation 2 of 3 failed') });
  });
});
