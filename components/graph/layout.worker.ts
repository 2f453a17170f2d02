// The graph's layout worker: elkjs off the main thread (elk-layout.ts says how).
import ELK from 'elkjs/lib/elk.bundled.js';
import { layoutWithElk } from './elk-layout';
import type { LayoutRequest, LayoutResponse } from './layout-protocol';

const elk = new ELK();

self.onmessage = async (ev: MessageEvent<LayoutRequest>) => {
  const started = performance.now();
  try {
    const r = await layoutWithElk(elk, ev.data);
    (self as unknown as Worker).postMessage({ id: ev.data.id, ...r, ms: performance.now() - started } satisfies LayoutResponse);
  } catch (err) {
    (self as unknown as Worker).postMessage({ id: ev.data.id, positions: {}, width: 0, height: 0, ms: 0, error: String(err) } satisfies LayoutResponse);
  }
};
