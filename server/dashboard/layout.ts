/**
 * dashboards.md "Layout": the 12-column grid, placing new tiles, packing upwards and the
 * versioned layout document. Pure: no I/O.
 */
import { DEFAULT_TILE_SIZE, GRID_COLUMNS, MAX_TILE_HEIGHT, type TileLayout } from "./model";

export type TileSize = { w: number; h: number };
export type PlacedTile = { id: string; layout: TileLayout };
/** The versioned layout document of a dashboard. */
export type LayoutDoc<T extends PlacedTile = PlacedTile> = { version: number; tiles: T[] };
/** A layout update from an editor: the version it was based on and the tiles it moved or resized. */
export type LayoutUpdate = { baseVersion: number; changes: PlacedTile[] };

const clamp = (n: number, min: number, max: number) => Math.min(max, Math.max(min, Math.trunc(n)));

/** A layout forced onto the grid: 1 ≤ w ≤ 12, 0 ≤ x ≤ 12 − w, 1 ≤ h ≤ 24, y ≥ 0. */
export function fitToGrid(l: TileLayout): TileLayout {
  const w = clamp(l.w, 1, GRID_COLUMNS);
  return { x: clamp(l.x, 0, GRID_COLUMNS - w), y: Math.max(0, Math.trunc(l.y)), w, h: clamp(l.h, 1, MAX_TILE_HEIGHT) };
}

export function overlaps(a: TileLayout, b: TileLayout): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

/** The row just below the lowest tile (0 for an empty grid). */
export function bottom(layouts: TileLayout[]): number {
  return layouts.reduce((b, l) => Math.max(b, l.y + l.h), 0);
}

/**
 * The first free place for a tile of `size`, scanning rows from `fromY` (starting at column
 * `fromX` on that row, at 0 on later ones) up to `lastY`, left to right. A later row can only be
 * the first free one right after `fromY` or where some tile ends, so only those rows are tried.
 */
function firstFree(existing: TileLayout[], size: TileSize, fromY: number, fromX: number, lastY: number): TileLayout | null {
  const ys = [...new Set([fromY, fromY + 1, ...existing.map((l) => l.y + l.h).filter((y) => y > fromY)])].sort((a, b) => a - b);
  for (const y of ys) {
    if (y > lastY) break;
    for (let x = y === fromY ? fromX : 0; x + size.w <= GRID_COLUMNS; x++) {
      const place = { x, y, w: size.w, h: size.h };
      if (!existing.some((l) => overlaps(l, place))) return place;
    }
  }
  return null;
}

function fitSize(size: TileSize): TileSize {
  return { w: clamp(size.w, 1, GRID_COLUMNS), h: clamp(size.h, 1, MAX_TILE_HEIGHT) };
}

/** "A new tile goes to the first free place, scanning rows top to bottom and left to right." */
export function placeNew(existing: TileLayout[], size: TileSize = DEFAULT_TILE_SIZE): TileLayout {
  // The row below every tile is free, so the scan always ends with a place.
  return firstFree(existing, fitSize(size), 0, 0, bottom(existing)) as TileLayout;
}

/**
 * A place for a copy of a master tile, "next to its siblings": the first free place after
 * `anchor` (the master or its last copy), scanning from the anchor's row, right of it, then the
 * rows below, down to the row below the lowest tile (never back to a gap above the anchor).
 * The first free place of the grid (placeNew) when the anchor lies below every tile.
 * The size defaults to the anchor's (copies follow the master's size).
 */
export function placeNextTo(existing: TileLayout[], anchor: TileLayout, size: TileSize = { w: anchor.w, h: anchor.h }): TileLayout {
  const fitted = fitSize(size);
  return firstFree(existing, fitted, anchor.y, anchor.x + anchor.w, bottom(existing)) ?? placeNew(existing, fitted);
}

/**
 * "Tiles pack upwards: no vertical gaps." In order of (y, x, position in the input), each tile
 * keeps its columns and rests on the lowest tile already placed over those columns (or at row 0).
 * The result has no overlaps (overlapping input is pushed down) and comes back in the input order.
 */
export function pack<T extends PlacedTile>(tiles: T[]): T[] {
  const order = tiles
    .map((tile, index) => ({ tile, index, layout: fitToGrid(tile.layout) }))
    .sort((a, b) => a.layout.y - b.layout.y || a.layout.x - b.layout.x || a.index - b.index);
  const placed: TileLayout[] = [];
  const out: T[] = new Array(tiles.length);
  for (const { tile, index, layout } of order) {
    let y = 0;
    for (const p of placed) if (p.x < layout.x + layout.w && layout.x < p.x + p.w) y = Math.max(y, p.y + p.h);
    const packed = { ...layout, y };
    placed.push(packed);
    out[index] = { ...tile, layout: packed };
  }
  return out;
}

/**
 * The layout after `changes`, for the retry of a stale update (and for any update): only the
 * tiles named in `changes` move; tiles the other editor added are kept as they are in `doc`,
 * changes to tiles it removed are dropped. A moved tile goes before other tiles starting at the
 * same place (they are pushed below it). The result is packed, has the next version, and keeps the
 * order of `doc.tiles`.
 */
export function mergeLayoutChanges<T extends PlacedTile>(doc: LayoutDoc<T>, changes: PlacedTile[]): LayoutDoc<T> {
  const moved = new Map(changes.map((c) => [c.id, c.layout]));
  const first = doc.tiles.filter((t) => moved.has(t.id)).map((t) => ({ ...t, layout: moved.get(t.id) as TileLayout }));
  const rest = doc.tiles.filter((t) => !moved.has(t.id));
  const byId = new Map(pack([...first, ...rest]).map((t) => [t.id, t]));
  return { version: doc.version + 1, tiles: doc.tiles.map((t) => byId.get(t.id) as T) };
}

/**
 * "An update names the version it was based on; a stale version is refused" (the caller then
 * retries with mergeLayoutChanges on the fresh document, or sends the update again based on it).
 */
export function applyLayoutUpdate<T extends PlacedTile>(
  doc: LayoutDoc<T>,
  update: LayoutUpdate,
): { ok: true; doc: LayoutDoc<T> } | { ok: false; reason: "stale" } {
  if (update.baseVersion !== doc.version) return { ok: false, reason: "stale" };
  return { ok: true, doc: mergeLayoutChanges(doc, update.changes) };
}
