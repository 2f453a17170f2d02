// The agent process: enroll once, then send a full inventory snapshot (again after every
// reconnect), watch deltas, aggregate flows per minute, forward Kubernetes audit events,
// send heartbeats, and long-poll for commands. Every connection is outbound.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { AgentStateDir } from './agent-state';
import { executeCommand } from './command-executor';
import { ConsoleClient, enroll, type Fetch } from './console-client';
import type { ClusterDriver, FlowObservation } from './drivers/cluster-driver';
import { CommandPoll, type CommandResult, type FlowRecord, type InventoryBatch, type KubeAuditEvent, type UsageBatch } from './protocol/messages';
import { UplinkQueue, type OutboundBatch, type SendOutcome } from './uplink/uplink-queue';
import { FlowAggregator } from './uplink/flow-aggregator';

export const AGENT_VERSION = '0.1.0';

export interface AgentOptions {
  stateDir: string;
  consoleUrl?: string;
  enrollToken?: string;
  driver: ClusterDriver;
  log?: (message: string) => void;
  fetch?: Fetch;
  flushMs?: number;
  heartbeatMs?: number;
  /** How often usage is sampled (a minute: the console stores it per minute). */
  usageMs?: number;
  pollWaitS?: number;
  queueCapacity?: number;
}

export interface RunningAgent {
  agentId: string;
  clusterId: string;
  /** Hand observed flows (from Hubble, say) to the aggregator. */
  observeFlows(observations: FlowObservation[]): void;
  /** Queue Kubernetes audit events for the console. */
  forwardAudit(events: KubeAuditEvent[]): void;
  /** Sends what is aggregated now instead of at the next flush. */
  flush(): void;
  /** Samples usage now (for the current minute) instead of at the next tick. */
  sampleUsage(): Promise<void>;
  readonly queue: { pending: number; dropped: number };
  stop(): Promise<void>;
}

const batchId = () => randomBytes(12).toString('base64url');

export async function startAgent(opts: AgentOptions): Promise<RunningAgent> {
  const log = opts.log ?? ((m: string) => console.log(`[agent] ${m}`));
  const fetchImpl = opts.fetch ?? fetch;
  const state = new AgentStateDir(opts.stateDir);
  const keys = state.keyPair();
  let identity = state.identity();
  if (!identity) {
    if (!opts.consoleUrl || !opts.enrollToken) throw new Error(`no agent identity in ${opts.stateDir}: give --console URL and --enroll TOKEN for the first start`);
    const enrolled = await enroll(opts.consoleUrl, { token: opts.enrollToken, publicKey: keys.publicKeyPem, agentVersion: AGENT_VERSION, driver: opts.driver.name, hostname: os.hostname() }, fetchImpl);
    identity = { ...enrolled, consoleUrl: opts.consoleUrl };
    state.saveIdentity(identity);
    log(`enrolled as agent ${identity.agentId} of cluster ${identity.clusterName}`);
  } else if (opts.consoleUrl && opts.consoleUrl !== identity.consoleUrl) {
    identity = { ...identity, consoleUrl: opts.consoleUrl };
    state.saveIdentity(identity);
  }
  const id = identity;
  const client = new ConsoleClient(id.consoleUrl, id.agentId, keys.privateKey, fetchImpl);

  const send = async (batch: OutboundBatch): Promise<SendOutcome> => {
    const res = await client.request('POST', batch.path, batch.body);
    if (res.ok) return 'sent';
    const text = await res.text().catch(() => '');
    if (res.status >= 500 || res.status === 429 || res.status === 408 || res.status === 401) {
      log(`uplink: ${batch.label} answered ${res.status} ${text.slice(0, 200)}; will retry`);
      return 'retry';
    }
    log(`uplink: ${batch.label} rejected with ${res.status}: ${text.slice(0, 300)}`);
    return 'reject';
  };

  const queue = new UplinkQueue({ capacity: opts.queueCapacity ?? 1_000, send, log, onReconnect: () => void sendSnapshot('reconnected') });
  const aggregator = new FlowAggregator();

  async function sendSnapshot(why: string) {
    const items = await opts.driver.snapshot();
    const body: InventoryBatch = { type: 'snapshot', batchId: batchId(), observedAt: new Date().toISOString(), items };
    queue.push({ path: '/inventory', body: JSON.stringify(body), label: `inventory snapshot (${items.length} objects, ${why})` });
  }

  const flush = () => {
    for (const records of aggregator.drain(5_000)) {
      queue.push({ path: '/flows', body: JSON.stringify({ batchId: batchId(), records } satisfies { batchId: string; records: FlowRecord[] }), label: `flows (${records.length} records)` });
    }
  };

  const sampleUsage = async () => {
    if (!opts.driver.sampleUsage) return;
    const minute = new Date(Math.floor(Date.now() / 60_000) * 60_000);
    try {
      const { workloads, quotas } = await opts.driver.sampleUsage(minute);
      if (workloads.length === 0 && quotas.length === 0) return;
      const body: UsageBatch = { batchId: batchId(), workloads, quotas };
      queue.push({ path: '/usage', body: JSON.stringify(body), label: `usage (${workloads.length} workloads, ${quotas.length} quotas)` });
    } catch (err) {
      log(`usage sample failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  };

  await sendSnapshot('start');
  const stopWatch = opts.driver.watch(
    (delta) => {
      if (delta.upserts.length === 0 && delta.deletes.length === 0) return;
      const body: InventoryBatch = { type: 'delta', batchId: batchId(), observedAt: new Date().toISOString(), upserts: delta.upserts, deletes: delta.deletes };
      queue.push({ path: '/inventory', body: JSON.stringify(body), label: `inventory delta (${delta.upserts.length} changed, ${delta.deletes.length} removed)` });
    },
    (err) => log(`inventory watch failed: ${err.message}`),
  );
  const stopFlows = opts.driver.observeFlows?.((observations) => aggregator.add(observations));
  const queueDone = queue.run();

  const heartbeat = async () => {
    const res = await client
      .request('POST', '/heartbeat', JSON.stringify({ agentVersion: AGENT_VERSION, driver: opts.driver.name, queue: { pending: queue.pending, dropped: queue.dropped } }))
      .catch(() => null);
    if (res && !res.ok) log(`heartbeat answered ${res.status}`);
  };
  void heartbeat();
  void sampleUsage();
  const timers = [
    setInterval(flush, opts.flushMs ?? 10_000),
    setInterval(() => void heartbeat(), opts.heartbeatMs ?? 15_000),
    setInterval(() => void sampleUsage(), opts.usageMs ?? 60_000),
  ];

  // Commands: long-poll, carry out, report (the report goes through the queue so it survives an outage).
  const polling = new AbortController();
  const pollLoop = (async () => {
    let backoff = 1_000;
    while (!polling.signal.aborted) {
      try {
        const res = await client.request('GET', `/commands?wait=${opts.pollWaitS ?? 25}`, undefined, polling.signal);
        if (!res.ok) throw new Error(`poll answered ${res.status}`);
        const { commands } = CommandPoll.parse(await res.json());
        backoff = 1_000;
        for (const signed of commands) {
          const result = await executeCommand(signed, {
            consoleSigningKey: id.consoleSigningKey,
            clusterId: id.clusterId,
            driver: opts.driver,
            remembered: (cid) => state.appliedResult(cid),
            remember: (r) => state.rememberResult(r),
            log,
          });
          if (result) reportResult(result);
        }
      } catch (err) {
        if (polling.signal.aborted) break;
        log(`command poll failed: ${err instanceof Error ? err.message : String(err)}`);
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(backoff * 2, 30_000);
      }
    }
  })();

  function reportResult(result: CommandResult) {
    log(`command ${result.commandId}: ${result.status}${result.message ? ` (${result.message})` : ''}`);
    queue.push({ path: '/command-results', body: JSON.stringify(result), label: `result of command ${result.commandId}` });
  }

  return {
    agentId: id.agentId,
    clusterId: id.clusterId,
    observeFlows: (o) => aggregator.add(o),
    forwardAudit: (events) => {
      for (let i = 0; i < events.length; i += 500) {
        const slice = events.slice(i, i + 500);
        queue.push({ path: '/audit', body: JSON.stringify({ batchId: batchId(), events: slice }), label: `kubernetes audit (${slice.length} events)` });
      }
    },
    flush,
    sampleUsage,
    get queue() {
      return { pending: queue.pending, dropped: queue.dropped };
    },
    async stop() {
      timers.forEach(clearInterval);
      stopWatch();
      stopFlows?.();
      flush();
      polling.abort();
      await pollLoop;
      // Give what is queued a moment to reach the console before going.
      for (let i = 0; i < 50 && queue.pending > 0; i++) await new Promise((r) => setTimeout(r, 100));
      queue.stop();
      await queueDone;
      await opts.driver.close();
    },
  };
}
