/**
 * Dashboards as code (dashboards.md), over real HTTP: GET/POST /dashboards, GET/PUT/DELETE
 * /dashboards/{id}, GET /dashboards/{id}/tiles/{tileId}/data; the 400s naming the tile and the
 * field; every endpoint against every key scope (ingest: nothing, read: GETs, full: everything);
 * another account's key; and the OpenAPI document.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { ApiKeyScope } from "../../db/schema";
import { DEFAULT_RANGE_SECONDS } from "../../server/dashboard/model";
import { setPlan, startTestApp, type TestApp } from "../helpers/app";
import { type Actor, accountOwner, apiCall, type ApiReply, assertError, dashed, newKey, okResult, PARSING_FIXTURES, pushOk } from "../helpers/reports";

let app: TestApp;
let owner: Actor;
const keys = {} as Record<ApiKeyScope, string>;
let outsiderKey: string;

const started = Date.now();
const ago = (minutes: number) => new Date(started - minutes * 60_000).toISOString();
const DF = readFileSync(join(PARSING_FIXTURES, "df.input"), "utf8");

before(async () => {
  app = await startTestApp();
  owner = await accountOwner(app, "Code Owner");
  await setPlan(app.db, owner.accountId, "business"); // more dashboards and requests than Free allows
  for (const scope of ["ingest", "read", "full"] as const) keys[scope] = await newKey(app, owner.accountId, scope, owner.userId);
  const outsider = await accountOwner(app, "Code Outsider");
  outsiderKey = await newKey(app, outsider.accountId, "full", outsider.userId);
  await pushOk(app, keys.ingest, "df", DF, { query: { created: ago(40), tags: "host:web1" } });
  await pushOk(app, keys.ingest, "df", DF.replace("91%", "92%").replace(" 64%", " 65%"), { query: { created: ago(30), tags: "host:web1" } });
  await pushOk(app, keys.ingest, "df", DF.replace("91%", "95%"), { query: { created: ago(25), tags: "host:web2" } });
  await pushOk(app, keys.ingest, "df", DF.replace("91%", "93%").replace(" 64%", " 70%"), { query: { created: ago(20), tags: "host:web1" } });
  await pushOk(app, keys.ingest, "motd", "# Hello\n", { query: { created: ago(15), format: "single" } });
});
after(() => app?.stop());

type Listed = { id: string; name: string; href: string };
type Series = { column: number; filterColumn: number; op: "equals" | "contains"; value: string; name?: string; color?: string };
type Layout = { x: number; y: number; w: number; h: number };
type StoredTile = { id: string; report: string; tags: string[]; kind: string; draw: string; rangeSeconds?: number; title?: string; series: Series[]; autoSeries: boolean; masterTagPattern?: string; layout: Layout };
type Stored = { id: string; name: string; settings: { removeStaleAfterSeconds: number | null; syncYAxes: boolean; syncXAxes: boolean }; tiles: StoredTile[] };
type Data = { title: string; series: { name: string; points: [string, number][] }[] };

const json = (body: unknown) => ({ body: JSON.stringify(body), contentType: "application/json" });
const get = <T>(path: string, key: string | null = keys.full) => apiCall<T>(app, "GET", path, { key });
const post = <T>(path: string, body: unknown, key: string | null = keys.full) => apiCall<T>(app, "POST", path, { key, ...json(body) });
const put = <T>(path: string, body: unknown, key: string | null = keys.full) => apiCall<T>(app, "PUT", path, { key, ...json(body) });
const del = <T>(path: string, key: string | null = keys.full) => apiCall<T>(app, "DELETE", path, { key });

const usePct = (mount: string, extra: Partial<Series> = {}): Series => ({ column: 4, filterColumn: 5, op: "equals", value: mount, ...extra });
const HEX_ID = /^[0-9a-f]{32}$/;

/** Imports a small dashboard (full key); its stored model. */
async function imported(name = "Servers", tiles: unknown[] = [{ report: "df", kind: "range", draw: "line", series: [usePct("/")] }]): Promise<Stored> {
  return okResult(await post<Stored>("/dashboards", { name, tiles }));
}

describe("GET /dashboards", () => {
  it("a new account lists its Default dashboard as {id, name, href}; the href gets it", async () => {
    const fresh = await accountOwner(app, "Fresh");
    const key = await newKey(app, fresh.accountId, "read");
    const list = okResult(await get<Listed[]>("/dashboards", key));
    assert.equal(list.length, 1);
    assert.deepEqual(Object.keys(list[0]!).sort(), ["href", "id", "name"]);
    assert.equal(list[0]!.name, "Default");
    assert.match(list[0]!.id, HEX_ID);
    assert.equal(list[0]!.href, `${app.url}/api/v1/dashboards/${list[0]!.id}`);
    const model = okResult(await apiCall<Stored>(app, "GET", list[0]!.href, { key }));
    assert.deepEqual(model, { id: list[0]!.id, name: "Default", settings: { removeStaleAfterSeconds: null, syncYAxes: false, syncXAxes: false }, tiles: [] });
  });

  it("lists the dashboards in tab order, new ones last", async () => {
    const fresh = await accountOwner(app, "Ordered");
    const key = await newKey(app, fresh.accountId, "full");
    const b = okResult(await post<Stored>("/dashboards", { name: "B", tiles: [] }, key));
    const a = okResult(await post<Stored>("/dashboards", { name: "A", tiles: [] }, key));
    assert.deepEqual(
      okResult(await get<Listed[]>("/dashboards", key)).map((d) => [d.name, d.id]).slice(1),
      [
        ["B", b.id],
        ["A", a.id],
      ],
    );
  });
});

describe("POST /dashboards (import)", () => {
  const model = {
    name: "  Servers  ",
    settings: { syncXAxes: true },
    tiles: [
      { id: "ignored", report: "df", kind: "range", draw: "line", series: [usePct("/"), usePct("/home", { name: "Home", color: "#123456" })], tags: ["host:web1"] },
      { report: "df", kind: "latest", draw: "bar", title: "Now", series: [usePct("/")], layout: { x: 4, y: 7, w: 8, h: 3 } },
      { report: "motd", kind: "content", draw: "markdown" },
      { report: "df", kind: "range", draw: "area", rangeSeconds: 3600, series: [usePct("/run")], layout: { x: 0, y: 20, w: 4, h: 2 }, autoSeries: true },
    ],
  };
  let stored: Stored;

  before(async () => {
    stored = okResult(await post<Stored>("/dashboards", model));
  });

  it("returns the stored model with new 32-hex ids for the dashboard and every tile", () => {
    assert.match(stored.id, HEX_ID);
    assert.equal(stored.tiles.length, 4);
    for (const tile of stored.tiles) assert.match(tile.id, HEX_ID);
    assert.equal(new Set(stored.tiles.map((t) => t.id)).size, 4);
    assert.ok(!stored.tiles.some((t) => t.id === "ignored"), "ids in the model are ignored on import");
    assert.equal(stored.name, "Servers");
    assert.deepEqual(stored.settings, { removeStaleAfterSeconds: null, syncYAxes: false, syncXAxes: true });
  });

  /** The stored tile made from model tile i (the stored model lists tiles in layout order). */
  const from = (i: number) => stored.tiles.find((t) => t.draw === model.tiles[i]!.draw)!;

  it("keeps each tile as given, with the defaults filled in", () => {
    const [range, latest, content, area] = [0, 1, 2, 3].map(from);
    assert.deepEqual(
      { ...range, id: undefined, layout: undefined },
      { id: undefined, layout: undefined, report: "df", tags: ["host:web1"], kind: "range", draw: "line", rangeSeconds: DEFAULT_RANGE_SECONDS, series: model.tiles[0]!.series, autoSeries: false },
    );
    assert.deepEqual({ ...latest, id: undefined, layout: undefined }, { id: undefined, layout: undefined, report: "df", tags: [], kind: "latest", draw: "bar", title: "Now", series: [usePct("/")], autoSeries: false });
    assert.deepEqual({ ...content, id: undefined, layout: undefined }, { id: undefined, layout: undefined, report: "motd", tags: [], kind: "content", draw: "markdown", series: [], autoSeries: false });
    assert.equal(area!.rangeSeconds, 3600);
    assert.equal(area!.autoSeries, true);
  });

  it("places tiles without a layout at the first free place and packs the layouts upwards", () => {
    assert.deepEqual(
      [0, 1, 2, 3].map((i) => from(i).layout),
      [
        { x: 0, y: 0, w: 4, h: 4 },
        { x: 4, y: 4, w: 8, h: 3 },
        { x: 4, y: 0, w: 4, h: 4 },
        { x: 0, y: 4, w: 4, h: 2 },
      ],
    );
  });

  it("lists the tiles in layout order: top to bottom, left to right", () => {
    assert.deepEqual(
      stored.tiles.map((t) => [t.layout.y, t.layout.x]),
      [
        [0, 0],
        [0, 4],
        [4, 0],
        [4, 4],
      ],
    );
  });

  it("GET /dashboards/{id} returns the same model, for any spelling of the id", async () => {
    const byId = okResult(await get<Stored>(`/dashboards/${stored.id}`));
    const sorted = (m: Stored) => ({ ...m, tiles: [...m.tiles].sort((a, b) => a.id.localeCompare(b.id)) });
    assert.deepEqual(sorted(byId), sorted(stored));
    assert.deepEqual(okResult(await get<Stored>(`/dashboards/${dashed(stored.id)}`)).id, stored.id);
    assert.deepEqual(okResult(await get<Stored>(`/dashboards/${stored.id.toUpperCase()}`)).id, stored.id);
    assert.ok(okResult(await get<Listed[]>("/dashboards")).some((d) => d.id === stored.id && d.name === "Servers"));
  });

  it("the web app sees the imported dashboard and its tiles", async () => {
    const caller = await app.caller({ sessionId: owner.sessionId });
    const view = await caller.dashboards.get({ id: stored.id });
    assert.equal(view.name, "Servers");
    assert.deepEqual(view.tiles.map((t) => t.id.replace(/-/g, "")).sort(), stored.tiles.map((t) => t.id).sort());
  });

  it("a model round-trips: importing an exported model gives the same tiles", async () => {
    const again = okResult(await post<Stored>("/dashboards", { ...stored, name: "Copy" }));
    const strip = (m: Stored) => m.tiles.map(({ id: _id, ...rest }) => rest);
    assert.deepEqual(strip(again), strip(stored));
    assert.deepEqual(again.settings, stored.settings);
  });
});

describe("PUT /dashboards/{id}", () => {
  it("replaces the name and every tile (with new ids), and keeps the settings when none are given", async () => {
    const before = await imported("Before", [
      { report: "df", kind: "range", draw: "line", series: [usePct("/")] },
      { report: "df", kind: "range", draw: "line", series: [usePct("/dev")] },
    ]);
    okResult(await put<Stored>(`/dashboards/${before.id}`, { name: "Mid", settings: { removeStaleAfterSeconds: 3600, syncYAxes: true, syncXAxes: true }, tiles: [] }));
    const replaced = okResult(await put<Stored>(`/dashboards/${before.id}`, { name: "After", tiles: [{ report: "df", kind: "latest", draw: "value", series: [usePct("/home")] }] }));
    assert.equal(replaced.id, before.id);
    assert.equal(replaced.name, "After");
    assert.deepEqual(replaced.settings, { removeStaleAfterSeconds: 3600, syncYAxes: true, syncXAxes: true });
    assert.equal(replaced.tiles.length, 1);
    assert.ok(!before.tiles.some((t) => t.id === replaced.tiles[0]!.id), "the tiles are new");
    assert.deepEqual(replaced.tiles[0]!.layout, { x: 0, y: 0, w: 4, h: 4 });
    assert.deepEqual(okResult(await get<Stored>(`/dashboards/${before.id}`)), replaced);
    assert.equal(okResult(await get<Listed[]>("/dashboards")).find((d) => d.id === before.id)?.name, "After");
    for (const tile of before.tiles) assertError(await get(`/dashboards/${before.id}/tiles/${tile.id}/data`), 404, "Tile not found");
  });

  it("an unknown id is 404 and a malformed one 400", async () => {
    assertError(await put(`/dashboards/${"0".repeat(32)}`, { name: "X", tiles: [] }), 404, "Dashboard not found");
    assertError(await put("/dashboards/nope", { name: "X", tiles: [] }), 400, "Invalid id format nope");
  });
});

describe("DELETE /dashboards/{id}", () => {
  it("deletes the dashboard with its tiles; afterwards it is 404", async () => {
    const doomed = await imported("Doomed");
    const reply = await del<never>(`/dashboards/${doomed.id}`);
    assert.equal(reply.status, 200);
    assert.equal(reply.body.success, true);
    assertError(await get(`/dashboards/${doomed.id}`), 404, "Dashboard not found");
    assertError(await get(`/dashboards/${doomed.id}/tiles/${doomed.tiles[0]!.id}/data`), 404);
    assert.ok(!okResult(await get<Listed[]>("/dashboards")).some((d) => d.id === doomed.id));
    assertError(await del(`/dashboards/${doomed.id}`), 404, "Dashboard not found");
    assertError(await del("/dashboards/12345"), 400, "Invalid id format 12345");
  });

  it("the account's last dashboard cannot be deleted (409, with a clear message)", async () => {
    const fresh = await accountOwner(app, "Last one");
    const key = await newKey(app, fresh.accountId, "full");
    const [only] = okResult(await get<Listed[]>("/dashboards", key));
    assertError(await del(`/dashboards/${only!.id}`, key), 409, /only dashboard/);
    assert.equal(okResult(await get<Listed[]>("/dashboards", key)).length, 1);
  });
});

describe("GET /dashboards/{id}/tiles/{tileId}/data", () => {
  let board: Stored;
  let other: Stored;

  before(async () => {
    board = await imported("Data", [
      { report: "df", kind: "range", draw: "line", tags: ["host:web1"], series: [usePct("/"), usePct("/home", { name: "Home" })] },
      { report: "df", kind: "latest", draw: "value", series: [usePct("/home")] },
      { report: "motd", kind: "content", draw: "text" },
      { report: "df", kind: "range", draw: "line", title: "Old", rangeSeconds: 60, series: [usePct("/")] },
    ]);
    other = await imported("Other");
  });

  const dataPath = (tile: number, query = "") => `/dashboards/${board.id}/tiles/${board.tiles[tile]!.id}/data${query}`;

  it("gives the title and each series' points [createdIso, value], oldest first", async () => {
    const data = okResult(await get<Data>(dataPath(0)));
    assert.deepEqual(Object.keys(data).sort(), ["series", "title"]);
    assert.deepEqual(data, {
      title: "df (/, Home) [host:web1]",
      series: [
        {
          name: "/",
          points: [
            [ago(40), 64],
            [ago(30), 65],
            [ago(20), 70],
          ],
        },
        {
          name: "Home",
          points: [
            [ago(40), 91],
            [ago(30), 92],
            [ago(20), 93],
          ],
        },
      ],
    });
  });

  it("from and to restrict the range (ISO 8601 or Unix seconds, both ends included)", async () => {
    const window = okResult(await get<Data>(dataPath(0, `?from=${encodeURIComponent(ago(30))}&to=${encodeURIComponent(ago(20))}`)));
    assert.deepEqual(
      window.series.map((s) => s.points),
      [
        [
          [ago(30), 65],
          [ago(20), 70],
        ],
        [
          [ago(30), 92],
          [ago(20), 93],
        ],
      ],
    );
    const seconds = Math.floor(Date.parse(ago(35)) / 1000);
    const since = okResult(await get<Data>(dataPath(0, `?from=${seconds}`)));
    assert.deepEqual(
      since.series[0]!.points.map((p) => p[1]),
      [65, 70],
    );
    const empty = okResult(await get<Data>(dataPath(0, `?to=${encodeURIComponent(ago(50))}`)));
    assert.deepEqual(
      empty.series.map((s) => s.points),
      [[], []],
      "to alone: the tile's range (a week) before it",
    );
  });

  it("a tile's own range applies without from; latest tiles give the newest point; content tiles no series", async () => {
    assert.deepEqual(okResult(await get<Data>(dataPath(3))), { title: "Old", series: [{ name: "/", points: [] }] }, "nothing in the last minute");
    assert.deepEqual(okResult(await get<Data>(dataPath(1))), { title: "df (/home)", series: [{ name: "/home", points: [[ago(20), 93]] }] });
    assert.deepEqual(okResult(await get<Data>(dataPath(2))), { title: "motd", series: [] });
  });

  it("an invalid from or to is 400 naming it", async () => {
    assertError(await get(dataPath(0, "?from=yesterday")), 400, /^Invalid from yesterday: use an ISO 8601 datetime/);
    assertError(await get(dataPath(0, "?to=2026-02-31")), 400, /^Invalid to 2026-02-31/);
  });

  it("a tile of another dashboard, an unknown tile or dashboard is 404; a malformed id 400", async () => {
    assertError(await get(`/dashboards/${other.id}/tiles/${board.tiles[0]!.id}/data`), 404, "Tile not found");
    assertError(await get(`/dashboards/${board.id}/tiles/${"0".repeat(32)}/data`), 404, "Tile not found");
    assertError(await get(`/dashboards/${"0".repeat(32)}/tiles/${board.tiles[0]!.id}/data`), 404);
    assertError(await get(`/dashboards/${board.id}/tiles/nope/data`), 400, "Invalid id format nope");
    assertError(await get(`/dashboards/nope/tiles/${board.tiles[0]!.id}/data`), 400);
  });
});

describe("invalid models are 400, naming the tile and the field, and change nothing", () => {
  const good = { report: "df", kind: "range", draw: "line", series: [usePct("/")] };
  const cases: [string, unknown, string | RegExp][] = [
    ["an unknown report", { name: "X", tiles: [good, { ...good, report: "nope", title: "Disk" }] }, "Tile 2 (Disk): report nope does not exist"],
    ["an out-of-range column", { name: "X", tiles: [{ ...good, series: [usePct("/"), usePct("/", { column: 9 })] }] }, "Tile 1: series 2 column 9 is out of range (df has 6 columns)"],
    ["an out-of-range filter column", { name: "X", tiles: [good, good, { ...good, series: [usePct("/", { filterColumn: 6 })] }] }, "Tile 3: series 1 filterColumn 6 is out of range (df has 6 columns)"],
    ["x + w over 12", { name: "X", tiles: [{ ...good, layout: { x: 10, y: 0, w: 4, h: 4 } }] }, "Tile 1: layout: x + w must be at most 12"],
    ["a zero width", { name: "X", tiles: [good, { ...good, layout: { x: 0, y: 0, w: 0, h: 4 } }] }, /^Tile 2: layout\.w: /],
    ["a height over 24", { name: "X", tiles: [{ ...good, layout: { x: 0, y: 0, w: 4, h: 25 } }] }, /^Tile 1: layout\.h: /],
    ["a draw not allowed for the kind", { name: "X", tiles: [{ ...good, kind: "latest" }] }, "Tile 1: draw: a latest tile is drawn as bar, column, value, text"],
    ["a chart without series", { name: "X", tiles: [{ ...good, series: [] }] }, "Tile 1: series: a chart tile needs at least one series"],
    ["an unknown draw", { name: "X", tiles: [{ ...good, draw: "pie", title: "Pie" }] }, /^Tile 1 \(Pie\): draw: /],
    ["a bad colour", { name: "X", tiles: [{ ...good, series: [usePct("/", { color: "blue" })] }] }, "Tile 1: series.0.color: a colour is #RRGGBB"],
    ["no name", { tiles: [] }, /^name: /],
    ["a blank name", { name: "  ", tiles: [] }, /^name: /],
    ["no tiles", { name: "X" }, /^tiles: /],
  ];

  for (const [what, body, message] of cases) {
    it(`POST and PUT refuse ${what}`, async () => {
      const target = await imported(`Target ${what}`);
      const before = okResult(await get<Listed[]>("/dashboards")).length;
      assertError(await post("/dashboards", body), 400, message);
      assert.equal(okResult(await get<Listed[]>("/dashboards")).length, before, "no dashboard was created");
      assertError(await put(`/dashboards/${target.id}`, body), 400, message);
      assert.deepEqual(okResult(await get<Stored>(`/dashboards/${target.id}`)), target, "the dashboard is unchanged");
    });
  }

  it("a body that is not JSON is 400", async () => {
    const reply = await apiCall(app, "POST", "/dashboards", { key: keys.full, body: "{name: X", contentType: "application/json" });
    assert.equal(reply.status, 400);
  });
});

describe("key scopes: ingest nothing, read GETs, full everything; another account nothing", () => {
  type Endpoint = { name: string; needs: "read" | "full"; call(key: string | null, target: Stored): Promise<ApiReply> };
  const endpoints: Endpoint[] = [
    { name: "GET /dashboards", needs: "read", call: (key) => get("/dashboards", key) },
    { name: "GET /dashboards/{id}", needs: "read", call: (key, t) => get(`/dashboards/${t.id}`, key) },
    { name: "GET /dashboards/{id}/tiles/{tileId}/data", needs: "read", call: (key, t) => get(`/dashboards/${t.id}/tiles/${t.tiles[0]!.id}/data`, key) },
    { name: "POST /dashboards", needs: "full", call: (key) => post("/dashboards", { name: "Scoped", tiles: [] }, key) },
    { name: "PUT /dashboards/{id}", needs: "full", call: (key, t) => put(`/dashboards/${t.id}`, { name: "Replaced", tiles: [] }, key) },
    { name: "DELETE /dashboards/{id}", needs: "full", call: (key, t) => del(`/dashboards/${t.id}`, key) },
  ];
  const state = async () => okResult(await get<Listed[]>("/dashboards"));

  for (const endpoint of endpoints) {
    for (const scope of ["ingest", "read", "full"] as const) {
      const allowed = scope === "full" || scope === endpoint.needs;
      it(`${endpoint.name} with a${scope === "ingest" ? "n" : ""} ${scope} key is ${allowed ? "allowed" : "refused with 403"}`, async () => {
        const target = await imported("Scope target");
        const before = await state();
        const reply = await endpoint.call(keys[scope], target);
        if (allowed) assert.equal(reply.status, 200, JSON.stringify(reply.body));
        else {
          assertError(reply, 403, new RegExp(`scope "${scope}".*"${endpoint.needs}"`));
          assert.deepEqual(await state(), before, "a refused call changes nothing");
          assert.deepEqual(okResult(await get<Stored>(`/dashboards/${target.id}`)), target);
        }
      });
    }

    it(`${endpoint.name} without a key is 401`, async () => {
      const target = await imported("Keyless target");
      assertError(await endpoint.call(null, target), 401, /API key/);
    });
  }

  it("another account's full key gets 404 for the owner's dashboards and tiles, and lists only its own", async () => {
    const target = await imported("Private");
    const before = await state();
    const theirs = okResult(await get<Listed[]>("/dashboards", outsiderKey));
    assert.deepEqual(
      theirs.map((d) => d.name),
      ["Default"],
    );
    for (const endpoint of endpoints.filter((e) => e.name.includes("{id}"))) {
      const reply = await endpoint.call(outsiderKey, target);
      assert.equal(reply.status, 404, `${endpoint.name}: ${JSON.stringify(reply.body)}`);
      assert.doesNotMatch(JSON.stringify(reply.body), /Private|df/, endpoint.name);
    }
    // Its import refers to its own reports: the owner's df does not exist for it.
    assertError(await post("/dashboards", { name: "Theirs", tiles: [{ report: "df", kind: "range", draw: "line", series: [usePct("/")] }] }, outsiderKey), 400, "Tile 1: report df does not exist");
    assert.deepEqual(await state(), before, "the owner's dashboards are untouched");
    assert.deepEqual(okResult(await get<Stored>(`/dashboards/${target.id}`)), target);
  });
});

describe("the OpenAPI document", () => {
  it("lists the dashboard endpoints, each needing a key", async () => {
    const res = await fetch(`${app.url}/api/v1/openapi.json`);
    assert.equal(res.status, 200);
    const doc = (await res.json()) as { paths: Record<string, Record<string, { security?: unknown[]; tags?: string[]; parameters?: { name: string }[] }>> };
    const documented = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith("/dashboards"))
      .flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`));
    for (const endpoint of [
      "GET /dashboards",
      "POST /dashboards",
      "GET /dashboards/{id}",
      "PUT /dashboards/{id}",
      "DELETE /dashboards/{id}",
      "GET /dashboards/{id}/tiles/{tileId}/data",
    ]) {
      assert.ok(documented.includes(endpoint), `${endpoint} is documented (found ${documented.join(", ")})`);
    }
    for (const [path, item] of Object.entries(doc.paths).filter(([p]) => p.startsWith("/dashboards"))) {
      for (const [method, op] of Object.entries(item)) {
        assert.ok(op.security && op.security.length > 0, `${method} ${path} needs a key`);
        assert.deepEqual(op.tags, ["Dashboards"], `${method} ${path}`);
      }
    }
    const data = doc.paths["/dashboards/{id}/tiles/{tileId}/data"]!.get!;
    assert.deepEqual(data.parameters?.map((p) => p.name).sort(), ["from", "id", "tileId", "to"]);
  });
});
