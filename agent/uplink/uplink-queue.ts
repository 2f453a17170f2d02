// The agent's outbox: batches wait here until the console has them. Bounded, so an agent
// cut off from its console cannot eat the node's memory; when full, the oldest batch is
// dropped and counted, and the count reaches the console with the next heartbeat.

export interface OutboundBatch {
  path: string;
  body: string;
  /** For logs: what the batch is ("flows 1200 records"). */
  label: string;
}

export type SendOutcome = 'sent' | 'retry' | 'reject';

export interface UplinkQueueOptions {
  capacity: number;
  send: (batch: OutboundBatch) => Promise<SendOutcome>;
  log: (message: string) => void;
  sleep?: (ms: number) => Promise<void>;
  /** Called when sending works again after a failure (the agent re-sends a full snapshot). */
  onReconnect?: () => void;
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

export class UplinkQueue {
  private readonly items: OutboundBatch[] = [];
  private droppedCount = 0;
  private running = false;
  private stopped = false;
  private failing = false;
  private wakeUp: (() => void) | null = null;

  constructor(private readonly opts: UplinkQueueOptions) {}

  get pending(): number {
    return this.items.length;
  }

  get dropped(): number {
    return this.droppedCount;
  }

  push(batch: OutboundBatch): void {
    if (this.items.length >= this.opts.capacity) {
      const lost = this.items.shift()!;
      this.droppedCount += 1;
      this.opts.log(`uplink queue full (${this.opts.capacity} batches): dropped the oldest, ${lost.label}; ${this.droppedCount} dropped so far`);
    }
    this.items.push(batch);
    this.wakeUp?.();
  }

  /** Sends until stopped; resolves when stop() is called. */
  async run(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const sleep = this.opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    const min = this.opts.minBackoffMs ?? 1_000;
    const max = this.opts.maxBackoffMs ?? 30_000;
    let backoff = min;
    while (!this.stopped) {
      const next = this.items[0];
      if (!next) {
        await new Promise<void>((resolve) => (this.wakeUp = resolve));
        this.wakeUp = null;
        continue;
      }
      let outcome: SendOutcome;
      try {
        outcome = await this.opts.send(next);
      } catch (err) {
        this.opts.log(`uplink: ${next.label} not delivered (${err instanceof Error ? err.message : String(err)})`);
        outcome = 'retry';
      }
      if (outcome === 'retry') {
        this.failing = true;
        // Jitter keeps a fleet of agents from retrying in lockstep after a console restart.
        await sleep(backoff / 2 + (backoff / 2) * pseudoJitter());
        backoff = Math.min(backoff * 2, max);
        continue;
      }
      if (this.items[0] === next) this.items.shift();
      if (outcome === 'reject') this.opts.log(`uplink: the console rejected ${next.label}; it is not retried`);
      backoff = min;
      if (this.failing) {
        this.failing = false;
        this.opts.onReconnect?.();
      }
    }
  }

  stop(): void {
    this.stopped = true;
    this.wakeUp?.();
  }
}

let jitterState = 0x2545f491;
function pseudoJitter(): number {
  // xorshift: jitter needs no cryptographic quality, only spread.
  jitterState ^= jitterState << 13;
  jitterState ^= jitterState >>> 17;
  jitterState ^= jitterState << 5;
  return ((jitterState >>> 0) % 1000) / 1000;
}
