// Summing quotas per tenant: exact totals across namespaces and clusters, the tightest quota
// per namespace, pressure order and the 80 % / 95 % flags.
import { describe, expect, it } from 'vitest';
import { type QuotaObjectInput, summarizeQuotas } from './summarize-quotas';

const acme = { id: 't-acme', slug: 'acme', name: 'Acme' };
const beta = { id: 't-beta', slug: 'beta', name: 'Beta' };
const empty = { id: 't-empty', slug: 'empty', name: 'Empty' };

function quota(tenantId: string, cluster: string, namespace: string, hard: Record<string, unknown>, used?: Record<string, unknown>, name = 'compute'): QuotaObjectInput {
  const object = used ? { spec: { hard }, status: { hard, used } } : { spec: { hard } };
  return { tenantId, cluster, namespace, name, object };
}

describe('summarizeQuotas', () => {
  it('sums each resource exactly across namespaces and clusters, in the limit’s units', () => {
    const [a] = summarizeQuotas([acme], [
      quota('t-acme', 'prod', 'web', { 'limits.cpu': '2', 'limits.memory': '4Gi' }, { 'limits.cpu': '1500m', 'limits.memory': '1.5Gi' }),
      quota('t-acme', 'staging', 'web', { 'limits.cpu': '1', 'limits.memory': '1Gi' }, { 'limits.cpu': '0.1', 'limits.memory': '512Mi' }),
    ]);
    const cpu = a!.resources.find((r) => r.resource === 'limits.cpu')!;
    expect(cpu).toMatchObject({ used: '1600m', hard: '3', percent: '53.3 %', permille: 533, level: 'ok' });
    expect(cpu.namespaces.map((n) => `${n.cluster}/${n.namespace} ${n.used}/${n.hard} ${n.percent}`)).toEqual(['prod/web 1500m/2 75.0 %', 'staging/web 100m/1 10.0 %']);
    const memory = a!.resources.find((r) => r.resource === 'limits.memory')!;
    expect(memory).toMatchObject({ used: '2Gi', hard: '5Gi', percent: '40.0 %' });
  });

  it('sorts resources by pressure and flags 80 % and 95 % exactly at their edge', () => {
    const [a] = summarizeQuotas([acme], [
      quota('t-acme', 'prod', 'web', { pods: '100', 'limits.cpu': '1000', 'requests.cpu': '10', services: '10', secrets: '20' }, { pods: '95', 'limits.cpu': '999.9999', 'requests.cpu': '7999m', services: '8', secrets: '1' }),
    ]);
    expect(a!.resources.map((r) => [r.resource, r.percent, r.level])).toEqual([
      ['limits.cpu', '99.9 %', 'critical'],
      ['pods', '95.0 %', 'critical'],
      ['services', '80.0 %', 'high'],
      ['requests.cpu', '79.9 %', 'ok'],
      ['secrets', '5.0 %', 'ok'],
    ]);
  });

  it('takes the tightest of several quotas on one resource in a namespace rather than adding them', () => {
    const [a] = summarizeQuotas([acme], [
      quota('t-acme', 'prod', 'web', { pods: '100' }, { pods: '10' }, 'roomy'),
      quota('t-acme', 'prod', 'web', { pods: '12' }, { pods: '10' }, 'tight'),
    ]);
    expect(a!.resources[0]).toMatchObject({ resource: 'pods', used: '10', hard: '12', level: 'high' });
    expect(a!.resources[0]!.namespaces).toHaveLength(1);
    expect(a!.resources[0]!.namespaces[0]!.quota).toBe('tight');
  });

  it('uses spec.hard with nothing used before the quota controller reports, and says so', () => {
    const [a] = summarizeQuotas([acme], [quota('t-acme', 'prod', 'web', { 'requests.memory': '1Gi' })]);
    expect(a!.resources[0]).toMatchObject({ used: '0', hard: '1Gi', percent: '0.0 %' });
    expect(a!.resources[0]!.namespaces[0]!.usedReported).toBe(false);
  });

  it('reports unreadable quantities instead of guessing, and keeps the rest', () => {
    const [a] = summarizeQuotas([acme], [quota('t-acme', 'prod', 'web', { pods: 'lots', services: '4' }, { services: '1' })]);
    expect(a!.resources.map((r) => r.resource)).toEqual(['services']);
    expect(a!.problems).toEqual([expect.objectContaining({ namespace: 'web', quota: 'compute', resource: 'pods', value: 'lots' })]);
  });

  it('reads a text that repeats across namespaces and tenants the same each time, problems included', () => {
    const summaries = summarizeQuotas([acme, beta], [
      quota('t-acme', 'prod', 'web', { pods: '10', 'limits.memory': '2Gi' }, { pods: 'lots', 'limits.memory': '1Gi' }),
      quota('t-acme', 'prod', 'api', { pods: '10', 'limits.memory': '2Gi' }, { pods: 'lots', 'limits.memory': '1Gi' }),
      quota('t-beta', 'prod', 'db', { pods: 10, 'limits.memory': '2Gi' }, { pods: '10', 'limits.memory': '1Gi' }),
    ]);
    const [a, b] = [acme, beta].map((t) => summaries.find((s) => s.tenant.id === t.id));
    expect(a!.problems.map((p) => `${p.namespace} ${p.resource} ${p.value}`)).toEqual(['api pods lots', 'web pods lots']);
    expect(a!.resources.map((r) => [r.resource, r.used, r.hard])).toEqual([['limits.memory', '2Gi', '4Gi']]);
    expect(b!.resources.map((r) => [r.resource, r.used, r.hard, r.level])).toEqual([
      ['pods', '10', '10', 'critical'],
      ['limits.memory', '1Gi', '2Gi', 'ok'],
    ]);
  });

  it('a zero limit: nothing used is no pressure, anything used is over', () => {
    const [a] = summarizeQuotas([acme], [quota('t-acme', 'prod', 'web', { 'services.loadbalancers': '0', 'services.nodeports': '0' }, { 'services.loadbalancers': '0', 'services.nodeports': '1' })]);
    expect(a!.resources.map((r) => [r.resource, r.percent, r.level, r.permille])).toEqual([
      ['services.nodeports', 'over a limit of 0', 'critical', null],
      ['services.loadbalancers', 'no allowance', 'ok', null],
    ]);
  });

  it('orders tenants by their highest pressure, those without quotas last, and keeps tenants apart', () => {
    const result = summarizeQuotas([empty, acme, beta], [
      quota('t-acme', 'prod', 'a', { pods: '10' }, { pods: '5' }),
      quota('t-beta', 'prod', 'b', { pods: '10' }, { pods: '9' }),
    ]);
    expect(result.map((t) => [t.tenant.slug, t.resources.map((r) => r.used).join()])).toEqual([
      ['beta', '9'],
      ['acme', '5'],
      ['empty', ''],
    ]);
  });
});
