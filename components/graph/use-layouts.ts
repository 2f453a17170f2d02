'use client';
// Runs the layouts the stored ones do not cover in the worker, merges them in and saves
// them, so the next load (and everyone else's) draws at once and the picture stays put.
import { useEffect, useRef, useState } from 'react';
import { groupLayoutRequest, namespaceLayoutWork, type GraphData, type StoredLayout } from './compose';
import type { LayoutRequest, LayoutResponse } from './layout-protocol';

export function useLayouts(data: GraphData | null, save: (key: string, layout: StoredLayout) => void) {
  const [computed, setComputed] = useState<Record<string, StoredLayout>>({});
  const [error, setError] = useState<string | null>(null);
  const worker = useRef<Worker | null>(null);
  const pending = useRef(new Map<number, (r: LayoutResponse) => void>());
  const inFlight = useRef(new Set<string>());
  const seq = useRef(0);
  const saveRef = useRef(save);
  saveRef.current = save;

  useEffect(() => {
    try {
      const w = new Worker(new URL('./layout.worker.ts', import.meta.url), { type: 'module' });
      w.onmessage = (ev: MessageEvent<LayoutResponse>) => {
        pending.current.get(ev.data.id)?.(ev.data);
        pending.current.delete(ev.data.id);
      };
      w.onerror = (ev) => setError(`The layout worker failed: ${ev.message || 'unknown error'}`);
      worker.current = w;
    } catch (err) {
      setError(`The layout worker could not start: ${String(err)}`);
    }
    return () => worker.current?.terminate();
  }, []);

  const merged: GraphData | null = data ? { ...data, layouts: { ...data.layouts, ...computed } } : null;

  useEffect(() => {
    if (!merged || !worker.current) return;
    const run = (req: Omit<LayoutRequest, 'id'>) =>
      new Promise<LayoutResponse>((resolve) => {
        const id = ++seq.current;
        pending.current.set(id, resolve);
        worker.current!.postMessage({ ...req, id });
      });
    const group = groupLayoutRequest(merged);
    if (group && !inFlight.current.has(merged.groupLayoutKey)) {
      const key = merged.groupLayoutKey;
      inFlight.current.add(key);
      void run(group).then((r) => {
        inFlight.current.delete(key);
        if (r.error) return setError(`Layout failed: ${r.error}`);
        const layout = { positions: r.positions, width: r.width, height: r.height };
        setComputed((c) => ({ ...c, [key]: layout }));
        saveRef.current(key, layout);
      });
    }
    const work = namespaceLayoutWork(merged);
    for (const [key, layout] of Object.entries(work.patched)) {
      setComputed((c) => ({ ...c, [key]: layout }));
      saveRef.current(key, layout);
    }
    work.compute.forEach((req, i) => {
      const key = work.keys[i]!;
      if (inFlight.current.has(key)) return;
      inFlight.current.add(key);
      void run(req).then((r) => {
        inFlight.current.delete(key);
        if (r.error) return setError(`Layout failed: ${r.error}`);
        const layout = { positions: r.positions, width: r.width, height: r.height };
        setComputed((c) => ({ ...c, [key]: layout }));
        saveRef.current(key, layout);
      });
    });
  });

  const ready = merged ? groupLayoutRequest(merged) === null && namespaceLayoutWork(merged).compute.length === 0 && Object.keys(namespaceLayoutWork(merged).patched).length === 0 : false;
  return { data: merged, ready, error };
}
