import { describe, expect, it } from 'vitest';
import type { FlowAggregate } from '../graph/model';
import type { Workload } from '../netpol/model';
import type { ChangeOperation } from './change-objects';
import { meshPreview } from './mesh-preview';

const wl = (namespace: string, name: string, ports: number[]): Workload => ({ id: `${namespace}/${name}`, kind: 'Deployment', namespace, name, labels: { app: name }, ips: [], ports: ports.map((port) => ({ port, protocol: 'TCP' as const })) });
const workloads = [wl('shop', 'api', [8080, 9090]), wl('shop', 'web', [8080]), wl('ops', 'scraper', [])];
const flow = (src: string, dst: string, port: number, mtls: FlowAggregate['mtls'], count: number): FlowAggregate => {
  const [sn, sw] = src.split('/') as [string, string];
  const [dn, dw] = dst.split('/') as [string, string];
  return { srcNamespace: sn, srcWorkload: sw, srcIp: '', dstNamespace: dn, dstWorkload: dw, dstIp: '', port, protocol: 'TCP', mtls, verdict: 'allowed', count, bytes: 0 };
};
const flows = [flow('ops/scraper', 'shop/api', 9090, 'plaintext', 40), flow('shop/web', 'shop/api', 8080, 'mutual', 500), flow('shop/web', 'shop/api', 8080, 'plaintext', 3)];
const pa = (name: string, namespace: string, spec: Record<string, unknown>) => ({ apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name, namespace, creationTimestamp: '2026-01-01T00:00:00Z' }, spec });
const apply = (o: ReturnType<typeof pa>): ChangeOperation => ({ action: 'apply', key: { kind: 'PeerAuthentication', namespace: o.metadata.namespace, name: o.metadata.name }, object: o });
const window = { from: new Date('2026-11-29T00:00:00Z'), to: new Date('2026-11-30T00:00:00Z') };

describe('the STRICT-readiness preview of a PeerAuthentication change', () => {
  it('lists the plaintext connections the change would start rejecting, and the modes that change', () => {
    const p = meshPreview({ operations: [apply(pa('default', 'shop', { mtls: { mode: 'STRICT' } }))], peerAuthentications: [], workloads, flows, visibleNamespaces: null, window })!;
    expect(p.namespaces).toEqual(['shop']);
    expect(p.breaking.map((b) => [b.sourceLabel, b.targetLabel, b.port, b.plaintext, b.currentMode])).toEqual([
      ['ops/scraper', 'shop/api', 9090, 40, 'PERMISSIVE'],
      ['shop/web', 'shop/api', 8080, 3, 'PERMISSIVE'],
    ]);
    expect(p.modeChanges).toContainEqual({ workload: 'shop/api', port: null, before: 'PERMISSIVE', after: 'STRICT' });
  });

  it('counts only ports the change makes STRICT, and names what is already rejected', () => {
    const live = pa('default', 'shop', { mtls: { mode: 'STRICT' } });
    // api's metrics port is relaxed to PERMISSIVE: nothing breaks, and the plaintext into 8080 was rejected before.
    const p = meshPreview({ operations: [apply(pa('api', 'shop', { selector: { matchLabels: { app: 'api' } }, portLevelMtls: { 9090: { mode: 'PERMISSIVE' } } }))], peerAuthentications: [live], workloads, flows, visibleNamespaces: null, window })!;
    expect(p.breaking).toEqual([]);
    expect(p.alreadyRejected.map((b) => [b.sourceLabel, b.port])).toEqual([['shop/web', 8080]]);
    expect(p.modeChanges).toEqual([{ workload: 'shop/api', port: 9090, before: 'STRICT', after: 'PERMISSIVE' }]);
    // Moving the namespace back to PERMISSIVE breaks nothing either.
    expect(meshPreview({ operations: [apply(pa('default', 'shop', { mtls: { mode: 'PERMISSIVE' } }))], peerAuthentications: [live], workloads, flows, visibleNamespaces: null, window })!.breaking).toEqual([]);
  });

  it('masks sources in namespaces the reader may not see', () => {
    const p = meshPreview({ operations: [apply(pa('default', 'shop', { mtls: { mode: 'STRICT' } }))], peerAuthentications: [], workloads, flows, visibleNamespaces: new Set(['shop']), window })!;
    expect(p.breaking.map((b) => b.sourceLabel)).toEqual(['another tenant', 'shop/web']);
    expect(JSON.stringify(p)).not.toContain('scraper');
  });

  it('a mesh-wide policy reaches every namespace; a change without PeerAuthentication has no such preview', () => {
    const p = meshPreview({ operations: [apply(pa('default', 'istio-system', { mtls: { mode: 'STRICT' } }))], peerAuthentications: [], workloads, flows, visibleNamespaces: null, window })!;
    expect(p.namespaces).toEqual(['ops', 'shop']);
    expect(p.breaking).toHaveLength(2);
    expect(meshPreview({ operations: [], peerAuthentications: [], workloads, flows, visibleNamespaces: null, window })).toBeNull();
  });
});
