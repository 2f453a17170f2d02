import { describe, expect, it } from 'vitest';
import { type SendOutcome, UplinkQueue } from './uplink-queue';

const batch = (n: number) => ({ path: '/flows', body: String(n), label: `batch ${n}` });

describe('UplinkQueue', () => {
  it('sends in order, retries with backoff while the console is down, and re-snapshots on reconnect', async () => {
    const outcomes: SendOutcome[] = ['retry', 'retry', 'sent', 'sent'];
    const sent: string[] = [];
    const sleeps: number[] = [];
    let reconnects = 0;
    const q = new UplinkQueue({
      capacity: 10,
      log: () => {},
      sleep: async (ms) => void sleeps.push(ms),
      onReconnect: () => reconnects++,
      send: async (b) => {
        const o = outcomes.shift() ?? 'sent';
        if (o === 'sent') sent.push(b.body);
        return o;
      },
    });
    q.push(batch(1));
    q.push(batch(2));
    const running = q.run();
    while (q.pending > 0) await new Promise((r) => setTimeout(r, 1));
    q.stop();
    await running;
    expect(sent).toEqual(['1', '2']);
    expect(sleeps).toHaveLength(2);
    expect(sleeps[1]!).toBeGreaterThan(sleeps[0]! / 2); // the second wait draws from a doubled window
    expect(reconnects).toBe(1);
  });

  it('drops the oldest batch when full, counts it and says so', () => {
    const logs: string[] = [];
    const q = new UplinkQueue({ capacity: 2, log: (m) => logs.push(m), send: async () => 'sent' });
    q.push(batch(1));
    q.push(batch(2));
    q.push(batch(3));
    expect(q.pending).toBe(2);
    expect(q.dropped).toBe(1);
    expect(logs[0]).toContain('dropped the oldest, batch 1');
  });

  it('does not retry what the console rejects', async () => {
    let calls = 0;
    const q = new UplinkQueue({ capacity: 5, log: () => {}, send: async () => (calls++, 'reject') });
    q.push(batch(1));
    const running = q.run();
    while (q.pending > 0) await new Promise((r) => setTimeout(r, 1));
    q.stop();
    await running;
    expect(calls).toBe(1);
  });
});
