import { describe, expect, it } from 'vitest';
import { changeDigest } from './change-digest';
import type { ChangeOperation } from './change-objects';
import { EXPIRES_ANNOTATION, checkGrantsNow, readGrantExpiries } from './grant-expiry';

const binding = (expires?: unknown, kind = 'RoleBinding'): ChangeOperation => ({
  action: 'apply',
  key: { kind: kind as 'RoleBinding', namespace: kind === 'RoleBinding' || kind === 'Role' ? 'shop' : null, name: 'oncall' },
  object: {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind,
    metadata: { name: 'oncall', namespace: 'shop', ...(expires !== undefined ? { annotations: { [EXPIRES_ANNOTATION]: expires } } : {}) },
    subjects: [{ kind: 'User', name: 'ana' }],
    roleRef: { kind: 'ClusterRole', name: 'edit' },
  },
});
const NOW = new Date('2026-11-30T12:00:00Z');

describe('time-bound grants', () => {
  it('reads an expiry from a binding, normalized to UTC', () => {
    expect(readGrantExpiries([binding('2026-11-30T14:00:00+01:00')])).toEqual({
      grants: [{ key: { kind: 'RoleBinding', namespace: 'shop', name: 'oncall' }, expiresAt: '2026-11-30T13:00:00.000Z' }],
      problems: [],
    });
    expect(readGrantExpiries([binding()]).grants).toEqual([]);
  });

  it('refuses an expiry without a zone, a non-date, and one on anything but a binding', () => {
    expect(readGrantExpiries([binding('2026-11-30T14:00:00')]).problems[0]!.message).toMatch(/time zone/);
    expect(readGrantExpiries([binding('tomorrow')]).problems[0]!.message).toMatch(/time zone/);
    expect(readGrantExpiries([binding(1234)]).problems).toHaveLength(1);
    expect(readGrantExpiries([binding('2026-12-01T00:00:00Z', 'Role')]).problems[0]!.message).toMatch(/only a RoleBinding or ClusterRoleBinding/);
  });

  it('needs the expiry ahead and the binding new', () => {
    const { grants } = readGrantExpiries([binding('2026-11-30T12:00:00Z')]);
    expect(checkGrantsNow(grants, () => false, NOW).map((p) => p.message)).toEqual(['the expiry 2026-11-30T12:00:00.000Z has already passed']);
    const later = readGrantExpiries([binding('2026-11-30T13:00:00Z')]).grants;
    expect(checkGrantsNow(later, () => false, NOW)).toEqual([]);
    expect(checkGrantsNow(later, (k) => k === 'RoleBinding/shop/oncall', NOW)[0]!.message).toMatch(/must create a new binding/);
  });

  it('the digest covers the expiry: another expiry is another digest; no expiry keeps the old digest form', () => {
    const base = { changeId: 'c', clusterId: 'k', revision: 1, baseVersions: {}, dryRun: null };
    const a = changeDigest({ ...base, operations: [binding('2026-11-30T13:00:00Z')] });
    const b = changeDigest({ ...base, operations: [binding('2026-11-30T13:00:01Z')] });
    expect(a).not.toBe(b);
    expect(changeDigest({ ...base, operations: [binding()] })).toMatch(/^[0-9a-f]{64}$/);
  });
});
