/**
 * The web app's dashboards (tRPC `dashboards.*` with a session, dashboards.md): the tabs
 * (Default, create, rename, reorder, delete, settings), tiles (placing, editing, deleting,
 * moving), the versioned layout, guessing a series from a clicked cell, the tile data computed
 * in SQL (cross-checked against the pure evaluateSpec/specNumber on every parsing fixture), and
 * who may do what: viewers read, editors and above change, another account gets nothing.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { and, asc, eq } from "drizzle-orm";
import { dashboards as dashboardRows, reportInstances, reports, type Role } from "../../db/schema";
import { overlaps } from "../../server/dashboard/layout";
import { DEFAULT_RANGE_SECONDS, PALETTE, type SeriesSpec, type TileLayout } from "../../server/dashboard/model";
import { cellText, dataRowIndexes, seriesName, specNumber, tileTitle } from "../../server/dashboard/series";
import * as dashboardService from "../../server/dashboard/service";
import type { Table } from "../../server/parsing/types";
import { uuidv7 } from "../../server/tokens";
import { setPlan, startTestApp, type TestApp, trpcOutcome } from "../helpers/app";
import { type Actor, accountMember, accountOwner, newKey, PARSING_FIXTURES, pushOk } from "../helpers/reports";

type Caller = Awaited<ReturnType<TestApp["caller"]>>;
type TileOut = Awaited<ReturnType<Caller["dashboards"]["createTile"]>>;
type DataOut = Awaited<ReturnType<Caller["dashboards"]["tileData"]>>;

let app: TestApp;
let owner: Actor;
let ownerKey: string;
let outsider: Actor;
const members = {} as Record<Exclude<Role, "owner">, Actor>;

/** An ISO time `minutes` before the suite started (instances pushed with `created`). */
const started = Date.now();
const ago = (minutes: number) => new Date(started - minutes * 60_000).toISOString();
const ms = (iso: string) => Date.parse(iso);

const DF = readFileSync(join(PARSING_FIXTURES, "df.input"), "utf8");

/** The parsing corpus: each input is pushed four times, as it is and digit-shifted, with tags. */
const FIXTURES = readdirSync(PARSING_FIXTURES)
  .filter((f) => f.endsWith(".input"))
  .map((f) => f.slice(0, -".input".length))
  .sort();
const FIXTURE_PUSHES = [
  { minutes: 40, shift: 0, tags: "host:a" },
  { minutes: 30, shift: 1, tags: "host:b" },
  { minutes: 20, shift: 3, tags: 'host:a,note:say "hi"\\there' },
  { minutes: 10, shift: 0, tags: "" },
];
/** Shifts every digit by k (so the variants' numbers differ, and sometimes their shape). */
const shiftDigits = (text: string, k: number) => text.replace(/\d/g, (digit) => String((Number(digit) + k) % 10));
let fixtureAccount: Actor;
let gapsAccount: Actor;

before(async () => {
  app = await startTestApp();
  owner = await accountOwner(app, "Dash Owner");
  await setPlan(app.db, owner.accountId, "business"); // more dashboards and requests than Free allows
  ownerKey = await newKey(app, owner.accountId, "full", owner.userId);
  outsider = await accountOwner(app, "Dash Outsider");
  for (const role of ["viewer", "editor", "admin"] as const) members[role] = await accountMember(app, owner.accountId, role);
  // df on two hosts: web1 at 40, 30 and 20 minutes ago, web2 at 25 minutes ago.
  await pushOk(app, ownerKey, "df", DF, { query: { created: ago(40), tags: "host:web1" } });
  await pushOk(app, ownerKey, "df", DF.replace("91%", "92%").replace(" 64%", " 65%"), { query: { created: ago(30), tags: "host:web1" } });
  await pushOk(app, ownerKey, "df", DF.replace("91%", "95%"), { query: { created: ago(25), tags: "host:web2" } });
  await pushOk(app, ownerKey, "df", DF.replace("91%", "93%").replace(" 64%", " 70%"), { query: { created: ago(20), tags: "host:web1" } });
  await pushOk(app, ownerKey, "motd", "# Hello\n\nAll *good*.\n", { query: { created: ago(15), format: "single" } });
  await pushOk(app, ownerKey, "doomed", "10 20\n");
  // The outsider has a df of its own, under another name.
  await pushOk(app, await newKey(app, outsider.accountId, "ingest"), "outsider-df", DF);

  // Every push is made here, at the start, while the event loop turns (see yieldToServer).
  fixtureAccount = await accountOwner(app, "Fixtures");
  await setPlan(app.db, fixtureAccount.accountId, "business"); // a dashboard per fixture test: more than Free allows
  const fixtureKey = await newKey(app, fixtureAccount.accountId, "ingest");
  for (const name of FIXTURES) {
    const input = readFileSync(join(PARSING_FIXTURES, `${name}.input`), "utf8");
    for (const p of FIXTURE_PUSHES) {
      await pushOk(app, fixtureKey, name, shiftDigits(input, p.shift), { query: { created: ago(p.minutes), ...(p.tags ? { tags: p.tags } : {}) } });
    }
  }
  gapsAccount = await accountOwner(app, "Gaps");
  const gaps = [
    { name: "a", list: [1, 2], big: 1e21, v: 5 },
    { name: "b", list: [3], big: 2, v: 6 },
  ];
  await pushOk(app, await newKey(app, gapsAccount.accountId, "ingest"), "gaps", JSON.stringify(gaps));
});
after(() => app?.stop());

/**
 * On PGlite, in-process calls never yield to the event loop, so after a few seconds of them the
 * server's keep-alive timer is overdue: an HTTP request sent then on the kept-alive connection
 * meets the server closing it (ECONNRESET). One turn of the loop lets the server close it first.
 */
async function yieldToServer(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 0)); // the server's overdue timer closes the connection
  await new Promise((resolve) => setTimeout(resolve, 20)); // and the client sees it closed
}

/** A push after in-process calls (see yieldToServer). */
async function pushLater(...args: Parameters<typeof pushOk>) {
  await yieldToServer();
  return pushOk(...args);
}

const callerOf = (actor: Actor) => app.caller({ sessionId: actor.sessionId });
const actorOf = (role: Role) => (role === "owner" ? owner : members[role]);

const spec = (s: Partial<SeriesSpec>): SeriesSpec => ({ column: 0, filterColumn: -1, op: "equals", value: "0", ...s });
/** Use% of a mount point in df. */
const usePct = (mount: string, extra: Partial<SeriesSpec> = {}) => spec({ column: 4, filterColumn: 5, value: mount, ...extra });
const rangeTile = (series: SeriesSpec[] = [usePct("/home")], extra: Record<string, unknown> = {}) => ({ report: "df", kind: "range", draw: "line", series, ...extra });

async function newDashboard(caller: Caller, name = "Board"): Promise<string> {
  return (await caller.dashboards.create({ name })).id;
}

/** Creates `n` default tiles on a dashboard; their views, in creation order. */
async function addTiles(caller: Caller, dashboardId: string, n: number, config = rangeTile()): Promise<TileOut[]> {
  const out: TileOut[] = [];
  for (let i = 0; i < n; i++) out.push(await caller.dashboards.createTile({ dashboardId, config }));
  return out;
}

const layoutsById = async (caller: Caller, id: string) =>
  Object.fromEntries((await caller.dashboards.get({ id })).tiles.map((t) => [t.id, t.layout])) as Record<string, TileLayout>;

const at = (x: number, y: number, w = 4, h = 4): TileLayout => ({ x, y, w, h });

/** No tile overlaps another, and each rests on row 0 or on a tile above it. */
function assertPacked(layouts: TileLayout[], what = "layout") {
  for (const [i, a] of layouts.entries()) {
    for (const b of layouts.slice(i + 1)) assert.ok(!overlaps(a, b), `${what}: ${JSON.stringify(a)} overlaps ${JSON.stringify(b)}`);
    const supported = a.y === 0 || layouts.some((b) => b !== a && b.y + b.h === a.y && b.x < a.x + a.w && a.x < b.x + b.w);
    assert.ok(supported, `${what}: ${JSON.stringify(a)} floats above a gap`);
  }
}

describe("dashboards: the tabs", () => {
  it("a new account has exactly one dashboard, named Default, from the start and without tiles", async () => {
    const fresh = await accountOwner(app, "Fresh");
    const stored = await app.db.select().from(dashboardRows).where(eq(dashboardRows.accountId, fresh.accountId));
    assert.deepEqual(
      stored.map((d) => d.name),
      ["Default"],
      "made with the account, not only when listed",
    );
    const list = await (await callerOf(fresh)).dashboards.list();
    assert.deepEqual(list, [{ id: stored[0]!.id, name: "Default", position: 0, tileCount: 0 }]);
    const view = await (await callerOf(fresh)).dashboards.get({ id: stored[0]!.id });
    assert.deepEqual(view.tiles, []);
    assert.deepEqual(view.settings, { removeStaleAfterSeconds: null, syncYAxes: false, syncXAxes: false });
  });

  it("create adds a tab at the end with a trimmed name; rename changes only that one", async () => {
    const account = await accountOwner(app, "Tabs");
    const caller = await callerOf(account);
    const [first] = await caller.dashboards.list();
    const servers = await caller.dashboards.create({ name: "  Servers  " });
    assert.deepEqual(servers, { id: servers.id, name: "Servers", position: 1, tileCount: 0 });
    const apps = await caller.dashboards.create({ name: "Apps" });
    assert.equal(apps.position, 2);
    await caller.dashboards.rename({ id: servers.id, name: " Machines " });
    assert.deepEqual(
      (await caller.dashboards.list()).map((d) => [d.id, d.name]),
      [
        [first!.id, "Default"],
        [servers.id, "Machines"],
        [apps.id, "Apps"],
      ],
    );
    // Any UUID spelling of the id works.
    await caller.dashboards.rename({ id: apps.id.replace(/-/g, "").toUpperCase(), name: "Applications" });
    assert.equal((await caller.dashboards.get({ id: apps.id })).name, "Applications");
  });

  it("a blank or overlong name is refused with a clear message", async () => {
    const caller = await callerOf(owner);
    const blank = await trpcOutcome(() => caller.dashboards.create({ name: "   " }));
    assert.equal(blank.code, "BAD_REQUEST");
    assert.match(blank.message, /Give the dashboard a name/);
    const [first] = await caller.dashboards.list();
    const long = await trpcOutcome(() => caller.dashboards.rename({ id: first!.id, name: "x".repeat(101) }));
    assert.equal(long.code, "BAD_REQUEST");
    assert.match(long.message, /at most 100 characters/);
    assert.equal((await caller.dashboards.get({ id: first!.id })).name, first!.name);
  });

  it("reorder sets the tab order; an order that misses, repeats or invents a dashboard is refused", async () => {
    const account = await accountOwner(app, "Order");
    const caller = await callerOf(account);
    const [a] = await caller.dashboards.list();
    const b = await caller.dashboards.create({ name: "B" });
    const c = await caller.dashboards.create({ name: "C" });
    await caller.dashboards.reorder({ ids: [c.id, a!.id, b.id.replace(/-/g, "")] });
    assert.deepEqual(
      (await caller.dashboards.list()).map((d) => [d.name, d.position]),
      [
        ["C", 0],
        ["Default", 1],
        ["B", 2],
      ],
    );
    for (const ids of [[c.id, a!.id], [c.id, a!.id, b.id, b.id], [c.id, a!.id, uuidv7()], [c.id, a!.id, b.id, uuidv7()]]) {
      const outcome = await trpcOutcome(() => caller.dashboards.reorder({ ids }));
      assert.deepEqual(outcome, { code: "BAD_REQUEST", message: "The order must list each of the account's dashboards once" }, JSON.stringify(ids));
    }
    assert.equal((await trpcOutcome(() => caller.dashboards.reorder({ ids: ["nope", a!.id, b.id] }))).code, "BAD_REQUEST");
    assert.deepEqual(
      (await caller.dashboards.list()).map((d) => d.name),
      ["C", "Default", "B"],
      "a refused order changes nothing",
    );
  });

  it("delete removes a dashboard with its tiles; the last one is refused with a clear message", async () => {
    const account = await accountOwner(app, "Deleter");
    const key = await newKey(app, account.accountId, "full");
    await pushLater(app, key, "df", DF);
    const caller = await callerOf(account);
    const [first] = await caller.dashboards.list();
    const second = await newDashboard(caller, "Second");
    const [tile] = await addTiles(caller, second, 1);
    await caller.dashboards.delete({ id: second });
    assert.deepEqual(
      (await caller.dashboards.list()).map((d) => d.id),
      [first!.id],
    );
    assert.equal((await trpcOutcome(() => caller.dashboards.tile({ tileId: tile!.id }))).code, "NOT_FOUND", "its tiles went with it");
    assert.equal((await trpcOutcome(() => caller.dashboards.get({ id: second }))).code, "NOT_FOUND");

    const last = await trpcOutcome(() => caller.dashboards.delete({ id: first!.id }));
    assert.equal(last.code, "CONFLICT");
    assert.match(last.message, /only dashboard/);
    assert.deepEqual(
      (await caller.dashboards.list()).map((d) => d.id),
      [first!.id],
    );
  });

  it("list counts each dashboard's tiles", async () => {
    const caller = await callerOf(owner);
    const id = await newDashboard(caller, "Counted");
    await addTiles(caller, id, 3);
    assert.equal((await caller.dashboards.list()).find((d) => d.id === id)?.tileCount, 3);
  });

  it("updateSettings merges the given settings into the stored ones and validates them", async () => {
    const caller = await callerOf(owner);
    const id = await newDashboard(caller, "Settings");
    assert.deepEqual(await caller.dashboards.updateSettings({ id, settings: { syncXAxes: true } }), {
      removeStaleAfterSeconds: null,
      syncYAxes: false,
      syncXAxes: true,
    });
    await caller.dashboards.updateSettings({ id, settings: { removeStaleAfterSeconds: 3600, syncYAxes: true } });
    assert.deepEqual((await caller.dashboards.get({ id })).settings, { removeStaleAfterSeconds: 3600, syncYAxes: true, syncXAxes: true });
    await caller.dashboards.updateSettings({ id, settings: { removeStaleAfterSeconds: null } });
    assert.equal((await caller.dashboards.get({ id })).settings.removeStaleAfterSeconds, null);
    for (const settings of [{ removeStaleAfterSeconds: 5 }, { removeStaleAfterSeconds: 1.5 }, { syncYAxes: "yes" }]) {
      assert.equal((await trpcOutcome(() => caller.dashboards.updateSettings({ id, settings: settings as never }))).code, "BAD_REQUEST", JSON.stringify(settings));
    }
    assert.equal((await trpcOutcome(() => caller.dashboards.updateSettings({ id: uuidv7(), settings: {} }))).code, "NOT_FOUND");
  });
});

describe("tiles", () => {
  it("createTile places 4×4 tiles at the first free place, row by row, and bumps the layout version each time", async () => {
    const caller = await callerOf(owner);
    const id = await newDashboard(caller, "Placing");
    const v0 = (await caller.dashboards.get({ id })).layoutVersion;
    const tiles = await addTiles(caller, id, 4);
    assert.deepEqual(
      tiles.map((t) => t.layout),
      [at(0, 0), at(4, 0), at(8, 0), at(0, 4)],
    );
    assert.equal((await caller.dashboards.get({ id })).layoutVersion, v0 + 4);

    // A gap left by a resize is the first free place.
    await caller.dashboards.updateLayout({ id, baseVersion: v0 + 4, changes: [{ id: tiles[1]!.id, layout: at(4, 0, 2, 4) }] });
    const fifth = await caller.dashboards.createTile({ dashboardId: id, config: rangeTile() });
    assert.deepEqual(fifth.layout, at(4, 4), "4 wide does not fit in the 2 columns freed on row 0, so the first free place of the next rows");
  });

  it("a created tile stores its config with defaults (tags [], autoSeries false, a week for range tiles)", async () => {
    const caller = await callerOf(owner);
    const id = await newDashboard(caller, "Defaults");
    const tile = await caller.dashboards.createTile({ dashboardId: id, config: rangeTile() });
    assert.deepEqual(tile.config, {
      report: "df",
      tags: [],
      kind: "range",
      draw: "line",
      rangeSeconds: DEFAULT_RANGE_SECONDS,
      series: [usePct("/home")],
      autoSeries: false,
    });
    assert.equal(tile.masterId, null);
    const read = await caller.dashboards.tile({ tileId: tile.id });
    assert.deepEqual(read, { ...tile, dashboardId: id });
    assert.deepEqual(await caller.dashboards.tile({ tileId: tile.id.replace(/-/g, "") }), read, "any UUID spelling");
  });

  it("updateTile replaces what the tile draws and keeps its place", async () => {
    const caller = await callerOf(owner);
    const id = await newDashboard(caller, "Editing");
    const [, tile] = await addTiles(caller, id, 2);
    const config = { report: "df", tags: ["host:web1"], kind: "latest", draw: "bar", title: "Disks", series: [usePct("/"), usePct("/home", { color: "#000000" })] };
    const updated = await caller.dashboards.updateTile({ tileId: tile!.id, config });
    assert.deepEqual(updated.config, { ...config, autoSeries: false });
    assert.deepEqual(updated.layout, at(4, 0));
    assert.deepEqual((await caller.dashboards.tile({ tileId: tile!.id })).config, updated.config);
    const data = await caller.dashboards.tileData({ tileId: tile!.id });
    assert.equal(data.title, "Disks");
    assert.deepEqual(
      data.series.map((s) => [s.name, s.color, s.points.map((p) => p[1])]),
      [
        ["/", PALETTE[0], [70]],
        ["/home", "#000000", [93]],
      ],
    );
  });

  it("copies of a master follow its later edits, keeping their own tags; export leaves them out", async () => {
    // Copies are made by the ingest path (dashboards.md "Master tile per tag"); here one is made
    // through the service, as that path would.
    const caller = await callerOf(owner);
    const id = await newDashboard(caller, "Masters");
    const master = await caller.dashboards.createTile({ dashboardId: id, config: rangeTile([usePct("/")], { tags: ["host:web1"], masterTagPattern: "host:*" }) });
    const copy = await dashboardService.createTile(app.db, {
      accountId: owner.accountId,
      dashboardId: id,
      config: rangeTile([usePct("/")], { tags: ["host:web2"] }),
      masterId: master.id,
      tagValue: "host:web2",
    });
    await caller.dashboards.updateTile({ tileId: master.id, config: rangeTile([usePct("/home")], { tags: ["host:web1"], masterTagPattern: "host:*", draw: "area" }) });
    const followed = await caller.dashboards.tile({ tileId: copy.id });
    assert.deepEqual(followed.config.series, [usePct("/home")]);
    assert.equal(followed.config.draw, "area");
    assert.deepEqual(followed.config.tags, ["host:web2"]);
    assert.equal(followed.config.masterTagPattern, undefined, "a copy is not a master itself");
    assert.equal(followed.masterId, master.id);
    assert.equal(followed.tagValue, "host:web2");
    const exported = await caller.dashboards.export({ id });
    assert.deepEqual(
      exported.tiles.map((t) => t.id),
      [master.id.replace(/-/g, "")],
    );

    await caller.dashboards.deleteTile({ tileId: master.id });
    const orphan = await caller.dashboards.tile({ tileId: copy.id });
    assert.equal(orphan.masterId, null, "a deleted master's copies stay as ordinary tiles");
    assert.deepEqual(orphan.layout, at(4, 0), "and keep their place (packing keeps columns)");
  });

  it("deleteTile packs the remaining tiles upwards and bumps the layout version", async () => {
    const caller = await callerOf(owner);
    const id = await newDashboard(caller, "Packing");
    const [a, b, c, d, e] = await addTiles(caller, id, 5);
    const before = (await caller.dashboards.get({ id })).layoutVersion;
    await caller.dashboards.deleteTile({ tileId: a!.id });
    const layouts = await layoutsById(caller, id);
    assert.deepEqual(layouts, { [b!.id]: at(4, 0), [c!.id]: at(8, 0), [d!.id]: at(0, 0), [e!.id]: at(4, 4) });
    assert.equal((await caller.dashboards.get({ id })).layoutVersion, before + 1);
    assert.equal((await trpcOutcome(() => caller.dashboards.tile({ tileId: a!.id }))).code, "NOT_FOUND");
    assert.equal((await trpcOutcome(() => caller.dashboards.deleteTile({ tileId: a!.id }))).code, "NOT_FOUND", "deleting twice");
    assertPacked(Object.values(layouts));
  });

  it("moveTile takes a tile to another dashboard's first free place, keeping its size; the source packs", async () => {
    const caller = await callerOf(owner);
    const from = await newDashboard(caller, "From");
    const to = await newDashboard(caller, "To");
    const [a, b] = await addTiles(caller, from, 2);
    const [c] = await addTiles(caller, to, 1);
    await caller.dashboards.updateLayout({ id: from, baseVersion: (await caller.dashboards.get({ id: from })).layoutVersion, changes: [{ id: b!.id, layout: at(4, 0, 6, 3) }] });
    const versions = async () => [(await caller.dashboards.get({ id: from })).layoutVersion, (await caller.dashboards.get({ id: to })).layoutVersion];
    const [fromV, toV] = await versions();

    const moved = await caller.dashboards.moveTile({ tileId: a!.id, dashboardId: to });
    assert.deepEqual(moved.layout, at(4, 0));
    assert.deepEqual(moved.config, a!.config);
    assert.equal((await caller.dashboards.tile({ tileId: a!.id })).dashboardId, to);
    assert.deepEqual(await layoutsById(caller, to), { [c!.id]: at(0, 0), [a!.id]: at(4, 0) });
    assert.deepEqual(await layoutsById(caller, from), { [b!.id]: at(4, 0, 6, 3) });
    assert.deepEqual(await versions(), [fromV! + 1, toV! + 1]);

    const big = await caller.dashboards.moveTile({ tileId: b!.id, dashboardId: to });
    assert.deepEqual(big.layout, at(0, 4, 6, 3), "6 wide does not fit beside the two 4-wide tiles");
    assert.deepEqual(await layoutsById(caller, from), {});

    const same = await caller.dashboards.moveTile({ tileId: b!.id, dashboardId: to });
    assert.deepEqual(same.layout, big.layout, "moving to its own dashboard leaves it");
    assert.equal((await trpcOutcome(() => caller.dashboards.moveTile({ tileId: b!.id, dashboardId: uuidv7() }))).code, "NOT_FOUND");
    assert.equal((await trpcOutcome(() => caller.dashboards.moveTile({ tileId: uuidv7(), dashboardId: to }))).code, "NOT_FOUND");
  });
});

describe("the versioned layout", () => {
  it("an update based on the current version applies, packs, and answers the next version with retried false", async () => {
    const caller = await callerOf(owner);
    const id = await newDashboard(caller, "Layout");
    const [a, b, c] = await addTiles(caller, id, 3);
    const { layoutVersion } = await caller.dashboards.get({ id });
    const result = await caller.dashboards.updateLayout({
      id,
      baseVersion: layoutVersion,
      changes: [
        { id: a!.id, layout: at(0, 9, 12, 2) },
        { id: c!.id, layout: at(8, 5, 4, 6) },
      ],
    });
    assert.equal(result.retried, false);
    assert.equal(result.version, layoutVersion + 1);
    // Packed: b stays, c rises to row 0, a rests under c (the lowest tile over its columns).
    const expected = { [a!.id]: at(0, 6, 12, 2), [b!.id]: at(4, 0), [c!.id]: at(8, 0, 4, 6) };
    assert.deepEqual(Object.fromEntries(result.tiles.map((t) => [t.id, t.layout])), expected);
    assert.deepEqual(await layoutsById(caller, id), expected, "what was answered is what is stored");
    assert.equal((await caller.dashboards.get({ id })).layoutVersion, layoutVersion + 1);
  });

  it("two editors moving tiles from the same version: the second is merged (retried true) and neither loses a tile or a move", async () => {
    const caller = await callerOf(owner);
    const editor = await callerOf(members.editor);
    const id = await newDashboard(caller, "Concurrent");
    const [a, b, c, d] = await addTiles(caller, id, 4);
    const base = (await caller.dashboards.get({ id })).layoutVersion;

    const first = await caller.dashboards.updateLayout({ id, baseVersion: base, changes: [{ id: a!.id, layout: at(0, 0, 8, 4) }] });
    assert.deepEqual([first.version, first.retried], [base + 1, false]);
    const second = await editor.dashboards.updateLayout({ id, baseVersion: base, changes: [{ id: d!.id, layout: at(0, 0, 4, 2) }] });
    assert.deepEqual([second.version, second.retried], [base + 2, true]);

    const layouts = await layoutsById(caller, id);
    assert.deepEqual(Object.keys(layouts).sort(), [a!.id, b!.id, c!.id, d!.id].sort(), "no tile is lost");
    assert.equal(layouts[a!.id]!.w, 8, "the first editor's resize is kept");
    assert.deepEqual(layouts[d!.id], at(0, 0, 4, 2), "the second editor's move is applied");
    assertPacked(Object.values(layouts));
    assert.deepEqual(Object.fromEntries(second.tiles.map((t) => [t.id, t.layout])), layouts);
  });

  it("a stale update keeps the tiles another editor added or deleted meanwhile", async () => {
    const caller = await callerOf(owner);
    const editor = await callerOf(members.editor);
    const id = await newDashboard(caller, "Added meanwhile");
    const [a, b] = await addTiles(caller, id, 2);
    const base = (await caller.dashboards.get({ id })).layoutVersion;
    const added = await editor.dashboards.createTile({ dashboardId: id, config: rangeTile() });
    await editor.dashboards.deleteTile({ tileId: b!.id });
    const result = await caller.dashboards.updateLayout({
      id,
      baseVersion: base,
      changes: [
        { id: a!.id, layout: at(0, 0, 12, 3) },
        { id: b!.id, layout: at(0, 3) },
      ],
    });
    assert.equal(result.retried, true);
    const layouts = await layoutsById(caller, id);
    assert.deepEqual(Object.keys(layouts).sort(), [a!.id, added.id].sort(), "the added tile stays, the deleted one is not revived");
    assert.deepEqual(layouts[a!.id], at(0, 0, 12, 3));
    assertPacked(Object.values(layouts));
  });

  it("a change naming a tile of another dashboard moves nothing there", async () => {
    const caller = await callerOf(owner);
    const one = await newDashboard(caller, "One");
    const two = await newDashboard(caller, "Two");
    const [a] = await addTiles(caller, one, 1);
    const [elsewhere] = await addTiles(caller, two, 1);
    const { layoutVersion } = await caller.dashboards.get({ id: one });
    const result = await caller.dashboards.updateLayout({ id: one, baseVersion: layoutVersion, changes: [{ id: elsewhere!.id, layout: at(8, 0) }] });
    assert.deepEqual(
      result.tiles.map((t) => t.id),
      [a!.id],
    );
    assert.deepEqual(await layoutsById(caller, two), { [elsewhere!.id]: at(0, 0) });
  });

  it("layouts off the grid (x + w > 12, w 0, h over 24, negative x) and malformed ids are BAD_REQUEST; nothing moves", async () => {
    const caller = await callerOf(owner);
    const id = await newDashboard(caller, "Invalid layout");
    const [a] = await addTiles(caller, id, 1);
    const { layoutVersion } = await caller.dashboards.get({ id });
    for (const layout of [at(10, 0, 4, 4), at(0, 0, 0, 4), at(0, 0, 4, 25), at(-1, 0), at(0, 0, 13, 4), { x: 0.5, y: 0, w: 4, h: 4 }]) {
      const outcome = await trpcOutcome(() => caller.dashboards.updateLayout({ id, baseVersion: layoutVersion, changes: [{ id: a!.id, layout }] }));
      assert.equal(outcome.code, "BAD_REQUEST", JSON.stringify(layout));
    }
    const xw = await trpcOutcome(() => caller.dashboards.updateLayout({ id, baseVersion: layoutVersion, changes: [{ id: a!.id, layout: at(10, 0) }] }));
    assert.match(xw.message, /x \+ w must be at most 12/);
    const badId = await trpcOutcome(() => caller.dashboards.updateLayout({ id, baseVersion: layoutVersion, changes: [{ id: "tile-1", layout: at(0, 0) }] }));
    assert.deepEqual(badId, { code: "BAD_REQUEST", message: "Invalid id format tile-1" });
    assert.equal((await trpcOutcome(() => caller.dashboards.updateLayout({ id, baseVersion: -1, changes: [] }))).code, "BAD_REQUEST");
    assert.equal((await trpcOutcome(() => caller.dashboards.updateLayout({ id: uuidv7(), baseVersion: 0, changes: [] }))).code, "NOT_FOUND");
    const view = await caller.dashboards.get({ id });
    assert.equal(view.layoutVersion, layoutVersion);
    assert.deepEqual(view.tiles[0]!.layout, at(0, 0));
  });
});

describe("guessing a series from a clicked cell", () => {
  it("Use% of the row mounted on /home in df gives SELECT 4 WHERE 5 equals /home, named /home", async () => {
    const caller = await callerOf(owner);
    assert.deepEqual(await caller.dashboards.guessSeries({ report: "df", row: 4, column: 4 }), {
      column: 4,
      filterColumn: 5,
      op: "equals",
      value: "/home",
      name: "/home",
    });
    assert.deepEqual(await caller.dashboards.guessSeries({ report: "df", row: 1, column: 2, tags: ["host:web2"] }), usePct("/", { column: 2, name: "/" }));
  });

  it("10 20: clicking 20 gives SELECT 1 WHERE -1 equals 0; a 1×1 table names its series value", async () => {
    const key = await newKey(app, owner.accountId, "ingest");
    await pushLater(app, key, "two-numbers", "10 20\n");
    await pushLater(app, key, "one-number", "42\n");
    const caller = await callerOf(owner);
    assert.deepEqual(await caller.dashboards.guessSeries({ report: "two-numbers", row: 0, column: 1 }), spec({ column: 1 }));
    assert.deepEqual(await caller.dashboards.guessSeries({ report: "one-number", row: 0, column: 0 }), spec({ name: "value" }));
  });

  it("a header cell or a cell outside the table is BAD_REQUEST, an unknown report NOT_FOUND", async () => {
    const caller = await callerOf(owner);
    for (const [row, column] of [
      [0, 4],
      [5, 0],
      [1, 6],
      [99, 99],
    ] as const) {
      const outcome = await trpcOutcome(() => caller.dashboards.guessSeries({ report: "df", row, column }));
      assert.equal(outcome.code, "BAD_REQUEST", `row ${row}, column ${column}`);
      assert.match(outcome.message, /Click a cell of the table body/);
    }
    assert.equal((await trpcOutcome(() => caller.dashboards.guessSeries({ report: "df", row: -1, column: 0 }))).code, "BAD_REQUEST");
    assert.equal((await trpcOutcome(() => caller.dashboards.guessSeries({ report: "never-pushed", row: 1, column: 1 }))).code, "NOT_FOUND");
  });

  it("a tag filter nothing matches proposes the clicked column by row index", async () => {
    const caller = await callerOf(owner);
    assert.deepEqual(await caller.dashboards.guessSeries({ report: "df", tags: ["host:none"], row: 1, column: 4 }), spec({ column: 4 }));
  });
});

describe("tile data on df", () => {
  it("range tiles draw the instances of their range, oldest first, with names from the filter value", async () => {
    const caller = await callerOf(owner);
    const id = await newDashboard(caller, "df data");
    const tile = await caller.dashboards.createTile({ dashboardId: id, config: rangeTile([usePct("/"), usePct("/home")], { tags: ["host:web1"] }) });
    const data = await caller.dashboards.tileData({ tileId: tile.id });
    assert.equal(data.title, "df (/, /home) [host:web1]");
    assert.equal(data.kind, "range");
    assert.equal(data.draw, "line");
    assert.deepEqual(
      data.series.map((s) => [s.name, s.color, s.points]),
      [
        [
          "/",
          PALETTE[0],
          [
            [ms(ago(40)), 64],
            [ms(ago(30)), 65],
            [ms(ago(20)), 70],
          ],
        ],
        [
          "/home",
          PALETTE[1],
          [
            [ms(ago(40)), 91],
            [ms(ago(30)), 92],
            [ms(ago(20)), 93],
          ],
        ],
      ],
    );
    assert.equal(data.newest, ms(ago(20)));
    assert.ok(Math.abs(data.to - Date.now()) < 60_000, "to defaults to now");
    assert.equal(data.from, data.to - DEFAULT_RANGE_SECONDS * 1000, "a week by default");

    const newer = await caller.dashboards.tileData({ tileId: tile.id, after: ms(ago(30)) });
    assert.deepEqual(
      newer.series.map((s) => s.points),
      [[[ms(ago(20)), 70]], [[ms(ago(20)), 93]]],
      "after gives only newer points",
    );
    const none = await caller.dashboards.tileData({ tileId: tile.id, after: ms(ago(20)) });
    assert.deepEqual(
      none.series.map((s) => s.points),
      [[], []],
    );
    assert.equal(none.newest, null);
  });

  it("a range of N seconds draws only the instances of the last N seconds", async () => {
    const caller = await callerOf(owner);
    const id = await newDashboard(caller, "short range");
    const tile = await caller.dashboards.createTile({ dashboardId: id, config: rangeTile([usePct("/home")], { rangeSeconds: 32 * 60 }) });
    const data = await caller.dashboards.tileData({ tileId: tile.id, to: started });
    assert.deepEqual(data.series[0]!.points, [
      [ms(ago(30)), 92],
      [ms(ago(25)), 95],
      [ms(ago(20)), 93],
    ]);
  });

  it("series names: explicit name, else the filter value, else <header of D> (<row>); titles list at most five names", async () => {
    const caller = await callerOf(owner);
    const id = await newDashboard(caller, "names");
    const series = [
      usePct("/", { name: "root" }),
      usePct("/dev"),
      spec({ column: 2, value: "3" }),
      spec({ column: 1, filterColumn: 5, value: "  ", op: "contains" }),
      usePct("/run", { name: "  " }),
      usePct("/home"),
    ];
    const tile = await caller.dashboards.createTile({ dashboardId: id, config: rangeTile(series, { tags: ["host:web1"] }) });
    const data = await caller.dashboards.tileData({ tileId: tile.id });
    assert.deepEqual(
      data.series.map((s) => s.name),
      ["root", "/dev", "Used (3)", "1K-blocks", "/run", "/home"],
    );
    assert.equal(data.title, "df (root, /dev, Used (3), 1K-blocks, /run, …) [host:web1]");
    const titled = await caller.dashboards.updateTile({ tileId: tile.id, config: rangeTile(series, { title: "My disks" }) });
    assert.equal((await caller.dashboards.tileData({ tileId: titled.id })).title, "My disks");
  });

  it("a value tile gives the newest value and the previous instance's value", async () => {
    const caller = await callerOf(owner);
    const id = await newDashboard(caller, "value");
    const tile = await caller.dashboards.createTile({ dashboardId: id, config: { report: "df", kind: "latest", draw: "value", series: [usePct("/home"), usePct("/nope")] } });
    const data = await caller.dashboards.tileData({ tileId: tile.id });
    assert.deepEqual(
      data.series.map((s) => s.points),
      [[[ms(ago(20)), 93]], []],
    );
    assert.deepEqual(data.previous, [95, null], "the previous instance is web2's, 25 minutes ago");
  });

  it("a content tile on a single report gives its raw input", async () => {
    const caller = await callerOf(owner);
    const id = await newDashboard(caller, "content");
    const tile = await caller.dashboards.createTile({ dashboardId: id, config: { report: "motd", kind: "content", draw: "markdown" } });
    const data = await caller.dashboards.tileData({ tileId: tile.id });
    assert.equal(data.content, "# Hello\n\nAll *good*.\n");
    assert.equal(data.title, "motd");
    assert.equal(data.kind, "content");
    assert.equal(data.draw, "markdown");
  });

  it("a tile whose report has been deleted draws nothing (and is gone with it)", async () => {
    const caller = await callerOf(owner);
    const id = await newDashboard(caller, "doomed");
    const tile = await caller.dashboards.createTile({ dashboardId: id, config: { report: "doomed", kind: "latest", draw: "bar", series: [spec({ column: 1 })] } });
    assert.deepEqual((await caller.dashboards.tileData({ tileId: tile.id })).series[0]!.points.map((p) => p[1]), [20]);
    await caller.reports.deleteReport({ name: "doomed" });
    assert.equal((await trpcOutcome(() => caller.dashboards.tileData({ tileId: tile.id }))).code, "NOT_FOUND");
  });
});

describe("invalid input is refused clearly, never with an internal error", () => {
  let caller: Caller;
  let id: string;
  let tile: TileOut;
  before(async () => {
    caller = await callerOf(owner);
    id = await newDashboard(caller, "Validation");
    tile = await caller.dashboards.createTile({ dashboardId: id, config: rangeTile() });
  });

  const cases: [string, Record<string, unknown>, RegExp][] = [
    ["an unknown report", rangeTile([usePct("/")], { report: "nope" }), /^Tile: report nope does not exist$/],
    ["a column beyond the table", rangeTile([usePct("/"), spec({ column: 6 })]), /^Tile: series 2 column 6 is out of range \(df has 6 columns\)$/],
    ["a filter column beyond the table", rangeTile([usePct("/", { filterColumn: 7 })]), /^Tile: series 1 filterColumn 7 is out of range/],
    ["a draw not allowed for the kind", rangeTile([usePct("/")], { kind: "latest", draw: "line" }), /^Tile: draw: a latest tile is drawn as bar, column, value, text$/],
    ["content drawn as a chart", { report: "motd", kind: "content", draw: "bar" }, /^Tile: draw: a content tile is drawn as text, markdown$/],
    ["a chart without series", rangeTile([]), /^Tile: series: a chart tile needs at least one series$/],
    ["an unknown kind", rangeTile([usePct("/")], { kind: "pie" }), /^Tile: kind: /],
    ["a filter column below -1", rangeTile([usePct("/", { filterColumn: -2 })]), /^Tile: series\.0\.filterColumn: /],
    ["an unknown op", rangeTile([usePct("/", { op: "like" as "equals" })]), /^Tile: series\.0\.op: /],
    ["a bad colour", rangeTile([usePct("/", { color: "red" })]), /^Tile: series\.0\.color: a colour is #RRGGBB$/],
    ["a bad tag pattern", rangeTile([usePct("/")], { masterTagPattern: "host" }), /^Tile: masterTagPattern: a tag pattern looks like host:\* or host:web\*$/],
    ["a range under a minute", rangeTile([usePct("/")], { rangeSeconds: 59 }), /^Tile: rangeSeconds: /],
    ["101 series", rangeTile(Array.from({ length: 101 }, () => usePct("/"))), /^Tile: series: /],
    ["no report", { kind: "range", draw: "line", series: [usePct("/")] }, /^Tile: report: /],
  ];

  for (const [what, config, message] of cases) {
    it(`createTile and updateTile refuse ${what} with BAD_REQUEST`, async () => {
      const created = await trpcOutcome(() => caller.dashboards.createTile({ dashboardId: id, config }));
      assert.equal(created.code, "BAD_REQUEST", created.message);
      assert.match(created.message, message);
      const updated = await trpcOutcome(() => caller.dashboards.updateTile({ tileId: tile.id, config }));
      assert.equal(updated.code, "BAD_REQUEST");
      assert.match(updated.message, message);
    });
  }

  it("nothing was created or changed by the refused calls", async () => {
    const view = await caller.dashboards.get({ id });
    assert.deepEqual(
      view.tiles.map((t) => t.id),
      [tile.id],
    );
    assert.deepEqual(view.tiles[0]!.config.series, [usePct("/home")]);
  });

  it("unknown ids are NOT_FOUND and malformed ids BAD_REQUEST (Invalid id format), for every procedure taking one", async () => {
    const unknown = uuidv7();
    const calls: [string, (id: string) => Promise<unknown>][] = [
      ["get", (x) => caller.dashboards.get({ id: x })],
      ["rename", (x) => caller.dashboards.rename({ id: x, name: "N" })],
      ["delete", (x) => caller.dashboards.delete({ id: x })],
      ["updateSettings", (x) => caller.dashboards.updateSettings({ id: x, settings: {} })],
      ["updateLayout", (x) => caller.dashboards.updateLayout({ id: x, baseVersion: 0, changes: [] })],
      ["createTile", (x) => caller.dashboards.createTile({ dashboardId: x, config: rangeTile() })],
      ["updateTile", (x) => caller.dashboards.updateTile({ tileId: x, config: rangeTile() })],
      ["deleteTile", (x) => caller.dashboards.deleteTile({ tileId: x })],
      ["moveTile (tile)", (x) => caller.dashboards.moveTile({ tileId: x, dashboardId: id })],
      ["moveTile (dashboard)", (x) => caller.dashboards.moveTile({ tileId: tile.id, dashboardId: x })],
      ["tile", (x) => caller.dashboards.tile({ tileId: x })],
      ["tileData", (x) => caller.dashboards.tileData({ tileId: x })],
      ["export", (x) => caller.dashboards.export({ id: x })],
    ];
    for (const [name, call] of calls) {
      assert.equal((await trpcOutcome(() => call(unknown))).code, "NOT_FOUND", `${name} with an unknown id`);
      const malformed = await trpcOutcome(() => call("12345"));
      assert.deepEqual(malformed, { code: "BAD_REQUEST", message: "Invalid id format 12345" }, `${name} with a malformed id`);
      assert.equal((await trpcOutcome(() => call(""))).code, "BAD_REQUEST", `${name} with an empty id`);
      assert.equal((await trpcOutcome(() => call("a".repeat(65)))).code, "BAD_REQUEST", `${name} with an overlong id`);
    }
    assert.equal((await trpcOutcome(() => caller.dashboards.reorder({ ids: [] }))).code, "BAD_REQUEST");
  });

  it("tileData refuses times that are not epoch milliseconds", async () => {
    for (const input of [{ after: -1 }, { from: Number.NaN }, { to: 9e15 }, { from: "yesterday" as unknown as number }]) {
      assert.equal((await trpcOutcome(() => caller.dashboards.tileData({ tileId: tile.id, ...input }))).code, "BAD_REQUEST", JSON.stringify(input));
    }
  });

  it("import validates the model like the public API: the messages name the tile and the field", async () => {
    const model = (tiles: Record<string, unknown>[]) => ({ name: "Imported", tiles });
    const unknownReport = await trpcOutcome(() => caller.dashboards.import({ model: model([{ ...rangeTile(), title: "Disk" }, { ...rangeTile(), report: "nope" }]) as never }));
    assert.deepEqual(unknownReport, { code: "BAD_REQUEST", message: "Tile 2: report nope does not exist" });
    const column = await trpcOutcome(() => caller.dashboards.import({ model: model([{ ...rangeTile([spec({ column: 9 })]), title: "Disk" }]) as never }));
    assert.deepEqual(column, { code: "BAD_REQUEST", message: "Tile 1 (Disk): series 1 column 9 is out of range (df has 6 columns)" });
    const layout = await trpcOutcome(() => caller.dashboards.import({ model: model([{ ...rangeTile(), layout: at(9, 0) }]) as never }));
    assert.equal(layout.code, "BAD_REQUEST");
    assert.match(layout.message, /x \+ w must be at most 12/);
    const names = (await caller.dashboards.list()).map((d) => d.name);
    assert.ok(!names.includes("Imported"), "a refused import creates no dashboard");
  });

  it("export and import round-trip a dashboard", async () => {
    const source = await newDashboard(caller, "Round trip");
    await caller.dashboards.createTile({ dashboardId: source, config: rangeTile([usePct("/", { color: "#112233" })], { tags: ["host:web1"], title: "T" }) });
    await caller.dashboards.createTile({ dashboardId: source, config: { report: "motd", kind: "content", draw: "markdown" } });
    const exported = await caller.dashboards.export({ id: source });
    const imported = await caller.dashboards.import({ model: { ...exported, name: "Copy" } });
    assert.notEqual(imported.id, exported.id);
    assert.equal(imported.name, "Copy");
    const strip = (m: typeof exported) => m.tiles.map(({ id: _id, ...rest }) => rest);
    assert.deepEqual(strip(imported), strip(exported));
  });
});

describe("who may do what", () => {
  let dashboardId: string;
  let tileId: string;

  before(async () => {
    const caller = await callerOf(owner);
    dashboardId = await newDashboard(caller, "Shared");
    tileId = (await caller.dashboards.createTile({ dashboardId, config: rangeTile([usePct("/home")]) })).id;
  });

  /** Every reading procedure, on the owner's dashboard and tile. */
  const reads = (c: Caller) => ({
    list: () => c.dashboards.list(),
    get: () => c.dashboards.get({ id: dashboardId }),
    tile: () => c.dashboards.tile({ tileId }),
    tileData: () => c.dashboards.tileData({ tileId, to: started }),
    guessSeries: () => c.dashboards.guessSeries({ report: "df", row: 4, column: 4 }),
    export: () => c.dashboards.export({ id: dashboardId }),
  });

  /** Every changing procedure, on the owner's dashboard and tile; each leaves things as they were when allowed. */
  const writes = (c: Caller) => ({
    create: () => c.dashboards.create({ name: "Sneaky" }),
    rename: () => c.dashboards.rename({ id: dashboardId, name: "Shared" }),
    delete: () => c.dashboards.delete({ id: dashboardId }),
    reorder: async () => c.dashboards.reorder({ ids: (await (await callerOf(owner)).dashboards.list()).map((d) => d.id) }),
    updateSettings: () => c.dashboards.updateSettings({ id: dashboardId, settings: {} }),
    updateLayout: () => c.dashboards.updateLayout({ id: dashboardId, baseVersion: 0, changes: [] }),
    createTile: () => c.dashboards.createTile({ dashboardId, config: rangeTile() }),
    updateTile: () => c.dashboards.updateTile({ tileId, config: rangeTile([usePct("/home")]) }),
    deleteTile: () => c.dashboards.deleteTile({ tileId }),
    moveTile: () => c.dashboards.moveTile({ tileId, dashboardId }),
    import: () => c.dashboards.import({ model: { name: "Sneaky import", tiles: [] } }),
  });

  it("a viewer reads everything: list, get, tile, tileData, guessSeries, export", async () => {
    const viewer = await callerOf(members.viewer);
    const ownerReads = reads(await callerOf(owner));
    for (const [name, read] of Object.entries(reads(viewer))) {
      assert.deepEqual(await read(), await ownerReads[name as keyof typeof ownerReads](), name);
    }
  });

  it("a viewer's every change is FORBIDDEN, naming the role needed, and nothing changes", async () => {
    const viewer = await callerOf(members.viewer);
    const ownerCaller = await callerOf(owner);
    const before = [await ownerCaller.dashboards.list(), await ownerCaller.dashboards.get({ id: dashboardId })];
    for (const [name, write] of Object.entries(writes(viewer))) {
      const outcome = await trpcOutcome(write);
      assert.equal(outcome.code, "FORBIDDEN", name);
      assert.match(outcome.message, /viewer.*editor/, name);
    }
    assert.deepEqual([await ownerCaller.dashboards.list(), await ownerCaller.dashboards.get({ id: dashboardId })], before);
  });

  it("a viewer is refused over HTTP too, with 403", async () => {
    await yieldToServer();
    const reply = await app.trpc("mutation", "dashboards.create", { name: "Over HTTP" }, members.viewer.cookie);
    assert.equal(reply.status, 403);
    assert.equal(reply.body.error?.data.code, "FORBIDDEN");
    const read = await app.trpc("query", "dashboards.get", { id: dashboardId }, members.viewer.cookie);
    assert.equal(read.status, 200);
    assert.equal((read.body.result?.data as { id: string }).id, dashboardId);
  });

  for (const role of ["editor", "admin", "owner"] as const) {
    it(`an ${role} may make every change`, async () => {
      const caller = await callerOf(actorOf(role));
      const created = await caller.dashboards.create({ name: `By ${role}` });
      await caller.dashboards.rename({ id: created.id, name: `Renamed by ${role}` });
      await caller.dashboards.updateSettings({ id: created.id, settings: { syncXAxes: true } });
      const tile = await caller.dashboards.createTile({ dashboardId: created.id, config: rangeTile() });
      await caller.dashboards.updateTile({ tileId: tile.id, config: rangeTile([usePct("/")]) });
      const { layoutVersion } = await caller.dashboards.get({ id: created.id });
      await caller.dashboards.updateLayout({ id: created.id, baseVersion: layoutVersion, changes: [{ id: tile.id, layout: at(0, 0, 12, 2) }] });
      await caller.dashboards.moveTile({ tileId: tile.id, dashboardId });
      await caller.dashboards.deleteTile({ tileId: tile.id });
      const ids = (await caller.dashboards.list()).map((d) => d.id);
      await caller.dashboards.reorder({ ids: [...ids].reverse() });
      await caller.dashboards.reorder({ ids });
      const imported = await caller.dashboards.import({ model: { name: `Imported by ${role}`, tiles: [{ ...rangeTile(), kind: "range", draw: "line" }] } });
      await caller.dashboards.delete({ id: imported.id });
      await caller.dashboards.delete({ id: created.id });
      assert.deepEqual((await caller.dashboards.list()).map((d) => d.id), ids.filter((d) => d !== created.id));
    });
  }

  it("another account's session gets NOT_FOUND for every procedure with the owner's ids, and no data", async () => {
    const caller = await callerOf(outsider);
    const ownerCaller = await callerOf(owner);
    const before = [await ownerCaller.dashboards.list(), await ownerCaller.dashboards.get({ id: dashboardId })];
    const list = await caller.dashboards.list();
    assert.deepEqual(
      list.map((d) => d.name),
      ["Default"],
      "only its own dashboard",
    );
    const all = { ...reads(caller), ...writes(caller) };
    const own = new Set(["list", "create", "import", "reorder"]);
    for (const [name, call] of Object.entries(all)) {
      if (own.has(name)) continue;
      const outcome = await trpcOutcome(call);
      assert.equal(outcome.code, "NOT_FOUND", `${name}: ${outcome.message}`);
      assert.doesNotMatch(outcome.message, /Shared|\/home|Dash Owner/, name);
    }
    // reorder with the owner's ids does not list the outsider's own dashboards.
    assert.equal((await trpcOutcome(() => writes(caller).reorder())).code, "BAD_REQUEST");
    // Moving its own tile to the owner's dashboard, or laying out the owner's tile on its own.
    const ownId = list[0]!.id;
    const own1 = await caller.dashboards.createTile({ dashboardId: ownId, config: rangeTile([usePct("/home")], { report: "outsider-df" }) });
    assert.equal((await trpcOutcome(() => caller.dashboards.moveTile({ tileId: own1.id, dashboardId }))).code, "NOT_FOUND");
    const layout = await caller.dashboards.updateLayout({ id: ownId, baseVersion: 0, changes: [{ id: tileId, layout: at(8, 8) }] });
    assert.deepEqual(
      layout.tiles.map((t) => t.id),
      [own1.id],
    );
    // Its tile draws its own instance only.
    const data = await caller.dashboards.tileData({ tileId: own1.id });
    assert.equal(data.series[0]!.points.length, 1);
    assert.deepEqual([await ownerCaller.dashboards.list(), await ownerCaller.dashboards.get({ id: dashboardId })], before, "the owner's dashboards are untouched");
  });

  it("without a session every procedure is UNAUTHORIZED", async () => {
    const anonymous = await app.caller();
    for (const [name, call] of Object.entries({ ...reads(anonymous), ...writes(anonymous) })) {
      assert.equal((await trpcOutcome(call)).code, "UNAUTHORIZED", name);
    }
  });
});

// ---------------------------------------------------------------- tile data vs. the pure reference

type Stored = { created: number; tags: string[]; table: Table; input: string };

/** The instances of a report as stored, oldest first. */
async function storedInstances(accountId: string, report: string): Promise<Stored[]> {
  const rows = await app.db
    .select({ created: reportInstances.created, tags: reportInstances.tags, rows: reportInstances.rows, header: reportInstances.header, input: reportInstances.input })
    .from(reportInstances)
    .innerJoin(reports, eq(reports.id, reportInstances.reportId))
    .where(and(eq(reportInstances.accountId, accountId), eq(reports.name, report)))
    .orderBy(asc(reportInstances.created), asc(reportInstances.id));
  return rows.map((r) => ({ created: r.created.getTime(), tags: r.tags, table: { rows: r.rows, header: r.header }, input: r.input }));
}

type Window = { from?: number; to?: number; after?: number };

/** What a tile must draw, computed in JS with evaluateSpec/specNumber on the stored tables. */
function expected(instances: Stored[], config: { report: string; tags?: string[]; title?: string; series: SeriesSpec[] }, window: Window = {}) {
  const tags = config.tags ?? [];
  const chosen = instances.filter(
    (i) =>
      tags.every((t) => i.tags.includes(t)) &&
      (window.from === undefined || i.created >= window.from) &&
      (window.to === undefined || i.created <= window.to) &&
      (window.after === undefined || i.created > window.after),
  );
  const newest = chosen.at(-1)?.table ?? null;
  const names = config.series.map((s) => seriesName(s, newest));
  return {
    chosen,
    title: tileTitle({ title: config.title, report: config.report, seriesNames: names, tags }),
    series: config.series.map((s, k) => ({
      name: names[k]!,
      points: chosen.flatMap((i) => {
        const value = specNumber(i.table, s);
        return value === null ? [] : [[i.created, value] as [number, number]];
      }),
    })),
  };
}

function assertSeriesEqual(actual: DataOut, want: ReturnType<typeof expected>, specs: SeriesSpec[], label: string) {
  assert.equal(actual.series.length, want.series.length, label);
  for (const [k, s] of want.series.entries()) {
    assert.deepEqual(actual.series[k]!.points, s.points, `${label}: points of series ${k} ${JSON.stringify(specs[k])}`);
    assert.equal(actual.series[k]!.name, s.name, `${label}: name of series ${k} ${JSON.stringify(specs[k])}`);
  }
  assert.equal(actual.title, want.title, label);
}

/** The widest row of a table (what createTile checks columns against). */
const widthOf = (table: Table) => table.rows.reduce((w, r) => Math.max(w, r.length), 0);

/**
 * Specs exercising the SQL cell expression: for each data row and each column as F, equals its
 * text (numbers, booleans and nulls as text), contains a part of it and contains "" (the first
 * row with a cell there); F = -1 with row indexes in range, out of range, padded or not whole
 * numbers; header texts (never matched); values matching nothing. D cycles through the columns.
 */
function probeSpecs(table: Table): SeriesSpec[] {
  const width = widthOf(table);
  const data = dataRowIndexes(table);
  let d = 0;
  const nextD = () => d++ % width;
  const out: SeriesSpec[] = [];
  for (const [position, r] of data.entries()) {
    out.push(spec({ column: nextD(), value: String(position) }));
    for (let f = 0; f < width; f++) {
      const text = cellText(table.rows[r]?.[f]);
      out.push(spec({ column: nextD(), filterColumn: f, value: text }));
      out.push(spec({ column: nextD(), filterColumn: f, op: "contains", value: text.length > 2 ? text.slice(1, -1) : text }));
      out.push(spec({ column: nextD(), filterColumn: f, op: "contains", value: text.slice(0, 1) }));
    }
  }
  for (let f = 0; f < width; f++) {
    out.push(spec({ column: nextD(), filterColumn: f, op: "contains", value: "" }));
    out.push(spec({ column: nextD(), filterColumn: f, value: "" }));
    out.push(spec({ column: nextD(), filterColumn: f, value: "no such value" }));
    for (const h of table.header) out.push(spec({ column: nextD(), filterColumn: f, value: cellText(table.rows[h]?.[f]) }));
  }
  for (const value of [String(data.length), "01", " 1 ", "1.5", "-1", "x", "", "9999999"]) out.push(spec({ column: nextD(), value }));
  const seen = new Set<string>();
  return out.filter((s) => {
    const key = JSON.stringify(s);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const chunk = <T>(list: T[], size: number): T[][] => Array.from({ length: Math.ceil(list.length / size) }, (_, i) => list.slice(i * size, i * size + size));

describe("tile data is what evaluateSpec gives on the same tables (every parsing fixture)", () => {
  const fixtures = FIXTURES;
  let account: Actor;
  let caller: Caller;
  const stored = new Map<string, Stored[]>();
  const tagSets = [[], ["host:a"], ["host:a", 'note:say "hi"\\there'], ["host:none"]];

  before(async () => {
    account = fixtureAccount;
    caller = await callerOf(account);
    for (const name of fixtures) stored.set(name, await storedInstances(account.accountId, name));
  });

  it("finds the fixtures", () => {
    assert.ok(fixtures.length >= 10, `found ${fixtures.length} inputs in ${PARSING_FIXTURES}`);
    assert.ok(fixtures.includes("df") && fixtures.includes("json-objects") && fixtures.includes("two-numbers"));
  });

  it("a guessed spec selects the clicked cell of the newest table, for every data cell", async () => {
    for (const name of fixtures) {
      const newest = stored.get(name)!.at(-1)!.table;
      for (const r of dataRowIndexes(newest)) {
        for (let c = 0; c < (newest.rows[r]?.length ?? 0); c++) {
          const guessed = await caller.dashboards.guessSeries({ report: name, row: r, column: c });
          assert.equal(guessed.column, c, `${name} [${r}, ${c}]`);
          assert.deepEqual(specNumber(newest, guessed), specNumber({ rows: [newest.rows[r]!], header: [] }, spec({ column: c })), `${name} [${r}, ${c}]: ${JSON.stringify(guessed)}`);
        }
      }
    }
  });

  it("range tiles of guessed series draw the same points, names and title as the reference, with each tag filter", async () => {
    const id = await newDashboard(caller, "Guessed");
    for (const name of fixtures) {
      const instances = stored.get(name)!;
      const newest = instances.at(-1)!.table;
      const guessed: SeriesSpec[] = [];
      for (const r of dataRowIndexes(newest)) {
        for (let c = 0; c < (newest.rows[r]?.length ?? 0); c++) guessed.push(await caller.dashboards.guessSeries({ report: name, row: r, column: c }));
      }
      for (const tags of tagSets.slice(0, 2)) {
        for (const series of chunk(guessed, 100)) {
          const config = { report: name, tags, kind: "range", draw: "line", series };
          const tile = await caller.dashboards.createTile({ dashboardId: id, config });
          const data = await caller.dashboards.tileData({ tileId: tile.id });
          assertSeriesEqual(data, expected(instances, config), series, `${name} ${tags.join(",")}`);
          assert.deepEqual(
            data.series.map((s) => s.color),
            series.map((_, k) => PALETTE[k % PALETTE.length]),
          );
          await caller.dashboards.deleteTile({ tileId: tile.id });
        }
      }
    }
  });

  it("range tiles of probing specs (equals/contains on every cell, F = -1, misses) agree with the reference", async () => {
    const id = await newDashboard(caller, "Probes");
    for (const name of fixtures) {
      const instances = stored.get(name)!;
      // Probes from the newest table and from a digit-shifted one.
      const probes = [...probeSpecs(instances.at(-1)!.table), ...probeSpecs(instances[1]!.table).filter((s) => s.column < widthOf(instances.at(-1)!.table) && s.filterColumn < widthOf(instances.at(-1)!.table))];
      for (const tags of tagSets) {
        for (const series of chunk(probes, 100)) {
          const config = { report: name, tags, kind: "range", draw: "line", series };
          const tile = await caller.dashboards.createTile({ dashboardId: id, config });
          const data = await caller.dashboards.tileData({ tileId: tile.id });
          const want = expected(instances, config);
          assertSeriesEqual(data, want, series, `${name} [${tags.join(",")}]`);
          assert.equal(data.newest, want.chosen.at(-1)?.created ?? null);
          await caller.dashboards.deleteTile({ tileId: tile.id });
        }
      }
    }
  });

  it("from/to pick the instances within (both ends included), after only newer ones, and points come oldest first", async () => {
    const id = await newDashboard(caller, "Windows");
    for (const name of fixtures) {
      const instances = stored.get(name)!;
      const series = probeSpecs(instances.at(-1)!.table).slice(0, 100);
      const config = { report: name, tags: [], kind: "range", draw: "stacked", series };
      const tile = await caller.dashboards.createTile({ dashboardId: id, config });
      const [i0, i1, i2] = instances.map((i) => i.created);
      const windows: Window[] = [{ from: i1, to: i2 }, { after: i1 }, { from: i0, to: i0 }, { from: i2! + 1 }, { after: instances.at(-1)!.created }];
      for (const window of windows) {
        const data = await caller.dashboards.tileData({ tileId: tile.id, ...window });
        const want = expected(instances, config, window);
        assertSeriesEqual(data, want, series, `${name} ${JSON.stringify(window)}`);
        for (const s of data.series) assert.deepEqual(s.points, [...s.points].sort((a, b) => a[0] - b[0]));
        if (window.from !== undefined) assert.equal(data.from, window.from);
      }
      await caller.dashboards.deleteTile({ tileId: tile.id });
    }
  });

  it("latest tiles give one point from the newest instance; value tiles the previous instance's values; text tiles its table", async () => {
    const id = await newDashboard(caller, "Latest");
    for (const name of fixtures) {
      const instances = stored.get(name)!;
      const series = probeSpecs(instances.at(-1)!.table).slice(0, 60);
      for (const tags of tagSets.slice(0, 3)) {
        const chosen = instances.filter((i) => tags.every((t) => i.tags.includes(t)));
        const newest = chosen.at(-1)!;
        const label = `${name} [${tags.join(",")}]`;
        for (const draw of ["bar", "column", "value", "text"]) {
          const config = { report: name, tags, kind: "latest", draw, series };
          const tile = await caller.dashboards.createTile({ dashboardId: id, config });
          const data = await caller.dashboards.tileData({ tileId: tile.id });
          assertSeriesEqual(data, expected([newest], config), series, `${label} ${draw}`);
          assert.ok(
            data.series.every((s) => s.points.length <= 1),
            `${label} ${draw}: at most one point`,
          );
          assert.equal(data.from, null);
          assert.equal(data.newest, newest.created);
          if (draw === "value") {
            const previous = chosen.at(-2);
            assert.deepEqual(
              data.previous,
              series.map((s) => (previous ? specNumber(previous.table, s) : null)),
              `${label}: previous`,
            );
          } else assert.equal(data.previous, null);
          if (draw === "text") assert.deepEqual(data.table, { ...newest.table, created: newest.created }, `${label}: table`);
          else assert.equal(data.table, null);
          await caller.dashboards.deleteTile({ tileId: tile.id });
        }
      }
    }
  });

  it("content tiles give the newest instance's raw input (within the tag filter), and no series", async () => {
    const id = await newDashboard(caller, "Content");
    for (const name of fixtures) {
      const instances = stored.get(name)!;
      for (const tags of tagSets) {
        const tile = await caller.dashboards.createTile({ dashboardId: id, config: { report: name, tags, kind: "content", draw: "text" } });
        const data = await caller.dashboards.tileData({ tileId: tile.id });
        const newest = instances.filter((i) => tags.every((t) => i.tags.includes(t))).at(-1);
        assert.equal(data.content, newest?.input ?? null, `${name} [${tags.join(",")}]`);
        assert.deepEqual(data.series, []);
        assert.equal(data.title, tileTitle({ report: name, seriesNames: [], tags }));
        await caller.dashboards.deleteTile({ tileId: tile.id });
      }
    }
  });
});

describe("known gaps between the SQL cell text and cellText()", () => {
  // PostgreSQL writes JSON arrays and objects with spaces (`[1, 2]`) and numbers in plain notation
  // (`1000000000000000000000`), where cellText() gives `[1,2]` and `1e+21`: a filter on such a cell
  // matches in evaluateSpec but not in SQL. Guessed specs never filter on them (they are not labels).
  it("a filter on an array cell or a number beyond 1e21 matches as in evaluateSpec", { todo: "tile-data.ts seriesCellsSql: JSON text of arrays/objects and huge/tiny numbers" }, async () => {
    const account = gapsAccount;
    const caller = await callerOf(account);
    const [board] = await caller.dashboards.list();
    const series = [spec({ column: 3, filterColumn: 1, value: "[1,2]" }), spec({ column: 3, filterColumn: 2, value: "1e+21" })];
    const instances = await storedInstances(account.accountId, "gaps");
    const tile = await caller.dashboards.createTile({ dashboardId: board!.id, config: { report: "gaps", kind: "latest", draw: "bar", series } });
    const config = { report: "gaps", series };
    assertSeriesEqual(await caller.dashboards.tileData({ tileId: tile.id }), expected(instances, config), series, "gaps");
  });
});
