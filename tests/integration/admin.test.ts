/**
 * The operators' side (issue 8): every admin procedure and page is denied to everyone but
 * admins; make-admin; the access log (account recorded per request, filters, keyset paging,
 * purge past retention); accounts and usage without report contents; the email template
 * registry against the emails/ folder.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import { queryRows } from "../../db/client";
import { accessLog, accounts, apiKeyUsage, users } from "../../db/schema";
import { purgeAccessLog, searchAccessLog } from "../../server/access-log/service";
import { lastDays, uuidv7Floor } from "../../server/admin/service";
import { createApiKey } from "../../server/api-key/service";
import { runCommand, UsageError } from "../../server/cli/commands";
import { startDailyTasks } from "../../server/maintenance/daily";
import { emailTemplates, renderTemplateSamples } from "../../server/mail/templates";
import { uuidv7 } from "../../server/tokens";
import { appRouter } from "../../server/trpc/root";
import { databaseKind, startTestApp, type TestApp, trpcOutcome } from "../helpers/app";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

type Actor = { userId: string; accountId: string; email: string; cookie: string; sessionId: string };

let app: TestApp;
let admin: Actor;
let member: Actor;

before(async () => {
  app = await startTestApp();
  const a = await app.createUser({ name: "Ada Admin" });
  await runCommand(app.db, ["make-admin", "--email", a.email], { appUrl: app.url });
  admin = { ...a, ...(await app.sessionCookie(a.userId)) };
  const m = await app.createUser({ name: "Mel Member" });
  member = { ...m, ...(await app.sessionCookie(m.userId)) };
});
after(() => app?.stop());

type Caller = Awaited<ReturnType<TestApp["caller"]>>;

/** One call of every admin procedure, with valid input. */
function adminCalls(c: Caller, versionId: string): Record<string, () => Promise<unknown>> {
  return {
    "admin.policies": () => c.admin.policies(),
    "admin.policyVersion": () => c.admin.policyVersion({ document: "privacy", version: 1 }),
    "admin.saveDraft": () => c.admin.saveDraft({ document: "terms", body: "# Draft", summary: "s" }),
    "admin.discardDraft": () => c.admin.discardDraft({ document: "terms" }),
    "admin.publish": () => c.admin.publish({ document: "terms", body: "# Terms v-test", summary: "Test", expectedVersion: 999 }),
    "admin.broadcast": () => c.admin.broadcast({ versionId }),
    "admin.retryFailed": () => c.admin.retryFailed({ versionId }),
    "admin.accessLog": () => c.admin.accessLog({}),
    "admin.accounts": () => c.admin.accounts({}),
    "admin.account": () => c.admin.account({ id: member.accountId }),
    "admin.usage": () => c.admin.usage({ days: 7 }),
    "admin.emails": () => c.admin.emails(),
  };
}

const V1_PRIVACY = "0194d3a0-0000-7000-8000-000000000001";

describe("admin procedures and pages are for admins only", () => {
  it("the calls below cover every admin.* procedure", () => {
    const procedures = Object.keys(appRouter._def.procedures).filter((p) => p.startsWith("admin.")).sort();
    assert.deepEqual(Object.keys(adminCalls({} as Caller, V1_PRIVACY)).sort(), procedures);
  });

  it("anonymous callers get UNAUTHORIZED and non-admins FORBIDDEN from every admin procedure; nothing changes", async () => {
    const before = await app.db.select().from(users);
    const anonymous = await app.caller();
    const nonAdmin = await app.caller({ sessionId: member.sessionId });
    for (const [name, call] of Object.entries(adminCalls(anonymous, V1_PRIVACY))) {
      assert.equal((await trpcOutcome(call)).code, "UNAUTHORIZED", `${name} anonymous`);
    }
    for (const [name, call] of Object.entries(adminCalls(nonAdmin, V1_PRIVACY))) {
      assert.equal((await trpcOutcome(call)).code, "FORBIDDEN", `${name} as a non-admin`);
    }
    const [{ n }] = await queryRows<{ n: number }>(app.db, sql`select count(*)::int as n from policy_versions`);
    assert.equal(Number(n), 3, "no version was published (the seeded privacy v1 and v2, terms v1)");
    assert.deepEqual((await app.db.select().from(users)).length, before.length);
  });

  it("an admin may call every one (the publish fails only on its stale version)", async () => {
    const c = await app.caller({ sessionId: admin.sessionId });
    for (const [name, call] of Object.entries(adminCalls(c, V1_PRIVACY))) {
      const outcome = await trpcOutcome(call);
      assert.equal(outcome.code, name === "admin.publish" ? "BAD_REQUEST" : "OK", `${name}: ${outcome.message}`);
    }
  });

  it("over HTTP too: 401 without a session, 403 for a non-admin, 200 for an admin", async () => {
    assert.equal((await app.trpc("query", "admin.accounts", {})).status, 401);
    assert.equal((await app.trpc("query", "admin.accounts", {}, member.cookie)).status, 403);
    assert.equal((await app.trpc("query", "admin.accounts", {}, admin.cookie)).status, 200);
    const publish = await app.trpc("mutation", "admin.publish", { document: "privacy", body: "x", summary: "y", expectedVersion: 1 }, member.cookie);
    assert.equal(publish.status, 403);
  });

  const pages = () => ["/admin", "/admin/policies", "/admin/access-log", "/admin/accounts", `/admin/accounts/${member.accountId}`, "/admin/usage", "/admin/emails"];

  it("every /admin page answers 404 — like an unknown address — to anonymous visitors and non-admins", async () => {
    const unknown = await app.request("/no-such-page-at-all");
    assert.equal(unknown.status, 404);
    const unknownText = (await unknown.text()).replace(/<script[\s\S]*?<\/script>/g, "");
    for (const page of pages()) {
      for (const [who, cookie] of [["anonymous", undefined], ["non-admin", member.cookie]] as const) {
        const res = await app.request(page, { cookie });
        assert.equal(res.status, 404, `${page} ${who}`);
        // What the page shows (the scripts carry route ids, as every page's do: the public route
        // manifest lists all routes anyway).
        const shown = (await res.text()).replace(/<script[\s\S]*?<\/script>/g, "").replace(/<link[^>]*>/g, "");
        assert.match(shown, /Page not found/, `${page} ${who}`);
        assert.doesNotMatch(shown, /Access log|Policies|admin-nav|Admin/, `${page} ${who} shows nothing of the admin area`);
      }
    }
    assert.match(unknownText, /Page not found/);
  });

  it("a non-admin's form post to /admin/policies is a 404 and publishes nothing", async () => {
    const res = await app.postForm(
      "/admin/policies?doc=privacy",
      { intent: "publish", document: "privacy", body: "Taken over", summary: "x", expectedVersion: "2" },
      { cookie: member.cookie },
    );
    assert.equal(res.status, 404);
    const current = await (await app.caller()).policy.current({ document: "privacy" });
    assert.equal(current.version, 2, "still the seeded version 2");
  });

  it("every /admin page opens for an admin", async () => {
    for (const page of pages()) {
      const res = await app.request(page, { cookie: admin.cookie });
      assert.equal(res.status, page === "/admin" ? 302 : 200, page);
      if (page === "/admin") assert.equal(res.headers.get("location"), "/admin/policies");
      else assert.match(await res.text(), /aria-label="Admin"/, page);
    }
  });

  it("tw make-admin marks an existing user (at once, for their live session) and --revoke unmarks", async () => {
    const caller = await app.caller({ sessionId: member.sessionId });
    assert.equal((await trpcOutcome(() => caller.admin.accounts({}))).code, "FORBIDDEN");
    assert.match(await runCommand(app.db, ["make-admin", "--email", member.email.toUpperCase()], { appUrl: app.url }), /is now an admin/);
    assert.equal((await trpcOutcome(async () => (await app.caller({ sessionId: member.sessionId })).admin.accounts({}))).code, "OK");
    assert.match(await runCommand(app.db, ["make-admin", "--email", member.email, "--revoke"], { appUrl: app.url }), /no longer an admin/);
    assert.equal((await trpcOutcome(async () => (await app.caller({ sessionId: member.sessionId })).admin.accounts({}))).code, "FORBIDDEN");
    await assert.rejects(runCommand(app.db, ["make-admin", "--email", "nobody@example.test"], { appUrl: app.url }), UsageError);
    await assert.rejects(runCommand(app.db, ["make-admin"], { appUrl: app.url }), UsageError);
  });
});

describe("the access log", () => {
  it("records the account of each request: the session's, the API key's, or none", async () => {
    const { key } = await createApiKey(app.db, { accountId: member.accountId, name: "k", scope: "full", createdBy: member.userId });
    const marker = `marker${Date.now()}`;
    await (await app.request(`/dashboard?${marker}=session`, { cookie: admin.cookie })).text();
    await (await app.request(`/api/v1/account?${marker}=key`, { headers: { authorization: `Bearer ${key}` }, origin: null })).text();
    const ingest = await app.request(`/api/v1/reports/acct-test?${marker}=ingest`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}` },
      body: "42",
      origin: null,
    });
    assert.equal(ingest.status, 200);
    await (await app.request(`/privacy?${marker}=anonymous`)).text();
    await app.deps.accessLog.flush();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await app.deps.accessLog.flush();
    const rows = await queryRows<{ url: string; account_id: string | null }>(app.db, sql`select url, account_id from access_log where url like ${`%${marker}%`}`);
    const byKind = Object.fromEntries(rows.map((r) => [r.url.split("=").pop()!, r.account_id]));
    assert.equal(byKind.session, admin.accountId);
    assert.equal(byKind.key, member.accountId);
    assert.equal(byKind.ingest, member.accountId);
    assert.equal(byKind.anonymous, null);
  });

  describe("filters and paging", () => {
    const ipA = "198.51.100.7";
    const ipB = "203.0.113.9";
    const base = Date.parse("2026-01-10T12:00:00Z");
    let accountX: string;
    let accountY: string;
    let expected: { time: Date; ip: string; accountId: string | null; url: string; status: number }[];

    before(async () => {
      accountX = uuidv7();
      accountY = uuidv7();
      await app.db.insert(accounts).values([
        { id: accountX, name: "Xylophone Ltd" },
        { id: accountY, name: "Yak Inc" },
      ]);
      expected = Array.from({ length: 120 }, (_, i) => ({
        time: new Date(base + i * 60_000),
        ip: i % 3 === 0 ? ipA : ipB,
        accountId: i % 4 === 0 ? accountX : i % 4 === 1 ? accountY : null,
        url: i % 2 === 0 ? `/api/v1/reports/r${i}` : i % 5 === 0 ? `/api/v1_x/%_${i}` : `/dashboards/${i}`,
        status: i % 10 === 0 ? 500 : i % 7 === 0 ? 404 : 200,
      }));
      await app.db.insert(accessLog).values(
        expected.map((e) => ({ ...e, method: "GET", durationMs: 3, userAgent: "test-agent" })),
      );
    });

    const window = { from: new Date(base), to: new Date(base + 120 * 60_000) };
    const ids = (rows: { time: Date }[]) => rows.map((r) => r.time.getTime());
    const want = (pred: (e: (typeof expected)[number]) => boolean) =>
      expected
        .filter(pred)
        .map((e) => e.time.getTime())
        .sort((a, b) => b - a);

    async function all(filter: Parameters<typeof searchAccessLog>[1]) {
      const seen: { time: Date }[] = [];
      let cursor: string | null = null;
      for (let pages = 0; pages < 100; pages++) {
        const page = await searchAccessLog(app.db, { ...window, ...filter, cursor, limit: 7 });
        seen.push(...page.rows);
        cursor = page.nextCursor;
        if (!cursor) break;
      }
      return seen;
    }

    it("pages newest first through every row exactly once", async () => {
      const rows = await all({});
      assert.deepEqual(ids(rows), want(() => true));
    });

    it("filters by time range, IP, account, URL prefix and status, alone and together", async () => {
      const from = new Date(base + 30 * 60_000);
      const to = new Date(base + 90 * 60_000);
      assert.deepEqual(ids(await all({ from, to })), want((e) => e.time >= from && e.time < to));
      assert.deepEqual(ids(await all({ ip: ipA })), want((e) => e.ip === ipA));
      assert.deepEqual(ids(await all({ accountId: accountY })), want((e) => e.accountId === accountY));
      assert.deepEqual(ids(await all({ urlPrefix: "/api/v1/" })), want((e) => e.url.startsWith("/api/v1/")));
      // LIKE's wildcards in the prefix are literal.
      assert.deepEqual(ids(await all({ urlPrefix: "/api/v1_x/%_" })), want((e) => e.url.startsWith("/api/v1_x/%_")));
      assert.deepEqual(ids(await all({ urlPrefix: "/api/v1_" })), want((e) => e.url.startsWith("/api/v1_")));
      assert.deepEqual(ids(await all({ status: "5xx" })), want((e) => e.status >= 500));
      assert.deepEqual(ids(await all({ status: "404" })), want((e) => e.status === 404));
      assert.deepEqual(ids(await all({ status: "errors" })), want((e) => e.status >= 400));
      assert.deepEqual(ids(await all({ status: "2xx" })), want((e) => e.status < 300));
      assert.deepEqual(
        ids(await all({ accountId: accountX, status: "errors", ip: ipA, urlPrefix: "/api", from })),
        want((e) => e.accountId === accountX && e.status >= 400 && e.ip === ipA && e.url.startsWith("/api") && e.time >= from),
      );
    });

    it("names the account and refuses a bad status or cursor", async () => {
      const page = await searchAccessLog(app.db, { ...window, accountId: accountX, limit: 1 });
      assert.equal(page.rows[0]!.accountName, "Xylophone Ltd");
      const c = await app.caller({ sessionId: admin.sessionId });
      assert.equal((await trpcOutcome(() => c.admin.accessLog({ status: "teapot" }))).code, "BAD_REQUEST");
      assert.equal((await trpcOutcome(() => c.admin.accessLog({ cursor: "nonsense" }))).code, "BAD_REQUEST");
      assert.equal((await trpcOutcome(() => c.admin.accessLog({ accountId: "not-a-uuid" }))).code, "BAD_REQUEST");
    });

    it("the admin page shows the filtered rows", async () => {
      const res = await app.request(`/admin/access-log?account=${accountY}&status=4xx&from=2026-01-10T12:00&to=2026-01-10T14:00`, { cookie: admin.cookie });
      assert.equal(res.status, 200);
      const html = await res.text();
      const urls = [...html.matchAll(/class="mono url" title="([^"]+)"/g)].map((m) => m[1]);
      assert.deepEqual(
        urls,
        expected
          .filter((e) => e.accountId === accountY && e.status >= 400 && e.status < 500 && e.time < new Date(base + 120 * 60_000))
          .sort((a, b) => b.time.getTime() - a.time.getTime())
          .map((e) => e.url),
      );
      assert.match(html, /Yak Inc/);
    });
  });

  it("the purge deletes exactly the rows past the retention, in batches", async () => {
    const now = new Date("2026-06-30T12:00:00Z");
    const day = 86_400_000;
    const cutoff = now.getTime() - 30 * day;
    const marker = `/purge-test/${uuidv7()}`;
    const times = [cutoff - 5 * day, cutoff - 1, cutoff, cutoff + 1, now.getTime() - day];
    // 25 rows just past the retention, so several batches of 10 are needed.
    const rows = [...times.map((t) => new Date(t)), ...Array.from({ length: 25 }, (_, i) => new Date(cutoff - 1000 - i))];
    await app.db.insert(accessLog).values(rows.map((time) => ({ time, method: "GET", url: marker, status: 200, durationMs: 1, ip: "192.0.2.1", userAgent: "" })));
    const olderElsewhere = await queryRows<{ n: number }>(app.db, sql`select count(*)::int as n from access_log where time < ${new Date(cutoff).toISOString()}::timestamptz and url <> ${marker}`);
    const deleted = await purgeAccessLog(app.db, { retentionDays: 30, now, batchSize: 10 });
    assert.equal(deleted, 2 + 25 + Number(olderElsewhere[0]!.n));
    const left = await queryRows<{ time: string | Date }>(app.db, sql`select time from access_log where url = ${marker} order by time`);
    assert.deepEqual(
      left.map((r) => new Date(r.time).getTime()),
      [cutoff, cutoff + 1, now.getTime() - day],
    );
    assert.equal(await purgeAccessLog(app.db, { retentionDays: 30, now, batchSize: 10 }), 0);
  });

  it(
    "the daily tasks run once at a time across processes (advisory lock)",
    { skip: databaseKind === "pglite" ? "PGlite serves one process: the daily tasks take no lock there" : false },
    async () => {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let runs = 0;
      const slow = startDailyTasks({ db: app.db, kind: "postgres", firstRunMs: 3_600_000, tasks: [{ name: "slow", run: async () => { runs++; await gate; } }] });
      const other = startDailyTasks({ db: app.db, kind: "postgres", firstRunMs: 3_600_000, tasks: [{ name: "other", run: async () => void runs++ }] });
      const first = slow.runNow();
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(await other.runNow(), "skipped");
      release();
      assert.equal(await first, "ran");
      assert.equal(await other.runNow(), "ran");
      assert.equal(runs, 2);
      await slow.stop();
      await other.stop();
    },
  );
});

describe("accounts and usage, without report contents", () => {
  it("lists and searches accounts with their counts, and opens one with usage and recent errors", async () => {
    const { key } = await createApiKey(app.db, { accountId: member.accountId, name: "Secret key name", scope: "full", createdBy: member.userId });
    for (let i = 0; i < 3; i++) {
      const res = await app.request("/api/v1/reports/confidential-report-name", {
        method: "POST",
        headers: { authorization: `Bearer ${key}` },
        body: `secret-content-${i}`,
        origin: null,
      });
      assert.equal(res.status, 200);
    }
    assert.equal((await app.request("/api/v1/reports/nope/instances/not-an-id", { headers: { authorization: `Bearer ${key}` }, origin: null })).status, 404);
    const c = await app.caller({ sessionId: admin.sessionId });
    const found = await c.admin.accounts({ q: member.email.slice(0, 12).toUpperCase() });
    const row = found.accounts.find((a) => a.id === member.accountId);
    assert.ok(row, "found by a part of a member's email, any case");
    assert.equal(row.members, 1);
    assert.ok(row.reports >= 1);
    assert.ok(row.instancesThisMonth >= 3);
    assert.ok(row.lastActivityAt && Date.now() - row.lastActivityAt.getTime() < 120_000);
    assert.ok((await c.admin.accounts({ q: member.accountId })).accounts.some((a) => a.id === member.accountId), "found by id");
    assert.equal((await c.admin.accounts({ q: "no account is named like this" })).accounts.length, 0);

    const { account, recentErrors } = await c.admin.account({ id: member.accountId });
    assert.ok(account.instancesThisMonth >= 3);
    assert.equal(account.instancesPerDay.at(-1)!.count >= 3, true);
    assert.ok(account.apiRequestsPerDay.at(-1)!.count >= 4);
    assert.ok(recentErrors.some((e) => e.status === 404 && e.url.includes("/instances/not-an-id")));
    const shown = JSON.stringify({ found, account });
    assert.doesNotMatch(shown, /secret-content|confidential-report-name|Secret key name/);
    const page = await (await app.request(`/admin/accounts/${member.accountId}`, { cookie: admin.cookie })).text();
    assert.doesNotMatch(page, /secret-content|Secret key name/);
    assert.equal((await trpcOutcome(() => c.admin.account({ id: uuidv7() }))).code, "NOT_FOUND");
  });

  it("pages through accounts newest first", async () => {
    const c = await app.caller({ sessionId: admin.sessionId });
    const seen: string[] = [];
    let cursor: string | null = null;
    for (;;) {
      const page: Awaited<ReturnType<typeof c.admin.accounts>> = await c.admin.accounts({ cursor });
      seen.push(...page.accounts.map((a) => a.id));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    const all = await app.db.select({ id: accounts.id, createdAt: accounts.createdAt }).from(accounts);
    assert.equal(new Set(seen).size, all.length);
  });

  it("usage: requests per day per plan and per key id, nothing that names a person or account", async () => {
    const days = lastDays(3);
    const team = uuidv7();
    await app.db.insert(accounts).values({ id: team, name: "Usage Team Co", plan: "team" });
    const k1 = uuidv7();
    const k2 = uuidv7();
    await app.db.insert(apiKeyUsage).values([
      { accountId: team, apiKeyId: k1, day: days[0]!, count: 5 },
      { accountId: team, apiKeyId: k1, day: days[2]!, count: 7 },
      { accountId: team, apiKeyId: k2, day: days[1]!, count: 100 },
      { accountId: team, apiKeyId: k2, day: "2001-01-01", count: 999 },
    ]);
    const c = await app.caller({ sessionId: admin.sessionId });
    const usage = await c.admin.usage({ days: 3 });
    assert.deepEqual(usage.days, days);
    assert.deepEqual(usage.byPlan.find((p) => p.plan === "team"), { plan: "team", perDay: [5, 100, 7], total: 112 });
    assert.deepEqual(usage.byKey.find((k) => k.apiKeyId === k2), { apiKeyId: k2, plan: "team", perDay: [0, 100, 0], total: 100 });
    assert.doesNotMatch(JSON.stringify(usage), /Usage Team Co/);
    const html = await (await app.request("/admin/usage?days=7", { cookie: admin.cookie })).text();
    assert.match(html, new RegExp(k2));
    assert.doesNotMatch(html, /Usage Team Co/);
  });

  it("uuidv7Floor is at or below every UUIDv7 made at or after that time", () => {
    const t = new Date("2026-03-01T00:00:00Z");
    assert.ok(uuidv7Floor(t) <= uuidv7({ msecs: t.getTime() }));
    assert.ok(uuidv7Floor(t) > uuidv7({ msecs: t.getTime() - 1 }));
  });
});

describe("email templates", () => {
  it("every file in emails/ is registered in server/mail/templates.ts (and nothing else)", () => {
    const files = fs
      .readdirSync(path.join(root, "emails"))
      .filter((f) => f.endsWith(".tsx"))
      .map((f) => f.replace(/\.tsx$/, ""))
      .sort();
    assert.deepEqual(emailTemplates.map((t) => t.file).sort(), files, "register new templates in server/mail/templates.ts");
  });

  it("every template renders each of its samples to HTML and text with a subject", async () => {
    for (const t of emailTemplates) {
      assert.ok(t.samples.length > 0, `${t.file} has sample data`);
      for (const s of await renderTemplateSamples(t)) {
        assert.match(s.html, /<html/i, `${t.file} ${s.label}`);
        assert.ok(s.text.trim().length > 20, `${t.file} ${s.label} text`);
        assert.ok(s.subject.length > 3, `${t.file} ${s.label} subject`);
      }
    }
  });

  it("/admin/emails shows each in a sandboxed frame and as text", async () => {
    const html = await (await app.request("/admin/emails", { cookie: admin.cookie })).text();
    const frames = html.match(/<iframe[^>]*>/g) ?? [];
    const samples = emailTemplates.reduce((n, t) => n + t.samples.length, 0);
    assert.equal(frames.length, samples);
    for (const frame of frames) assert.match(frame, /sandbox=""/);
    assert.equal((html.match(/class="email-text"/g) ?? []).length, samples);
  });
});
