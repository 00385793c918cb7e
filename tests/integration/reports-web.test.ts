/**
 * The web app's session procedures for reports and API keys: reports.overview/view/days/tags,
 * reports.deleteInstance/deleteReport by role, apiKey.list/create/revoke by role, what another
 * account's session gets, and the per-key usage counts.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Role } from "../../db/schema";
import { startTestApp, type TestApp, trpcOutcome } from "../helpers/app";
import { type Actor, accountMember, accountOwner, apiCall, at, type Instance, newKey, okResult, pushOk } from "../helpers/reports";

let app: TestApp;
let owner: Actor;
let ownerKey: string;
let outsider: Actor;
const members = {} as Record<Exclude<Role, "owner">, Actor>;

before(async () => {
  app = await startTestApp();
  owner = await accountOwner(app, "Web Owner");
  ownerKey = await newKey(app, owner.accountId, "full", owner.userId);
  outsider = await accountOwner(app, "Web Outsider");
  for (const role of ["viewer", "editor", "admin"] as const) members[role] = await accountMember(app, owner.accountId, role);
});
after(() => app?.stop());

const callerOf = (actor: Actor) => app.caller({ sessionId: actor.sessionId });
const actorOf = (role: Role) => (role === "owner" ? owner : members[role]);
/** The dashed UUID the web procedures use, from a public 32-hex id. */
const uuid = (hex: string) => `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;

describe("reports.overview", () => {
  let account: Actor;
  let key: string;

  before(async () => {
    account = await accountOwner(app, "Overview");
    key = await newKey(app, account.accountId, "full");
    // Pushed out of order: the newest instance is the one with the latest `created`.
    await pushOk(app, key, "ov-busy", "a,b\n1,2\n", { query: { created: at(5) } });
    await pushOk(app, key, "ov-busy", '{"x": 1}', { query: { created: at(30) } });
    await pushOk(app, key, "ov-busy", "OK", { query: { created: at(10) } });
    await pushOk(app, key, "ov-quiet", "1", { query: { created: at(20) } });
  });

  it("lists each report with its instance count, stored bytes and newest instance, most recently active first", async () => {
    const overview = await (await callerOf(account)).reports.overview();
    assert.deepEqual(
      overview.map((r) => [r.name, r.instanceCount, r.lastInstanceAt?.toISOString()]),
      [
        ["ov-busy", 3, at(30)],
        ["ov-quiet", 1, at(20)],
      ],
    );
    for (const r of overview) assert.ok(r.createdAt instanceof Date);
  });

  it("bytes are the sum of the instances' bytes, each at least its input's size", async () => {
    const caller = await callerOf(account);
    const [busy] = await caller.reports.overview();
    let sum = 0;
    let id: string | undefined = (await caller.reports.view({ name: "ov-busy" })).instance?.id;
    while (id) {
      const view = await caller.reports.view({ name: "ov-busy", id });
      assert.ok(view.instance!.bytes >= Buffer.byteLength(view.instance!.input), "an instance counts at least its input");
      sum += view.instance!.bytes;
      id = view.previousId ?? undefined;
    }
    assert.equal(busy!.bytes, sum);
  });

  it("follows deletions: counts and bytes drop, and an emptied report shows no last instance", async () => {
    const caller = await callerOf(account);
    const before = (await caller.reports.overview()).find((r) => r.name === "ov-busy")!;
    const newest = (await caller.reports.view({ name: "ov-busy" })).instance!;
    assert.deepEqual(await caller.reports.deleteInstance({ name: "ov-busy", id: newest.id }), { deleted: 1 });
    const afterOne = (await caller.reports.overview()).find((r) => r.name === "ov-busy")!;
    assert.equal(afterOne.instanceCount, before.instanceCount - 1);
    assert.equal(afterOne.bytes, before.bytes - newest.bytes);
    assert.equal(afterOne.lastInstanceAt?.toISOString(), at(10));

    okResult(await apiCall(app, "DELETE", "/reports/ov-quiet/instances", { key }));
    const emptied = (await caller.reports.overview()).find((r) => r.name === "ov-quiet")!;
    assert.deepEqual([emptied.instanceCount, emptied.bytes, emptied.lastInstanceAt], [0, 0, null]);
  });

  it("works over HTTP with the session cookie too", async () => {
    const reply = await app.trpc("query", "reports.overview", undefined, account.cookie);
    assert.equal(reply.status, 200);
    const names = (reply.body.result?.data as { name: string }[]).map((r) => r.name).sort();
    assert.deepEqual(names, ["ov-busy", "ov-quiet"]);
    const anonymous = await app.trpc("query", "reports.overview");
    assert.equal(anonymous.status, 401);
  });
});

describe("reports.view, reports.days and reports.tags", () => {
  // Day 1 (2025-03-01): minutes 0 (tag a), 10 (tags a,b), 20 (b). Day 2: 08:00 (a). Day 3 in UTC,
  // though pushed with a New York time of the evening before.
  const day2 = "2025-03-02T08:00:00.000Z";
  const day3Local = "2025-03-02T23:30:00-05:00";
  let ids: string[] = [];

  before(async () => {
    const pushes: [string, string, string][] = [
      [at(0), "a", '{"load": 0.5}'],
      [at(10), "a,b", "Filesystem  Use%\n/dev/sda1   64%\n"],
      [at(20), "b", "42"],
      [day2, "a", "OK"],
      [day3Local, "late", "7"],
    ];
    ids = [];
    for (const [created, tags, body] of pushes) ids.push(uuid((await pushOk(app, ownerKey, "viewed", body, { query: { created, tags } })).id));
  });

  it("shows the newest instance by default, with the id of the one before it and none after", async () => {
    const view = await (await callerOf(owner)).reports.view({ name: "viewed" });
    assert.equal(view.instance?.id, ids[4]);
    assert.equal(view.previousId, ids[3]);
    assert.equal(view.nextId, null);
    assert.equal(view.report.name, "viewed");
    assert.equal(view.report.instanceCount, 5);
  });

  it("shows a given instance with both neighbours; its id may be spelled without dashes", async () => {
    const caller = await callerOf(owner);
    const view = await caller.reports.view({ name: "viewed", id: ids[1]! });
    assert.deepEqual([view.previousId, view.instance?.id, view.nextId], [ids[0], ids[1], ids[2]]);
    const first = await caller.reports.view({ name: "viewed", id: ids[0]!.replace(/-/g, "") });
    assert.deepEqual([first.previousId, first.instance?.id, first.nextId], [null, ids[0], ids[1]]);
  });

  it("the instance carries its table, the original input, the format and the numeric columns", async () => {
    const caller = await callerOf(owner);
    const df = (await caller.reports.view({ name: "viewed", id: ids[1]! })).instance!;
    assert.deepEqual(df.rows, [["Filesystem", "Use%"], ["/dev/sda1", "64%"]]);
    assert.deepEqual(df.header, [0]);
    assert.equal(df.input, "Filesystem  Use%\n/dev/sda1   64%\n");
    assert.equal(df.format, "asciispace");
    assert.deepEqual(df.numericColumns, [false, true]);
    assert.deepEqual(df.tags, ["a", "b"]);
    assert.equal(df.created.toISOString(), at(10));
    const json = (await caller.reports.view({ name: "viewed", id: ids[0]! })).instance!;
    assert.equal(json.format, "json");
    assert.equal(json.input, '{"load": 0.5}', "the input is kept as it was sent");
    assert.equal(json.link, null);
  });

  it("a tag filter picks the newest instance having all the tags, and neighbours within the filter", async () => {
    const caller = await callerOf(owner);
    const b = await caller.reports.view({ name: "viewed", tags: ["b"] });
    assert.deepEqual([b.previousId, b.instance?.id, b.nextId], [ids[1], ids[2], null]);
    const ab = await caller.reports.view({ name: "viewed", tags: ["a", "b"] });
    assert.deepEqual([ab.previousId, ab.instance?.id, ab.nextId], [null, ids[1], null]);
    const a = await caller.reports.view({ name: "viewed", id: ids[1]!, tags: ["a"] });
    assert.deepEqual([a.previousId, a.nextId], [ids[0], ids[3]], "neighbours skip instances without the tag");
  });

  it("a day filter picks the last instance of that UTC day, and neighbours within the day", async () => {
    const caller = await callerOf(owner);
    const day1 = await caller.reports.view({ name: "viewed", day: "2025-03-01" });
    assert.deepEqual([day1.previousId, day1.instance?.id, day1.nextId], [ids[1], ids[2], null]);
    const day3 = await caller.reports.view({ name: "viewed", day: "2025-03-03" });
    assert.equal(day3.instance?.id, ids[4], "a New York evening is the next day in UTC");
    const both = await caller.reports.view({ name: "viewed", day: "2025-03-01", tags: ["a"] });
    assert.deepEqual([both.previousId, both.instance?.id, both.nextId], [ids[0], ids[1], null]);
  });

  it("nothing matching gives no instance, but the report", async () => {
    const view = await (await callerOf(owner)).reports.view({ name: "viewed", day: "2025-04-01" });
    assert.deepEqual([view.instance, view.previousId, view.nextId], [null, null, null]);
    assert.equal(view.report.instanceCount, 5);
    assert.equal((await (await callerOf(owner)).reports.view({ name: "viewed", tags: ["nope"] })).instance, null);
  });

  it("an invalid day such as 2026-02-31 is BAD_REQUEST", async () => {
    const caller = await callerOf(owner);
    for (const day of ["2026-02-31", "2026-13-01", "2026-2-1", "yesterday", "2026-02-29"]) {
      assert.equal((await trpcOutcome(() => caller.reports.view({ name: "viewed", day }))).code, "BAD_REQUEST", day);
    }
    assert.equal((await caller.reports.view({ name: "viewed", day: "2024-02-29" })).instance, null, "a leap day is a day");
  });

  it("an unknown or malformed instance id is NOT_FOUND or BAD_REQUEST; an unknown report NOT_FOUND", async () => {
    const caller = await callerOf(owner);
    assert.equal((await trpcOutcome(() => caller.reports.view({ name: "viewed", id: uuid("0190c0de0000700080000000000000aa") }))).code, "NOT_FOUND");
    assert.equal((await trpcOutcome(() => caller.reports.view({ name: "viewed", id: "nope" }))).code, "BAD_REQUEST");
    assert.equal((await trpcOutcome(() => caller.reports.view({ name: "never-pushed" }))).code, "NOT_FOUND");
  });

  it("reports.days lists the UTC days of a month that have instances, with the tag filter", async () => {
    const caller = await callerOf(owner);
    assert.deepEqual(await caller.reports.days({ name: "viewed", month: "2025-03" }), ["2025-03-01", "2025-03-02", "2025-03-03"]);
    assert.deepEqual(await caller.reports.days({ name: "viewed", month: "2025-03", tags: ["a"] }), ["2025-03-01", "2025-03-02"]);
    assert.deepEqual(await caller.reports.days({ name: "viewed", month: "2025-02" }), []);
    for (const month of ["2025-13", "2025-3", "03-2025"]) {
      assert.equal((await trpcOutcome(() => caller.reports.days({ name: "viewed", month }))).code, "BAD_REQUEST", month);
    }
  });

  it("reports.tags lists the distinct tags in use, sorted", async () => {
    assert.deepEqual(await (await callerOf(owner)).reports.tags({ name: "viewed" }), ["a", "b", "late"]);
  });

  it("every member of the account may look, viewers included", async () => {
    for (const role of ["viewer", "editor", "admin"] as const) {
      const caller = await callerOf(members[role]);
      assert.equal((await caller.reports.view({ name: "viewed" })).instance?.id, ids[4], role);
      assert.ok((await caller.reports.overview()).some((r) => r.name === "viewed"), role);
    }
  });
});

describe("deleting from the web app", () => {
  for (const role of ["owner", "admin", "editor"] as const) {
    it(`an ${role} may delete an instance and a report`, async () => {
      const name = `del-by-${role}`;
      const first = await pushOk(app, ownerKey, name, "1");
      await pushOk(app, ownerKey, name, "2");
      const caller = await callerOf(actorOf(role));
      assert.deepEqual(await caller.reports.deleteInstance({ name, id: uuid(first.id) }), { deleted: 1 });
      assert.deepEqual(await caller.reports.deleteInstance({ name, id: first.id }), { deleted: 0 }, "already gone");
      assert.equal((await caller.reports.view({ name })).report.instanceCount, 1);
      await caller.reports.deleteReport({ name });
      assert.equal((await trpcOutcome(() => caller.reports.view({ name }))).code, "NOT_FOUND");
      assert.equal((await apiCall(app, "GET", `/reports/${name}/instances`, { key: ownerKey })).status, 404, "gone from the API too");
    });
  }

  it("a viewer may delete neither (FORBIDDEN), and nothing is deleted", async () => {
    const instance = await pushOk(app, ownerKey, "viewer-cannot", "1");
    const caller = await callerOf(members.viewer);
    assert.equal((await trpcOutcome(() => caller.reports.deleteInstance({ name: "viewer-cannot", id: uuid(instance.id) }))).code, "FORBIDDEN");
    assert.equal((await trpcOutcome(() => caller.reports.deleteReport({ name: "viewer-cannot" }))).code, "FORBIDDEN");
    assert.equal(okResult(await apiCall<Instance[]>(app, "GET", "/reports/viewer-cannot/instances", { key: ownerKey })).length, 1);
  });

  it("a viewer is refused over HTTP too, with 403", async () => {
    await pushOk(app, ownerKey, "viewer-cannot-http", "1");
    const reply = await app.trpc("mutation", "reports.deleteReport", { name: "viewer-cannot-http" }, members.viewer.cookie);
    assert.equal(reply.status, 403);
    assert.equal(reply.body.error?.data.code, "FORBIDDEN");
  });
});

describe("another account's session", () => {
  before(async () => {
    await pushOk(app, ownerKey, "owners-only", '{"secret": 1}', { query: { tags: "private" } });
  });

  it("never sees the owner's reports in its overview", async () => {
    const names = (await (await callerOf(outsider)).reports.overview()).map((r) => r.name);
    assert.ok(!names.includes("owners-only"));
    assert.ok(!names.includes("viewed"));
  });

  it("gets NOT_FOUND for the owner's report names, whatever it asks", async () => {
    const caller = await callerOf(outsider);
    const owners = await (await callerOf(owner)).reports.view({ name: "owners-only" });
    const id = owners.instance!.id;
    const outcomes = {
      view: await trpcOutcome(() => caller.reports.view({ name: "owners-only" })),
      viewById: await trpcOutcome(() => caller.reports.view({ name: "owners-only", id })),
      days: await trpcOutcome(() => caller.reports.days({ name: "owners-only", month: "2026-11" })),
      tags: await trpcOutcome(() => caller.reports.tags({ name: "owners-only" })),
      deleteInstance: await trpcOutcome(() => caller.reports.deleteInstance({ name: "owners-only", id })),
      deleteReport: await trpcOutcome(() => caller.reports.deleteReport({ name: "owners-only" })),
    };
    for (const [what, outcome] of Object.entries(outcomes)) assert.equal(outcome.code, "NOT_FOUND", what);
    assert.equal((await (await callerOf(owner)).reports.view({ name: "owners-only" })).instance?.id, id, "the owner's report is untouched");
  });

  it("a report of the same name in its own account shows only its own data", async () => {
    const outsiderKey = await newKey(app, outsider.accountId, "ingest");
    await pushOk(app, outsiderKey, "owners-only", "mine");
    const caller = await callerOf(outsider);
    const view = await caller.reports.view({ name: "owners-only" });
    assert.equal(view.report.instanceCount, 1);
    assert.equal(view.instance?.input, "mine");
    assert.deepEqual(await caller.reports.tags({ name: "owners-only" }), []);
    const ownerView = await (await callerOf(owner)).reports.view({ name: "owners-only" });
    assert.equal(ownerView.report.instanceCount, 1);
    assert.deepEqual(ownerView.instance?.tags, ["private"]);
  });
});

describe("API keys in the web app", () => {
  for (const role of ["owner", "admin"] as const) {
    it(`an ${role} lists, creates and revokes the account's keys`, async () => {
      const caller = await callerOf(actorOf(role));
      const { key, apiKey } = await caller.apiKey.create({ name: `made by ${role}`, scope: "read" });
      assert.ok(key.startsWith(apiKey.prefix), "the list shows the key's start, to recognise it");
      assert.equal(apiKey.scope, "read");
      const listed = await caller.apiKey.list();
      const row = listed.find((k) => k.id === apiKey.id);
      assert.ok(row, "the new key is listed");
      assert.ok(!JSON.stringify(listed).includes(key), "never the key itself");
      assert.ok(Array.isArray(okResult(await apiCall(app, "GET", "/reports?limit=1", { key }))), "the key works");
      await caller.apiKey.revoke({ id: apiKey.id });
      assert.ok(!(await caller.apiKey.list()).some((k) => k.id === apiKey.id), "a revoked key is no longer listed");
      assert.equal((await apiCall(app, "GET", "/reports", { key })).status, 401, "and no longer works");
      assert.equal((await trpcOutcome(() => caller.apiKey.revoke({ id: apiKey.id }))).code, "NOT_FOUND", "revoking twice");
    });
  }

  it("an editor sees the account's keys but may neither create nor revoke them (FORBIDDEN)", async () => {
    const { apiKey } = await (await callerOf(owner)).apiKey.create({ name: "owner's, seen by an editor", scope: "read" });
    const caller = await callerOf(members.editor);
    assert.ok((await caller.apiKey.list()).some((k) => k.id === apiKey.id));
    assert.equal((await trpcOutcome(() => caller.apiKey.create({ name: "editor's", scope: "read" }))).code, "FORBIDDEN");
    assert.equal((await trpcOutcome(() => caller.apiKey.revoke({ id: apiKey.id }))).code, "FORBIDDEN");
    assert.ok((await (await callerOf(owner)).apiKey.list()).some((k) => k.id === apiKey.id), "the key is not revoked");
  });

  it("a viewer can neither list, create nor revoke keys (FORBIDDEN)", async () => {
    const { apiKey } = await (await callerOf(owner)).apiKey.create({ name: "owner's", scope: "full" });
    const caller = await callerOf(members.viewer);
    assert.equal((await trpcOutcome(() => caller.apiKey.list())).code, "FORBIDDEN");
    assert.equal((await trpcOutcome(() => caller.apiKey.create({ name: "viewer's", scope: "read" }))).code, "FORBIDDEN");
    assert.equal((await trpcOutcome(() => caller.apiKey.revoke({ id: apiKey.id }))).code, "FORBIDDEN");
    assert.ok((await (await callerOf(owner)).apiKey.list()).some((k) => k.id === apiKey.id), "the key is not revoked");
  });

  it("the outsider cannot revoke the owner's key (NOT_FOUND), which keeps working", async () => {
    const { key, apiKey } = await (await callerOf(owner)).apiKey.create({ name: "precious", scope: "read" });
    const caller = await callerOf(outsider);
    assert.equal((await trpcOutcome(() => caller.apiKey.revoke({ id: apiKey.id }))).code, "NOT_FOUND");
    assert.ok(!(await caller.apiKey.list()).some((k) => k.id === apiKey.id), "nor see it");
    assert.equal((await apiCall(app, "GET", "/reports", { key })).status, 200);
  });

  it("after N API requests and a flush, the key's list entry shows requestsToday = N", async () => {
    const account = await accountOwner(app, "Usage");
    const caller = await callerOf(account);
    const { key, apiKey } = await caller.apiKey.create({ name: "counted", scope: "full" });
    const other = await caller.apiKey.create({ name: "idle", scope: "read" });
    const n = 7;
    for (let i = 0; i < 3; i++) await pushOk(app, key, "usage", String(i));
    okResult(await apiCall(app, "GET", "/reports", { key }));
    okResult(await apiCall(app, "GET", "/reports/usage/instances", { key, keyStyle: "query" }));
    okResult(await apiCall(app, "DELETE", "/reports/usage/instances", { key, keyStyle: "basic-user" }));
    okResult(await apiCall(app, "DELETE", "/reports/usage", { key, keyStyle: "basic-password" }));
    assert.equal((await apiCall(app, "GET", "/reports", { key: `${key}x` })).status, 401, "a wrong key counts for no key");
    await app.deps.usage.flush();
    const listed = await caller.apiKey.list();
    const counted = listed.find((k) => k.id === apiKey.id)!;
    assert.equal(counted.requestsToday, n);
    assert.equal(counted.requests30Days, n);
    assert.ok(counted.lastUsedAt, "and when it was last used");
    const idle = listed.find((k) => k.id === other.apiKey.id)!;
    assert.deepEqual([idle.requestsToday, idle.requests30Days, idle.lastUsedAt], [0, 0, null]);

    okResult(await apiCall(app, "GET", "/reports", { key }));
    await app.deps.usage.flush();
    assert.equal((await caller.apiKey.list()).find((k) => k.id === apiKey.id)!.requestsToday, n + 1, "flushes add up");
  });
});
