// Hubble's JSON output, read from real captures (../shared/fixtures/hubble).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hubbleObservation, workloadName } from './hubble-flow';

const fixtures = path.resolve(__dirname, '../../../shared/fixtures/hubble');
const lines = (file: string) => readFileSync(path.join(fixtures, file), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as unknown);
const observed = (file: string) => lines(file).map(hubbleObservation).flatMap((r) => ('observation' in r ? [r.observation] : []));

describe('Hubble flow records', () => {
  it('reads the 10-flow capture: replies skipped, pods grouped into workloads, host and world by IP', () => {
    const all = lines('basic-sample-10-flows.json').map(hubbleObservation);
    expect(all.filter((r) => 'skip' in r && r.skip === 'reply')).toHaveLength(5);
    const obs = observed('basic-sample-10-flows.json');
    expect(obs).toHaveLength(5);
    expect(obs).toContainEqual(
      expect.objectContaining({ source: { namespace: 'istio-system', workload: 'prometheus' }, destination: { namespace: 'bookinfo', workload: 'reviews-v1' }, port: 15090, protocol: 'TCP', verdict: 'allowed', count: 1 }),
    );
    expect(obs).toContainEqual(expect.objectContaining({ source: { namespace: 'kube-system', workload: 'event-exporter-gke' }, destination: { ip: expect.any(String) }, port: 443 }));
    expect(obs).toContainEqual(expect.objectContaining({ source: { ip: '10.0.2.1' }, destination: { namespace: 'kube-system', workload: 'kube-dns' }, port: 10054 }));
    expect(obs.every((o) => o.time instanceof Date && o.time.getUTCFullYear() === 2021)).toBe(true);
  });

  it('counts each DNS request once and skips the responses', () => {
    const obs = observed('basic-sample-5-dns-flows.json');
    expect(obs).toHaveLength(3);
    expect(new Set(obs.map((o) => `${JSON.stringify(o.source)}>${JSON.stringify(o.destination)}:${o.port}`))).toEqual(
      new Set([`{"namespace":"kube-system","workload":"node-local-dns"}>{"namespace":"kube-system","workload":"kube-dns"}:53`]),
    );
  });

  it('reads HTTP requests, including one to the world', () => {
    const obs = observed('basic-sample-5-http-flows.json');
    expect(obs).toHaveLength(3);
    expect(obs[0]).toMatchObject({ source: { namespace: 'istio-system', workload: 'prometheus' }, destination: { ip: expect.any(String) }, port: 9990 });
    // Hubble cannot attest Istio's mTLS: unknown, not guessed.
    expect(obs.every((o) => o.mtls === 'unknown')).toBe(true);
  });

  it('maps drops: policy drops are denied, other drops are dropped; SPIRE auth is mutual', () => {
    const base = { time: '2026-11-23T10:00:00Z', IP: { source: '10.0.0.1', destination: '10.0.0.2' }, l4: { UDP: { destination_port: 53 } }, source: { namespace: 'a', pod_name: 'x-7d4b9c8f6d-abcde' }, destination: { namespace: 'b', pod_name: 'db-0' } };
    expect(hubbleObservation({ flow: { ...base, verdict: 'DROPPED', drop_reason_desc: 'POLICY_DENIED' } })).toMatchObject({ observation: { verdict: 'denied', protocol: 'UDP', destination: { namespace: 'b', workload: 'db' } } });
    expect(hubbleObservation({ flow: { ...base, verdict: 'DROPPED', drop_reason_desc: 'CT_MAP_INSERTION_FAILED' } })).toMatchObject({ observation: { verdict: 'dropped' } });
    expect(hubbleObservation({ flow: { ...base, verdict: 'FORWARDED', auth_type: 'SPIRE' } })).toMatchObject({ observation: { mtls: 'mutual' } });
  });

  it('skips what is not a flow without throwing', () => {
    expect(hubbleObservation(null)).toEqual({ skip: 'no flow object' });
    expect(hubbleObservation({ flow: { verdict: 'FORWARDED' } })).toEqual({ skip: 'no time' });
    expect(hubbleObservation({ flow: { time: '2026-01-01T00:00:00Z', IP: { source: '1.1.1.1', destination: '2.2.2.2' }, source: {}, destination: {} } })).toEqual({ skip: 'no layer-4 protocol' });
  });

  it.each([
    [{ pod_name: 'reviews-v1-545db77b95-s6jb8' }, 'reviews-v1'],
    [{ pod_name: 'node-local-dns-88zrp' }, 'node-local-dns'],
    [{ pod_name: 'postgres-0' }, 'postgres'],
    [{ pod_name: 'standalone' }, 'standalone'],
    [{ pod_name: 'x-1', workloads: [{ name: 'real-owner', kind: 'Deployment' }] }, 'real-owner'],
  ])('names the workload of %j as %s', (ep, name) => expect(workloadName(ep)).toBe(name));
});
