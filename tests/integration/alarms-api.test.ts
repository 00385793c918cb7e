/**
 * Alarms as code (alarms.md), over real HTTP: every endpoint, each key scope (read may GET,
 * full may do everything, ingest may only snooze), and an outsider's key.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ApiKeyScope } from "../../db/schema";
import { appRouter } from "../../server/trpc/root";
import { startTestApp, type TestApp } from "../helpers/app";
import { type Actor, accountMember, accountOwner, apiCall, type ApiReply, assertError, newKey, okResult, pushOk } from "../helpers/reports";

let app: TestApp;
let owner: Actor;
let outsider: Actor;
const keys = {} as Record<ApiKeyScope, string>;
let outsiderKey: string;

const DISK_CHECK = "for (const r of table(instance))\n  if (num(r['Use%']) > 90) return `${r['Mounted on']} is ${r['Use%']} full`;";
/** `df -h` output (columns aligned, as df prints them) with /home at `home` %. */
const df = (home: number, root = 61) =>
  [
    ["Filesystem", "Size", "Used", "Avail", "Use%", "Mounted on"],
    ["/dev/sda1", "20G", "12G", "8G", `${root}%`, "/"],
    ["/dev/sda3", "90G", "80G", "10G", `${home}%`, "/home"],
  ]
    .map((row) => row.map((cell, i) => (i === 0 ? cell.padEnd(10) : cell.padStart(i === 5 ? 0 : 5))).join(" "))
    .join("\n") + "\n";

type Alarm = { id: string; name: string; report: string; kind: string; code: string; recipients: string[]; states: unknown[]; href: string; snoozedUntil: string | null; webhookSecret: string; badgeUrl?: string };

before(async () => {
  app = await startTestApp();
  owner = await accountOwner(app, "API Owner");
  await accountMember(app, owner.accountId, "admin");
  outsider = await accountOwner(app, "API Outsider");
  for (const scope of ["ingest", "read", "full"] as const) keys[scope] = await newKey(app, owner.accountId, scope, owner.userId);
  outsiderKey = await newKey(app, outsider.accountId, "full", outsider.userId);
  await pushOk(app, keys.full, "diskfree", df(95));
  await pushOk(app, outsiderKey, "diskfree", df(10));
});
after(() => app?.stop());

const json = (body: unknown) => ({ body: JSON.stringify(body), contentType: "application/json" });
const create = async (body: Record<string, unknown> = {}, key = keys.full) =>
  apiCall<Alarm>(app, "POST", "/alarms", { key, ...json({ name: "Disk space", report: "diskfree", kind: "check", code: DISK_CHECK, ...body }) });

describe("POST and GET /alarms", () => {
  it("creates an alarm; its recipients default to the owners and admins; the badge URL is answered once", async () => {
    const alarm = okResult(await create({ tags: ["host:*"] }));
    assert.match(alarm.id, /^[0-9a-f]{32}$/);
    assert.equal(alarm.href, `${app.url}/api/v1/alarms/${alarm.id}`);
    assert.equal(alarm.recipients.length, 2);
    assert.match(alarm.badgeUrl ?? "", new RegExp(`^${app.url}/badge/twb_.+\\.svg$`));
    const got = okResult(await apiCall<Alarm>(app, "GET", `/alarms/${alarm.id}`, { key: keys.read }));
    assert.equal(got.code, DISK_CHECK);
    assert.equal(got.badgeUrl, undefined);
    const list = okResult(await apiCall<Alarm[]>(app, "GET", "/alarms", { key: keys.read }));
    const listed = list.find((a) => a.id === alarm.id)!;
    assert.deepEqual(Object.keys(listed).sort(), ["enabled", "href", "id", "kind", "name", "report", "states"].sort());
  });

  it("refuses an unknown report, bad code and bad fields with 400 naming the field", async () => {
    assertError(await create({ report: "nope" }), 400, "report: there is no report named nope (push an instance first)");
    const noCode = await create({ code: "" });
    assert.equal(noCode.status, 400);
    assert.match(noCode.body.details?.message ?? "", /code/);
    assertError(await create({ notifyRecovery: "false" }), 400, /notifyRecovery must be true or false/);
    const quiet = okResult(await create({ name: "No recoveries", notifyRecovery: false, enabled: false }));
    assert.deepEqual([(quiet as unknown as { notifyRecovery: boolean }).notifyRecovery, (quiet as unknown as { enabled: boolean }).enabled], [false, false]);
    const badKind = await create({ kind: "sometimes" });
    assert.equal(badKind.status, 400);
    const notJson = await apiCall(app, "POST", "/alarms", { key: keys.full, body: "{", contentType: "application/json" });
    assert.equal(notJson.status, 400);
  });
});

describe("PUT, test, history, snooze and DELETE /alarms/{id}", () => {
  let alarm: Alarm;
  before(async () => {
    alarm = okResult(await create({ name: "Replace me" }));
  });

  it("PUT replaces the definition", async () => {
    const replaced = okResult(await apiCall<Alarm>(app, "PUT", `/alarms/${alarm.id}`, { key: keys.full, ...json({ name: "Replaced", report: "diskfree", kind: "no_data", noDataMinutes: 15 }) }));
    assert.equal(replaced.name, "Replaced");
    assert.equal(replaced.kind, "no_data");
    okResult(await apiCall<Alarm>(app, "PUT", `/alarms/${alarm.id}`, { key: keys.full, ...json({ name: "Disk", report: "diskfree", kind: "check", code: DISK_CHECK }) }));
  });

  it("POST /test runs the check on the latest or a given instance and records nothing", async () => {
    const result = okResult(await apiCall<{ result: string; message: string; rows: number[]; logs: string[]; ms: number; instanceId: string }>(app, "POST", `/alarms/${alarm.id}/test`, { key: keys.full }));
    assert.equal(result.result, "alarm");
    assert.equal(result.message, "/home is 95% full");
    assert.ok(result.ms >= 0);
    const healthy = await pushOk(app, keys.full, "diskfree", df(20));
    const onIt = okResult(await apiCall<{ result: string; instanceId: string }>(app, "POST", `/alarms/${alarm.id}/test?instance=${healthy.id}`, { key: keys.full }));
    assert.deepEqual([onIt.result, onIt.instanceId], ["ok", healthy.id]);
    assertError(await apiCall(app, "POST", `/alarms/${alarm.id}/test?instance=0190a0a0a0a0a0a0a0a0a0a0a0a0a0a0`, { key: keys.full }), 404);
    const history = okResult(await apiCall<unknown[]>(app, "GET", `/alarms/${alarm.id}/history`, { key: keys.read }));
    assert.deepEqual(history, []);
  });

  it("GET /history lists state changes newest first, paged with details.next", async () => {
    const { processEvaluations } = await import("../../server/alarm/evaluation");
    for (const home of [96, 20, 97]) {
      await pushOk(app, keys.full, "diskfree", df(home));
      while ((await processEvaluations({ db: app.db, sandbox: app.deps.sandbox, appUrl: app.url })) > 0);
    }
    const first = await apiCall<{ at: string; from: string; to: string; message: string | null; instanceId: string }[]>(app, "GET", `/alarms/${alarm.id}/history?limit=2`, { key: keys.read });
    const page = okResult(first);
    assert.deepEqual(page.map((h) => [h.from, h.to]), [["ok", "alarm"], ["alarm", "ok"]]);
    assert.match(page[0]!.instanceId, /^[0-9a-f]{32}$/);
    const next = first.body.details?.next;
    assert.ok(next);
    const rest = okResult(await apiCall<{ from: string; to: string }[]>(app, "GET", `/alarms/${alarm.id}/history?limit=2&before=${next}`, { key: keys.read }));
    assert.deepEqual(rest.map((h) => [h.from, h.to]), [["ok", "alarm"]]);
  });

  it("snoozes with one curl line (an ingest key may), and ends the snooze", async () => {
    const snoozed = okResult(await apiCall<Alarm>(app, "POST", `/alarms/${alarm.id}/snooze?minutes=60`, { key: keys.ingest }));
    assert.ok(snoozed.snoozedUntil && Date.parse(snoozed.snoozedUntil) > Date.now() + 59 * 60_000);
    assertError(await apiCall(app, "POST", `/alarms/${alarm.id}/snooze?minutes=0`, { key: keys.ingest }), 400);
    assertError(await apiCall(app, "POST", `/alarms/${alarm.id}/snooze?minutes=lots`, { key: keys.ingest }), 400);
    const ended = okResult(await apiCall<Alarm>(app, "DELETE", `/alarms/${alarm.id}/snooze`, { key: keys.ingest }));
    assert.equal(ended.snoozedUntil, null);
  });

  it("DELETE removes it; then it is 404", async () => {
    const doomed = okResult(await create({ name: "Doomed" }));
    okResult(await apiCall(app, "DELETE", `/alarms/${doomed.id}`, { key: keys.full }));
    assertError(await apiCall(app, "GET", `/alarms/${doomed.id}`, { key: keys.full }), 404, `Alarm with id ${doomed.id} not found`);
  });
});

describe("who may call what", () => {
  let alarm: Alarm;
  before(async () => {
    alarm = okResult(await create({ name: "Scoped" }));
  });

  type Endpoint = { name: string; allowed: ApiKeyScope[]; call(key: string | null): Promise<ApiReply> };
  const endpoints = (): Endpoint[] => [
    { name: "GET /alarms", allowed: ["read", "full"], call: (key) => apiCall(app, "GET", "/alarms", { key }) },
    { name: "POST /alarms", allowed: ["full"], call: (key) => create({ name: "By scope" }, key as string) },
    { name: "GET /alarms/{id}", allowed: ["read", "full"], call: (key) => apiCall(app, "GET", `/alarms/${alarm.id}`, { key }) },
    { name: "PUT /alarms/{id}", allowed: ["full"], call: (key) => apiCall(app, "PUT", `/alarms/${alarm.id}`, { key, ...json({ name: "Scoped", report: "diskfree", kind: "check", code: DISK_CHECK }) }) },
    { name: "POST /alarms/{id}/test", allowed: ["full"], call: (key) => apiCall(app, "POST", `/alarms/${alarm.id}/test`, { key }) },
    { name: "GET /alarms/{id}/history", allowed: ["read", "full"], call: (key) => apiCall(app, "GET", `/alarms/${alarm.id}/history`, { key }) },
    { name: "POST /alarms/{id}/snooze", allowed: ["ingest", "full"], call: (key) => apiCall(app, "POST", `/alarms/${alarm.id}/snooze?minutes=5`, { key }) },
    { name: "DELETE /alarms/{id}/snooze", allowed: ["ingest", "full"], call: (key) => apiCall(app, "DELETE", `/alarms/${alarm.id}/snooze`, { key }) },
  ];

  it("every alarm endpoint is in this matrix", () => {
    const procedures = Object.keys(appRouter._def.procedures).filter((p) => p.startsWith("alarm."));
    assert.equal(procedures.length, endpoints().length + 1, "plus DELETE /alarms/{id}, tested below");
  });

  it("each scope may call exactly what alarms.md allows; the others get 403", async () => {
    for (const e of endpoints()) {
      for (const scope of ["ingest", "read", "full"] as const) {
        const reply = await e.call(keys[scope]);
        if (e.allowed.includes(scope)) assert.equal(reply.status, 200, `${e.name} with ${scope}: ${JSON.stringify(reply.body)}`);
        else assert.equal(reply.status, 403, `${e.name} with ${scope}`);
      }
    }
    assertError(await apiCall(app, "DELETE", `/alarms/${alarm.id}`, { key: keys.read }), 403);
    assertError(await apiCall(app, "DELETE", `/alarms/${alarm.id}`, { key: keys.ingest }), 403);
  });

  it("no key or a wrong key gets 401 everywhere", async () => {
    for (const e of endpoints()) {
      assert.equal((await e.call(null)).status, 401, e.name);
      assert.equal((await e.call("tw_wrong")).status, 401, e.name);
    }
  });

  it("an outsider's full key gets 404 for the owner's alarm on every endpoint, lists none, and cannot use the owner's report", async () => {
    for (const e of endpoints().filter((x) => x.name.includes("{id}"))) {
      const reply = await e.call(outsiderKey);
      assert.equal(reply.status, 404, e.name);
      assert.doesNotMatch(JSON.stringify(reply.body), /Scoped/);
    }
    assertError(await apiCall(app, "DELETE", `/alarms/${alarm.id}`, { key: outsiderKey }), 404);
    const theirs = okResult(await apiCall<Alarm[]>(app, "GET", "/alarms", { key: outsiderKey }));
    assert.ok(theirs.every((a) => a.id !== alarm.id));
    // Its own report of the same name: its alarm watches its own data only.
    const own = okResult(await create({ name: "Outsider's" }, outsiderKey));
    const test = okResult(await apiCall<{ result: string }>(app, "POST", `/alarms/${own.id}/test`, { key: outsiderKey }));
    assert.equal(test.result, "ok", "the outsider's diskfree is at 10 %");
    okResult(await apiCall<Alarm>(app, "GET", `/alarms/${alarm.id}`, { key: keys.full }));
  });
});
