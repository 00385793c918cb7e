/**
 * Automatic tiles and series (dashboards.md), end to end through pushes over HTTP: a master tile
 * for `host:*` gets a copy per new host next to it, an autoSeries tile grows a series per new row,
 * and the minute sweep removes stale copies and promotes a fresh copy when the master goes stale.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { and, eq } from "drizzle-orm";
import { tiles } from "../../db/schema";
import { sweepStaleTiles } from "../../server/dashboard/automatic";
import { startTestApp, type TestApp } from "../helpers/app";
import { type Actor, accountOwner, newKey, pushOk } from "../helpers/reports";

let app: TestApp;
let owner: Actor;
let key: string;

before(async () => {
  app = await startTestApp();
  owner = await accountOwner(app, "Auto Owner");
  key = await newKey(app, owner.accountId, "full", owner.userId);
});
after(() => app?.stop());

const caller = () => app.caller({ sessionId: owner.sessionId });
const DF = (mounts: string[]) =>
  ["Filesystem 1K-blocks Used Available Use% Mounted", ...mounts.map((m, i) => `/dev/sd${"abcdef"[i]}1 1000 ${100 + i} 900 ${10 + i}% ${m}`)].join("\n") + "\n";

/** Pushes, then waits until the in-process queue has applied them (it runs after the reply). */
async function pushAndSettle(name: string, body: string, tags: string) {
  await pushOk(app, key, name, body, { query: { tags } });
  await app.deps.automatic.idle();
}

async function tilesOf(dashboardId: string) {
  return app.db.select().from(tiles).where(and(eq(tiles.accountId, owner.accountId), eq(tiles.dashboardId, dashboardId)));
}

describe("master tiles", () => {
  it("a new host matching host:* gets one copy next to the master, with the host's tag, and only once", async () => {
    await pushAndSettle("load", "0.5", "host:web1,env:prod");
    const c = await caller();
    const dashboard = await c.dashboards.create({ name: "Fleet" });
    const master = await c.dashboards.createTile({
      dashboardId: dashboard.id,
      config: {
        report: "load",
        tags: ["host:web1", "env:prod"],
        kind: "latest",
        draw: "value",
        series: [{ column: 0, filterColumn: -1, op: "equals", value: "0" }],
        masterTagPattern: "host:*",
      },
    });

    await pushAndSettle("load", "0.9", "host:web7,env:prod");
    await pushAndSettle("load", "0.8", "host:web7,env:prod"); // the same host again: no second copy
    await pushAndSettle("load", "0.1", "host:db1"); // lacks env:prod, which the master requires: no copy

    const all = await tilesOf(dashboard.id);
    const copies = all.filter((t) => t.masterId === master.id);
    assert.equal(copies.length, 1);
    assert.equal(copies[0]!.tagValue, "host:web7");
    assert.deepEqual(copies[0]!.config.tags, ["host:web7", "env:prod"]);
    assert.equal(copies[0]!.config.masterTagPattern, undefined, "a copy is not a master itself");
    assert.deepEqual([copies[0]!.x, copies[0]!.y], [4, 0], "placed next to the master");

    const data = await c.dashboards.tileData({ tileId: copies[0]!.id });
    assert.deepEqual(
      data.series[0]!.points.map(([, v]) => v),
      [0.8],
    );
    assert.match(data.title, /\[host:web7, env:prod\]/);
  });

  it("stale copies are swept, and a stale master hands over to its freshest copy", async () => {
    const c = await caller();
    const dashboard = await c.dashboards.create({ name: "Sweep" });
    await pushAndSettle("temp", "20", "host:a");
    const master = await c.dashboards.createTile({
      dashboardId: dashboard.id,
      config: { report: "temp", tags: ["host:a"], kind: "latest", draw: "value", series: [{ column: 0, filterColumn: -1, op: "equals", value: "0" }], masterTagPattern: "host:*" },
    });
    await pushAndSettle("temp", "21", "host:b");
    await pushAndSettle("temp", "22", "host:c");
    await c.dashboards.updateSettings({ id: dashboard.id, settings: { removeStaleAfterSeconds: 3600 } });
    const copies = (await tilesOf(dashboard.id)).filter((t) => t.masterId === master.id);
    assert.equal(copies.length, 2);

    // host:b went quiet two hours ago; host:c is fresh; the master (host:a) too is quiet.
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    const b = copies.find((t) => t.tagValue === "host:b")!;
    const fresh = copies.find((t) => t.tagValue === "host:c")!;
    await app.db.update(tiles).set({ lastDataAt: twoHoursAgo, createdAt: twoHoursAgo }).where(and(eq(tiles.accountId, owner.accountId), eq(tiles.id, b.id)));
    await app.db.update(tiles).set({ lastDataAt: twoHoursAgo, createdAt: twoHoursAgo }).where(and(eq(tiles.accountId, owner.accountId), eq(tiles.id, master.id)));

    const result = await sweepStaleTiles(app.db);
    assert.ok(result.promoted >= 1);
    assert.ok(result.removed >= 1);
    const after = await tilesOf(dashboard.id);
    const promoted = after.find((t) => t.id === fresh.id)!;
    assert.equal(promoted.masterId, null, "the fresh copy is the master now");
    assert.equal(promoted.config.masterTagPattern, "host:*");
    assert.equal(after.find((t) => t.id === master.id), undefined, "the stale master is gone");
    assert.equal((await tilesOf(dashboard.id)).find((t) => t.id === b.id), undefined, "the quiet copy is removed");
  });
});

describe("new series for new rows", () => {
  it("an autoSeries tile gets a series for each new file system, named after it, and keeps its own", async () => {
    await pushAndSettle("disks", DF(["/", "/home"]), "host:x");
    const c = await caller();
    const dashboard = await c.dashboards.create({ name: "Rows" });
    const tile = await c.dashboards.createTile({
      dashboardId: dashboard.id,
      config: { report: "disks", tags: ["host:x"], kind: "range", draw: "line", series: [{ column: 4, filterColumn: 5, op: "equals", value: "/" }], autoSeries: true },
    });
    await pushAndSettle("disks", DF(["/", "/home", "/srv"]), "host:x");
    await pushAndSettle("disks", DF(["/", "/home", "/srv"]), "host:y"); // another host: not this tile's instances

    const [row] = await app.db.select().from(tiles).where(and(eq(tiles.accountId, owner.accountId), eq(tiles.id, tile.id)));
    assert.deepEqual(
      row!.config.series?.map((s) => s.value),
      ["/", "/home", "/srv"],
    );
    const data = await c.dashboards.tileData({ tileId: tile.id });
    assert.deepEqual(
      data.series.map((s) => s.name),
      ["/", "/home", "/srv"],
    );
    assert.deepEqual(data.series[2]!.points.map(([, v]) => v), [12]);
  });
});
