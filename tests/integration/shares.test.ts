/**
 * Public dashboard links (issue 6, ADR 17): the token (192 bits from crypto.randomBytes, only its
 * hash stored anywhere), revoked/paused/expired/unknown links answering the same 404, regenerate
 * killing the old link, the visitor page and its `share.*` calls exposing nothing but the one
 * dashboard, the time range option, view counts without visitor data, the rate limit, the owner
 * side (`shares.*`) for owner, editor, viewer, outsider and anonymous, the audit log, and the
 * public API's two endpoints against every key scope.
 */
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { syncBuiltinESMExports } from "node:module";
import { after, before, describe, it, mock } from "node:test";
import { and, eq, sql } from "drizzle-orm";
import { queryRows } from "../../db/client";
import { auditLog, dashboardShares } from "../../db/schema";
import { SHARE_MISS_LIMIT, SHARE_RATE_LIMIT, SHARE_TOKEN_BYTES } from "../../server/share/service";
import { sha256 } from "../../server/tokens";
import { createContext } from "../../server/trpc";
import { appRouter, createCaller } from "../../server/trpc/root";
import { setPlan, startTestApp, type TestApp, trpcOutcome } from "../helpers/app";
import { type Actor, accountMember, accountOwner, apiCall, assertError, newKey, okResult, pushOk } from "../helpers/reports";

type Caller = Awaited<ReturnType<TestApp["caller"]>>;

let app: TestApp;
let owner: Actor;
let editor: Actor;
let viewer: Actor;
let outsider: Actor;
let ownerEmail: string;
let editorEmail: string;
let keys: { full: string; read: string; ingest: string; outsiderFull: string };
/** The shared dashboard ("Public Board") and its tiles; a hidden one in the same account; the outsider's. */
let board: { id: string; rangeTile: string; valueTile: string };
let hidden: { id: string; tile: string };
let outsiderTile: string;

const TOKEN_URL = /\/s\/(tws_[A-Za-z0-9_-]{32})$/;
const DF = (use: number) =>
  `Filesystem 1K-blocks Used Available Use% Mounted\n/dev/sda1 100 ${use} ${100 - use} ${use}% /\n/dev/mapper/vault-kestrel 100 5 95 5% /srv/kestrel-vault\n`;
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

/** Every visitor test comes from its own address (TRUST_PROXY is on), so budgets do not mix. */
let ipCounter = 0;
const freshIp = () => `198.51.100.${++ipCounter}`;

/** The in-process caller as a visitor from `ip` (no session, no key). */
const visitor = (ip: string) =>
  createCaller(createContext(app.deps, { ip, userAgent: "visitor", baseUrl: app.config.appUrl, user: null, session: null, apiKey: null }));

/** GET a page as a visitor from `ip`, without cookies. */
const visit = (path: string, ip: string) => fetch(`${app.url}${path}`, { redirect: "manual", headers: { "x-forwarded-for": ip } });

/** A tRPC query over HTTP as a visitor from `ip`. */
async function visitorQuery(path: string, input: unknown, ip: string) {
  const res = await fetch(`${app.url}/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`, { headers: { "x-forwarded-for": ip } });
  return { res, body: (await res.json()) as { result?: { data?: unknown }; error?: { message: string; data: { code: string } } } };
}

const tokenOf = (url: string) => {
  const match = TOKEN_URL.exec(url);
  assert.ok(match, `a link looks like /s/tws_…: ${url}`);
  return match[1]!;
};

const callerOf = (actor: Actor) => app.caller({ sessionId: actor.sessionId });

async function createLink(opts: { dashboardId?: string; expiresAt?: number | null; allowTimeRange?: boolean; by?: Actor } = {}) {
  const caller = await callerOf(opts.by ?? owner);
  const { share, url } = await caller.shares.create({ dashboardId: opts.dashboardId ?? board.id, expiresAt: opts.expiresAt ?? null, allowTimeRange: opts.allowTimeRange ?? false });
  return { share, url, token: tokenOf(url) };
}

/** The page's HTML with what differs between any two responses (the CSP nonce, also in the root's data) taken out. */
function normalized(html: string): string {
  let out = html;
  for (const [, nonce] of html.matchAll(/nonce="([^"]+)"/g)) out = out.split(nonce!).join("NONCE");
  return out;
}

before(async () => {
  app = await startTestApp({ env: { TRUST_PROXY: "true" } });
  const o = await app.createUser({ name: "Olga Accountname" });
  ownerEmail = o.email;
  owner = { userId: o.userId, accountId: o.accountId, ...(await app.sessionCookie(o.userId)) };
  await setPlan(app.db, owner.accountId, "business"); // more live links than Free allows
  editor = await accountMember(app, owner.accountId, "editor");
  viewer = await accountMember(app, owner.accountId, "viewer");
  const [{ email }] = (await queryRows<{ email: string }>(app.db, sql`select email from users where id = ${editor.userId}`)) as [{ email: string }];
  editorEmail = email;
  outsider = await accountOwner(app, "Oscar Outsider");
  keys = {
    full: await newKey(app, owner.accountId, "full", owner.userId),
    read: await newKey(app, owner.accountId, "read", owner.userId),
    ingest: await newKey(app, owner.accountId, "ingest", owner.userId),
    outsiderFull: await newKey(app, outsider.accountId, "full", outsider.userId),
  };
  for (const [m, use] of [[90, 58], [60, 61], [30, 63]] as const) await pushOk(app, keys.ingest, "diskfree", DF(use), { query: { created: minutesAgo(m) } });
  await pushOk(app, keys.ingest, "zebra-secrets", "zebra 42\n");
  await pushOk(app, keys.outsiderFull, "oscar-private", "oscar 7\n");

  const c = await callerOf(owner);
  const root = { column: 4, filterColumn: 5, op: "equals" as const, value: "/" };
  const publicBoard = await c.dashboards.create({ name: "Public Board" });
  const rangeTile = await c.dashboards.createTile({ dashboardId: publicBoard.id, config: { report: "diskfree", kind: "range", draw: "line", series: [root] } });
  const valueTile = await c.dashboards.createTile({ dashboardId: publicBoard.id, config: { report: "diskfree", kind: "latest", draw: "value", title: "Root use", series: [root] } });
  board = { id: publicBoard.id, rangeTile: rangeTile.id, valueTile: valueTile.id };
  const zebra = await c.dashboards.create({ name: "Hidden Zebra Board" });
  const zebraTile = await c.dashboards.createTile({
    dashboardId: zebra.id,
    config: { report: "zebra-secrets", kind: "latest", draw: "bar", title: "Zebra secret tile", series: [{ column: 1, filterColumn: 0, op: "equals", value: "zebra" }] },
  });
  hidden = { id: zebra.id, tile: zebraTile.id };
  const oc = await callerOf(outsider);
  const oscarBoard = await oc.dashboards.create({ name: "Oscar Board" });
  outsiderTile = (
    await oc.dashboards.createTile({
      dashboardId: oscarBoard.id,
      config: { report: "oscar-private", kind: "latest", draw: "bar", title: "Oscar private tile", series: [{ column: 1, filterColumn: 0, op: "equals", value: "oscar" }] },
    })
  ).id;
});
after(() => app?.stop());

describe("the token", () => {
  it("is tws_ + 24 bytes (192 bits) from crypto.randomBytes, different each time", async () => {
    assert.ok(SHARE_TOKEN_BYTES * 8 >= 128);
    const sizes: number[] = [];
    const original = crypto.randomBytes.bind(crypto) as (size: number) => Buffer;
    const spy = mock.method(crypto, "randomBytes", (size: number) => {
      sizes.push(size);
      return original(size);
    });
    syncBuiltinESMExports();
    let first: string;
    let second: string;
    try {
      first = (await createLink()).token;
      second = (await createLink()).token;
    } finally {
      spy.mock.restore();
      syncBuiltinESMExports();
    }
    assert.ok(sizes.filter((s) => s === SHARE_TOKEN_BYTES).length >= 2, `randomBytes(${SHARE_TOKEN_BYTES}) made the tokens (calls: ${sizes.join(", ")})`);
    for (const token of [first, second]) {
      assert.match(token, /^tws_[A-Za-z0-9_-]{32}$/);
      assert.equal(Buffer.from(token.slice(4), "base64url").length, 24, "192 bits");
    }
    assert.notEqual(first, second);
  });

  it("is stored nowhere: the row keeps only its SHA-256, and no table holds it after visits, polls and a regeneration", async () => {
    const { share, token } = await createLink({ allowTimeRange: true });
    const ip = freshIp();
    const page = await visit(`/s/${token}?range=24h`, ip);
    assert.equal(page.status, 200);
    await page.text();
    assert.equal((await visitorQuery("share.tiles", { token }, ip)).res.status, 200);
    const [row] = await app.db.select().from(dashboardShares).where(eq(dashboardShares.id, share.id));
    assert.equal(row!.tokenHash, sha256(token));
    assert.doesNotMatch(JSON.stringify(row), new RegExp(token.slice(4)));
    assert.deepEqual(Object.keys(row!).sort(), ["accountId", "allowTimeRange", "createdAt", "createdBy", "dashboardId", "expiresAt", "id", "lastViewedAt", "paused", "revokedAt", "tokenHash", "viewCount"]);

    const regenerated = await (await callerOf(owner)).shares.regenerate({ id: share.id });
    await app.deps.accessLog.flush();
    const secrets = [token.slice(4), tokenOf(regenerated.url).slice(4)];
    const tables = await queryRows<{ table_name: string }>(app.db, sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`);
    assert.ok(tables.length > 10);
    for (const { table_name } of tables) {
      const rows = await queryRows<Record<string, unknown>>(app.db, sql`select * from ${sql.identifier(table_name)}`);
      const dump = JSON.stringify(rows);
      for (const secret of secrets) assert.ok(!dump.includes(secret), `table ${table_name} holds a token`);
    }
    const logged = await queryRows<{ url: string }>(app.db, sql`select url from access_log where url like '%tws_%'`);
    assert.ok(logged.some((r) => r.url.startsWith("/s/tws_[redacted]")), "the page's URL is logged redacted");
    assert.ok(logged.some((r) => r.url.startsWith("/trpc/share.tiles")), "the poll's URL is logged redacted");
  });
});

describe("links that are not available", () => {
  it("revoked, paused, expired, unknown and malformed links all answer the same 404 page and the same NOT_FOUND", async () => {
    const revoked = await createLink();
    const paused = await createLink();
    const expired = await createLink({ expiresAt: Date.now() + 86_400_000 });
    const c = await callerOf(owner);
    await c.shares.revoke({ id: revoked.share.id });
    await c.shares.pause({ id: paused.share.id });
    await app.db.update(dashboardShares).set({ expiresAt: new Date(Date.now() - 60_000) }).where(eq(dashboardShares.id, expired.share.id));
    const unknown = `tws_${crypto.randomBytes(24).toString("base64url")}`;
    const cases = { revoked: revoked.token, paused: paused.token, expired: expired.token, unknown, malformed: "not-a-token", overlong: `tws_${"x".repeat(300)}` };

    const bodies = new Set<string>();
    for (const [what, token] of Object.entries(cases)) {
      const ip = freshIp();
      const res = await visit(`/s/${token}`, ip);
      assert.equal(res.status, 404, what);
      assert.equal(res.headers.get("x-robots-tag"), "noindex, nofollow", what);
      assert.equal(res.headers.get("referrer-policy"), "no-referrer", what);
      assert.equal(res.headers.get("cache-control"), "no-store", what);
      const html = await res.text();
      assert.match(html, /This link is not available/, what);
      assert.match(html, /<meta name="robots" content="noindex, nofollow"/, what);
      bodies.add(normalized(html));
      if (token.length <= 200) {
        for (const path of ["share.view", "share.tiles"]) {
          const { res: r, body } = await visitorQuery(path, { token }, ip);
          assert.equal(r.status, 404, `${what} ${path}`);
          assert.equal(body.error?.message, "This link is not available", `${what} ${path}`);
        }
      }
    }
    assert.equal(bodies.size, 1, "the same page for every case, no hint which");

    // Resumed and un-expired, the same tokens work again; revoked stays dead.
    await c.shares.resume({ id: paused.share.id });
    await c.shares.update({ id: expired.share.id, expiresAt: null });
    const ip = freshIp();
    assert.equal((await visit(`/s/${paused.token}`, ip)).status, 200);
    assert.equal((await visit(`/s/${expired.token}`, ip)).status, 200);
    assert.equal((await visit(`/s/${revoked.token}`, ip)).status, 404);
  });

  it("regenerate gives a new token and kills the old one at once; options and view counts stay", async () => {
    const { share, token } = await createLink({ allowTimeRange: true });
    const ip = freshIp();
    assert.equal((await visit(`/s/${token}`, ip)).status, 200);
    const c = await callerOf(owner);
    const { share: after, url } = await c.shares.regenerate({ id: share.id });
    const fresh = tokenOf(url);
    assert.notEqual(fresh, token);
    assert.equal((await visit(`/s/${token}`, ip)).status, 404, "the old link dies at once");
    assert.equal((await visitorQuery("share.tiles", { token }, ip)).res.status, 404);
    assert.equal((await visit(`/s/${fresh}`, ip)).status, 200);
    assert.equal(after.id, share.id);
    assert.equal(after.allowTimeRange, true);
    assert.equal(after.viewCount, 1);
  });

  it("deleting the dashboard deletes its links; a deleted tile disappears from the visitor's view", async () => {
    const c = await callerOf(owner);
    const temp = await c.dashboards.create({ name: "Temporary" });
    const t1 = await c.dashboards.createTile({ dashboardId: temp.id, config: { report: "diskfree", kind: "latest", draw: "value", title: "Stays", series: [{ column: 4, filterColumn: 5, op: "equals", value: "/" }] } });
    const t2 = await c.dashboards.createTile({ dashboardId: temp.id, config: { report: "diskfree", kind: "latest", draw: "value", title: "Goes", series: [{ column: 4, filterColumn: 5, op: "equals", value: "/" }] } });
    const { share, token } = await createLink({ dashboardId: temp.id });
    const v = visitor(freshIp());
    assert.deepEqual((await v.share.tiles({ token })).tiles.map((t) => t.id), [t1.id, t2.id]);
    await c.dashboards.deleteTile({ tileId: t2.id });
    assert.deepEqual((await v.share.tiles({ token, after: { [t2.id]: 0 } })).tiles.map((t) => t.data.title), ["Stays"]);
    await c.dashboards.delete({ id: temp.id });
    assert.equal((await app.db.select().from(dashboardShares).where(eq(dashboardShares.id, share.id))).length, 0, "the link went with its dashboard");
    assert.equal((await trpcOutcome(() => v.share.tiles({ token }))).code, "NOT_FOUND");
  });
});

describe("what a visitor sees", () => {
  let token: string;
  let html: string;
  before(async () => {
    token = (await createLink()).token;
    const res = await visit(`/s/${token}`, freshIp());
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("x-robots-tag"), "noindex, nofollow");
    assert.equal(res.headers.get("referrer-policy"), "no-referrer");
    assert.equal(res.headers.get("cache-control"), "no-store");
    html = await res.text();
  });

  it("the page draws the dashboard's tiles by their titles and carries noindex", () => {
    assert.match(html, /<meta name="robots" content="noindex, nofollow"/);
    assert.match(html, /<meta name="referrer" content="no-referrer"/);
    assert.match(html, /Public Board/);
    assert.match(html, /diskfree \(\/\)/, "the report name only as the tile's title");
    assert.match(html, /Root use/);
    assert.equal((html.match(/data-testid="tile"/g) ?? []).length, 2);
  });

  it("the page holds no other dashboard, no raw input, no account, no emails, no keys and no link into the app", () => {
    for (const secret of ["Hidden Zebra Board", "Zebra secret tile", "zebra-secrets", "Oscar", "oscar-private", "Olga Accountname", ownerEmail, editorEmail, "@example", "tw_live_", "vault-kestrel", "kestrel-vault", "Filesystem", "1K-blocks", "filterColumn", "masterTagPattern"]) {
      assert.ok(!html.includes(secret), `the page must not contain ${secret}`);
    }
    assert.doesNotMatch(html, /<a[\s>]/, "no links at all");
    assert.doesNotMatch(html, /<form/, "no forms");
    const urls = [...html.matchAll(/(?:href|src)="([^"]*)"/g)].map((m) => m[1]!);
    assert.ok(urls.length > 0);
    for (const url of urls) assert.match(url, /^\/(assets\/|favicon\.svg$)/, `only static assets: ${url}`);
    for (const path of ["/dashboards", "/settings", "/reports", "/alarms", "/login", "/api/"]) assert.ok(!html.includes(`"${path}`), `no ${path} in the page`);
  });

  it("share.view and share.tiles answer about this dashboard only: no configurations, no instance links, foreign tile ids never looked up", async () => {
    const v = visitor(freshIp());
    const view = await v.share.view({ token });
    assert.equal(view.name, "Public Board");
    assert.deepEqual(view.tiles.map((t) => t.id).sort(), [board.rangeTile, board.valueTile].sort());
    for (const tile of view.tiles) {
      assert.deepEqual(Object.keys(tile).sort(), ["data", "id", "layout", "masterId"]);
      assert.equal(tile.data.titleLink, null);
    }
    const live = await v.share.tiles({ token, after: { [hidden.tile]: 0, [outsiderTile]: 0, [board.rangeTile]: 0, "not-a-tile": 0 } });
    assert.deepEqual(live.tiles.map((t) => t.id).sort(), [board.rangeTile, board.valueTile].sort());
    const dump = JSON.stringify(live);
    for (const secret of ["Zebra", "zebra", "Oscar", "oscar", hidden.tile, outsiderTile, "kestrel", "report\"", "filterColumn"]) assert.ok(!dump.includes(secret), `share.tiles must not answer ${secret}`);
    const range = live.tiles.find((t) => t.id === board.rangeTile)!;
    assert.equal(range.data.series[0]!.points.length, 3, "all three instances, as `after: 0` asks");
    const newest = range.data.newest!;
    const incremental = await v.share.tiles({ token, after: { [board.rangeTile]: newest } });
    assert.equal(incremental.tiles.find((t) => t.id === board.rangeTile)!.data.series[0]!.points.length, 0, "only newer points");

    // A new push shows up in the next poll.
    await pushOk(app, keys.ingest, "diskfree", DF(70));
    const next = await v.share.tiles({ token, after: { [board.rangeTile]: newest } });
    assert.deepEqual(next.tiles.find((t) => t.id === board.rangeTile)!.data.series[0]!.points.map((p) => p[1]), [70]);
    assert.deepEqual(next.tiles.find((t) => t.id === board.valueTile)!.data.series[0]!.points.map((p) => p[1]), [70]);
  });
});

describe("the time range", () => {
  it("is refused unless the link allows it, and honoured when it does", async () => {
    const fixed = await createLink({ allowTimeRange: false });
    const open = await createLink({ allowTimeRange: true });
    const v = visitor(freshIp());
    const from = Date.now() - 45 * 60_000;
    const to = Date.now();
    for (const call of [() => v.share.view({ token: fixed.token, from }), () => v.share.tiles({ token: fixed.token, from, to }), () => v.share.tiles({ token: fixed.token, to })]) {
      const outcome = await trpcOutcome(call);
      assert.deepEqual(outcome, { code: "BAD_REQUEST", message: "This link does not allow changing the time range" });
    }
    assert.equal((await v.share.view({ token: fixed.token })).allowTimeRange, false);
    const ip = freshIp();
    const redirected = await visit(`/s/${fixed.token}?range=1h`, ip);
    assert.equal(redirected.status, 302, "the page drops a range it may not use");
    assert.equal(redirected.headers.get("location"), `/s/${fixed.token}`);

    const ranged = await v.share.tiles({ token: open.token, from, to });
    const tile = ranged.tiles.find((t) => t.id === board.rangeTile)!;
    assert.equal(tile.data.from, from);
    assert.ok(tile.data.series[0]!.points.every(([t]) => t >= from && t <= to));
    assert.ok(tile.data.series[0]!.points.length < 4, "the older instances are outside the window");
    assert.equal((await visit(`/s/${open.token}?range=1h`, ip)).status, 200);
    assert.equal((await trpcOutcome(() => v.share.tiles({ token: open.token, from: to, to: from }))).code, "BAD_REQUEST");
  });
});

describe("view counts", () => {
  it("each page view counts once (live updates do not), with the time and nothing about the visitor", async () => {
    const { share, token } = await createLink();
    const ip = "203.0.113.77";
    for (let i = 0; i < 3; i++) assert.equal((await visit(`/s/${token}`, ip)).status, 200);
    for (let i = 0; i < 2; i++) assert.equal((await visitorQuery("share.tiles", { token }, ip)).res.status, 200);
    const [listed] = (await (await callerOf(viewer)).shares.list({ dashboardId: board.id })).filter((s) => s.id === share.id);
    assert.equal(listed!.viewCount, 3);
    assert.ok(listed!.lastViewedAt && Date.now() - listed!.lastViewedAt.getTime() < 60_000);
    const all = await (await callerOf(owner)).shares.listAll();
    assert.equal(all.find((s) => s.id === share.id)!.viewCount, 3);
    // No table but the site-wide access log (which the Privacy Policy names) holds the visitor's address.
    const tables = await queryRows<{ table_name: string }>(app.db, sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' and table_name <> 'access_log'`);
    for (const { table_name } of tables) {
      const dump = JSON.stringify(await queryRows(app.db, sql`select * from ${sql.identifier(table_name)}`));
      assert.ok(!dump.includes(ip), `table ${table_name} holds the visitor's IP`);
    }
  });
});

describe("the rate limit", () => {
  it(`answers 429 after ${SHARE_RATE_LIMIT.limit} requests a minute from one address to one link, on the page too; other addresses are not affected`, async () => {
    const c = await callerOf(owner);
    const empty = await c.dashboards.create({ name: "Empty for the limit" });
    const { token } = await createLink({ dashboardId: empty.id });
    const ip = freshIp();
    const v = visitor(ip);
    for (let i = 0; i < SHARE_RATE_LIMIT.limit; i++) await v.share.tiles({ token });
    const outcome = await trpcOutcome(() => v.share.tiles({ token }));
    assert.equal(outcome.code, "TOO_MANY_REQUESTS");
    assert.match(outcome.message, /Too many requests/);
    const page = await visit(`/s/${token}`, ip);
    assert.equal(page.status, 429);
    assert.ok(Number(page.headers.get("retry-after")) > 0);
    assert.match(await page.text(), /Too many requests/);
    const http = await visitorQuery("share.tiles", { token }, ip);
    assert.equal(http.res.status, 429);
    assert.equal((await visit(`/s/${token}`, freshIp())).status, 200, "another address still gets in");
  });

  it(`after ${SHARE_MISS_LIMIT.limit} unavailable links a minute, one address gets 429 for every link`, async () => {
    const { token } = await createLink();
    const ip = freshIp();
    const v = visitor(ip);
    for (let i = 0; i < SHARE_MISS_LIMIT.limit; i++) {
      assert.equal((await trpcOutcome(() => v.share.tiles({ token: `tws_${crypto.randomBytes(24).toString("base64url")}` }))).code, "NOT_FOUND");
    }
    assert.equal((await trpcOutcome(() => v.share.tiles({ token: "guess" }))).code, "TOO_MANY_REQUESTS");
    assert.equal((await trpcOutcome(() => v.share.view({ token }))).code, "TOO_MANY_REQUESTS");
    assert.equal((await visit(`/s/${token}`, ip)).status, 429);
  });
});

describe("managing links (shares.*)", () => {
  let share: { id: string };
  before(async () => {
    share = (await createLink()).share;
  });

  /** Every shares.* procedure aimed at the owner's dashboard and link. */
  const calls = (c: Caller): Record<string, () => Promise<unknown>> => ({
    "shares.list": () => c.shares.list({ dashboardId: board.id }),
    "shares.create": () => c.shares.create({ dashboardId: board.id }),
    "shares.update": () => c.shares.update({ id: share.id, allowTimeRange: true }),
    "shares.pause": () => c.shares.pause({ id: share.id }),
    "shares.resume": () => c.shares.resume({ id: share.id }),
    "shares.regenerate": () => c.shares.regenerate({ id: share.id }),
    "shares.revoke": () => c.shares.revoke({ id: share.id }),
  });
  const ownerState = async () => (await app.db.select().from(dashboardShares).where(eq(dashboardShares.accountId, owner.accountId))).map((r) => ({ ...r })).sort((a, b) => a.id.localeCompare(b.id));

  it("the outsider gets NOT_FOUND for the owner's dashboard and link, sees none of them, and nothing changes", async () => {
    const before = await ownerState();
    const c = await callerOf(outsider);
    for (const [name, call] of Object.entries(calls(c))) {
      const outcome = await trpcOutcome(call);
      assert.equal(outcome.code, "NOT_FOUND", `${name}: ${outcome.message}`);
      assert.doesNotMatch(outcome.message, /Public Board|Olga/, name);
    }
    assert.deepEqual(await c.shares.listAll(), []);
    assert.deepEqual(await ownerState(), before);
  });

  it("a viewer lists the links but every change is FORBIDDEN", async () => {
    const before = await ownerState();
    const c = await callerOf(viewer);
    const reads = new Set(["shares.list"]);
    for (const [name, call] of Object.entries(calls(c))) {
      const outcome = await trpcOutcome(call);
      assert.equal(outcome.code, reads.has(name) ? "OK" : "FORBIDDEN", `${name}: ${outcome.message}`);
    }
    assert.ok((await c.shares.listAll()).some((s) => s.id === share.id));
    assert.deepEqual(await ownerState(), before);
  });

  it("an editor manages links: create, change, pause, resume, regenerate, revoke", async () => {
    const c = await callerOf(editor);
    const { share: mine } = await createLink({ by: editor });
    assert.equal(mine.createdBy, editorEmail);
    const inAWeek = Date.now() + 7 * 86_400_000;
    const changed = await c.shares.update({ id: mine.id, expiresAt: inAWeek, allowTimeRange: true });
    assert.equal(changed.expiresAt?.getTime(), inAWeek);
    assert.equal(changed.allowTimeRange, true);
    assert.equal((await c.shares.pause({ id: mine.id })).status, "paused");
    assert.equal((await c.shares.resume({ id: mine.id })).status, "active");
    assert.match((await c.shares.regenerate({ id: mine.id })).url, TOKEN_URL);
    await c.shares.revoke({ id: mine.id });
    assert.ok(!(await c.shares.list({ dashboardId: board.id })).some((s) => s.id === mine.id), "revoked links are not listed");
    assert.equal((await trpcOutcome(() => c.shares.resume({ id: mine.id }))).code, "NOT_FOUND", "a revoked link stays revoked");
  });

  it("without a session, or in an account the user left, every shares procedure is refused", async () => {
    const anonymous = await app.caller();
    for (const [name, call] of Object.entries({ ...calls(anonymous), "shares.listAll": () => anonymous.shares.listAll() })) {
      assert.equal((await trpcOutcome(call)).code, "UNAUTHORIZED", name);
    }
    const forged = await app.caller({ sessionId: (await app.sessionCookie(outsider.userId, { accountId: owner.accountId })).sessionId });
    for (const [name, call] of Object.entries({ ...calls(forged), "shares.listAll": () => forged.shares.listAll() })) {
      assert.equal((await trpcOutcome(call)).code, "FORBIDDEN", name);
    }
  });

  it("shares procedures validate their input", async () => {
    const c = await callerOf(owner);
    const bad: [string, () => Promise<unknown>][] = [
      ["malformed dashboard id", () => c.shares.list({ dashboardId: "nope" })],
      ["malformed dashboard id on create", () => c.shares.create({ dashboardId: "nope" })],
      ["expiry in the past", () => c.shares.create({ dashboardId: board.id, expiresAt: Date.now() - 1000 })],
      ["expiry beyond 5 years", () => c.shares.create({ dashboardId: board.id, expiresAt: Date.now() + 6 * 365 * 86_400_000 })],
      ["negative expiry", () => c.shares.update({ id: share.id, expiresAt: -1 })],
      ["malformed link id", () => c.shares.update({ id: "nope", allowTimeRange: true })],
      ["malformed link id on pause", () => c.shares.pause({ id: "nope" })],
      ["malformed link id on resume", () => c.shares.resume({ id: "nope" })],
      ["malformed link id on regenerate", () => c.shares.regenerate({ id: "nope" })],
      ["malformed link id on revoke", () => c.shares.revoke({ id: "nope" })],
    ];
    for (const [what, call] of bad) assert.equal((await trpcOutcome(call)).code, "BAD_REQUEST", what);
    const v = visitor(freshIp());
    assert.equal((await trpcOutcome(() => v.share.view({ token: "t".repeat(201) }))).code, "BAD_REQUEST", "an overlong token");
    assert.equal((await trpcOutcome(() => v.share.tiles({ token: "x", after: { a: -1 } }))).code, "BAD_REQUEST", "a negative time");
  });

  it("every change is in the audit log, by the user's email, without the token", async () => {
    const { share: s, token } = await createLink();
    const c = await callerOf(owner);
    await c.shares.update({ id: s.id, allowTimeRange: true });
    await c.shares.pause({ id: s.id });
    await c.shares.resume({ id: s.id });
    const { url } = await c.shares.regenerate({ id: s.id });
    await c.shares.revoke({ id: s.id });
    const entries = await app.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.accountId, owner.accountId), sql`${auditLog.details}->>'shareId' = ${s.id}`))
      .orderBy(auditLog.at, auditLog.id);
    assert.deepEqual(entries.map((e) => e.action), ["dashboard.shared", "share.changed", "share.paused", "share.resumed", "share.regenerated", "share.revoked"]);
    for (const e of entries) {
      assert.equal(e.actor, ownerEmail);
      assert.equal(e.actorUserId, owner.userId);
      assert.equal(e.target, "Public Board");
      assert.equal(e.ip, "127.0.0.1");
      assert.ok(!JSON.stringify(e).includes(token.slice(4)) && !JSON.stringify(e).includes(tokenOf(url).slice(4)));
    }
  });
});

describe("the public API: POST /dashboards/{id}/shares and DELETE /dashboards/{id}/shares/{shareId}", () => {
  const publicId = (id: string) => id.replace(/-/g, "");

  it("a full key creates a link ({id, url}) that works, and revokes it; the audit names the key", async () => {
    const created = okResult(await apiCall<{ id: string; url: string }>(app, "POST", `/dashboards/${publicId(board.id)}/shares`, {
      key: keys.full,
      contentType: "application/json",
      body: JSON.stringify({ expiresAt: new Date(Date.now() + 86_400_000).toISOString(), allowTimeRange: true }),
    }));
    assert.match(created.id, /^[0-9a-f]{32}$/);
    const token = tokenOf(created.url);
    assert.ok(created.url.startsWith(`${app.config.appUrl}/s/`));
    const ip = freshIp();
    assert.equal((await visit(`/s/${token}`, ip)).status, 200);
    const [row] = await app.db.select().from(dashboardShares).where(eq(dashboardShares.tokenHash, sha256(token)));
    assert.equal(row!.allowTimeRange, true);
    assert.ok(row!.expiresAt && row!.expiresAt.getTime() > Date.now());

    const revoked = await apiCall(app, "DELETE", `/dashboards/${publicId(board.id)}/shares/${created.id}`, { key: keys.full });
    assert.equal(revoked.status, 200);
    assert.deepEqual(revoked.body, { success: true });
    assert.equal((await visit(`/s/${token}`, ip)).status, 404);
    assertError(await apiCall(app, "DELETE", `/dashboards/${publicId(board.id)}/shares/${created.id}`, { key: keys.full }), 404, "Link not found");

    const entries = await app.db.select().from(auditLog).where(and(eq(auditLog.accountId, owner.accountId), sql`${auditLog.details}->>'shareId' = ${row!.id}`)).orderBy(auditLog.at, auditLog.id);
    assert.deepEqual(entries.map((e) => e.action), ["dashboard.shared", "share.revoked"]);
    for (const e of entries) {
      assert.match(e.actor, /^API key tw_live_\S{4}…$/);
      assert.ok(keys.full.startsWith(e.actor.slice("API key ".length, -1)));
      assert.equal(e.actorUserId, null);
    }
  });

  it("read and ingest keys get 403, no key 401, and the outsider's full key 404 — nothing changes", async () => {
    const { share } = await createLink();
    const before = (await app.db.select().from(dashboardShares).where(eq(dashboardShares.accountId, owner.accountId))).length;
    const post = (key: string | null) => apiCall(app, "POST", `/dashboards/${publicId(board.id)}/shares`, { key, contentType: "application/json", body: "{}" });
    const del = (key: string | null) => apiCall(app, "DELETE", `/dashboards/${publicId(board.id)}/shares/${publicId(share.id)}`, { key });
    for (const call of [post, del]) {
      assertError(await call(null), 401);
      assertError(await call(keys.read), 403, /"full"/);
      assertError(await call(keys.ingest), 403, /"full"/);
      const outsiderReply = await call(keys.outsiderFull);
      assertError(outsiderReply, 404);
      assert.doesNotMatch(JSON.stringify(outsiderReply.body), /Public Board/);
    }
    assert.equal((await app.db.select().from(dashboardShares).where(eq(dashboardShares.accountId, owner.accountId))).length, before);
    const [row] = await app.db.select().from(dashboardShares).where(eq(dashboardShares.id, share.id));
    assert.equal(row!.revokedAt, null, "still live");
  });

  it("validates: a link of another dashboard is not found; bad ids, dates and options are 400", async () => {
    const { share } = await createLink();
    assertError(await apiCall(app, "DELETE", `/dashboards/${publicId(hidden.id)}/shares/${publicId(share.id)}`, { key: keys.full }), 404, "Link not found");
    assertError(await apiCall(app, "DELETE", `/dashboards/nope/shares/${publicId(share.id)}`, { key: keys.full }), 400);
    assertError(await apiCall(app, "DELETE", `/dashboards/${publicId(board.id)}/shares/nope`, { key: keys.full }), 400);
    const post = (body: unknown, id = publicId(board.id)) => apiCall(app, "POST", `/dashboards/${id}/shares`, { key: keys.full, contentType: "application/json", body: JSON.stringify(body) });
    assertError(await post({ expiresAt: "2001-01-01T00:00:00Z" }), 400, "Choose an expiry date in the future, or never");
    assertError(await post({ expiresAt: "soon" }), 400, /Invalid expiresAt/);
    assertError(await post({ allowTimeRange: "false" }), 400, /allowTimeRange must be true or false/);
    assertError(await post({ allowTimeRange: 1 }), 400, /allowTimeRange must be true or false/);
    assertError(await post({}, "0".repeat(32)), 404, "Dashboard not found");
    okResult(await post({ expiresAt: null }));
  });

  it("both endpoints are in the OpenAPI document under Dashboards, needing a key", async () => {
    const doc = (await (await fetch(`${app.url}/api/v1/openapi.json`)).json()) as { paths: Record<string, Record<string, { security?: unknown[]; tags?: string[] }>> };
    assert.deepEqual(doc.paths["/dashboards/{id}/shares"]?.post?.tags, ["Dashboards"]);
    assert.deepEqual(doc.paths["/dashboards/{id}/shares/{shareId}"]?.delete?.tags, ["Dashboards"]);
    assert.ok(doc.paths["/dashboards/{id}/shares"]!.post!.security?.length);
    assert.ok(doc.paths["/dashboards/{id}/shares/{shareId}"]!.delete!.security?.length);
    const body = (doc.paths["/dashboards/{id}/shares"]!.post as unknown as { requestBody: { content: Record<string, { schema: { properties: Record<string, { type?: string }> } }> } }).requestBody;
    const properties = body.content["application/json"]!.schema.properties;
    assert.equal(properties.allowTimeRange?.type, "boolean");
    assert.ok(properties.expiresAt);
  });
});

describe("coverage", () => {
  it("every shares.* and share.* procedure and both share endpoints of dashboard.* are tested here", () => {
    const tested = [
      "shares.list",
      "shares.listAll",
      "shares.create",
      "shares.update",
      "shares.pause",
      "shares.resume",
      "shares.regenerate",
      "shares.revoke",
      "share.view",
      "share.tiles",
      "dashboard.createShare",
      "dashboard.revokeShare",
    ];
    const all = Object.keys(appRouter._def.procedures).filter((p) => p.startsWith("shares.") || p.startsWith("share.") || /^dashboard\.\w*Share$/.test(p));
    assert.deepEqual(all.filter((p) => !tested.includes(p)), []);
    assert.deepEqual(tested.filter((p) => !all.includes(p)), []);
  });
});
