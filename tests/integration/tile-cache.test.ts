/**
 * The per-process cache of Range tiles (server/dashboard/tile-cache.ts, ADR 10): a tile's
 * default window is read once and then extended with the instances inserted since. What it
 * draws must always be what an uncached read of the same window draws (explicit from/to bypass
 * the cache, so they are the reference here): new instances show, also one pushed with an
 * explicit `created` older than the newest drawn or dated ahead; deletions in this process show
 * at once, deletions the cache cannot see (another process) within its TTL; a changed config
 * never meets an old entry; accounts never share entries.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it, mock } from "node:test";
import { and, eq } from "drizzle-orm";
import { reportInstances } from "../../db/schema";
import type { SeriesSpec, TileConfig } from "../../server/dashboard/model";
import { invalidateTileCache, TILE_CACHE_TTL_MS, tileCacheStats } from "../../server/dashboard/tile-cache";
import { cachedTileData } from "../../server/dashboard/tile-data";
import { parseId } from "../../server/report/ids";
import { startTestApp, type TestApp } from "../helpers/app";
import { type Actor, accountOwner, apiCall, newKey, okResult, PARSING_FIXTURES, pushOk } from "../helpers/reports";

type Caller = Awaited<ReturnType<TestApp["caller"]>>;
type DataOut = Awaited<ReturnType<Caller["dashboards"]["tileData"]>>;

let app: TestApp;
let owner: Actor;
let ownerKey: string;
let other: Actor;
let otherKey: string;

const started = Date.now();
/** An ISO time `minutes` before the suite started. */
const ago = (minutes: number) => new Date(started - minutes * 60_000).toISOString();

const DF = readFileSync(join(PARSING_FIXTURES, "df.input"), "utf8");
/** df with Use% of / and /home set (two digits, so the columns stay aligned). */
const df = (root: number, home: number) => DF.replace(" 64%", ` ${root}%`).replace("91%", `${home}%`);

const usePct = (mount: string, extra: Partial<SeriesSpec> = {}): SeriesSpec => ({ column: 4, filterColumn: 5, op: "equals", value: mount, ...extra });
const rangeTile = (report: string, series: SeriesSpec[] = [usePct("/"), usePct("/home")], extra: Partial<TileConfig> = {}) =>
  ({ report, kind: "range", draw: "line", series, ...extra }) as const;

before(async () => {
  app = await startTestApp();
  owner = await accountOwner(app, "Cache Owner");
  ownerKey = await newKey(app, owner.accountId, "full", owner.userId);
  other = await accountOwner(app, "Cache Other");
  otherKey = await newKey(app, other.accountId, "full", other.userId);
});
after(() => app?.stop());

/**
 * On PGlite, in-process calls never yield to the event loop, so the server's keep-alive timer
 * may be overdue when the next HTTP request goes out on the kept-alive connection (ECONNRESET);
 * one turn of the loop lets the server close it first (as in dashboards.test.ts).
 */
async function yieldToServer(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 0));
  await new Promise((resolve) => setTimeout(resolve, 20));
}

async function push(key: string, report: string, body: string, created?: string, tags?: string) {
  await yieldToServer();
  return pushOk(app, key, report, body, { query: { ...(created ? { created } : {}), ...(tags ? { tags } : {}) } });
}

const callerOf = (actor: Actor) => app.caller({ sessionId: actor.sessionId });

async function newTile(caller: Caller, config: ReturnType<typeof rangeTile>): Promise<string> {
  const [board] = await caller.dashboards.list();
  return (await caller.dashboards.createTile({ dashboardId: board!.id, config })).id;
}

const valuesOf = (data: DataOut) => data.series.map((s) => s.points.map((p) => p[1]));

/** The tile's default window, asserting it came from the cache (`hit`) or was read cold, and that it equals an uncached read of the same window. */
async function load(caller: Caller, tileId: string, expect: "hit" | "miss", extra: { after?: number } = {}): Promise<DataOut> {
  const { hits, misses } = tileCacheStats;
  const data = await caller.dashboards.tileData({ tileId, ...extra });
  assert.deepEqual([tileCacheStats.hits - hits, tileCacheStats.misses - misses], expect === "hit" ? [1, 0] : [0, 1], `a cache ${expect}`);
  const counts = { hits: tileCacheStats.hits, misses: tileCacheStats.misses };
  const uncached = await caller.dashboards.tileData({ tileId, from: data.from!, to: data.to, ...extra });
  assert.deepEqual({ hits: tileCacheStats.hits, misses: tileCacheStats.misses }, counts, "explicit from/to bypass the cache");
  assert.deepEqual(data, uncached, "the cached answer is the uncached one");
  for (const s of data.series) assert.deepEqual(s.points, [...s.points].sort((a, b) => a[0] - b[0]), "points oldest first");
  return data;
}

describe("the tile cache", () => {
  it("a cached tile gets new instances, also one pushed with a created older than the newest it drew", async () => {
    const caller = await callerOf(owner);
    await push(ownerKey, "grow", df(10, 20), ago(50));
    await push(ownerKey, "grow", df(11, 21), ago(40));
    await push(ownerKey, "grow", df(12, 22), ago(30));
    const tileId = await newTile(caller, rangeTile("grow"));
    const first = await load(caller, tileId, "miss");
    assert.deepEqual(valuesOf(first), [
      [10, 11, 12],
      [20, 21, 22],
    ]);
    assert.deepEqual(valuesOf(await load(caller, tileId, "hit")), valuesOf(first), "nothing new: the same points");

    await push(ownerKey, "grow", df(13, 23)); // now
    await push(ownerKey, "grow", df(14, 24), ago(45)); // late: before the newest drawn (30 minutes ago)
    const second = await load(caller, tileId, "hit");
    assert.deepEqual(valuesOf(second), [
      [10, 14, 11, 12, 13],
      [20, 24, 21, 22, 23],
    ]);
    assert.equal(second.newest, second.series[0]!.points.at(-1)![0]);

    // `after` (the live poll) answers from the cache too: only instances created after it.
    const polled = await load(caller, tileId, "hit", { after: first.newest! });
    assert.deepEqual(valuesOf(polled), [[13], [23]]);
    assert.deepEqual(valuesOf(await load(caller, tileId, "hit", { after: second.newest! })), [[], []]);
  });

  it("an instance deleted in this process disappears from the cached tile at once", async () => {
    const caller = await callerOf(owner);
    const a = await push(ownerKey, "shrink", df(30, 40), ago(50));
    const b = await push(ownerKey, "shrink", df(31, 41), ago(40));
    await push(ownerKey, "shrink", df(32, 42), ago(30));
    const c = await push(ownerKey, "shrink", df(33, 43), ago(20));
    const tileId = await newTile(caller, rangeTile("shrink"));
    assert.deepEqual(valuesOf(await load(caller, tileId, "miss")), [
      [30, 31, 32, 33],
      [40, 41, 42, 43],
    ]);
    await load(caller, tileId, "hit");

    // One instance (web app), then a time range (public API): each drops the account's entries.
    assert.deepEqual(await caller.reports.deleteInstance({ name: "shrink", id: b.id }), { deleted: 1 });
    assert.deepEqual(valuesOf(await load(caller, tileId, "miss")), [
      [30, 32, 33],
      [40, 42, 43],
    ]);
    await yieldToServer();
    const deleted = okResult(await apiCall<{ deleted: number }>(app, "DELETE", `/reports/shrink/instances?from=${encodeURIComponent(a.created)}&to=${encodeURIComponent(ago(35))}`, { key: ownerKey }));
    assert.deepEqual(deleted, { deleted: 1 });
    assert.deepEqual(valuesOf(await load(caller, tileId, "miss")), [
      [32, 33],
      [42, 43],
    ]);

    // Deleted where this process does not see it (another app process): drawn from the cache
    // until the entry's TTL, then gone.
    await app.db.delete(reportInstances).where(and(eq(reportInstances.accountId, owner.accountId), eq(reportInstances.id, parseId(c.id))));
    const stale = await caller.dashboards.tileData({ tileId });
    assert.deepEqual(valuesOf(stale), [
      [32, 33],
      [42, 43],
    ]);
    mock.timers.enable({ apis: ["Date"], now: Date.now() + TILE_CACHE_TTL_MS + 1000 });
    try {
      assert.deepEqual(valuesOf(await load(caller, tileId, "miss")), [[32], [42]]);
    } finally {
      mock.timers.reset();
    }
  });

  it("a push dated ahead (within the allowed skew) is drawn once its time has come", async () => {
    const caller = await callerOf(owner);
    await push(ownerKey, "ahead", df(50, 60), ago(10));
    const tileId = await newTile(caller, rangeTile("ahead"));
    await load(caller, tileId, "miss");
    const aheadAt = Date.now() + 30_000;
    await push(ownerKey, "ahead", df(51, 61), new Date(aheadAt).toISOString());
    assert.deepEqual(valuesOf(await load(caller, tileId, "hit")), [[50], [60]], "not yet");
    mock.timers.enable({ apis: ["Date"], now: aheadAt + 1000 });
    try {
      assert.deepEqual(valuesOf(await load(caller, tileId, "hit")), [
        [50, 51],
        [60, 61],
      ]);
    } finally {
      mock.timers.reset();
    }
  });

  it("a changed config is never served the old entry's data", async () => {
    const caller = await callerOf(owner);
    await push(ownerKey, "edited", df(70, 80), ago(100), "host:a");
    await push(ownerKey, "edited", df(71, 81), ago(50), "host:b");
    await push(ownerKey, "edited", df(72, 82), ago(20), "host:a");
    const tileId = await newTile(caller, rangeTile("edited", [usePct("/")]));
    assert.deepEqual(valuesOf(await load(caller, tileId, "miss")), [[70, 71, 72]]);
    await load(caller, tileId, "hit");

    const update = (config: ReturnType<typeof rangeTile>) => caller.dashboards.updateTile({ tileId, config });
    await update(rangeTile("edited", [usePct("/home")]));
    assert.deepEqual(valuesOf(await load(caller, tileId, "miss")), [[80, 81, 82]], "another series");
    await update(rangeTile("edited", [usePct("/home")], { tags: ["host:a"] }));
    assert.deepEqual(valuesOf(await load(caller, tileId, "miss")), [[80, 82]], "a tag filter");
    await update(rangeTile("edited", [usePct("/home")], { tags: ["host:a"], rangeSeconds: 60 * 60 }));
    assert.deepEqual(valuesOf(await load(caller, tileId, "miss")), [[82]], "a shorter range");
    await update(rangeTile("edited", [usePct("/home", { name: "Home" })], { tags: ["host:a"], rangeSeconds: 60 * 60 }));
    const renamed = await load(caller, tileId, "miss");
    assert.equal(renamed.series[0]!.name, "Home");
    // Back to an earlier config: its entry (if still there) has everything since, as any entry.
    await update(rangeTile("edited", [usePct("/")]));
    assert.deepEqual(valuesOf(await caller.dashboards.tileData({ tileId })), [[70, 71, 72]]);
  });

  it("two accounts never share entries, not even under the same tile id", async () => {
    const ownerCaller = await callerOf(owner);
    const otherCaller = await callerOf(other);
    await push(ownerKey, "shared-name", df(15, 25), ago(30));
    await push(otherKey, "shared-name", df(16, 26), ago(30));
    const ownTile = await newTile(ownerCaller, rangeTile("shared-name"));
    const otherTile = await newTile(otherCaller, rangeTile("shared-name"));
    assert.deepEqual(valuesOf(await load(ownerCaller, ownTile, "miss")), [[15], [25]]);
    assert.deepEqual(valuesOf(await load(otherCaller, otherTile, "miss")), [[16], [26]]);

    // The cache is keyed by account, tile and config: the same tile id and config in two accounts are two entries.
    const config = { ...rangeTile("shared-name"), tags: [], autoSeries: false } as TileConfig;
    const { misses } = tileCacheStats;
    const mine = await cachedTileData(app.db, owner.accountId, "same-id", config);
    const theirs = await cachedTileData(app.db, other.accountId, "same-id", config);
    assert.equal(tileCacheStats.misses - misses, 2);
    assert.deepEqual(valuesOf(mine as DataOut), [[15], [25]]);
    assert.deepEqual(valuesOf(theirs as DataOut), [[16], [26]]);

    // Invalidating one account leaves the other's entries alone.
    invalidateTileCache(owner.accountId);
    await load(otherCaller, otherTile, "hit");
    await load(ownerCaller, ownTile, "miss");
    // A deletion in one account does not touch the other's tile.
    await ownerCaller.reports.deleteReport({ name: "shared-name" });
    assert.deepEqual(valuesOf(await load(otherCaller, otherTile, "hit")), [[16], [26]]);
  });

  it("latest tiles and explicit windows are not cached", async () => {
    const caller = await callerOf(owner);
    await push(ownerKey, "uncached", df(90, 95), ago(5));
    const [board] = await caller.dashboards.list();
    const latest = await caller.dashboards.createTile({ dashboardId: board!.id, config: { report: "uncached", kind: "latest", draw: "value", series: [usePct("/")] } });
    const range = await newTile(caller, rangeTile("uncached"));
    const counts = () => [tileCacheStats.hits, tileCacheStats.misses];
    const before = counts();
    assert.deepEqual((await caller.dashboards.tileData({ tileId: latest.id })).series[0]!.points.map((p) => p[1]), [90]);
    await caller.dashboards.tileData({ tileId: range, from: started - 3600_000 });
    await caller.dashboards.tileData({ tileId: range, to: started });
    assert.deepEqual(counts(), before);
  });
});
