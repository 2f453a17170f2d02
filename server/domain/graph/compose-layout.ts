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
