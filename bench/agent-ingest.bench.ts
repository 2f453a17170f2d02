// Benchmark: how many aggregated flow records a second the console ingests from one agent
// into PostgreSQL, through the real agent API handler (JSON parse, schema validation,
// signature check, idempotency claim, upsert). Target: 50,000 records/s.
// Usage: DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench:ingest
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { AgentStateDir } from '@/agent/agent-state';
import { enroll } from '@/agent/console-client';
import { AGENT_API_PREFIX, type FlowRecord } from '@/agent/protocol/messages';
import { bodyDigest, HEADERS, signRequest } from '@/agent/protocol/request-signing';
import { systemContext } from '@/db/seed/factories';
import { handleAgentRequest } from '@/server/http/agent-api';
import { registerCluster } from '@/server/services/clusters/register-cluster';
import { openTestDatabase } from '@/test/helpers/test-database';

process.env.VERITY_SECRET ??= randomBytes(32).toString('hex');
const driver = process.env.DATABASE_URL ? 'postgres' : 'pglite';
const BATCH = 20_000;
const BATCHES = Number(process.env.BATCHES ?? 10);

const t = await openTestDatabase(driver);
try {
  const { token } = await registerCluster(systemContext(t.db), { name: 'bench' });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'verity-bench-'));
  const state = new AgentStateDir(dir);
  const keys = state.keyPair();
  const fetchVia = (async (url: string | URL | Request, init?: RequestInit) => handleAgentRequest(t, new Request(url, init))) as typeof fetch;
  const identity = await enroll('http://bench.local', { token, publicKey: keys.publicKeyPem, agentVersion: 'bench', driver: 'sim' }, fetchVia);

  // 2,000 workloads in 40 namespaces, distinct (source, destination, port) per record.
  // `minuteOf` decides whether a batch brings new keys (a new minute) or merges into keys
  // already stored (the same minute again: counts are added to existing rows).
  const records = (batch: number, minuteOf: (batch: number) => number): FlowRecord[] =>
    Array.from({ length: BATCH }, (_, i) => {
      const n = batch * BATCH + i;
      return {
        minute: new Date(Date.UTC(2026, 10, 23, 10, minuteOf(batch))).toISOString(),
        source: { namespace: `ns-${n % 40}`, workload: `wl-${n % 2000}` },
        destination: n % 10 === 0 ? { ip: `203.0.113.${n % 250}` } : { namespace: `ns-${(n * 7) % 40}`, workload: `wl-${(n * 13) % 2000}` },
        port: 1000 + (n % 5000),
        protocol: 'TCP',
        mtls: n % 3 === 0 ? 'plaintext' : 'mutual',
        verdict: n % 17 === 0 ? 'denied' : 'allowed',
        count: 1 + (n % 7),
      };
    });

  const send = async (body: string) => {
    const p = `${AGENT_API_PREFIX}/flows`;
    const timestamp = String(Date.now());
    const nonce = randomBytes(8).toString('hex');
    const signature = signRequest(keys.privateKey, { method: 'POST', path: p, timestamp, nonce, bodyDigest: bodyDigest(body) });
    const res = await handleAgentRequest(t, new Request(`http://bench.local${p}`, { method: 'POST', body, headers: { [HEADERS.agent]: identity.agentId, [HEADERS.timestamp]: timestamp, [HEADERS.nonce]: nonce, [HEADERS.signature]: signature } }));
    if (!res.ok) throw new Error(`ingest failed: ${res.status} ${await res.text()}`);
  };

  // Warm-up (first partition creation, JIT), not measured.
  await send(JSON.stringify({ batchId: randomBytes(9).toString('base64url'), records: records(999, () => 59).slice(0, 2000) }));
  for (const [label, minuteOf] of [
    ['new keys (each batch a new minute)', (b: number) => b],
    ['merging (every batch adds to the same minute)', () => 30],
  ] as const) {
    const bodies = Array.from({ length: BATCHES }, (_, b) => JSON.stringify({ batchId: randomBytes(9).toString('base64url'), records: records(b, minuteOf) }));
    const start = performance.now();
    for (const body of bodies) await send(body);
    const seconds = (performance.now() - start) / 1000;
    const total = BATCH * BATCHES;
    const rate = Math.round(total / seconds);
    console.log(`driver ${driver}, ${label}: ${total.toLocaleString('en')} records in ${BATCHES} batches of ${BATCH.toLocaleString('en')} in ${seconds.toFixed(2)} s = ${rate.toLocaleString('en')} records/s (target 50,000) ${rate >= 50_000 ? 'OK' : 'BELOW TARGET'}`);
  }
} finally {
  await t.dispose();
}
