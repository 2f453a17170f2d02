'use client';
// The layouts the graph draws with, and the work that keeps them: stored ones as they are,
// newcomers placed and saved, and where nothing is stored a provisional grid at once while
// elk lays it out properly in a Web Worker (started only then, and only after the first
// picture is on screen, so it never competes with it); elk's result replaces the grid once
// and is saved, so the next load, anyone's, draws it straight away and nothing jumps.
import { useEffect, useMemo, useRef, useState } from 'react';
import { planLayouts, type GraphData, type StoredLayout } from './compose';
import type { LayoutRequest, LayoutResponse } from './layout-protocol';

export function useLayouts(data: GraphData | null, save: (key: string, layout: StoredLayout) => void, drawn: boolean) {
  const [computed, setComputed] = useState<Record<string, StoredLayout>>({});
  const [error, setError] = useState<string | null>(null);
  const [refinedAt, setRefinedAt] = useState(0);
  const worker = useRef<Worker | null>(null);
  const pending = useRef(new Map<number, (r: LayoutResponse) => void>());
  const inFlight = useRef(new Set<string>());
  const saved = useRef(new Map<string, string>());
  const seq = useRef(0);
  const saveRef = useRef(save);
  saveRef.current = save;

  const plan = useMemo(() => (data ? planLayouts({ ...data, layouts: { ...data.layouts, ...computed } }) : null), [data, computed]);

  useEffect(() => () => worker.current?.terminate(), []);

  // Newcomers placed in a stored layout: saved once, as drawn.
  useEffect(() => {
    if (!plan) return;
    for (const key of plan.patched) {
      const layout = plan.layouts[key]!;
      const json = JSON.stringify(layout);
      if (saved.current.get(key) === json) continue;
      saved.current.set(key, json);
      saveRef.current(key, layout);
    }
  }, [plan]);

  // Provisional grids: refined by elk once the first picture is on screen.
  useEffect(() => {
    if (!plan || !drawn || plan.refine.length === 0) return;
    if (!worker.current) {
      try {
        const w = new Worker(new URL('./layout.worker.ts', import.meta.url), { type: 'module' });
        w.onmessage = (ev: MessageEvent<LayoutResponse>) => {
          pending.current.get(ev.data.id)?.(ev.data);
          pending.current.delete(ev.data.id);
        };
        w.onerror = (ev) => setError(`The layout worker failed (${ev.message || 'unknown error'}); the graph keeps its simple grid.`);
        worker.current = w;
      } catch (err) {
        setError(`The layout worker could not start (${String(err)}); the graph keeps its simple grid.`);
        return;
      }
    }
    for (const { key, request } of plan.refine) {
      if (inFlight.current.has(key)) continue;
      inFlight.current.add(key);
      const id = ++seq.current;
      pending.current.set(id, (r) => {
        inFlight.current.delete(key);
        if (r.error) return setError(`The layout could not be refined (${r.error}); the graph keeps its simple grid.`);
        const layout = { positions: r.positions, width: r.width, height: r.height };
        setComputed((c) => ({ ...c, [key]: layout }));
        setRefinedAt(performance.now());
        saved.current.set(key, JSON.stringify(layout));
        saveRef.current(key, layout);
      });
      worker.current.postMessage({ ...request, id } as LayoutRequest);
    }
  }, [plan, drawn]);

  return { layouts: plan?.layouts ?? {}, refining: (plan?.refine.length ?? 0) > 0, refinedAt, error };
}
