'use client';
// The graph's edges, all in one <canvas> under the nodes, drawn in screen space from the React
// Flow viewport: thousands of edges cost one draw, not thousands of DOM elements to lay out,
// style and repaint on every frame. While the view moves (drag, wheel, pinch) the layer is
// cleared, so panning and zooming only move the nodes; it is drawn again when the movement
// ends. Dash pattern says the mTLS state, the mark at the middle says the verdict, thickness
// the rate, so nothing depends on colour alone (the legend is drawn from the same table).
import { useStoreApi } from '@xyflow/react';
import { memo, useEffect, useLayoutEffect, useRef, type MutableRefObject } from 'react';
import type { Segment } from './compose';

export const MTLS_STYLE: Record<string, { dash: number[]; colour: string; words: string }> = {
  mutual: { dash: [], colour: '#4cb3ff', words: 'solid line: all mutual TLS' },
  mixed: { dash: [10, 4, 2, 4], colour: '#d2a8ff', words: 'dash-dot: mixed (some plaintext)' },
  plaintext: { dash: [8, 5], colour: '#e3b341', words: 'dashed: plaintext' },
  unknown: { dash: [2, 4], colour: '#8b9aa8', words: 'dotted: not known (denied before a handshake, or outside the mesh)' },
};
export const VERDICT_COLOUR: Record<string, string | undefined> = { denied: '#f85149', dropped: '#ff8f3f' };
export const VERDICT_MARK: Record<string, string> = { allowed: '', denied: '✕', dropped: '⊘', mixed: '!' };
const ARROW = '#8b9aa8';
const MARK_FILL = '#ffb4ae';
const HALO = '#0b1015';
const SELECTED_GLOW = '#4cb3ff';

/** Line width in flow units: more connections per second, thicker (log scale, 1.2 to 6). */
export const edgeWidth = (perSecond: number) => Math.round(Math.min(6, 1.2 + Math.log10(1 + perSecond)) * 4) / 4;

export interface EdgeLayerControl {
  moveStart(): void;
  moveEnd(): void;
  /** Hide the edges for a while (nodes are moving to new positions), then draw them again. */
  hideFor(ms: number): void;
  redraw(): void;
}

function draw(ctx: CanvasRenderingContext2D, segments: readonly Segment[], t: [number, number, number], width: number, height: number, dpr: number): number {
  const [tx, ty, zoom] = t;
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, ctx.canvas.width, ctx.canvas.height);
  ctx.setTransform(dpr * zoom, 0, 0, dpr * zoom, dpr * tx, dpr * ty);
  // What is on screen, in flow coordinates, with room for arrowheads and marks.
  const m = 20;
  const vx0 = -tx / zoom - m;
  const vy0 = -ty / zoom - m;
  const vx1 = (width - tx) / zoom + m;
  const vy1 = (height - ty) / zoom + m;
  const groups = new Map<string, Segment[]>();
  const selected: Segment[] = [];
  let drawn = 0;
  for (const s of segments) {
    if (Math.max(s.x1, s.x2) < vx0 || Math.min(s.x1, s.x2) > vx1 || Math.max(s.y1, s.y2) < vy0 || Math.min(s.y1, s.y2) > vy1) continue;
    drawn++;
    if (s.selected) {
      selected.push(s);
      continue;
    }
    const k = `${s.dimmed ? 1 : 0}|${s.edge.mtls}|${s.edge.verdict}|${edgeWidth(s.edge.perSecond)}`;
    let g = groups.get(k);
    if (!g) groups.set(k, (g = []));
    g.push(s);
  }
  // Dimmed ones first, so the focused ones are drawn over them.
  const keys = [...groups.keys()].sort();
  const arrowLen = (w: number) => 6 + 2.5 * w;
  const line = (list: readonly Segment[], w: number) => {
    ctx.beginPath();
    for (const s of list) {
      const dx = s.x2 - s.x1;
      const dy = s.y2 - s.y1;
      const len = Math.hypot(dx, dy) || 1;
      const back = Math.min(arrowLen(w), len / 2);
      ctx.moveTo(s.x1, s.y1);
      ctx.lineTo(s.x2 - (dx / len) * back, s.y2 - (dy / len) * back);
    }
    ctx.stroke();
  };
  const arrows = (list: readonly Segment[], w: number) => {
    ctx.beginPath();
    for (const s of list) {
      const dx = s.x2 - s.x1;
      const dy = s.y2 - s.y1;
      const len = Math.hypot(dx, dy) || 1;
      const a = Math.min(arrowLen(w), len / 2);
      const ux = dx / len;
      const uy = dy / len;
      const bx = s.x2 - ux * a;
      const by = s.y2 - uy * a;
      ctx.moveTo(s.x2, s.y2);
      ctx.lineTo(bx - uy * a * 0.45, by + ux * a * 0.45);
      ctx.lineTo(bx + uy * a * 0.45, by - ux * a * 0.45);
      ctx.closePath();
    }
    ctx.fill();
  };
  ctx.lineCap = 'butt';
  for (const k of keys) {
    const list = groups.get(k)!;
    const [dim, mtls, verdict, w] = k.split('|') as [string, string, string, string];
    const style = MTLS_STYLE[mtls] ?? MTLS_STYLE.unknown!;
    ctx.globalAlpha = dim === '1' ? 0.25 : 1;
    ctx.strokeStyle = VERDICT_COLOUR[verdict] ?? style.colour;
    ctx.lineWidth = Number(w);
    ctx.setLineDash(style.dash);
    line(list, Number(w));
    ctx.setLineDash([]);
    ctx.fillStyle = ARROW;
    arrows(list, Number(w));
  }
  ctx.globalAlpha = 1;
  for (const s of selected) {
    const style = MTLS_STYLE[s.edge.mtls] ?? MTLS_STYLE.unknown!;
    const w = edgeWidth(s.edge.perSecond) + 2.5;
    ctx.shadowColor = SELECTED_GLOW;
    ctx.shadowBlur = 6;
    ctx.strokeStyle = VERDICT_COLOUR[s.edge.verdict] ?? style.colour;
    ctx.lineWidth = w;
    ctx.setLineDash(style.dash);
    line([s], w);
    ctx.setLineDash([]);
    ctx.shadowBlur = 0;
    ctx.fillStyle = ARROW;
    arrows([s], w);
  }
  // Verdict marks at the middle of each edge that is not plainly allowed.
  ctx.font = 'bold 14px system-ui, sans-serif';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.lineWidth = 3;
  ctx.strokeStyle = HALO;
  ctx.fillStyle = MARK_FILL;
  for (const k of keys) {
    const list = groups.get(k)!;
    ctx.globalAlpha = k.startsWith('1|') ? 0.25 : 1;
    for (const s of list) {
      const mark = VERDICT_MARK[s.edge.verdict];
      if (!mark) continue;
      const x = (s.x1 + s.x2) / 2;
      const y = (s.y1 + s.y2) / 2;
      ctx.strokeText(mark, x, y);
      ctx.fillText(mark, x, y);
    }
  }
  ctx.globalAlpha = 1;
  for (const s of selected) {
    const mark = VERDICT_MARK[s.edge.verdict];
    if (!mark) continue;
    ctx.strokeText(mark, (s.x1 + s.x2) / 2, (s.y1 + s.y2) / 2);
    ctx.fillText(mark, (s.x1 + s.x2) / 2, (s.y1 + s.y2) / 2);
  }
  return drawn;
}

export const EdgeLayer = memo(function EdgeLayer({ segments, control }: { segments: readonly Segment[]; control: MutableRefObject<EdgeLayerControl | null> }) {
  const store = useStoreApi();
  const canvas = useRef<HTMLCanvasElement>(null);
  const current = useRef(segments);
  current.current = segments;
  const state = useRef({ moving: false, hiddenUntil: 0, frame: 0, cleared: false, idle: 0 as ReturnType<typeof setTimeout> | 0 });

  useLayoutEffect(() => {
    const el = canvas.current!;
    const ctx = el.getContext('2d');
    if (!ctx) return;
    const st = state.current;
    const render = () => {
      st.frame = 0;
      const s = store.getState();
      const dpr = window.devicePixelRatio || 1;
      const w = Math.max(1, Math.round(s.width * dpr));
      const h = Math.max(1, Math.round(s.height * dpr));
      if (el.width !== w || el.height !== h) {
        el.width = w;
        el.height = h;
        el.style.width = `${s.width}px`;
        el.style.height = `${s.height}px`;
      }
      const wait = st.hiddenUntil - performance.now();
      if (st.moving || wait > 0) {
        if (!st.cleared) ctx.clearRect(0, 0, el.width, el.height);
        st.cleared = true;
        el.dataset.drawn = '0';
        if (!st.moving) setTimeout(schedule, wait + 16);
        return;
      }
      st.cleared = false;
      el.dataset.drawn = String(draw(ctx, current.current, s.transform, s.width, s.height, dpr));
    };
    const schedule = () => {
      if (!st.frame) st.frame = requestAnimationFrame(render);
    };
    const clearNow = () => {
      if (!st.cleared) ctx.clearRect(0, 0, el.width, el.height);
      st.cleared = true;
      el.dataset.drawn = '0';
    };
    control.current = {
      moveStart() {
        st.moving = true;
        clearNow();
      },
      moveEnd() {
        st.moving = false;
        if (st.idle) clearTimeout(st.idle);
        st.idle = 0;
        schedule();
      },
      redraw: schedule,
      hideFor(ms) {
        st.hiddenUntil = performance.now() + ms;
        clearNow();
        schedule();
      },
    };
    const unsubscribe = store.subscribe((s, prev) => {
      if (s.transform === prev.transform && s.width === prev.width && s.height === prev.height) return;
      if (st.moving) {
        // A movement whose end never arrives (a lost pointer) must not hide the edges for good.
        if (st.idle) clearTimeout(st.idle);
        st.idle = setTimeout(() => {
          st.moving = false;
          schedule();
        }, 400);
        clearNow();
        return;
      }
      schedule();
    });
    render();
    return () => {
      unsubscribe();
      if (st.frame) cancelAnimationFrame(st.frame);
      if (st.idle) clearTimeout(st.idle);
      control.current = null;
    };
  }, [store, control]);

  // New segments (selection, refresh, layout): drawn in the next frame.
  useEffect(() => control.current?.redraw(), [segments, control]);

  return <canvas ref={canvas} className="graph-edge-layer" aria-hidden="true" data-edges={segments.length} />;
});
