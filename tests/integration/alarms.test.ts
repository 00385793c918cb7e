/**
 * Alarms end to end below the browser: instances pushed over HTTP are queued by the statement
 * that stores them, evaluated by the worker's functions (called here with a controllable
 * clock), states and history recorded, notifications written to the outbox and delivered as
 * caught mail. The web procedures (alarms.*) with three actors: owner, member, outsider.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { and, eq } from "drizzle-orm";
import { alarmEvaluations, alarmHistory, alarms, alarmStatesTable, notifications, users } from "../../db/schema";
import { minuteTick, processEvaluations, type EvaluationDeps } from "../../server/alarm/evaluation";
import { createOutbox } from "../../server/alarm/outbox";
import type { AlarmView } from "../../server/alarm/model";
import { appRouter, type Caller } from "../../server/trpc/root";
import { databaseKind, setPlan, startTestApp, type TestApp, trpcOutcome } from "../helpers/app";
import { type Actor, accountMember, accountOwner, newKey, pushOk } from "../helpers/reports";

let app: TestApp;
let owner: Actor;
let editor: Actor;
let viewer: Actor;
let outsider: Actor;
let key: string;
let deps: EvaluationDeps;

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

before(async () => {
  app = await startTestApp({ env: { ALARM_WORKER: "false" } });
  owner = await accountOwner(app, "Alarm Owner");
  await setPlan(app.db, owner.accountId, "business"); // more alarms than Free allows
  editor = await accountMember(app, owner.accountId, "editor");
  viewer = await accountMember(app, owner.accountId, "viewer");
  outsider = await accountOwner(app, "Outsider");
  key = await newKey(app, owner.accountId, "full", owner.userId);
  deps = { db: app.db, sandbox: app.deps.sandbox, appUrl: app.url };
  // Alarm mail goes to confirmed addresses only: the owner confirmed theirs.
  await app.db.update(users).set({ emailConfirmedAt: new Date() }).where(eq(users.id, owner.userId));
  await pushOk(app, key, "df", df(50));
});
after(() => app?.stop());

const callerOf = (actor: Actor) => app.caller({ sessionId: actor.sessionId });
const ownerCaller = () => callerOf(owner);

async function createAlarm(definition: Record<string, unknown>): Promise<AlarmView> {
  return (await (await ownerCaller()).alarms.create({ report: "df", kind: "check", code: DISK_CHECK, ...definition })).alarm;
}

const stateRows = (alarmId: string) =>
  app.db.select().from(alarmStatesTable).where(and(eq(alarmStatesTable.accountId, owner.accountId), eq(alarmStatesTable.alarmId, dashedId(alarmId))));
const historyRows = (alarmId: string) =>
  app.db.select().from(alarmHistory).where(and(eq(alarmHistory.accountId, owner.accountId), eq(alarmHistory.alarmId, dashedId(alarmId))));
const outboxRows = (alarmId: string) =>
  app.db.select().from(notifications).where(and(eq(notifications.accountId, owner.accountId), eq(notifications.alarmId, dashedId(alarmId))));
const dashedId = (hex: string) => `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;

/** Evaluates everything queued. */
async function drain(now?: Date) {
  const d = now ? { ...deps, now: () => now } : deps;
  while ((await processEvaluations(d)) > 0);
}

describe("a check alarm on every new instance", () => {
  let alarm: AlarmView;
  before(async () => {
    alarm = await createAlarm({ name: "Disk space" });
  });

  it("an instance of a report with an enabled alarm is queued by the statement that stores it", async () => {
    const instance = await pushOk(app, key, "df", df(95));
    const queued = await app.db.select().from(alarmEvaluations).where(eq(alarmEvaluations.accountId, owner.accountId));
    assert.ok(queued.some((q) => q.instanceId.replace(/-/g, "") === instance.id));
    await pushOk(app, key, "untouched", "1");
    const after = await app.db.select().from(alarmEvaluations).where(eq(alarmEvaluations.accountId, owner.accountId));
    assert.equal(after.length, queued.length, "a report without alarms queues nothing");
  });

  it("a 95 % row fires the alarm: state, history, and one email per default recipient with the row marked", async () => {
    await drain();
    const [state] = await stateRows(alarm.id);
    assert.equal(state?.state, "alarm");
    assert.equal(state?.message, "/home is 95% full");
    const history = await historyRows(alarm.id);
    assert.deepEqual(history.map((h) => [h.fromState, h.toState]), [["ok", "alarm"]]);
    const outbox = await outboxRows(alarm.id);
    const ownerEmail = (await (await ownerCaller()).account.current()).user.email;
    assert.deepEqual(outbox.map((n) => [n.channel, n.recipient]), [["email", ownerEmail]], "confirmed owners and admins by default (the editor and viewer are not)");
    const payload = outbox[0]!.payload as { instance: { rows: unknown[][] }; message: string };
    assert.equal(payload.message, "/home is 95% full");

    const sent = await createOutbox({ db: app.db, mailer: app.deps.mailer }).deliverDue();
    assert.equal(sent.sent, 1);
    const mail = await app.waitForMail((m) => m.to === ownerEmail && m.subject.includes("Disk space"));
    assert.match(mail.subject, /ALARM/i);
    assert.match(mail.text, /\/home is 95% full/);
    assert.match(mail.text, /\/dev\/sda3/);
    assert.ok(mail.html.includes(`/alarms/${alarm.id}`), "links to the alarm");
  });

  it("evaluating the same instance again changes nothing and sends nothing", async () => {
    const [latest] = await app.db.select().from(alarmStatesTable).where(eq(alarmStatesTable.alarmId, dashedId(alarm.id)));
    await app.db.insert(alarmEvaluations).values({ accountId: owner.accountId, instanceId: latest!.lastInstanceId!, reportId: (await reportId()) });
    await drain();
    assert.equal((await historyRows(alarm.id)).length, 1);
    assert.equal((await outboxRows(alarm.id)).length, 1);
  });

  it("a healthy instance recovers it with a recovery email; with recoveries off, the change is recorded but not sent", async () => {
    await pushOk(app, key, "df", df(40));
    await drain();
    assert.equal((await stateRows(alarm.id))[0]?.state, "ok");
    const outbox = await outboxRows(alarm.id);
    assert.equal(outbox.length, 2);
    assert.equal((outbox[1]!.payload as { reason: string }).reason, "recovery");

    const quiet = await createAlarm({ name: "Quiet recoveries", notifyRecovery: false });
    await pushOk(app, key, "df", df(97));
    await pushOk(app, key, "df", df(30));
    await drain();
    assert.deepEqual((await historyRows(quiet.id)).map((h) => h.toState).sort(), ["alarm", "ok"]);
    assert.deepEqual((await outboxRows(quiet.id)).map((n) => (n.payload as { reason: string }).reason), ["alarm"]);
    await (await ownerCaller()).alarms.delete({ id: quiet.id });
  });

  it("a check that throws goes to error with its message", async () => {
    const broken = await createAlarm({ name: "Broken", code: "throw new Error('boom')" });
    await pushOk(app, key, "df", df(10));
    await drain();
    const [state] = await stateRows(broken.id);
    assert.equal(state?.state, "error");
    assert.match(state?.message ?? "", /boom/);
    await (await ownerCaller()).alarms.delete({ id: broken.id });
  });

  it("while snoozed, changes are recorded but no notification is written; ending the snooze restores them", async () => {
    const caller = await ownerCaller();
    const snoozed = await caller.alarms.snooze({ id: alarm.id, minutes: 60 });
    assert.ok(snoozed.snoozedUntil && snoozed.snoozedUntil.getTime() > Date.now() + 59 * 60_000);
    const before = (await outboxRows(alarm.id)).length;
    await pushOk(app, key, "df", df(99));
    await drain();
    assert.equal((await stateRows(alarm.id))[0]?.state, "alarm");
    assert.equal((await outboxRows(alarm.id)).length, before, "held back");
    assert.equal((await caller.alarms.endSnooze({ id: alarm.id })).snoozedUntil, null);
    await pushOk(app, key, "df", df(20));
    await drain();
    assert.equal((await outboxRows(alarm.id)).length, before + 1, "the recovery goes out");
  });

  it("re-notifies every N minutes while still in alarm, once per interval", async () => {
    const loud = await createAlarm({ name: "Loud", renotifyMinutes: 60 });
    await pushOk(app, key, "df", df(96));
    await drain();
    const count = async () => (await outboxRows(loud.id)).filter((n) => (n.payload as { reason: string }).reason === "renotify").length;
    const t0 = Date.now();
    await minuteTick({ ...deps, now: () => new Date(t0 + 30 * 60_000) });
    assert.equal(await count(), 0);
    await minuteTick({ ...deps, now: () => new Date(t0 + 61 * 60_000) });
    assert.equal(await count(), 1);
    await minuteTick({ ...deps, now: () => new Date(t0 + 62 * 60_000) });
    assert.equal(await count(), 1, "not again within the interval");
    await minuteTick({ ...deps, now: () => new Date(t0 + 122 * 60_000) });
    assert.equal(await count(), 2);
    await pushOk(app, key, "df", df(20));
    await drain();
    await (await ownerCaller()).alarms.delete({ id: loud.id });
  });
});

async function reportId(name = "df"): Promise<string> {
  const { reports } = await import("../../db/schema");
  const [row] = await app.db.select({ id: reports.id }).from(reports).where(and(eq(reports.accountId, owner.accountId), eq(reports.name, name)));
  return row!.id;
}

describe("tag sets", () => {
  it("host:* keeps a state per host: only the full host fires", async () => {
    const alarm = await createAlarm({ name: "Per host", report: "hosts", tags: ["host:*"] }).catch(async () => {
      await pushOk(app, key, "hosts", df(10), { query: { tags: "host:a" } });
      return createAlarm({ name: "Per host", report: "hosts", tags: ["host:*"] });
    });
    await pushOk(app, key, "hosts", df(95), { query: { tags: "host:a" } });
    await pushOk(app, key, "hosts", df(50), { query: { tags: "host:b,env:prod" } });
    await pushOk(app, key, "hosts", df(99), { query: { tags: "env:prod" } });
    await drain();
    const states = (await stateRows(alarm.id)).map((s) => [s.tags.join(","), s.state]).sort();
    assert.deepEqual(states, [["host:a", "alarm"], ["host:b", "ok"]], "an instance without a host tag matches no tag set");
    const view = await (await ownerCaller()).alarms.get({ id: alarm.id });
    assert.equal(view.worst, "alarm");
  });

  it("`previous` is the previous instance of the same tag set", async () => {
    const alarm = await createAlarm({
      name: "Grew",
      report: "hosts",
      tags: ["host:*"],
      code: "if (previous && num(previous.rows[2][4]) < num(instance.rows[2][4])) return `grew from ${previous.rows[2][4]} on ${instance.tags[0]}`;",
    });
    await pushOk(app, key, "hosts", df(60), { query: { tags: "host:c" } });
    await pushOk(app, key, "hosts", df(20), { query: { tags: "host:d" } });
    await pushOk(app, key, "hosts", df(70), { query: { tags: "host:c" } });
    await drain();
    const states = Object.fromEntries((await stateRows(alarm.id)).map((s) => [s.tags.join(","), s.message]));
    assert.equal(states["host:c"], "grew from 60% on host:c");
    assert.equal(states["host:d"], null);
  });
});

describe("no-data alarms", () => {
  it("fire when no instance arrived for N minutes, once, and recover when one arrives", async () => {
    await pushOk(app, key, "heartbeat", "1");
    const alarm = await createAlarm({ name: "Heartbeat", report: "heartbeat", kind: "no_data", code: undefined, noDataMinutes: 30 });
    const t0 = Date.now();
    assert.equal((await minuteTick({ ...deps, now: () => new Date(t0 + 29 * 60_000) }))?.silent ?? 0, 0);
    assert.equal((await stateRows(alarm.id))[0]?.state, "ok");
    await minuteTick({ ...deps, now: () => new Date(t0 + 31 * 60_000) });
    const [state] = await stateRows(alarm.id);
    assert.equal(state?.state, "no_data");
    assert.equal(state?.message, "No instance for 30 minutes");
    await minuteTick({ ...deps, now: () => new Date(t0 + 32 * 60_000) });
    assert.deepEqual((await outboxRows(alarm.id)).map((n) => (n.payload as { reason: string }).reason), ["no_data"]);
    await pushOk(app, key, "heartbeat", "2");
    await drain();
    assert.equal((await stateRows(alarm.id))[0]?.state, "ok");
    assert.deepEqual((await outboxRows(alarm.id)).map((n) => (n.payload as { reason: string }).reason), ["no_data", "recovery"]);
  });

  it("the tick runs in one worker at a time", async () => {
    const results = await Promise.all([minuteTick(deps), minuteTick(deps), minuteTick(deps)]);
    if (databaseKind === "postgres") assert.ok(results.filter((r) => r !== null).length >= 1);
    else assert.ok(results.some((r) => r !== null));
  });
});

describe("several workers share the queue", () => {
  it("concurrent workers evaluate each queued instance once", async () => {
    const alarm = await createAlarm({ name: "Counted", report: "counted", code: "return instance.rows[0][0] % 2 ? 'odd' : false" }).catch(async () => {
      await pushOk(app, key, "counted", "0");
      return createAlarm({ name: "Counted", report: "counted", code: "return instance.rows[0][0] % 2 ? 'odd' : false" });
    });
    for (let i = 1; i <= 12; i++) await pushOk(app, key, "counted", String(i), { query: { created: new Date(Date.UTC(2025, 0, 1, 0, i)).toISOString() } });
    await Promise.all([drain(), drain(), drain()]);
    const history = await historyRows(alarm.id);
    // 12 alternating outcomes in order → 12 changes, unless concurrent workers reordered them
    // (then older instances are skipped): never more than one change per instance.
    assert.ok(history.length <= 12 && history.length >= 1, `${history.length} changes`);
    const ids = history.map((h) => h.instanceId);
    assert.equal(new Set(ids).size, ids.length, "no instance applied twice");
    const left = await app.db.select().from(alarmEvaluations).where(eq(alarmEvaluations.accountId, owner.accountId));
    assert.equal(left.length, 0, "the queue is empty");
  });
});

describe("the web procedures (alarms.*)", () => {
  let alarm: AlarmView;
  before(async () => {
    alarm = await createAlarm({ name: "Guarded", webhookUrl: "http://127.0.0.1:9/hook" });
  });

  const calls = (c: Caller): Record<string, () => Promise<unknown>> => ({
    "alarms.get": () => c.alarms.get({ id: alarm.id }),
    "alarms.update": () => c.alarms.update({ id: alarm.id, definition: { name: "Taken", report: "df", kind: "check", code: "return true" } }),
    "alarms.delete": () => c.alarms.delete({ id: alarm.id }),
    "alarms.setEnabled": () => c.alarms.setEnabled({ id: alarm.id, enabled: false }),
    "alarms.test": () => c.alarms.test({ id: alarm.id }),
    "alarms.history": () => c.alarms.history({ id: alarm.id }),
    "alarms.snooze": () => c.alarms.snooze({ id: alarm.id, minutes: 5 }),
    "alarms.endSnooze": () => c.alarms.endSnooze({ id: alarm.id }),
    "alarms.regenerateBadge": () => c.alarms.regenerateBadge({ id: alarm.id }),
    "alarms.regenerateWebhookSecret": () => c.alarms.regenerateWebhookSecret({ id: alarm.id }),
    "alarms.sendTestWebhook": () => c.alarms.sendTestWebhook({ id: alarm.id }),
  });
  const ownerState = async () => {
    const [row] = await app.db.select().from(alarms).where(eq(alarms.id, dashedId(alarm.id)));
    return row;
  };

  it("every alarms procedure is tested here", () => {
    const tested = [...Object.keys(calls({} as Caller)), "alarms.list", "alarms.create", "alarms.editorData", "alarms.reportStates", "alarms.badge"];
    const all = Object.keys(appRouter._def.procedures).filter((p) => p.startsWith("alarms."));
    assert.deepEqual(all.filter((p) => !tested.includes(p)), []);
  });

  it("the outsider gets NOT_FOUND for the owner's alarm whatever it asks, sees none, and nothing changes", async () => {
    const before = await ownerState();
    const c = await callerOf(outsider);
    for (const [name, call] of Object.entries(calls(c))) {
      const outcome = await trpcOutcome(call);
      assert.equal(outcome.code, "NOT_FOUND", `${name}: ${outcome.message}`);
      assert.doesNotMatch(outcome.message, /Guarded/);
    }
    assert.equal((await c.alarms.list()).length, 0);
    assert.deepEqual(await c.alarms.reportStates(), {});
    const data = await c.alarms.editorData({ report: "df" });
    assert.deepEqual([data.reports, data.instances], [[], []]);
    assert.equal((await trpcOutcome(() => c.alarms.create({ name: "X", report: "df", kind: "check", code: "return 1" }))).code, "BAD_REQUEST", "the owner's report does not exist for it");
    assert.deepEqual(await ownerState(), before);
  });

  it("a viewer reads alarms (without the webhook secret) but every change is FORBIDDEN", async () => {
    const before = await ownerState();
    const c = await callerOf(viewer);
    const reads = new Set(["alarms.get", "alarms.history"]);
    for (const [name, call] of Object.entries(calls(c))) {
      const outcome = await trpcOutcome(call);
      assert.equal(outcome.code, reads.has(name) ? "OK" : "FORBIDDEN", `${name}: ${outcome.message}`);
    }
    assert.equal((await c.alarms.get({ id: alarm.id })).webhookSecret, "");
    assert.ok((await c.alarms.list()).every((a) => a.webhookSecret === ""));
    assert.equal((await trpcOutcome(() => c.alarms.create({ name: "V", report: "df", kind: "check", code: "return 1" }))).code, "FORBIDDEN");
    assert.deepEqual(await ownerState(), before);
  });

  it("an editor changes alarms; the signing secret is shown to it", async () => {
    const c = await callerOf(editor);
    const view = await c.alarms.get({ id: alarm.id });
    assert.match(view.webhookSecret, /^whsec_/);
    const renamed = await c.alarms.update({ id: alarm.id, definition: { ...view, name: "Guarded (renamed)", recipients: [] } });
    assert.equal(renamed.name, "Guarded (renamed)");
    const test = await c.alarms.test({ id: alarm.id });
    assert.ok(["ok", "alarm"].includes(test.result));
    const webhook = await c.alarms.sendTestWebhook({ id: alarm.id });
    assert.equal(webhook.ok, false, "nothing listens on port 9");
    assert.ok(webhook.message.length > 0);
  });

  it("without a session, or in an account the user left, every alarms procedure is refused", async () => {
    const anonymous = await app.caller();
    const forged = await app.caller({ sessionId: (await app.sessionCookie(outsider.userId, { accountId: owner.accountId })).sessionId });
    for (const [name, call] of Object.entries({ ...calls(anonymous), list: () => anonymous.alarms.list() })) {
      assert.equal((await trpcOutcome(call)).code, "UNAUTHORIZED", name);
    }
    for (const [name, call] of Object.entries({ ...calls(forged), list: () => forged.alarms.list() })) {
      assert.equal((await trpcOutcome(call)).code, "FORBIDDEN", name);
    }
  });

  it("the editor's Test runs unsaved code on the latest or a chosen instance and records nothing", async () => {
    const c = await ownerCaller();
    const before = [(await historyRows(alarm.id)).length, (await outboxRows(alarm.id)).length];
    const first = await pushOk(app, key, "df", df(93));
    await pushOk(app, key, "df", df(10));
    const latest = await c.alarms.test({ report: "df", code: DISK_CHECK });
    assert.equal(latest.result, "ok");
    const chosen = await c.alarms.test({ report: "df", code: `console.log('rows', instance.rows.length)\n${DISK_CHECK}`, instanceId: first.id });
    assert.equal(chosen.result, "alarm");
    assert.equal(chosen.message, "/home is 93% full");
    assert.equal(chosen.instanceId, first.id);
    assert.deepEqual(chosen.logs, ["rows 3"]);
    const marked = await c.alarms.test({ report: "df", code: "return { message: 'two', rows: [1, 2, 99] }" });
    assert.deepEqual(marked.rows, [1, 2]);
    assert.equal((await c.alarms.test({ report: "df", code: "while (true) {}" })).result, "error");
    assert.deepEqual([(await historyRows(alarm.id)).length, (await outboxRows(alarm.id)).length], before);
  });

  it("the badge is an SVG by an unguessable token; a new token kills the old one", async () => {
    const c = await ownerCaller();
    const created = await c.alarms.create({ name: "Badged", report: "df", kind: "check", code: "return false" });
    assert.match(created.badgeToken, /^twb_[A-Za-z0-9_-]{20,}$/);
    const anonymous = await app.caller();
    const svg = await anonymous.alarms.badge({ token: created.badgeToken });
    assert.match(svg ?? "", /^<svg[\s\S]*Badged[\s\S]*<\/svg>$/);
    const { badgeToken } = await c.alarms.regenerateBadge({ id: created.alarm.id });
    assert.equal(await anonymous.alarms.badge({ token: created.badgeToken }), null);
    assert.ok(await anonymous.alarms.badge({ token: badgeToken }));
    assert.equal(await anonymous.alarms.badge({ token: "twb_guess" }), null);
    const [row] = await app.db.select().from(alarms).where(eq(alarms.id, dashedId(created.alarm.id)));
    assert.ok(!JSON.stringify(row).includes(badgeToken), "only the hash is stored");
  });

  it("invalid definitions are refused with a message naming the field, and nothing is stored", async () => {
    const c = await ownerCaller();
    const count = (await c.alarms.list()).length;
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ name: "", report: "df", kind: "check", code: "return 1" }, /name/],
      [{ name: "A", report: "nope", kind: "check", code: "return 1" }, /report: there is no report named nope/],
      [{ name: "A", report: "df", kind: "check" }, /code: a check alarm needs code/],
      [{ name: "A", report: "df", kind: "no_data" }, /noDataMinutes/],
      [{ name: "A", report: "df", kind: "check", code: "1", recipients: ["stranger@example.test"] }, /stranger@example.test is not a member/],
      [{ name: "A", report: "df", kind: "check", code: "1", webhookUrl: "ftp://x" }, /webhookUrl/],
      [{ name: "A", report: "df", kind: "check", code: "1", maintenance: [{ days: [1], start: "25:00", end: "01:00" }] }, /HH:MM/],
      [{ name: "A", report: "df", kind: "check", code: "1", timeZone: "Mars/Olympus" }, /time zone/],
      [{ name: "A", report: "df", kind: "bogus" }, /kind/],
    ];
    for (const [definition, message] of bad) {
      const outcome = await trpcOutcome(() => c.alarms.create(definition));
      assert.equal(outcome.code, "BAD_REQUEST", JSON.stringify(definition));
      assert.match(outcome.message, message);
    }
    assert.equal((await trpcOutcome(() => c.alarms.snooze({ id: alarm.id, minutes: 0 }))).code, "BAD_REQUEST");
    assert.equal((await trpcOutcome(() => c.alarms.get({ id: "not-an-id" }))).code, "NOT_FOUND");
    assert.equal((await trpcOutcome(() => c.alarms.test({ report: "df", code: "1", instanceId: "zzz" }))).code, "BAD_REQUEST");
    assert.equal((await c.alarms.list()).length, count);
  });

  it("recipients are team members by email; the default is the owners and admins", async () => {
    const c = await ownerCaller();
    const editorEmail = (await c.alarms.editorData({})).members.find((m) => m.role === "editor")!.email;
    const created = (await c.alarms.create({ name: "To editor", report: "df", kind: "check", code: "return 1", recipients: [editorEmail.toUpperCase()] })).alarm;
    assert.deepEqual([created.recipients, created.recipientsDefault], [[editorEmail], false]);
    assert.equal(alarm.recipientsDefault, true);
  });

  it("alarm mail goes only to confirmed addresses", async () => {
    const c = await ownerCaller();
    const admin = await accountMember(app, owner.accountId, "admin");
    const adminEmail = (await c.alarms.editorData({})).members.find((m) => m.role === "admin")!.email;
    const both = await createAlarm({ name: "Confirmed only", report: "df", code: "return instance.rows.length > 0 && 'fired'" });
    await pushOk(app, key, "df", df(50));
    await drain();
    const recipients = (await outboxRows(both.id)).map((n) => n.recipient);
    assert.ok(!recipients.includes(adminEmail), "the admin has not confirmed their address");
    assert.equal(recipients.length, 1);
    await app.db.update(users).set({ emailConfirmedAt: new Date() }).where(eq(users.id, admin.userId));
    await c.alarms.delete({ id: both.id });
  });

  it("the worst state per report marks dashboards and the Reports page", async () => {
    const states = await (await ownerCaller()).alarms.reportStates();
    assert.ok(states.df && states.df.alarms >= 1);
    assert.ok(["ok", "alarm", "error", "no_data"].includes(states.df.state));
  });

  it("deleting a report deletes its alarms with their states and history", async () => {
    await pushOk(app, key, "doomed", df(99));
    const doomed = await createAlarm({ name: "Doomed", report: "doomed" });
    await pushOk(app, key, "doomed", df(99));
    await drain();
    assert.equal((await historyRows(doomed.id)).length, 1);
    await (await ownerCaller()).reports.deleteReport({ name: "doomed" });
    assert.equal((await app.db.select().from(alarms).where(eq(alarms.id, dashedId(doomed.id)))).length, 0);
    assert.equal((await historyRows(doomed.id)).length, 0);
  });
});
