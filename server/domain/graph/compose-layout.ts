// Composes per-namespace layouts into the group layout without moving what was already
// placed: an expanded namespace pushes what lies right of it and below it by the room it
// needs, and nodes without a stored position go into free space below the picture.
// Pure, so the browser, the benchmark and the tests share it.

export interface Point {
  x: number;
  y: number;
}
export interface Size {
  width: number;
  height: number;
}
export interface Box extends Point, Size {
  id: string;
}

/**
 * `boxes` are the group-level boxes at their stored position and collapsed size; `grown`
 * gives the size an expanded box needs. Returns the new top-left of every box.
 */
export function makeRoom(boxes: readonly Box[], grown: ReadonlyMap<string, Size>, gap = 40): Map<string, Point> {
  const out = new Map<string, Point>(boxes.map((b) => [b.id, { x: b.x, y: b.y }]));
  // Left to right, top to bottom: each growth shifts later boxes once.
  const sorted = [...boxes].sort((a, b) => a.x - b.x || a.y - b.y || a.id.localeCompare(b.id));
  for (const b of sorted) {
    const g = grown.get(b.id);
    if (!g) continue;
    const dx = Math.max(0, g.width - b.width);
    const dy = Math.max(0, g.height - b.height);
    if (dx === 0 && dy === 0) continue;
    const origin = out.get(b.id)!;
    for (const other of boxes) {
      if (other.id === b.id) continue;
      const p = out.get(other.id)!;
      const right = p.x >= origin.x + b.width - 1 && p.y < origin.y + g.height + gap && p.y + other.height > origin.y - gap;
      const below = p.y >= origin.y + b.height - 1 && p.x < origin.x + g.width + gap && p.x + other.width > origin.x - gap;
      if (right) p.x += dx;
      else if (below) p.y += dy;
    }
  }
  return out;
}

/** Places ids without a position in rows below everything placed; placed ones do not move. */
export function placeNewcomers(placed: ReadonlyMap<string, Point>, newcomers: readonly string[], size: Size, perRow = 6, gap = 30): Map<string, Point> {
  const out = new Map(placed);
  let maxY = -Infinity;
  let minX = Infinity;
  for (const p of placed.values()) {
    maxY = Math.max(maxY, p.y);
    minX = Math.min(minX, p.x);
  }
  const top = placed.size ? maxY + size.height + gap * 2 : 0;
  const left = placed.size ? minX : 0;
  newcomers.forEach((id, i) => {
    out.set(id, { x: left + (i % perRow) * (size.width + gap), y: top + Math.floor(i / perRow) * (size.height + gap) });
  });
  return out;
}

/** Moves boxes down until none overlaps one placed before it (top to bottom, then left to right). */
export function resolveOverlaps(boxes: readonly Box[], gap = 30): Map<string, Point> {
  const sorted = [...boxes].sort((a, b) => a.y - b.y || a.x - b.x || a.id.localeCompare(b.id));
  const placed: Box[] = [];
  for (const b of sorted) {
    const cur = { ...b };
    for (let moved = true; moved; ) {
      moved = false;
      for (const p of placed) {
        if (cur.x < p.x + p.width + gap && cur.x + cur.width + gap > p.x && cur.y < p.y + p.height + gap && cur.y + cur.height + gap > p.y) {
          cur.y = p.y + p.height + gap;
          moved = true;
        }
      }
    }
    placed.push(cur);
  }
  return new Map(placed.map((b) => [b.id, { x: b.x, y: b.y }]));
}

export interface Placement {
  positions: Record<string, Point>;
  width: number;
  height: number;
}

/**
 * Items in rows and columns, in the order given, the grid about `aspect` times as wide as it
 * is tall; `origin` is the top-left of the first item and `padding` is added on the right and
 * at the bottom of the returned size. Cheap and deterministic: the picture the graph draws at
 * once when no layout is stored yet.
 */
export function gridPlacement(ids: readonly string[], item: Size, o: { origin: Point; gap: { x: number; y: number }; padding: number; aspect?: number }): Placement {
  const positions: Record<string, Point> = {};
  if (ids.length === 0) return { positions, width: o.origin.x + o.padding, height: o.origin.y + o.padding };
  const cw = item.width + o.gap.x;
  const ch = item.height + o.gap.y;
  const cols = Math.max(1, Math.min(ids.length, Math.ceil(Math.sqrt((ids.length * (o.aspect ?? 1.6) * ch) / cw))));
  ids.forEach((id, i) => {
    positions[id] = { x: o.origin.x + (i % cols) * cw, y: o.origin.y + Math.floor(i / cols) * ch };
  });
  const rows = Math.ceil(ids.length / cols);
  return { positions, width: o.origin.x + cols * cw - o.gap.x + o.padding, height: o.origin.y + rows * ch - o.gap.y + o.padding };
}

/**
 * Boxes of different sizes in rows (left to right, wrapping at a width that makes the whole
 * about `aspect` times as wide as tall), in the order given; each row as tall as its tallest box.
 */
export function shelfPlacement(boxes: readonly (Size & { id: string })[], gap: number, aspect = 1.6): Placement {
  const positions: Record<string, Point> = {};
  if (boxes.length === 0) return { positions, width: 0, height: 0 };
  const area = boxes.reduce((a, b) => a + (b.width + gap) * (b.height + gap), 0);
  const widest = Math.max(...boxes.map((b) => b.width));
  const rowWidth = Math.max(widest, Math.sqrt(area * aspect));
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  let width = 0;
  for (const b of boxes) {
    if (x > 0 && x + b.width > rowWidth) {
      y += rowHeight + gap;
      x = 0;
      rowHeight = 0;
    }
    positions[b.id] = { x, y };
    x += b.width + gap;
    rowHeight = Math.max(rowHeight, b.height);
    width = Math.max(width, x - gap);
  }
  return { positions, width, height: y + rowHeight };
}
