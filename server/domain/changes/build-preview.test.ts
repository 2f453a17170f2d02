import { describe, expect, it } from 'vitest';
import { buildPreview } from './build-preview';
import { parseChangeObjects } from './change-objects';

const ns = (name: string) => ({ name, labels: { 'kubernetes.io/metadata.name': name } });
const wl = (namespace: string, name: string, port?: number) => ({ id: `${namespace}/${name}`, kind: 'Deployment', namespace, name, labels: { app: name }, ips: [], ports: port ? [{ port, protocol: 'TCP' as const }] : [] });

describe('buildPreview', () => {
  const { operations } = parseChangeObjects(
    'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: pay}\nspec: {podSelector: {}, policyTypes: [Ingress]}\n',
    [],
    { namespaces: new Set(['pay']), clusterScoped: false },
  );
  const input = {
    operations,
    live: new Map(),
    namespaces: [ns('pay'), ns('shop')],
    workloads: [wl('pay', 'api', 8080), wl('shop', 'web')],
    networkPolicies: [],
    rbacObjects: [],
    flows: [{ source: { workload: 'shop/web' }, destination: { workload: 'pay/api' }, port: 8080, protocol: 'TCP' as const, count: 2 }],
    window: { from: new Date('2026-11-23T00:00:00Z'), to: new Date('2026-11-23T01:00:00Z'), minutesWithData: 60 },
  };

  it('shows the blocked flow, marks rare flows, and records the base objects for rollback', () => {
    const p = buildPreview({ ...input, visibleNamespaces: null });
    expect(p.objects[0]).toMatchObject({ key: 'NetworkPolicy/pay/deny', action: 'create' });
    expect(p.base).toEqual({ 'NetworkPolicy/pay/deny': null });
    expect(p.netpol?.flips).toEqual([expect.objectContaining({ source: 'shop/web', destination: 'pay/api', change: 'allowed-to-denied', rare: true })]);
    expect(p.netpol?.flips[0]?.explanation).toContain('shop/web');
  });

  it('never names what lies in another tenant’s namespaces, in the ends or the explanation', () => {
    const p = buildPreview({ ...input, visibleNamespaces: new Set(['pay']) });
    const flip = p.netpol!.flips[0]!;
    expect(flip.source).toBe('(another tenant)');
    expect(flip.destination).toBe('pay/api');
    expect(flip.explanation).not.toContain('shop/');
    expect(flip.explanation).toContain('pay/api');
  });

  it('lists allowed paths no observed flow used (over-permission) and says how much history it covers', () => {
    const allow = parseChangeObjects(
      'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: allow-api, namespace: pay}\nspec:\n  podSelector: {matchLabels: {app: api}}\n  policyTypes: [Ingress]\n  ingress:\n  - from: [{namespaceSelector: {}}]\n',
      [],
      { namespaces: new Set(['pay']), clusterScoped: false },
    ).operations;
    const p = buildPreview({ ...input, operations: allow, workloads: [wl('pay', 'api', 8080), wl('shop', 'web'), wl('shop', 'batch')], flows: [{ ...input.flows[0]!, minutes: 1 }], visibleNamespaces: null });
    // shop/web used its path; shop/batch never connected: one of the two allowed paths is unused.
    expect(p.netpol).toMatchObject({ allowedPathsTotal: 2, unusedAllowedTotal: 1 });
    expect(p.netpol!.unusedAllowedPaths).toEqual([expect.stringContaining('shop/batch → pay/api 8080/TCP (allowed by pay/allow-api ingress rule 1)')]);
    expect(p.netpol!.coverage).toEqual({ windowMinutes: 60, minutesWithData: 60, rareFlows: 1, rareFlips: 0 });
    // For a reader of pay only, unused paths from another tenant's workloads are masked, and said once.
    const masked = buildPreview({ ...input, operations: allow, workloads: [wl('pay', 'api', 8080), wl('shop', 'web'), wl('shop', 'batch'), wl('shop', 'cron')], flows: [], visibleNamespaces: new Set(['pay']) });
    expect(masked.netpol!.unusedAllowedTotal).toBe(3);
    expect(masked.netpol!.unusedAllowedPaths).toEqual([expect.stringMatching(/^\(another tenant\) → pay\/api 8080\/TCP .*\(3 paths\)$/)]);
  });

  it('calls a busy flow rare when it appears in only a minute or two of a well-covered window', () => {
    const flow = { ...input.flows[0]!, count: 500, minutes: 1 };
    const covered = buildPreview({ ...input, flows: [flow], visibleNamespaces: null });
    expect(covered.netpol!.flips[0]).toMatchObject({ rare: true, minutes: 1 });
    const young = buildPreview({ ...input, flows: [flow], window: { ...input.window, minutesWithData: 5 }, visibleNamespaces: null });
    expect(young.netpol!.flips[0]).toMatchObject({ rare: false });
    expect(young.netpol!.coverage.minutesWithData).toBe(5);
  });
});
