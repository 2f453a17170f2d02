// Polls until a condition yields a value, for tests that wait on the agent's background work.
export async function until<T>(fn: () => Promise<T | null | false | undefined>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
