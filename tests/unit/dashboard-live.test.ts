import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type LiveTile, mergeTileData } from "../../app/components/dashboard/live";
import { syncTiles } from "../../app/components/dashboard/sync";

const range = (points: [number, number][], extra: Partial<LiveTile> = {}): LiveTile => ({
  tileId: "t1",
  title: "diskfree (/)",
  titleLink: null,
  kind: "range",
  draw: "line",
  from: 1000,
  to: 5000,
  series: [{ name: "/", color: "#4E79A7", points }],
  table: null,
  content: null,
  previous: null,
  newest: points.length ? points[points.length - 1]![0] : null,
  ...extra,
});

describe("live tiles: merging an incremental answer", () => {
  it("appends the new points of a range tile and keeps the old ones still in the window", () => {
    const base = range([
      [1000, 1],
      [2000, 2],
    ]);
    const merged = mergeTileData(base, range([[3000, 3]], { from: 1000, to: 6000 }));
    assert.deepEqual(merged.series[0]!.points, [
      [1000, 1],
      [2000, 2],
      [3000, 3],
    ]);
    assert.equal(merged.newest, 3000);
    assert.equal(merged.to, 6000);
  });

  it("drops points that left the window, also when nothing new arrived", () => {
    const base = range([
      [1000, 1],
      [2000, 2],
    ]);
    const merged = mergeTileData(base, range([], { from: 1500, to: 6500, newest: null }));
    assert.deepEqual(merged.series[0]!.points, [[2000, 2]]);
    assert.equal(merged.newest, 2000, "the newest point shown stays the cursor");
  });

  it("never draws a point twice when the answer repeats the newest one", () => {
    const base = range([[2000, 2]]);
    const merged = mergeTileData(base, range([[2000, 2]]));
    assert.deepEqual(merged.series[0]!.points, [[2000, 2]]);
  });

  it("latest tiles take the answer whole", () => {
    const base = range([[2000, 2]], { kind: "latest", draw: "value" });
    const update = range([[3000, 9]], { kind: "latest", draw: "value", previous: [2] });
    assert.equal(mergeTileData(base, update), update);
  });
});

describe("dashboard options: synchronised axes", () => {
  const data = {
    a: range([[1000, 10]], { from: 1000, to: 5000 }),
    b: range([[2000, 90]], { from: 3000, to: 8000 }),
    c: range([[2000, 50]], { from: 2000, to: 9000 }),
  };
  const tiles = [
    { id: "a", masterId: null },
    { id: "b", masterId: "a" },
    { id: "c", masterId: null },
  ];

  it("gives a master and its copies one Y range from 0 to their largest value", () => {
    const synced = syncTiles(tiles, data, { syncYAxes: true, syncXAxes: false });
    assert.deepEqual(synced.a!.yRange, { min: 0, max: 90 });
    assert.deepEqual(synced.b!.yRange, { min: 0, max: 90 });
    assert.equal(synced.c!.yRange, undefined, "a tile without copies keeps its own axis");
  });

  it("gives every range tile the union of their time windows", () => {
    const synced = syncTiles(tiles, data, { syncYAxes: false, syncXAxes: true });
    for (const id of ["a", "b", "c"] as const) {
      assert.equal(synced[id]!.data.from, 1000);
      assert.equal(synced[id]!.data.to, 9000);
    }
  });

  it("changes nothing when the options are off", () => {
    const synced = syncTiles(tiles, data, { syncYAxes: false, syncXAxes: false });
    assert.equal(synced.b!.data, data.b);
    assert.equal(synced.b!.yRange, undefined);
  });
});
