'use client';
// One quota resource over time: used (filled) and hard (dashed), drawn with uPlot on a
// canvas. uPlot is loaded in the browser only (it measures the DOM), and sets its sizes
// through the CSSOM, which a nonce-based CSP does not restrict.
import { useEffect, useRef } from 'react';
import type uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatAmount } from './quota-units';
import styles from './quotas.module.css';

export interface ChartPoint {
  at: number;
  used: number;
  hard: number;
}

export function UsageChart({ resource, points, from, to, label }: { resource: string; points: ChartPoint[]; from: number; to: number; label: string }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    let chart: uPlot | null = null;
    let cancelled = false;
    const css = getComputedStyle(document.documentElement);
    const colour = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
    void import('uplot').then(({ default: UPlot }) => {
      if (cancelled) return;
      const data: uPlot.AlignedData = [points.map((p) => p.at / 1000), points.map((p) => p.used), points.map((p) => p.hard)];
      chart = new UPlot(
        {
          width: Math.max(280, el.clientWidth),
          height: 160,
          scales: { x: { time: true, range: [from / 1000, to / 1000] }, y: { range: (_u, _min, max) => [0, Math.max(max, 1) * 1.05] } },
          axes: [{ stroke: colour('--muted', '#666') }, { stroke: colour('--muted', '#666'), size: 70, values: (_u, ticks) => ticks.map((v) => formatAmount(resource, v)) }],
          series: [
            {},
            { label: 'used', stroke: colour('--accent', '#2563eb'), fill: 'rgba(37, 99, 235, 0.12)', width: 2, value: (_u, v) => (v === null ? '–' : formatAmount(resource, v)) },
            { label: 'hard', stroke: colour('--bad', '#b91c1c'), dash: [6, 4], width: 1.5, value: (_u, v) => (v === null ? '–' : formatAmount(resource, v)) },
          ],
        },
        data,
        el,
      );
    });
    return () => {
      cancelled = true;
      chart?.destroy();
    };
  }, [resource, points, from, to]);
  return <div ref={box} className={styles.chart} role="img" aria-label={label} />;
}
