/**
 * Plans and limits (ADR 25): every limit enforced through the public API and the web procedures
 * (429, ERROR_PLAN_LIMIT, a message naming the limit, the plan and the upgrade), the grace period
 * after a downgrade, the retention job's exact boundary, API rate limits per key (headers on every
 * answer, 429 with Retry-After, one count across app processes), the 80 % / 100 % emails once a
 * month, and who may call each plan procedure.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { and, eq, sql } from "drizzle-orm";
import { queryRows } from "../../db/client";
import { accountUsage as accountUsageTable, accounts, planNotices, reportInstances, reports, users } from "../../db/schema";
import { startApp } from "../../server/boot";
import { loadConfig } from "../../server/config";
import { runCommand, UsageError } from "../../server/cli/commands";
import { ServiceError } from "../../server/errors";
import { applyRetention, changeAccountPlan, GRACE_DAYS } from "../../server/plan/service";
import { ingest } from "../../server/report/service";
import { databaseKind, setPlan, startTestApp, type TestApp, trpcOutcome, uniqueEmail } from "../helpers/app";
import { type Actor, accountMember, accountOwner, apiCall, type ApiReply, newKey, push, pushOk } from "../helpers/reports";

let app: TestApp;
before(async () => {
  app = await startTestApp();
  // A private plan with small limits, so each limit is reached in a few calls.
  await app.db.execute(sql`insert into plans (code, name, price_cents, position, is_public, max_reports, max_instances_per_month, retention_days,
    max_members, max_dashboards, max_share_links, max_alarms, api_requests_per_minute)
    values ('tiny', 'Tiny', 500, 9, false, 2, 5, 10, 2, 2, 1, 1, 1000)`);
});
after(() => app?.stop());

const DAY = 86_400_000;
const caller = (a: Actor) => app.caller({ sessionId: a.sessionId });
const planUrl = () => `${app.config.appUrl}/settings/plan`;
const message = (plan: string, allows: string, action: string) =>
  `Plan limit reached: the ${plan} plan allows ${allows}. Upgrade in Settings → Plan & usage (${planUrl()}) to ${action}.`;

/** Asserts the plan-limit answer of the public API: 429, ERROR_PLAN_LIMIT, the message, no Retry-After. */
function assertPlanLimit(reply: ApiReply, expected: string) {
  assert.equal(reply.status, 429, JSON.stringify(reply.body));
  assert.equal(reply.body.details?.errorCode, "ERROR_PLAN_LIMIT");
  assert.equal(reply.body.details?.message, expected);
  assert.equal(reply.res.headers.get("retry-after"), null, "waiting does not help: no Retry-After");
}

async function owner(name: string, plan?: string) {
  const actor = await accountOwner(app, name);
  if (plan) await setPlan(app.db, actor.accountId, plan);
  const key = await newKey(app, actor.accountId, "full", actor.userId);
  return { ...actor, key };
}

describe("limits through the public API and the web procedures", () => {
  it("reports: a push to a new name beyond the limit is refused; existing reports take pushes", async () => {
    const o = await owner("Reports", "tiny");
    await pushOk(app, o.key, "r1", "1");
    await pushOk(app, o.key, "r2", "2");
    assertPlanLimit(await push(app, o.key, "r3", "3"), message("Tiny", "2 reports", "push to more reports"));
    await pushOk(app, o.key, "r1", "4");
    const listed = await apiCall<{ name: string }[]>(app, "GET", "/reports", { key: o.key });
    assert.deepEqual(
      listed.body.result!.map((r) => r.name),
      ["r1", "r2"],
      "the refused push created no report",
    );
    // A batch (pushes arriving together) applies the same limit: at most one of the new names fits after r1 is deleted.
    await apiCall(app, "DELETE", "/reports/r1", { key: o.key });
    const replies = await Promise.all(["n1", "n2", "n3"].map((name) => push(app, o.key, name, "1")));
    assert.equal(replies.filter((r) => r.status === 200).length, 1, "exactly one new report fits");
    for (const r of replies.filter((r) => r.status !== 200)) assertPlanLimit(r, message("Tiny", "2 reports", "push to more reports"));
  });

  it("instances per month: exactly the plan's number of pushes is stored, also when they arrive together", async () => {
    const o = await owner("Instances", "tiny");
    const replies = await Promise.all(Array.from({ length: 12 }, (_, i) => push(app, o.key, "load", String(i))));
    assert.equal(replies.filter((r) => r.status === 200).length, 5);
    for (const r of replies.filter((r) => r.status !== 200)) assertPlanLimit(r, message("Tiny", "5 instances a month", "push more this month"));
    const [stored] = await queryRows<{ n: number }>(app.db, sql`select count(*)::int as n from report_instances where account_id = ${o.accountId}`);
    assert.equal(stored!.n, 5);
    const [usage] = await app.db.select().from(accountUsageTable).where(eq(accountUsageTable.accountId, o.accountId));
    assert.equal(usage!.instances, 5);
    assert.equal(usage!.month, `${new Date().toISOString().slice(0, 7)}-01`, "counted in the current UTC month");
    // A new month starts again.
    await app.db.update(accountUsageTable).set({ month: "2000-01-01" }).where(eq(accountUsageTable.accountId, o.accountId));
    await pushOk(app, o.key, "load", "again");
  });

  it("dashboards: the Free plan's 5, through the API and the web", async () => {
    const o = await owner("Dashboards");
    const web = await caller(o);
    await web.dashboards.list(); // the Default dashboard
    for (let i = 0; i < 3; i++) await web.dashboards.create({ name: `Board ${i}` });
    const created = await apiCall(app, "POST", "/dashboards", { key: o.key, body: JSON.stringify({ name: "Via API", tiles: [] }), contentType: "application/json" });
    assert.equal(created.status, 200);
    const expected = message("Free", "5 dashboards", "create more");
    assertPlanLimit(await apiCall(app, "POST", "/dashboards", { key: o.key, body: JSON.stringify({ name: "Sixth", tiles: [] }), contentType: "application/json" }), expected);
    assert.deepEqual(await trpcOutcome(() => web.dashboards.create({ name: "Sixth" })), { code: "TOO_MANY_REQUESTS", message: expected });
    assert.deepEqual(await trpcOutcome(() => web.dashboards.import({ model: { name: "Imported", tiles: [] } })), { code: "TOO_MANY_REQUESTS", message: expected });
    // Over tRPC's HTTP transport the error carries its code.
    const reply = await app.trpc("mutation", "dashboards.create", { name: "Sixth" }, o.cookie);
    assert.equal(reply.status, 429);
    assert.equal((reply.body.error?.data as unknown as { errorCode: string }).errorCode, "ERROR_PLAN_LIMIT");
  });

  it("live share links: the Free plan's 2, through the API and the web; a revoked link frees its place", async () => {
    const o = await owner("Shares");
    const web = await caller(o);
    const [board] = await web.dashboards.list();
    const first = await web.shares.create({ dashboardId: board!.id });
    const viaApi = await apiCall(app, "POST", `/dashboards/${board!.id}/shares`, { key: o.key, body: "{}", contentType: "application/json" });
    assert.equal(viaApi.status, 200);
    const expected = message("Free", "2 live share links", "share more");
    assertPlanLimit(await apiCall(app, "POST", `/dashboards/${board!.id}/shares`, { key: o.key, body: "{}", contentType: "application/json" }), expected);
    assert.deepEqual(await trpcOutcome(() => web.shares.create({ dashboardId: board!.id })), { code: "TOO_MANY_REQUESTS", message: expected });
    await web.shares.revoke({ id: first.share.id });
    await web.shares.create({ dashboardId: board!.id });
  });

  it("alarms: the plan's number, through the API and the web", async () => {
    const o = await owner("Alarms", "tiny");
    await pushOk(app, o.key, "disk", "42");
    const definition = { name: "First", report: "disk", kind: "check", code: "return false" };
    const viaApi = await apiCall(app, "POST", "/alarms", { key: o.key, body: JSON.stringify(definition), contentType: "application/json" });
    assert.equal(viaApi.status, 200);
    const expected = message("Tiny", "1 alarm", "create more");
    assertPlanLimit(await apiCall(app, "POST", "/alarms", { key: o.key, body: JSON.stringify({ ...definition, name: "Second" }), contentType: "application/json" }), expected);
    const web = await caller(o);
    assert.deepEqual(await trpcOutcome(() => web.alarms.create({ name: "Web", report: "disk", kind: "check", code: "return false" })), {
      code: "TOO_MANY_REQUESTS",
      message: expected,
    });
  });

  it("team members: members and pending invitations count; re-inviting a pending address does not; cancelling frees a seat", async () => {
    const o = await owner("Team");
    const web = await caller(o);
    const first = await web.team.invite({ email: uniqueEmail("seat1"), role: "viewer" });
    const second = uniqueEmail("seat2");
    await web.team.invite({ email: second, role: "viewer" });
    const expected = message("Free", "3 team members (pending invitations included)", "invite more people");
    assert.deepEqual(await trpcOutcome(() => web.team.invite({ email: uniqueEmail("seat3"), role: "viewer" })), { code: "TOO_MANY_REQUESTS", message: expected });
    const again = await web.team.invite({ email: second, role: "editor" });
    assert.equal(again.resent, true, "a pending address is invited again in its place");
    await web.team.cancelInvitation({ id: first.invitation.id });
    await web.team.invite({ email: uniqueEmail("seat3"), role: "viewer" });
  });

  it("during a grace period the reports beyond the limit, newest first, are read-only and stay readable", async () => {
    const o = await owner("Grace", "business");
    for (const name of ["old-1", "old-2", "new-3", "new-4"]) {
      await pushOk(app, o.key, name, "1");
      await new Promise((resolve) => setTimeout(resolve, 5)); // distinct creation times
    }
    const change = await changeAccountPlan(app.db, o.accountId, "tiny");
    assert.ok(change.downgrade && change.graceUntil);
    // The month's pushes so far are not the point here (Tiny allows 5 a month).
    await app.db.delete(accountUsageTable).where(eq(accountUsageTable.accountId, o.accountId));
    await pushOk(app, o.key, "old-1", "2");
    await pushOk(app, o.key, "old-2", "2");
    const refused = await push(app, o.key, "new-4", "2");
    assertPlanLimit(refused, message("Tiny", "2 reports", "push to report new-4 again (after a plan change, reports beyond the limit are read-only)"));
    assertPlanLimit(await push(app, o.key, "new-3", "2"), message("Tiny", "2 reports", "push to report new-3 again (after a plan change, reports beyond the limit are read-only)"));
    const readable = await apiCall<unknown[]>(app, "GET", "/reports/new-4/instances", { key: o.key });
    assert.equal(readable.status, 200);
    assert.equal(readable.body.result!.length, 1, "the data stays readable");
  });
});

describe("changeAccountPlan", () => {
  it("a downgrade starts a 30-day grace period, an upgrade keeps a running one, the same plan changes nothing", async () => {
    const o = await owner("Changes");
    const now = new Date("2026-03-10T12:00:00Z");
    const up = await changeAccountPlan(app.db, o.accountId, "team", { now });
    assert.deepEqual([up.previous.code, up.plan.code, up.downgrade, up.graceUntil], ["free", "team", false, null]);
    const down = await changeAccountPlan(app.db, o.accountId, "free", { now });
    assert.equal(down.downgrade, true);
    assert.equal(down.graceUntil?.toISOString(), new Date(now.getTime() + GRACE_DAYS * DAY).toISOString());
    const [row] = await app.db.select({ plan: accounts.plan, grace: accounts.planGraceUntil }).from(accounts).where(eq(accounts.id, o.accountId));
    assert.deepEqual(row, { plan: "free", grace: down.graceUntil });
    const upAgain = await changeAccountPlan(app.db, o.accountId, "team", { now: new Date(now.getTime() + DAY) });
    assert.equal(upAgain.graceUntil?.toISOString(), down.graceUntil?.toISOString(), "the data from before may still exceed: the grace period runs on");
    const same = await changeAccountPlan(app.db, o.accountId, "team");
    assert.equal(same.previous.code, "team");
    await assert.rejects(changeAccountPlan(app.db, o.accountId, "platinum"), (e: unknown) => e instanceof ServiceError && e.kind === "NOT_FOUND");
  });

  it("operators set a plan with `npm run tw -- set-plan`", async () => {
    const user = await app.createUser({ name: "Cli" });
    const out = await runCommand(app.db, ["set-plan", "--email", user.email, "--plan", "business"], { appUrl: app.url });
    assert.equal(out, `The account of ${user.email} is now on the Business plan (was Free).`);
    const [row] = await app.db.select({ plan: accounts.plan }).from(accounts).where(eq(accounts.id, user.accountId));
    assert.equal(row!.plan, "business");
    await assert.rejects(runCommand(app.db, ["set-plan", "--email", user.email, "--plan", "gold"], { appUrl: app.url }), (e: unknown) => e instanceof UsageError && /Plan gold not found/.test(e.message));
    const down = await runCommand(app.db, ["set-plan", "--email", user.email, "--plan", "free"], { appUrl: app.url });
    assert.match(down, /is now on the Free plan \(was Business\)\. Data over its limits stays read-only until /);
  });
});

describe("the daily retention job", () => {
  /** An instance created at `created`, pushed through the service (no API key, no rate limit). */
  const at = (accountId: string, name: string, created: Date) =>
    ingest(app.db, { accountId, name, body: created.toISOString(), ip: "127.0.0.1", params: { created: created.toISOString() } });

  it("deletes exactly the instances created before now − retention days, in batches, and spares accounts in a grace period", async () => {
    const now = new Date();
    const cutoff = new Date(now.getTime() - 10 * DAY); // the tiny plan keeps 10 days
    const o = await owner("Retention", "tiny");
    const graced = await owner("Graced", "tiny");
    const doomed = [cutoff.getTime() - 1, cutoff.getTime() - 60_000, cutoff.getTime() - 30 * DAY, cutoff.getTime() - 2 * DAY, cutoff.getTime() - 1000];
    const kept = [cutoff.getTime(), cutoff.getTime() + 1, now.getTime() - DAY];
    const ids = { doomed: [] as string[], kept: [] as string[] };
    await setPlan(app.db, o.accountId, "business"); // room to push them all
    for (const [i, t] of doomed.entries()) ids.doomed.push((await at(o.accountId, i % 2 ? "a" : "b", new Date(t))).id);
    for (const [i, t] of kept.entries()) ids.kept.push((await at(o.accountId, i % 2 ? "a" : "b", new Date(t))).id);
    await setPlan(app.db, o.accountId, "tiny");
    await setPlan(app.db, graced.accountId, "business");
    const gracedOld = await at(graced.accountId, "g", new Date(cutoff.getTime() - DAY));
    await app.db.update(accounts).set({ plan: "tiny", planGraceUntil: new Date(now.getTime() + DAY) }).where(eq(accounts.id, graced.accountId));

    const result = await applyRetention(app.db, { now, batchSize: 2 });
    const left = (accountId: string) =>
      app.db.select({ id: reportInstances.id }).from(reportInstances).where(eq(reportInstances.accountId, accountId));
    assert.deepEqual((await left(o.accountId)).map((r) => r.id).sort(), [...ids.kept].sort(), "exactly the instances before the cut-off are gone");
    assert.ok(result.instances >= doomed.length);
    assert.deepEqual((await left(graced.accountId)).map((r) => r.id), [gracedOld.id], "an account in its grace period keeps everything");

    // Once the grace period is over, the plan applies: old history and the newest reports beyond the limit go.
    await setPlan(app.db, graced.accountId, "business");
    await at(graced.accountId, "g2", new Date(now.getTime() - 1000));
    await new Promise((resolve) => setTimeout(resolve, 5));
    await at(graced.accountId, "g3", new Date(now.getTime() - 1000));
    await app.db.update(accounts).set({ plan: "tiny", planGraceUntil: new Date(now.getTime() - 1000) }).where(eq(accounts.id, graced.accountId));
    const after = await applyRetention(app.db, { now, batchSize: 2 });
    assert.equal(after.reports, 1);
    const names = await app.db.select({ name: reports.name }).from(reports).where(eq(reports.accountId, graced.accountId));
    assert.deepEqual(names.map((r) => r.name).sort(), ["g", "g2"], "the newest report beyond the limit (g3) is deleted");
    assert.equal((await left(graced.accountId)).length, 1, "g's old instance is gone, g2's recent one stays");
    const [row] = await app.db.select({ grace: accounts.planGraceUntil }).from(accounts).where(eq(accounts.id, graced.accountId));
    assert.equal(row!.grace, null, "the grace period is over and cleared");
  });
});

describe("API rate limits per key", () => {
  const headersOf = (reply: ApiReply) => ({
    limit: reply.res.headers.get("ratelimit-limit"),
    remaining: Number(reply.res.headers.get("ratelimit-remaining")),
    reset: Number(reply.res.headers.get("ratelimit-reset")),
  });

  it("every answer to a valid key carries RateLimit-Limit, -Remaining and -Reset, errors and pushes included", async () => {
    const o = await owner("Headers");
    const replies = [
      await apiCall(app, "GET", "/reports", { key: o.key }),
      await push(app, o.key, "hdr", "1"),
      await apiCall(app, "GET", "/reports/missing/instances", { key: o.key }),
      await push(app, o.key, "hdr", " "), // empty: refused before the statement (422), still counted
      await apiCall(app, "GET", "/account", { key: o.key }),
      await apiCall(app, "GET", "/dashboards", { key: o.key }),
    ];
    assert.deepEqual(
      replies.map((r) => r.status),
      [200, 200, 404, 422, 200, 200],
    );
    replies.forEach((reply, i) => {
      const h = headersOf(reply);
      assert.equal(h.limit, "120", `answer ${i}: the Free plan's requests per minute`);
      assert.equal(h.remaining, 120 - (i + 1), `answer ${i}: one request counted each`);
      assert.ok(h.reset >= 1 && h.reset <= 60, `answer ${i}: reset in ${h.reset} s`);
    });
  });

  it("over the limit: 429 ERROR_RATE_LIMIT with Retry-After, for pushes and every other call; other keys are not affected", async () => {
    const o = await owner("Limited");
    await app.db.execute(sql`insert into plans (code, name, price_cents, is_public, max_reports, max_instances_per_month, retention_days,
      max_members, max_dashboards, max_share_links, max_alarms, api_requests_per_minute)
      values ('slow', 'Slow', 0, false, 100, 1000, 30, 5, 5, 5, 5, 3) on conflict do nothing`);
    await setPlan(app.db, o.accountId, "slow");
    await pushOk(app, o.key, "rl", "1");
    assert.equal((await apiCall(app, "GET", "/reports", { key: o.key })).status, 200);
    assert.equal((await push(app, o.key, "rl", "3")).status, 200);
    for (const reply of [await push(app, o.key, "rl", "4"), await apiCall(app, "GET", "/reports", { key: o.key }), await push(app, o.key, "rl", "")]) {
      assert.equal(reply.status, 429);
      assert.equal(reply.body.details?.errorCode, "ERROR_RATE_LIMIT");
      assert.match(reply.body.details!.message!, /^Rate limit exceeded: this API key may make 3 requests per minute/);
      const retry = Number(reply.res.headers.get("retry-after"));
      assert.ok(retry >= 1 && retry <= 60, `Retry-After ${retry}`);
      assert.equal(headersOf(reply).remaining, 0);
    }
    const [stored] = await queryRows<{ n: number }>(app.db, sql`select count(*)::int as n from report_instances where account_id = ${o.accountId}`);
    assert.equal(stored!.n, 2, "a push over the limit stores nothing");
    const otherKey = await newKey(app, o.accountId, "read", o.userId);
    assert.equal((await apiCall(app, "GET", "/reports", { key: otherKey })).status, 200, "the limit is per key");
    // The window ends: counting starts again.
    await app.db.execute(sql`update rate_limits set window_start = window_start - interval '61 seconds'`);
    assert.equal((await push(app, o.key, "rl", "5")).status, 200);
  });

  it("the count is kept in the database, shared by every process", async () => {
    const o = await owner("Shared");
    const first = headersOf(await apiCall(app, "GET", "/reports", { key: o.key }));
    if (databaseKind === "postgres") {
      // A second app on the same PostgreSQL database: its answers continue the same count.
      const config = loadConfig({ PORT: "0", DATABASE_URL: app.config.databaseUrl!, LOG_REQUESTS: "false", NODE_ENV: "test", ALARM_WORKER: "false", PAYMENT_SANDBOX_PORT: "0" });
      const other = await startApp(config, { quiet: true });
      try {
        const res = await fetch(`${other.url}/api/v1/reports`, { headers: { authorization: `Bearer ${o.key}` } });
        assert.equal(res.status, 200);
        assert.equal(Number(res.headers.get("ratelimit-remaining")), first.remaining - 1);
        const pushed = await fetch(`${other.url}/api/v1/reports/shared`, { method: "POST", headers: { authorization: `Bearer ${o.key}` }, body: "1" });
        assert.equal(pushed.status, 200);
        assert.equal(Number(pushed.headers.get("ratelimit-remaining")), first.remaining - 2);
      } finally {
        other.server.closeAllConnections();
        await other.stop();
      }
    } else {
      // One process holds the embedded database: a second caller (as a Remix loader or another transport) on the same database.
      const headers: Record<string, string> = {};
      const { createContext } = await import("../../server/trpc");
      const { createCaller } = await import("../../server/trpc/root");
      const second = createCaller(
        createContext(app.deps, { ip: "127.0.0.1", userAgent: "t", baseUrl: app.url, user: null, session: null, apiKey: o.key, setHeader: (k, v) => (headers[k] = v) }),
      );
      await second.report.list({});
      assert.equal(Number(headers["RateLimit-Remaining"]), first.remaining - 1);
    }
    const last = headersOf(await apiCall(app, "GET", "/reports", { key: o.key }));
    assert.equal(last.remaining, first.remaining - (databaseKind === "postgres" ? 3 : 2));
  });

  it("is documented in the OpenAPI document", async () => {
    const doc = (await (await fetch(`${app.url}/api/v1/openapi.json`)).json()) as { info: { description: string } };
    assert.match(doc.info.description, /RateLimit-Limit/);
    assert.match(doc.info.description, /Retry-After/);
    assert.match(doc.info.description, /ERROR_PLAN_LIMIT/);
  });
});

describe("limit emails", () => {
  it("at 80 % and at 100 % of a limit, once per month, to the owners only", async () => {
    const o = await owner("Mailed");
    await accountMember(app, o.accountId, "admin");
    const [ownerRow] = await app.db.select({ email: users.email }).from(users).where(eq(users.id, o.userId));
    const web = await caller(o);
    await web.dashboards.list();
    for (let i = 0; i < 3; i++) await web.dashboards.create({ name: `D${i}` }); // 4 of 5: 80 %
    const warned = await app.waitForMail((m) => m.to === ownerRow!.email && /has used 80 % of its dashboards/.test(m.subject));
    assert.match(warned.text, /uses 4 of the 5 dashboards/);
    assert.match(warned.text, /\/settings\/plan/);
    await web.dashboards.create({ name: "D5" }); // 5 of 5
    const full = await app.waitForMail((m) => m.to === ownerRow!.email && /reached its limit of dashboards/.test(m.subject));
    assert.match(full.text, /New dashboards cannot be created/);
    // Down and up again: no second email this month.
    const list = await web.dashboards.list();
    await web.dashboards.delete({ id: list.at(-1)!.id });
    await web.dashboards.create({ name: "D5 again" });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const mails = (await app.mail()).filter((m) => /Mailed/.test(m.subject) && /dashboards/.test(m.subject));
    assert.equal(mails.length, 2, `one email per level: ${mails.map((m) => `${m.to}: ${m.subject}`).join("; ")}`);
    assert.ok(mails.every((m) => m.to === ownerRow!.email), "only owners are emailed");
    const notices = await app.db.select().from(planNotices).where(and(eq(planNotices.accountId, o.accountId), eq(planNotices.limitKey, "dashboards")));
    assert.deepEqual(notices.map((n) => n.level).sort(), [100, 80]);
  });

  it("pushes: the push that reaches 80 % and the one that reaches 100 % of the month's instances", async () => {
    const o = await owner("Pushy", "tiny");
    const [ownerRow] = await app.db.select({ email: users.email }).from(users).where(eq(users.id, o.userId));
    for (let i = 0; i < 4; i++) await pushOk(app, o.key, "p", String(i)); // 4 of 5
    await app.waitForMail((m) => m.to === ownerRow!.email && /80 % of its instances this month/.test(m.subject));
    await pushOk(app, o.key, "p", "5");
    await app.waitForMail((m) => m.to === ownerRow!.email && /reached its limit of instances this month/.test(m.subject));
    assert.equal((await push(app, o.key, "p", "6")).status, 429);
  });
});

describe("who may call the plan procedures", () => {
  let o: Awaited<ReturnType<typeof owner>>;
  let viewer: Actor;
  let outsider: Actor;
  let operator: Actor;
  before(async () => {
    o = await owner("Procedures");
    viewer = await accountMember(app, o.accountId, "viewer");
    outsider = await accountOwner(app, "Procedures outsider");
    await setPlan(app.db, outsider.accountId, "team");
    operator = await accountOwner(app, "Operator");
    await app.db.update(users).set({ isAdmin: true }).where(eq(users.id, operator.userId));
  });

  it("plan.list is public: the public plans in pricing order, no private ones", async () => {
    const anonymous = await app.caller();
    const plans = await anonymous.plan.list();
    assert.deepEqual(
      plans.map((p) => [p.code, p.priceCents]),
      [
        ["free", 0],
        ["team", 1900],
        ["business", 7900],
      ],
    );
  });

  it("plan.limits and plan.overview: members of the account see its plan, owners may change it, an outsider only sees its own", async () => {
    await (await caller(o)).dashboards.list();
    const mine = await (await caller(o)).plan.overview();
    assert.equal(mine.plan.code, "free");
    assert.equal(mine.canChange, true);
    assert.equal(mine.limits.find((l) => l.key === "dashboards")!.used, 1);
    const theirs = await (await caller(viewer)).plan.overview();
    assert.equal(theirs.canChange, false);
    assert.equal(theirs.plan.code, "free");
    const outside = await (await caller(outsider)).plan.limits();
    assert.equal(outside.planCode, "team", "the outsider's own account, not this one");
    const anonymous = await app.caller();
    assert.equal((await trpcOutcome(() => anonymous.plan.limits())).code, "UNAUTHORIZED");
    assert.equal((await trpcOutcome(() => anonymous.plan.overview())).code, "UNAUTHORIZED");
  });

  it("plan.adminList and plan.adminUpdate: operators only, with validated numbers", async () => {
    for (const who of [o, viewer, outsider]) {
      const c = await caller(who);
      assert.equal((await trpcOutcome(() => c.plan.adminList())).code, "FORBIDDEN");
      assert.equal((await trpcOutcome(() => c.plan.adminUpdate({ code: "free" } as never))).code, "FORBIDDEN");
    }
    assert.equal((await trpcOutcome(async () => (await app.caller()).plan.adminList())).code, "UNAUTHORIZED");
    const admin = await caller(operator);
    const all = await admin.plan.adminList();
    assert.ok(all.some((p) => p.code === "tiny" && !p.isPublic), "private plans are listed too");
    const team = all.find((p) => p.code === "team")!;
    const edit = {
      code: "team",
      name: "Team",
      price: "21.50",
      isPublic: true,
      position: 1,
      maxReports: team.maxReports,
      maxInstancesPerMonth: team.maxInstancesPerMonth,
      retentionDays: team.retentionDays,
      maxMembers: team.maxMembers,
      maxDashboards: team.maxDashboards,
      maxShareLinks: team.maxShareLinks,
      maxAlarms: team.maxAlarms,
      apiRequestsPerMinute: team.apiRequestsPerMinute,
    };
    const saved = await admin.plan.adminUpdate(edit);
    assert.equal(saved.priceCents, 2150);
    for (const [field, value, expected] of [
      ["maxReports", -1, /cannot be negative/],
      ["maxAlarms", 2.5, /whole number/],
      ["price", "€19", /monthly price/],
      ["retentionDays", 0, /at least 1 day/],
      ["name", " ", /name/],
    ] as const) {
      const outcome = await trpcOutcome(() => admin.plan.adminUpdate({ ...edit, [field]: value } as never));
      assert.equal(outcome.code, "BAD_REQUEST", field);
      assert.match(outcome.message, expected, field);
    }
    assert.equal((await trpcOutcome(() => admin.plan.adminUpdate({ ...edit, code: "nope" }))).code, "NOT_FOUND");
    await admin.plan.adminUpdate({ ...edit, price: "19" });
  });
});

describe("pages", () => {
  it("/pricing shows the public plans with prices per month, VAT included where applicable", async () => {
    const res = await app.request("/pricing");
    assert.equal(res.status, 200);
    const html = await res.text();
    for (const text of ["Free", "Team", "Business", "€19", "€79", "VAT included where applicable", "per month"]) assert.ok(html.includes(text), text);
    assert.ok(!html.includes("Tiny"), "private plans are not shown");
    const home = await (await app.request("/")).text();
    assert.match(home, /href="\/pricing"/, "linked from the marketing pages");
    assert.match(await (await app.request("/register")).text(), /href="\/pricing"/, "and from the register page");
  });

  it("Settings → Plan & usage: usage bars; owners get upgrade links to billing, others are told to ask an owner", async () => {
    const o = await owner("Page");
    const ownerPage = await (await app.request("/settings/plan", { cookie: o.cookie })).text();
    assert.match(ownerPage, /Plan &amp; usage/);
    assert.match(ownerPage, /href="\/settings\/billing\?plan=team"/);
    assert.match(ownerPage, /Upgrade to Team/);
    assert.match(ownerPage, /data-limit="instancesPerMonth"/);
    assert.match(ownerPage, /API requests per minute/);
    const viewer = await accountMember(app, o.accountId, "viewer");
    const viewerPage = await (await app.request("/settings/plan", { cookie: viewer.cookie })).text();
    assert.doesNotMatch(viewerPage, /settings\/billing\?plan=/);
    assert.match(viewerPage, /Ask an owner to change the plan/);
  });

  it("the usage banner appears at 80 % and says the limit is reached at 100 %", async () => {
    const o = await owner("Banner");
    const web = await caller(o);
    await web.dashboards.list();
    assert.doesNotMatch(await (await app.request("/settings/plan", { cookie: o.cookie })).text(), /usage-banner/);
    for (let i = 0; i < 3; i++) await web.dashboards.create({ name: `B${i}` });
    const warn = await (await app.request("/alarms", { cookie: o.cookie })).text();
    assert.match(warn, /class="usage-banner"/);
    assert.match(warn, /Over 80 % used/);
    await web.dashboards.create({ name: "B5" });
    const full = await (await app.request("/alarms", { cookie: o.cookie })).text();
    assert.match(full, /class="usage-banner full"/);
    assert.match(full, /Plan limit reached/);
  });

  it("/admin/plans: 404 for everyone but operators, who edit a plan with a form", async () => {
    const o = await owner("Not operator");
    assert.equal((await app.request("/admin/plans", { cookie: o.cookie })).status, 404);
    const operator = await accountOwner(app, "Form operator");
    await app.db.update(users).set({ isAdmin: true }).where(eq(users.id, operator.userId));
    const page = await app.request("/admin/plans", { cookie: operator.cookie });
    assert.equal(page.status, 200);
    assert.match(await page.text(), /Save Business/);
    const business = (await (await caller(operator)).plan.adminList()).find((p) => p.code === "business")!;
    const fields: Record<string, string> = {
      code: "business",
      name: "Business",
      price: "79",
      position: "2",
      isPublic: "on",
      maxReports: String(business.maxReports),
      maxInstancesPerMonth: "10,000,000",
      retentionDays: String(business.retentionDays),
      maxMembers: String(business.maxMembers),
      maxDashboards: String(business.maxDashboards),
      maxShareLinks: String(business.maxShareLinks),
      maxAlarms: String(business.maxAlarms),
      apiRequestsPerMinute: String(business.apiRequestsPerMinute),
    };
    const saved = await app.postForm("/admin/plans", fields, { cookie: operator.cookie });
    assert.equal(saved.status, 200);
    assert.match(await saved.text(), /Saved (<!-- -->)?Business/);
    const bad = await app.postForm("/admin/plans", { ...fields, maxAlarms: "-3" }, { cookie: operator.cookie });
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /cannot be negative/);
  });
});
