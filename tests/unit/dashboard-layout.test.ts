import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  applyLayoutUpdate,
  fitToGrid,
  mergeLayoutChanges,
  overlaps,
  pack,
  placeNew,
  placeNextTo,
  type LayoutDoc,
  type PlacedTile,
} from "../../server/dashboard/layout";
import { DEFAULT_TILE_SIZE, GRID_COLUMNS, tileLayout, type TileLayout } from "../../server/dashboard/model";

const L = (x: number, y: number, w = 4, h = 4): TileLayout => ({ x, y, w, h });
const T = (id: string, layout: TileLayout): PlacedTile => ({ id, layout });

const layoutArb = fc
  .record({ x: fc.integer({ min: 0, max: 11 }), y: fc.integer({ min: 0, max: 30 }), w: fc.integer({ min: 1, max: 12 }), h: fc.integer({ min: 1, max: 8 }) })
  .map((l) => ({ ...l, x: Math.min(l.x, GRID_COLUMNS - l.w) }));
const layoutsArb = fc.array(layoutArb, { maxLength: 25 });

function assertNoOverlaps(tiles: PlacedTile[]) {
  for (let i = 0; i < tiles.length; i++) {
    for (let j = i + 1; j < tiles.length; j++) {
      assert.ok(!overlaps(tiles[i].layout, tiles[j].layout), `${tiles[i].id} overlaps ${tiles[j].id}`);
    }
  }
}

/** Every tile is at row 0 or rests on a tile ending right above it over one of its columns. */
function assertPacked(tiles: PlacedTile[]) {
  for (const { id, layout: l } of tiles) {
    if (l.y === 0) continue;
    const rests = tiles.some((o) => o.layout.y + o.layout.h === l.y && o.layout.x < l.x + l.w && l.x < o.layout.x + o.layout.w);
    assert.ok(rests, `${id} has empty space directly above it`);
  }
}

describe("placeNew: the first free place, scanning rows top to bottom and left to right", () => {
  it("puts the first tile at the top left with the default 4×4 size", () => {
    assert.deepStrictEqual(placeNew([]), { x: 0, y: 0, ...DEFAULT_TILE_SIZE });
  });

  it("fills a row left to right, then starts the next one", () => {
    assert.deepStrictEqual(placeNew([L(0, 0)]), L(4, 0));
    assert.deepStrictEqual(placeNew([L(0, 0), L(4, 0)]), L(8, 0));
    assert.deepStrictEqual(placeNew([L(0, 0), L(4, 0), L(8, 0)]), L(0, 4));
  });

  it("finds a gap left by a deleted tile", () => {
    assert.deepStrictEqual(placeNew([L(0, 0), L(8, 0), L(0, 4)]), L(4, 0));
  });

  it("finds a gap under a short tile before going below the tall ones", () => {
    const existing = [L(0, 0, 4, 8), L(4, 0, 4, 2), L(8, 0, 4, 8)];
    assert.deepStrictEqual(placeNew(existing), L(4, 2));
  });

  it("skips a gap that is too narrow or too short", () => {
    assert.deepStrictEqual(placeNew([L(0, 0, 5, 4), L(8, 0)]), L(0, 4), "3 columns free at the top");
    assert.deepStrictEqual(placeNew([L(0, 0, 12, 2), L(0, 4, 12, 2)], { w: 4, h: 4 }), L(0, 6), "2 rows free between");
  });

  it("takes the size asked for, fitted to the grid", () => {
    assert.deepStrictEqual(placeNew([L(0, 0)], { w: 6, h: 2 }), L(4, 0, 6, 2));
    assert.deepStrictEqual(placeNew([], { w: 20, h: 2 }), L(0, 0, GRID_COLUMNS, 2));
  });

  it("never overlaps what is there and is a valid layout (property)", () => {
    fc.assert(
      fc.property(layoutsArb, fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 8 }), (layouts, w, h) => {
        const place = placeNew(layouts, { w, h });
        assert.ok(tileLayout.safeParse(place).success);
        assert.ok(!layouts.some((l) => overlaps(l, place)));
      }),
      { numRuns: 300 },
    );
  });
});

describe("placeNextTo: copies of a master tile go next to their siblings", () => {
  it("goes right of the anchor on its row when there is room", () => {
    const master = L(0, 4);
    assert.deepStrictEqual(placeNextTo([L(0, 0), L(4, 0), master], master, DEFAULT_TILE_SIZE), L(4, 4));
  });

  it("does not go back to an earlier gap while there is room after the anchor", () => {
    const master = L(0, 4);
    assert.deepStrictEqual(placeNextTo([L(0, 0), master, L(0, 8)], master), L(4, 4), "the gap at the top right is skipped");
  });

  it("continues on the rows below when the anchor's row is full", () => {
    const anchor = L(8, 0);
    const existing = [L(0, 0), L(4, 0), anchor, L(0, 4), L(4, 4, 8, 4)];
    assert.deepStrictEqual(placeNextTo(existing, anchor, DEFAULT_TILE_SIZE), L(0, 8));
  });

  it("takes the anchor's size by default", () => {
    const master = L(0, 0, 6, 3);
    assert.deepStrictEqual(placeNextTo([master], master), L(6, 0, 6, 3));
  });

  it("goes below everything rather than back to a gap above the anchor", () => {
    const anchor = L(0, 4, 12, 4);
    assert.deepStrictEqual(placeNextTo([L(0, 0, 8, 4), anchor], anchor, DEFAULT_TILE_SIZE), L(0, 8));
  });

  it("falls back to the first free place when the anchor lies below every tile", () => {
    assert.deepStrictEqual(placeNextTo([L(0, 0, 8, 4)], L(0, 40), DEFAULT_TILE_SIZE), L(8, 0));
  });

  it("never overlaps what is there (property)", () => {
    fc.assert(
      fc.property(layoutsArb, fc.nat(), fc.integer({ min: 1, max: 12 }), (layouts, pick, w) => {
        const anchor = layouts.length > 0 ? layouts[pick % layouts.length] : L(0, 0);
        const place = placeNextTo(layouts, anchor, { w, h: 3 });
        assert.ok(tileLayout.safeParse(place).success);
        assert.ok(!layouts.some((l) => overlaps(l, place)));
      }),
      { numRuns: 300 },
    );
  });
});

describe("pack: tiles pack upwards with no vertical gaps", () => {
  it("moves tiles up into empty rows, keeping their columns", () => {
    const packed = pack([T("a", L(0, 3)), T("b", L(4, 10, 4, 2)), T("c", L(4, 20))]);
    assert.deepStrictEqual(
      packed.map((t) => t.layout),
      [L(0, 0), L(4, 0, 4, 2), L(4, 2)],
    );
  });

  it("keeps a tile below the one above it and returns tiles in the input order", () => {
    const packed = pack([T("low", L(0, 9)), T("high", L(2, 5))]);
    assert.deepStrictEqual(packed, [T("low", L(0, 4)), T("high", L(2, 0))]);
  });

  it("rests a tile on the lowest tile over any of its columns", () => {
    const packed = pack([T("tall", L(0, 0, 4, 8)), T("short", L(4, 0, 4, 2)), T("wide", L(2, 9, 6, 2))]);
    assert.deepStrictEqual(packed[2].layout, L(2, 8, 6, 2));
  });

  it("pushes overlapping tiles down, the later one (by y, then x, then input order) below", () => {
    const packed = pack([T("a", L(0, 0)), T("b", L(2, 1)), T("c", L(0, 0))]);
    assert.deepStrictEqual(
      packed.map((t) => t.layout),
      [L(0, 0), L(2, 8), L(0, 4)],
    );
  });

  it("leaves a packed layout as it is", () => {
    const tiles = [T("a", L(0, 0)), T("b", L(4, 0, 8, 2)), T("c", L(4, 2, 4, 6)), T("d", L(0, 4))];
    assert.deepStrictEqual(pack(tiles), tiles);
  });

  it("never overlaps, never leaves empty space above a tile, and keeps ids and sizes (property)", () => {
    fc.assert(
      fc.property(layoutsArb, (layouts) => {
        const tiles = layouts.map((l, i) => T(`t${i}`, l));
        const packed = pack(tiles);
        assert.deepStrictEqual(
          packed.map((t) => [t.id, t.layout.x, t.layout.w, t.layout.h]),
          tiles.map((t) => [t.id, t.layout.x, t.layout.w, t.layout.h]),
        );
        for (const t of packed) assert.ok(tileLayout.safeParse(t.layout).success);
        assertNoOverlaps(packed);
        assertPacked(packed);
        assert.deepStrictEqual(pack(packed), packed, "packing is idempotent");
      }),
      { numRuns: 500 },
    );
  });
});

describe("layout document: versioned updates that never lose a tile", () => {
  const base: LayoutDoc = { version: 1, tiles: [T("a", L(0, 0)), T("b", L(4, 0)), T("c", L(8, 0))] };

  it("applies an update based on the current version and moves to the next version", () => {
    const r = applyLayoutUpdate(base, { baseVersion: 1, changes: [T("a", L(0, 0, 4, 6))] });
    assert.ok(r.ok);
    assert.equal(r.doc.version, 2);
    assert.deepStrictEqual(
      r.doc.tiles.map((t) => t.id),
      ["a", "b", "c"],
    );
    assert.deepStrictEqual(r.doc.tiles[0].layout, L(0, 0, 4, 6));
  });

  it("packs the result, so a tile dragged down floats back up", () => {
    const r = applyLayoutUpdate(base, { baseVersion: 1, changes: [T("c", L(8, 12))] });
    assert.ok(r.ok);
    assert.deepStrictEqual(r.doc.tiles[2].layout, L(8, 0));
  });

  it("a moved tile takes the place it was dropped on; the tile there goes below it", () => {
    const r = applyLayoutUpdate(base, { baseVersion: 1, changes: [T("c", L(0, 0))] });
    assert.ok(r.ok);
    assert.deepStrictEqual(
      r.doc.tiles.map((t) => [t.id, t.layout]),
      [
        ["a", L(0, 4)],
        ["b", L(4, 0)],
        ["c", L(0, 0)],
      ],
    );
  });

  it("refuses an update based on another version as stale", () => {
    assert.deepStrictEqual(applyLayoutUpdate(base, { baseVersion: 0, changes: [] }), { ok: false, reason: "stale" });
    assert.deepStrictEqual(applyLayoutUpdate(base, { baseVersion: 2, changes: [] }), { ok: false, reason: "stale" });
  });

  it("two editors from the same version: the second is stale, and its retry keeps both editors' moves", () => {
    const first = applyLayoutUpdate(base, { baseVersion: 1, changes: [T("a", L(0, 0, 4, 8))] });
    assert.ok(first.ok);
    const second = { baseVersion: 1, changes: [T("c", L(8, 0, 4, 2))] };
    assert.deepStrictEqual(applyLayoutUpdate(first.doc, second), { ok: false, reason: "stale" });
    const retried = mergeLayoutChanges(first.doc, second.changes);
    assert.equal(retried.version, 3);
    assert.deepStrictEqual(
      retried.tiles.map((t) => [t.id, t.layout]),
      [
        ["a", L(0, 0, 4, 8)],
        ["b", L(4, 0)],
        ["c", L(8, 0, 4, 2)],
      ],
    );
  });

  it("a retry keeps the tile the other editor added and does not bring back one it removed", () => {
    // Editor 1 (already saved): added d, removed b.
    const fresh: LayoutDoc = { version: 2, tiles: [T("a", L(0, 0)), T("c", L(8, 0)), T("d", L(4, 0))] };
    // Editor 2 (based on version 1): moved b and a.
    const update = { baseVersion: 1, changes: [T("b", L(0, 0)), T("a", L(0, 4))] };
    assert.equal(applyLayoutUpdate(fresh, update).ok, false);
    const retried = mergeLayoutChanges(fresh, update.changes);
    assert.deepStrictEqual(
      retried.tiles.map((t) => t.id),
      ["a", "c", "d"],
    );
    assertNoOverlaps(retried.tiles);
    assertPacked(retried.tiles);
  });

  it("moves only the tiles named in the changes (other tiles move only when packing needs it)", () => {
    const doc: LayoutDoc = { version: 5, tiles: [T("a", L(0, 0)), T("b", L(4, 0)), T("c", L(0, 4)), T("d", L(4, 4))] };
    const merged = mergeLayoutChanges(doc, [T("b", L(8, 0))]);
    assert.deepStrictEqual(
      merged.tiles.map((t) => t.layout),
      [L(0, 0), L(8, 0), L(0, 4), L(4, 0)],
    );
  });

  it("concurrent random edits: the retry never loses a tile and never overlaps (property)", () => {
    const ids = ["a", "b", "c", "d", "e", "f"];
    const docArb = fc.array(layoutArb, { minLength: ids.length, maxLength: ids.length }).map((ls) => ({
      version: 1,
      tiles: pack(ls.map((l, i) => T(ids[i], l))),
    }));
    const changesArb = fc.array(fc.tuple(fc.constantFrom(...ids, "gone"), layoutArb), { maxLength: 4 });
    fc.assert(
      fc.property(docArb, changesArb, changesArb, (doc, c1, c2) => {
        const toChanges = (c: [string, TileLayout][]) => c.map(([id, l]) => T(id, l));
        const first = applyLayoutUpdate(doc, { baseVersion: 1, changes: toChanges(c1) });
        assert.ok(first.ok);
        const second = { baseVersion: 1, changes: toChanges(c2) };
        assert.equal(applyLayoutUpdate(first.doc, second).ok, false);
        const retried = mergeLayoutChanges(first.doc, second.changes);
        assert.deepStrictEqual(
          retried.tiles.map((t) => t.id),
          ids,
        );
        assertNoOverlaps(retried.tiles);
        assertPacked(retried.tiles);
      }),
      { numRuns: 300 },
    );
  });
});

describe("fitToGrid", () => {
  it("forces a layout onto the 12-column grid", () => {
    assert.deepStrictEqual(fitToGrid({ x: 10, y: -3, w: 4, h: 0 }), { x: 8, y: 0, w: 4, h: 1 });
    assert.deepStrictEqual(fitToGrid({ x: 0, y: 2, w: 40, h: 99 }), { x: 0, y: 2, w: 12, h: 24 });
  });
});
