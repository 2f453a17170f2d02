import { describe, expect, it } from 'vitest';
import { kubeAuditEvent } from './kube-audit-event';

const event = (over: object = {}) => ({ kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'RequestResponse', auditID: 'x', stage: 'ResponseComplete', verb: 'update', requestURI: '/api/v1/namespaces/a/secrets/s', user: { username: 'u' }, objectRef: { resource: 'secrets', namespace: 'a', name: 's' }, requestObject: { data: { k: 'dmFs' } }, responseObject: { data: { k: 'dmFs' } }, ...over });

describe('kubeAuditEvent', () => {
  it('drops Secret bodies', () => {
    const r = kubeAuditEvent(event());
    expect(r).toMatchObject({ event: { verb: 'update' } });
    expect(JSON.stringify(r)).not.toContain('dmFs');
  });
  it('keeps other bodies', () => {
    expect(JSON.stringify(kubeAuditEvent(event({ objectRef: { resource: 'configmaps', namespace: 'a', name: 'c' } })))).toContain('dmFs');
  });
  it('skips what is not an audit event', () => {
    expect(kubeAuditEvent({ kind: 'Pod' })).toEqual({ skip: 'not an audit.k8s.io Event' });
    expect(kubeAuditEvent({ kind: 'Event', apiVersion: 'audit.k8s.io/v1' })).toMatchObject({ skip: expect.stringContaining('invalid event') });
  });
});
