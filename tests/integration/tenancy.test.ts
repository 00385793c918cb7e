/**
 * Tenancy: three actors. The owner has an account; the member belongs to the owner's account
 * (as a viewer) and to no other; the outsider has an account of their own. Nobody may see or act
 * on an account they are not a member of, whichever way they come in.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { and, eq } from "drizzle-orm";
import { memberships, users } from "../../db/schema";
import { createApiKey } from "../../server/api-key/service";
import { hashPassword } from "../../server/auth/password";
import { uuidv7 } from "../../server/tokens";
import { appRouter } from "../../server/trpc/root";
import { startTestApp, type TestApp, TEST_PASSWORD, trpcOutcome, uniqueEmail } from "../helpers/app";

type Actor = { userId: string; email: string; accountId: string; cookie: string; sessionId: string };

let app: TestApp;
let owner: Actor;
let member: Actor;
let outsider: Actor;

before(async () => {
  app = await startTestApp();
  const o = await app.createUser({ name: "Owner Olga" });
  owner = { ...o, ...(await app.sessionCookie(o.userId)) };
  const x = await app.createUser({ name: "Outsider Oscar" });
  outsider = { ...x, ...(await app.sessionCookie(x.userId)) };

  // The member has no account of their own: only a viewer membership in the owner's account.
  const memberId = uuidv7();
  const memberEmail = uniqueEmail("member");
  await app.db.insert(users).values({ id: memberId, email: memberEmail, name: "Member Mia", passwordHash: await hashPassword(TEST_PASSWORD) });
  await app.db.insert(memberships).values({ accountId: owner.accountId, userId: memberId, role: "viewer" });
  member = { userId: memberId, email: memberEmail, accountId: owner.accountId, ...(await app.sessionCookie(memberId)) };
});
after(() => app?.stop());

type Current = { account: { id: string; name: string; plan: string }; role: string; user: { id: string; email: string } };

describe("API keys stay within their account", () => {
  it("the outsider's API key returns the outsider's account, never the owner's", async () => {
    const { key } = await createApiKey(app.db, { accountId: outsider.accountId, name: "k", scope: "read", createdBy: outsider.userId });
    const res = await app.request("/api/v1/account", { headers: { authorization: `Bearer ${key}` }, origin: null });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { success: true, result: { name: "Outsider Oscar", plan: "free" } });
  });

  it("the owner's API key returns the owner's account", async () => {
    const { key } = await createApiKey(app.db, { accountId: owner.accountId, name: "k", scope: "full", createdBy: owner.userId });
    const caller = await app.caller({ apiKey: key });
    assert.deepEqual(await caller.account.get({}), { success: true, result: { name: "Owner Olga", plan: "free" } });
  });

  it("an API key is not a login: with only a key, the web app's account.current is refused", async () => {
    const { key } = await createApiKey(app.db, { accountId: owner.accountId, name: "k", scope: "full", createdBy: owner.userId });
    const caller = await app.caller({ apiKey: key });
    assert.equal((await trpcOutcome(() => caller.account.current())).code, "UNAUTHORIZED");
  });

  it("a session is not an API key: with only a session, account.get is refused", async () => {
    const caller = await app.caller({ sessionId: owner.sessionId });
    const outcome = await trpcOutcome(() => caller.account.get({}));
    assert.equal(outcome.code, "UNAUTHORIZED");
    assert.match(outcome.message, /API key/);
  });

  it("an ingest-only key may not read the account (FORBIDDEN)", async () => {
    const { key } = await createApiKey(app.db, { accountId: owner.accountId, name: "k", scope: "ingest", createdBy: owner.userId });
    const caller = await app.caller({ apiKey: key });
    assert.equal((await trpcOutcome(() => caller.account.get({}))).code, "FORBIDDEN");
  });
});

describe("sessions see only their own account", () => {
  it("account.current through the in-process caller returns each session's own account and role", async () => {
    const seen = new Map<string, Current>();
    for (const [who, actor] of [["owner", owner], ["member", member], ["outsider", outsider]] as const) {
      const caller = await app.caller({ sessionId: actor.sessionId });
      seen.set(who, (await caller.account.current()) as Current);
    }
    assert.deepEqual(
      [...seen].map(([who, c]) => [who, c.account.name, c.role, c.user.email]),
      [
        ["owner", "Owner Olga", "owner", owner.email],
        ["member", "Owner Olga", "viewer", member.email],
        ["outsider", "Outsider Oscar", "owner", outsider.email],
      ],
    );
    assert.equal(seen.get("member")!.account.id, owner.accountId);
    assert.notEqual(seen.get("outsider")!.account.id, owner.accountId);
  });

  it("account.current over HTTP with the session cookie returns only the session's account", async () => {
    for (const actor of [owner, member, outsider]) {
      const reply = await app.trpc("query", "account.current", undefined, actor.cookie);
      assert.equal(reply.status, 200);
      const current = reply.body.result!.data as Current;
      assert.equal(current.account.id, actor.accountId);
      assert.equal(current.user.id, actor.userId);
    }
  });

  it("a session pointing at an account the user is not a member of is refused with FORBIDDEN", async () => {
    const forged = await app.sessionCookie(outsider.userId, { accountId: owner.accountId });
    const caller = await app.caller({ sessionId: forged.sessionId });
    const outcome = await trpcOutcome(() => caller.account.current());
    assert.equal(outcome.code, "FORBIDDEN");
    assert.doesNotMatch(outcome.message, /Owner Olga/);

    const reply = await app.trpc("query", "account.current", undefined, forged.cookie);
    assert.equal(reply.status, 403);
    assert.equal(reply.body.error?.data.code, "FORBIDDEN");
    assert.doesNotMatch(JSON.stringify(reply.body), /Owner Olga/);

    // The pages do not draw the account either: the session is ended and the user asked to log in.
    const page = await app.request("/dashboard", { cookie: forged.cookie });
    assert.equal(page.status, 302);
    assert.equal(page.headers.get("location"), "/login");
    assert.match(page.headers.getSetCookie().join("\n"), /tw_session=;/);
    assert.doesNotMatch(await page.text(), /Owner Olga/);
    assert.equal((await app.trpc("query", "account.current", undefined, forged.cookie)).status, 401);
  });

  it("a session without a current account is refused with FORBIDDEN", async () => {
    const noAccount = await app.sessionCookie(owner.userId, { accountId: null });
    const caller = await app.caller({ sessionId: noAccount.sessionId });
    assert.equal((await trpcOutcome(() => caller.account.current())).code, "FORBIDDEN");
  });

  it("without a session, account.current is refused with UNAUTHORIZED", async () => {
    const caller = await app.caller();
    assert.equal((await trpcOutcome(() => caller.account.current())).code, "UNAUTHORIZED");
    const reply = await app.trpc("query", "account.current");
    assert.equal(reply.status, 401);
    assert.equal(reply.body.error?.data.code, "UNAUTHORIZED");
  });

  it("account.updatePreferences changes only the caller's own preferences, and needs a session in a member account", async () => {
    const outsiderCaller = await app.caller({ sessionId: outsider.sessionId });
    await outsiderCaller.account.updatePreferences({ timeZone: "Asia/Tokyo", hour12: true });
    const ownerCurrent = (await (await app.caller({ sessionId: owner.sessionId })).account.current()) as Current & { user: { timeZone: string } };
    assert.notEqual(ownerCurrent.user.timeZone, "Asia/Tokyo", "another user's preferences are untouched");

    assert.equal((await trpcOutcome(() => app.caller().then((c) => c.account.updatePreferences({ timeZone: "UTC", hour12: false })))).code, "UNAUTHORIZED");
    const forged = await app.sessionCookie(outsider.userId, { accountId: owner.accountId });
    const forgedCaller = await app.caller({ sessionId: forged.sessionId });
    assert.equal((await trpcOutcome(() => forgedCaller.account.updatePreferences({ timeZone: "UTC", hour12: false }))).code, "FORBIDDEN");
    assert.equal((await trpcOutcome(() => outsiderCaller.account.updatePreferences({ timeZone: "Mars/Olympus", hour12: false }))).code, "BAD_REQUEST");
  });

  it("a member who is removed from the account loses access at once, session or not", async () => {
    const id = uuidv7();
    await app.db.insert(users).values({ id, email: uniqueEmail("leaver"), name: "Leaver", passwordHash: "x" });
    await app.db.insert(memberships).values({ accountId: owner.accountId, userId: id, role: "editor" });
    const { sessionId } = await app.sessionCookie(id);
    const caller = await app.caller({ sessionId });
    assert.equal(((await caller.account.current()) as Current).role, "editor");

    await app.db.delete(memberships).where(and(eq(memberships.userId, id), eq(memberships.accountId, owner.accountId)));
    assert.equal((await trpcOutcome(() => caller.account.current())).code, "FORBIDDEN");
  });
});

describe("every tRPC procedure refuses what it must", () => {
  // Procedures with denial/validation tests in this file (report.*, reports.*, apiKey.*,
  // dashboard.* and dashboards.* in the describes below).
  const covered = [
    "account.current",
    "account.get",
    "account.updatePreferences",
    "auth.checkResetToken",
    "auth.confirmEmail",
    "auth.login",
    "auth.logout",
    "auth.register",
    "auth.requestPasswordReset",
    "auth.resendConfirmation",
    "auth.resetPassword",
    "report.ingest",
    "report.list",
    "report.instances",
    "report.instance",
    "report.delete",
    "report.deleteInstances",
    "report.deleteInstance",
    "reports.overview",
    "reports.view",
    "reports.days",
    "reports.tags",
    "reports.deleteInstance",
    "reports.deleteReport",
    "apiKey.list",
    "apiKey.create",
    "apiKey.revoke",
    "dashboard.list",
    "dashboard.get",
    "dashboard.create",
    "dashboard.replace",
    "dashboard.delete",
    "dashboard.tileData",
    "dashboards.list",
    "dashboards.get",
    "dashboards.create",
    "dashboards.rename",
    "dashboards.delete",
    "dashboards.reorder",
    "dashboards.updateSettings",
    "dashboards.updateLayout",
    "dashboards.createTile",
    "dashboards.updateTile",
    "dashboards.deleteTile",
    "dashboards.moveTile",
    "dashboards.tile",
    "dashboards.tileData",
    "dashboards.guessSeries",
    "dashboards.export",
    "dashboards.import",
  ];
  // alarm.* (public API) and alarms.* (web) have their denial tests for owner, member and
  // outsider in alarms-api.test.ts and alarms.test.ts, which also check they cover them all.
  // shares.* (web), share.* (visitors of a public link) and dashboard.createShare/revokeShare
  // (public API): owner, editor, viewer, outsider and anonymous in shares.test.ts, which also
  // checks it covers them all.
  // team.* and audit.* (Settings → Team and Activity, invitations, the account switcher): owner,
  // admin, editor, viewer, outsider and forged sessions in team.test.ts, which also checks it
  // covers them all; and every web procedure × role in roles.test.ts.
  const coveredElsewhere = (p: string) =>
    p.startsWith("alarm.") || p.startsWith("alarms.") || p.startsWith("shares.") || p.startsWith("share.") || p === "dashboard.createShare" || p === "dashboard.revokeShare" ||
    p.startsWith("team.") || p.startsWith("audit.") ||
    // profile.*, sessions.*, twoFactor.*, accountExport.* and accountDeletion.* (Settings → Profile
    // and Account): owner, member (viewer), outsider and anonymous in account-lifecycle.test.ts,
    // which also checks it covers them all.
    ["profile.", "sessions.", "twoFactor.", "accountExport.", "accountDeletion."].some((prefix) => p.startsWith(prefix)) ||
    // admin.* (/admin): anonymous (UNAUTHORIZED), non-admin (FORBIDDEN) and admin calls of each in
    // admin.test.ts, which also checks it covers them all; policy.* (public policies, the banner)
    // in policies.test.ts.
    p.startsWith("admin.") ||
    p.startsWith("policy.") ||
    // plan.* (pricing, Settings → Plan & usage, /admin/plans): anonymous, owner, viewer, outsider
    // and operator in plans.test.ts.
    p.startsWith("plan.") ||
    // invoice.* (Settings → Billing → Invoice data and Invoices): owner, admin, editor, viewer and
    // outsider in invoices.test.ts, which also checks it covers them all.
    p.startsWith("invoice.") ||
    // billing.* (Settings → Billing): owner, admin, editor, viewer, outsider and anonymous for each in
    // billing.test.ts, which also checks it covers them all.
    p.startsWith("billing.");

  it("the procedures tested here are all the procedures there are", () => {
    const procedures = Object.keys(appRouter._def.procedures).sort();
    const untested = procedures.filter((p) => !covered.includes(p) && !coveredElsewhere(p));
    assert.deepEqual(untested, [], `procedures without denial/validation tests here: ${untested.join(", ")}`);
  });

  it("auth.register refuses an invalid email, a short password and a taken email", async () => {
    const caller = await app.caller();
    const bad = await trpcOutcome(() => caller.auth.register({ name: "N", email: "nope", password: TEST_PASSWORD }));
    assert.equal(bad.code, "BAD_REQUEST");
    assert.match(bad.message, /Enter a valid email address/);
    const short = await trpcOutcome(() => caller.auth.register({ name: "N", email: uniqueEmail(), password: "short" }));
    assert.equal(short.code, "BAD_REQUEST");
    const taken = await trpcOutcome(() => caller.auth.register({ name: "N", email: owner.email, password: TEST_PASSWORD }));
    assert.equal(taken.code, "CONFLICT");
  });

  it("auth.login refuses empty fields and a wrong password", async () => {
    const caller = await app.caller();
    assert.equal((await trpcOutcome(() => caller.auth.login({ email: "", password: "" }))).code, "BAD_REQUEST");
    const wrong = await trpcOutcome(() => caller.auth.login({ email: owner.email, password: "not it at all" }));
    assert.deepEqual(wrong, { code: "UNAUTHORIZED", message: "Wrong email or password." });
  });

  it("auth.logout without a session does nothing and ends nobody else's session", async () => {
    const caller = await app.caller();
    assert.equal((await trpcOutcome(() => caller.auth.logout())).code, "OK");
    const still = await app.caller({ sessionId: owner.sessionId });
    assert.equal(((await still.account.current()) as Current).account.id, owner.accountId);
  });

  it("auth.requestPasswordReset refuses an invalid email", async () => {
    const caller = await app.caller();
    assert.equal((await trpcOutcome(() => caller.auth.requestPasswordReset({ email: "not an email" }))).code, "BAD_REQUEST");
  });

  it("auth.checkResetToken says a made-up token is unusable and refuses an overlong one", async () => {
    const caller = await app.caller();
    assert.deepEqual(await caller.auth.checkResetToken({ token: "made-up-token-123456" }), { usable: false });
    assert.equal((await trpcOutcome(() => caller.auth.checkResetToken({ token: "t".repeat(201) }))).code, "BAD_REQUEST");
  });

  it("auth.resetPassword refuses a malformed or unknown token and a short password", async () => {
    const caller = await app.caller();
    assert.equal((await trpcOutcome(() => caller.auth.resetPassword({ token: "short", password: TEST_PASSWORD }))).code, "BAD_REQUEST");
    assert.equal((await trpcOutcome(() => caller.auth.resetPassword({ token: "u".repeat(43), password: "short" }))).code, "BAD_REQUEST");
    const unknown = await trpcOutcome(() => caller.auth.resetPassword({ token: "u".repeat(43), password: TEST_PASSWORD }));
    assert.equal(unknown.code, "BAD_REQUEST");
    assert.match(unknown.message, /invalid, was already used, or has expired/);
  });

  it("auth.confirmEmail refuses a malformed or unknown token", async () => {
    const caller = await app.caller();
    assert.equal((await trpcOutcome(() => caller.auth.confirmEmail({ token: "short" }))).code, "BAD_REQUEST");
    assert.equal((await trpcOutcome(() => caller.auth.confirmEmail({ token: "c".repeat(43) }))).code, "BAD_REQUEST");
  });

  it("auth.resendConfirmation needs a session in an account the user belongs to", async () => {
    assert.equal((await trpcOutcome(async () => (await app.caller()).auth.resendConfirmation())).code, "UNAUTHORIZED");
    const forged = await app.sessionCookie(outsider.userId, { accountId: owner.accountId });
    const forgedCaller = await app.caller({ sessionId: forged.sessionId });
    assert.equal((await trpcOutcome(() => forgedCaller.auth.resendConfirmation())).code, "FORBIDDEN");

    const own = await app.caller({ sessionId: outsider.sessionId });
    assert.equal((await trpcOutcome(() => own.auth.resendConfirmation())).code, "OK");
    const mail = await app.waitForMail((m) => m.to === outsider.email);
    assert.match(mail.text, /\/confirm-email\?token=/);
  });

  it("a tRPC mutation over HTTP without a session is refused like in process", async () => {
    const reply = await app.trpc("mutation", "auth.resendConfirmation");
    assert.equal(reply.status, 401);
    assert.equal(reply.body.error?.data.code, "UNAUTHORIZED");
  });
});

describe("reports stay within their account (public API)", () => {
  let ownerKey: string;
  let outsiderKey: string;
  let instanceId: string;

  const call = async (method: string, path: string, key: string | null, body?: string) => {
    const res = await app.request(`/api/v1${path}`, {
      method,
      origin: null,
      headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body ? { "content-type": "application/json" } : {}) },
      body,
    });
    return { status: res.status, body: (await res.json()) as { success: boolean; result?: unknown; details?: { message: string; errorCode: string } } };
  };
  const instanceCount = async () => {
    const { body } = await call("GET", "/reports/diskfree/instances?limit=100", ownerKey);
    return (body.result as unknown[]).length;
  };

  before(async () => {
    ownerKey = (await createApiKey(app.db, { accountId: owner.accountId, name: "owner", scope: "full", createdBy: owner.userId })).key;
    outsiderKey = (await createApiKey(app.db, { accountId: outsider.accountId, name: "outsider", scope: "full", createdBy: outsider.userId })).key;
    const pushed = await call("POST", "/reports/diskfree?tags=host:web1", ownerKey, JSON.stringify({ used: 64, free: 36 }));
    assert.equal(pushed.status, 200, JSON.stringify(pushed.body));
    instanceId = (pushed.body.result as { id: string }).id;
    assert.equal((await call("POST", "/reports/diskfree", ownerKey, JSON.stringify({ used: 65, free: 35 }))).status, 200);
  });

  it("the outsider's key neither lists nor reads the owner's reports", async () => {
    const list = await call("GET", "/reports", outsiderKey);
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.result, []);
    const instances = await call("GET", "/reports/diskfree/instances", outsiderKey);
    assert.equal(instances.status, 404);
    assert.equal(instances.body.details?.message, "Report diskfree not found");
    assert.equal((await call("GET", `/reports/diskfree/instances/${instanceId}`, outsiderKey)).status, 404);
  });

  it("the outsider's key cannot delete the owner's report or instances", async () => {
    assert.equal((await call("DELETE", `/reports/diskfree/instances/${instanceId}`, outsiderKey)).status, 404);
    assert.equal((await call("DELETE", "/reports/diskfree/instances", outsiderKey)).status, 404);
    assert.equal((await call("DELETE", "/reports/diskfree", outsiderKey)).status, 404);
    assert.equal(await instanceCount(), 2, "the owner's instances are all still there");
  });

  it("the outsider pushing to a report of the same name gets a report of their own", async () => {
    const pushed = await call("POST", "/reports/diskfree", outsiderKey, JSON.stringify({ used: 1 }));
    assert.equal(pushed.status, 200);
    assert.equal(await instanceCount(), 2);
    const theirs = await call("GET", "/reports/diskfree/instances", outsiderKey);
    assert.equal((theirs.body.result as unknown[]).length, 1);
    const owners = await call("GET", `/reports/diskfree/instances/${(pushed.body.result as { id: string }).id}`, ownerKey);
    assert.equal(owners.status, 404, "and the owner cannot read the outsider's instance");
  });

  it("each call needs a key whose scope allows it", async () => {
    const key = async (scope: "ingest" | "read") =>
      (await createApiKey(app.db, { accountId: owner.accountId, name: scope, scope, createdBy: owner.userId })).key;
    const ingest = await key("ingest");
    const read = await key("read");
    assert.equal((await call("POST", "/reports/diskfree", null, "{}")).status, 401, "push without a key");
    assert.equal((await call("GET", "/reports", null)).status, 401, "list without a key");
    assert.equal((await call("GET", "/reports", ingest)).status, 403, "an ingest key may not list");
    assert.equal((await call("GET", "/reports/diskfree/instances", ingest)).status, 403, "an ingest key may not read");
    assert.equal((await call("GET", `/reports/diskfree/instances/${instanceId}`, ingest)).status, 403);
    assert.equal((await call("POST", "/reports/diskfree", read, JSON.stringify({ a: 1 }))).status, 403, "a read key may not push");
    for (const path of ["/reports/diskfree", "/reports/diskfree/instances", `/reports/diskfree/instances/${instanceId}`]) {
      const res = await call("DELETE", path, read);
      assert.equal(res.status, 403, `a read key may not DELETE ${path}`);
      assert.match(res.body.details!.message, /"full"/);
    }
    assert.equal(await instanceCount(), 2);
  });

  it("report procedures validate their input", async () => {
    assert.equal((await call("GET", "/reports?limit=0", ownerKey)).status, 400);
    assert.equal((await call("GET", "/reports/diskfree/instances?order=sideways", ownerKey)).status, 400);
    assert.equal((await call("GET", "/reports/diskfree/instances/not-an-id", ownerKey)).status, 400);
    assert.equal((await call("DELETE", "/reports/diskfree/instances/not-an-id", ownerKey)).status, 400);
    assert.equal((await call("POST", "/reports/diskfree", ownerKey, "   ")).status, 422, "empty report data");
  });
});

describe("reports stay within their account (web app)", () => {
  before(async () => {
    const { key } = await createApiKey(app.db, { accountId: owner.accountId, name: "web", scope: "ingest", createdBy: owner.userId });
    const res = await app.request("/api/v1/reports/owner-secret", {
      method: "POST",
      origin: null,
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ secret: 42 }),
    });
    assert.equal(res.status, 200);
  });

  it("the overview lists the session's account's reports only", async () => {
    const names = async (actor: Actor) => (await (await app.caller({ sessionId: actor.sessionId })).reports.overview()).map((r) => r.name);
    assert.ok((await names(owner)).includes("owner-secret"));
    assert.deepEqual(await names(member), await names(owner), "a member sees the account's reports");
    assert.ok(!(await names(outsider)).includes("owner-secret"));
    assert.equal((await trpcOutcome(async () => (await app.caller()).reports.overview())).code, "UNAUTHORIZED");
  });

  it("another account's report can be neither viewed nor browsed nor deleted", async () => {
    const caller = await app.caller({ sessionId: outsider.sessionId });
    assert.equal((await trpcOutcome(() => caller.reports.view({ name: "owner-secret" }))).code, "NOT_FOUND");
    assert.equal((await trpcOutcome(() => caller.reports.days({ name: "owner-secret", month: "2026-11" }))).code, "NOT_FOUND");
    assert.equal((await trpcOutcome(() => caller.reports.tags({ name: "owner-secret" }))).code, "NOT_FOUND");
    assert.equal((await trpcOutcome(() => caller.reports.deleteReport({ name: "owner-secret" }))).code, "NOT_FOUND");
    assert.equal((await trpcOutcome(() => caller.reports.deleteInstance({ name: "owner-secret", id: "0".repeat(32) }))).code, "NOT_FOUND");
    const ownerView = await (await app.caller({ sessionId: owner.sessionId })).reports.view({ name: "owner-secret" });
    assert.equal(ownerView.report.instanceCount, 1, "the owner's report is untouched");
  });

  it("a viewer may look at the account's reports but not delete them", async () => {
    const caller = await app.caller({ sessionId: member.sessionId });
    assert.equal((await caller.reports.view({ name: "owner-secret" })).report.name, "owner-secret");
    assert.equal((await trpcOutcome(() => caller.reports.deleteReport({ name: "owner-secret" }))).code, "FORBIDDEN");
    assert.equal((await trpcOutcome(() => caller.reports.deleteInstance({ name: "owner-secret", id: "0".repeat(32) }))).code, "FORBIDDEN");
  });

  it("browsing procedures validate their input", async () => {
    const caller = await app.caller({ sessionId: owner.sessionId });
    assert.equal((await trpcOutcome(() => caller.reports.days({ name: "owner-secret", month: "11/2026" }))).code, "BAD_REQUEST");
    assert.equal((await trpcOutcome(() => caller.reports.view({ name: "" }))).code, "BAD_REQUEST");
    assert.equal((await trpcOutcome(() => caller.reports.tags({ name: "x".repeat(201) }))).code, "BAD_REQUEST");
  });
});

describe("API keys are managed within the account, by admins and owners (editors see them)", () => {
  it("a viewer can neither list, create nor revoke the account's keys", async () => {
    const caller = await app.caller({ sessionId: member.sessionId });
    assert.equal((await trpcOutcome(() => caller.apiKey.list())).code, "FORBIDDEN");
    assert.equal((await trpcOutcome(() => caller.apiKey.create({ name: "sneaky", scope: "full" }))).code, "FORBIDDEN");
    assert.equal((await trpcOutcome(() => caller.apiKey.revoke({ id: uuidv7() }))).code, "FORBIDDEN");
    assert.equal((await trpcOutcome(async () => (await app.caller()).apiKey.list())).code, "UNAUTHORIZED");
  });

  it("an admin manages the account's keys, an editor only sees them, and the list shows only this account's keys", async () => {
    const member = async (role: "admin" | "editor") => {
      const id = uuidv7();
      await app.db.insert(users).values({ id, email: uniqueEmail(role), name: role, passwordHash: "x" });
      await app.db.insert(memberships).values({ accountId: owner.accountId, userId: id, role });
      return app.caller({ sessionId: (await app.sessionCookie(id)).sessionId });
    };
    const admin = await member("admin");
    const editor = await member("editor");
    const created = await admin.apiKey.create({ name: "by admin", scope: "read" });
    assert.equal((await trpcOutcome(() => editor.apiKey.create({ name: "by editor", scope: "read" }))).code, "FORBIDDEN");
    assert.equal((await trpcOutcome(() => editor.apiKey.revoke({ id: created.apiKey.id }))).code, "FORBIDDEN");
    const outsiderCaller = await app.caller({ sessionId: outsider.sessionId });
    const outsiderKey = await outsiderCaller.apiKey.create({ name: "outsider's own", scope: "read" });

    const listed = await editor.apiKey.list();
    assert.ok(listed.some((k) => k.id === created.apiKey.id));
    assert.ok(!listed.some((k) => k.id === outsiderKey.apiKey.id), "another account's key is not listed");
    assert.ok(!(await outsiderCaller.apiKey.list()).some((k) => k.id === created.apiKey.id));
  });

  it("the outsider cannot revoke the owner's key, which keeps working", async () => {
    const ownerCaller = await app.caller({ sessionId: owner.sessionId });
    const { key, apiKey } = await ownerCaller.apiKey.create({ name: "precious", scope: "read" });
    const outsiderCaller = await app.caller({ sessionId: outsider.sessionId });
    assert.equal((await trpcOutcome(() => outsiderCaller.apiKey.revoke({ id: apiKey.id }))).code, "NOT_FOUND");
    const res = await app.request("/api/v1/account", { headers: { authorization: `Bearer ${key}` }, origin: null });
    assert.equal(res.status, 200);

    await ownerCaller.apiKey.revoke({ id: apiKey.id });
    const after = await app.request("/api/v1/account", { headers: { authorization: `Bearer ${key}` }, origin: null });
    assert.equal(after.status, 401, "the owner can revoke it");
  });

  it("key management validates its input", async () => {
    const caller = await app.caller({ sessionId: owner.sessionId });
    assert.equal((await trpcOutcome(() => caller.apiKey.create({ name: " ", scope: "read" }))).code, "BAD_REQUEST");
    assert.equal((await trpcOutcome(() => caller.apiKey.create({ name: "x", scope: "root" as "read" }))).code, "BAD_REQUEST");
    assert.equal((await trpcOutcome(() => caller.apiKey.revoke({ id: "not-a-uuid" }))).code, "BAD_REQUEST");
  });
});

describe("dashboards stay within their account (web app)", () => {
  type Caller = Awaited<ReturnType<TestApp["caller"]>>;
  let dashboardId: string;
  let tileId: string;
  const series = [{ column: 4, filterColumn: 5, op: "equals" as const, value: "/home" }];
  const config = { report: "owner-df", kind: "range", draw: "line", series };

  before(async () => {
    const { key } = await createApiKey(app.db, { accountId: owner.accountId, name: "dash", scope: "ingest", createdBy: owner.userId });
    const res = await app.request("/api/v1/reports/owner-df", {
      method: "POST",
      origin: null,
      headers: { authorization: `Bearer ${key}`, "content-type": "text/plain" },
      body: "Filesystem Size Used Avail Use% Mounted\n/dev/sda1 20G 12G 8G 61% /\n/dev/sda3 90G 80G 10G 91% /home\n",
    });
    assert.equal(res.status, 200);
    const caller = await app.caller({ sessionId: owner.sessionId });
    dashboardId = (await caller.dashboards.create({ name: "Owner board" })).id;
    tileId = (await caller.dashboards.createTile({ dashboardId, config })).id;
  });

  /** Every dashboards.* procedure, aimed at the owner's dashboard, tile and report. */
  const calls = (c: Caller): Record<string, () => Promise<unknown>> => ({
    "dashboards.get": () => c.dashboards.get({ id: dashboardId }),
    "dashboards.rename": () => c.dashboards.rename({ id: dashboardId, name: "Taken" }),
    "dashboards.delete": () => c.dashboards.delete({ id: dashboardId }),
    "dashboards.updateSettings": () => c.dashboards.updateSettings({ id: dashboardId, settings: { syncXAxes: true } }),
    "dashboards.updateLayout": () => c.dashboards.updateLayout({ id: dashboardId, baseVersion: 0, changes: [{ id: tileId, layout: { x: 8, y: 0, w: 4, h: 4 } }] }),
    "dashboards.createTile": () => c.dashboards.createTile({ dashboardId, config }),
    "dashboards.updateTile": () => c.dashboards.updateTile({ tileId, config: { ...config, title: "Taken" } }),
    "dashboards.deleteTile": () => c.dashboards.deleteTile({ tileId }),
    "dashboards.moveTile": () => c.dashboards.moveTile({ tileId, dashboardId }),
    "dashboards.tile": () => c.dashboards.tile({ tileId }),
    "dashboards.tileData": () => c.dashboards.tileData({ tileId }),
    "dashboards.guessSeries": () => c.dashboards.guessSeries({ report: "owner-df", row: 2, column: 4 }),
    "dashboards.export": () => c.dashboards.export({ id: dashboardId }),
  });
  const ownerState = async () => {
    const caller = await app.caller({ sessionId: owner.sessionId });
    return [await caller.dashboards.list(), await caller.dashboards.get({ id: dashboardId })];
  };

  it("the outsider gets NOT_FOUND for the owner's dashboard, tile and report, whatever it asks, and nothing changes", async () => {
    const before = await ownerState();
    const caller = await app.caller({ sessionId: outsider.sessionId });
    for (const [name, call] of Object.entries(calls(caller))) {
      const outcome = await trpcOutcome(call);
      assert.equal(outcome.code, "NOT_FOUND", `${name}: ${outcome.message}`);
      assert.doesNotMatch(outcome.message, /Owner board|Olga|\/home/, name);
    }
    assert.deepEqual(await ownerState(), before);
  });

  it("the outsider's list, create, import and reorder stay within its own account", async () => {
    const before = await ownerState();
    const caller = await app.caller({ sessionId: outsider.sessionId });
    const own = await caller.dashboards.create({ name: "Outsider board" });
    await caller.dashboards.import({ model: { name: "Outsider import", tiles: [] } });
    const list = await caller.dashboards.list();
    assert.ok(list.every((d) => d.id !== dashboardId));
    assert.ok(list.some((d) => d.id === own.id));
    const ownerIds = (before[0] as { id: string }[]).map((d) => d.id);
    assert.equal((await trpcOutcome(() => caller.dashboards.reorder({ ids: ownerIds }))).code, "BAD_REQUEST");
    assert.equal((await trpcOutcome(() => caller.dashboards.reorder({ ids: [...list.map((d) => d.id), dashboardId] }))).code, "BAD_REQUEST");
    // Its tiles refer to its own reports: the owner's does not exist for it.
    assert.equal((await trpcOutcome(() => caller.dashboards.import({ model: { name: "X", tiles: [{ ...config, kind: "range", draw: "line" }] } }))).code, "BAD_REQUEST", "the owner's report does not exist for it");
    assert.deepEqual(await ownerState(), before);
  });

  it("a viewer reads the account's dashboards but every change is FORBIDDEN", async () => {
    const before = await ownerState();
    const caller = await app.caller({ sessionId: member.sessionId });
    const reads = new Set(["dashboards.get", "dashboards.tile", "dashboards.tileData", "dashboards.guessSeries", "dashboards.export"]);
    assert.ok((await caller.dashboards.list()).some((d) => d.id === dashboardId));
    for (const [name, call] of Object.entries(calls(caller))) {
      const outcome = await trpcOutcome(call);
      assert.equal(outcome.code, reads.has(name) ? "OK" : "FORBIDDEN", `${name}: ${outcome.message}`);
    }
    for (const call of [() => caller.dashboards.create({ name: "V" }), () => caller.dashboards.import({ model: { name: "V", tiles: [] } }), () => caller.dashboards.reorder({ ids: [dashboardId] })]) {
      assert.equal((await trpcOutcome(call)).code, "FORBIDDEN");
    }
    assert.deepEqual(await ownerState(), before);
  });

  it("without a session, or with a session in an account the user left, every dashboards procedure is refused", async () => {
    const anonymous = await app.caller();
    const forged = await app.caller({ sessionId: (await app.sessionCookie(outsider.userId, { accountId: owner.accountId })).sessionId });
    for (const [name, call] of Object.entries({ ...calls(anonymous), list: () => anonymous.dashboards.list(), create: () => anonymous.dashboards.create({ name: "A" }) })) {
      assert.equal((await trpcOutcome(call)).code, "UNAUTHORIZED", name);
    }
    for (const [name, call] of Object.entries({ ...calls(forged), list: () => forged.dashboards.list(), import: () => forged.dashboards.import({ model: { name: "F", tiles: [] } }) })) {
      assert.equal((await trpcOutcome(call)).code, "FORBIDDEN", name);
    }
  });

  it("dashboards procedures validate their input", async () => {
    const caller = await app.caller({ sessionId: owner.sessionId });
    const bad: [string, () => Promise<unknown>][] = [
      ["malformed dashboard id", () => caller.dashboards.get({ id: "not-an-id" })],
      ["malformed tile id", () => caller.dashboards.tileData({ tileId: "not-an-id" })],
      ["blank name", () => caller.dashboards.create({ name: " " })],
      ["x + w > 12", () => caller.dashboards.updateLayout({ id: dashboardId, baseVersion: 0, changes: [{ id: tileId, layout: { x: 10, y: 0, w: 4, h: 4 } }] })],
      ["draw not allowed", () => caller.dashboards.createTile({ dashboardId, config: { ...config, draw: "bar" } })],
      ["column out of range", () => caller.dashboards.createTile({ dashboardId, config: { ...config, series: [{ ...series[0]!, column: 6 }] } })],
      ["unknown report", () => caller.dashboards.updateTile({ tileId, config: { ...config, report: "nope" } })],
      ["header cell", () => caller.dashboards.guessSeries({ report: "owner-df", row: 0, column: 4 })],
      ["negative row", () => caller.dashboards.guessSeries({ report: "owner-df", row: -1, column: 4 })],
      ["bad settings", () => caller.dashboards.updateSettings({ id: dashboardId, settings: { removeStaleAfterSeconds: 1 } })],
      ["empty order", () => caller.dashboards.reorder({ ids: [] })],
      ["bad time", () => caller.dashboards.tileData({ tileId, after: -5 })],
      ["invalid model", () => caller.dashboards.import({ model: { name: "", tiles: [] } })],
      ["moving to a malformed dashboard", () => caller.dashboards.moveTile({ tileId, dashboardId: "x" })],
      ["deleting a malformed tile", () => caller.dashboards.deleteTile({ tileId: "x" })],
      ["renaming a malformed dashboard", () => caller.dashboards.rename({ id: "x", name: "Y" })],
      ["deleting a malformed dashboard", () => caller.dashboards.delete({ id: "x" })],
      ["exporting a malformed dashboard", () => caller.dashboards.export({ id: "x" })],
      ["reading a malformed tile", () => caller.dashboards.tile({ tileId: "x" })],
    ];
    for (const [what, call] of bad) assert.equal((await trpcOutcome(call)).code, "BAD_REQUEST", what);
  });
});

describe("dashboards stay within their account (public API)", () => {
  let ownerKey: string;
  let readKey: string;
  let ingestKey: string;
  let outsiderKey: string;
  let dashboardId: string;
  let tileId: string;
  const model = { name: "Owner code", tiles: [{ report: "owner-code", kind: "latest", draw: "bar", series: [{ column: 1, filterColumn: -1, op: "equals", value: "0" }] }] };

  const call = async (method: string, path: string, key: string | null, body?: unknown) => {
    // On PGlite the in-process calls before never yield to the event loop: one turn lets the
    // server close the kept-alive connection whose timer is overdue before a request is sent on it.
    await new Promise((resolve) => setTimeout(resolve, 0));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const res = await app.request(`/api/v1${path}`, {
      method,
      origin: null,
      headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body ? { "content-type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: (await res.json()) as { success: boolean; result?: unknown; details?: { message: string; errorCode: string } } };
  };
  const ownerView = async () => (await call("GET", `/dashboards/${dashboardId}`, ownerKey)).body.result;

  before(async () => {
    const key = async (accountId: string, scope: "ingest" | "read" | "full") => (await createApiKey(app.db, { accountId, name: scope, scope, createdBy: null })).key;
    ownerKey = await key(owner.accountId, "full");
    readKey = await key(owner.accountId, "read");
    ingestKey = await key(owner.accountId, "ingest");
    outsiderKey = await key(outsider.accountId, "full");
    assert.equal((await call("POST", "/reports/owner-code", ownerKey, { secret: 42, other: 1 })).status, 200);
    const created = await call("POST", "/dashboards", ownerKey, model);
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const result = created.body.result as { id: string; tiles: { id: string }[] };
    dashboardId = result.id;
    tileId = result.tiles[0]!.id;
  });

  it("the outsider's key neither lists, reads, replaces nor deletes the owner's dashboards", async () => {
    const before = await ownerView();
    const list = await call("GET", "/dashboards", outsiderKey);
    assert.equal(list.status, 200);
    assert.doesNotMatch(JSON.stringify(list.body), /Owner code/);
    assert.equal((await call("GET", `/dashboards/${dashboardId}`, outsiderKey)).status, 404);
    assert.equal((await call("GET", `/dashboards/${dashboardId}/tiles/${tileId}/data`, outsiderKey)).status, 404);
    assert.equal((await call("PUT", `/dashboards/${dashboardId}`, outsiderKey, { name: "Taken", tiles: [] })).status, 404);
    assert.equal((await call("DELETE", `/dashboards/${dashboardId}`, outsiderKey)).status, 404);
    const imported = await call("POST", "/dashboards", outsiderKey, model);
    assert.equal(imported.status, 400, "the owner's report does not exist for the outsider");
    assert.match(imported.body.details!.message, /Tile 1: report owner-code does not exist/);
    assert.deepEqual(await ownerView(), before);
  });

  it("each call needs a key whose scope allows it", async () => {
    const before = await ownerView();
    for (const [method, path] of [
      ["GET", "/dashboards"],
      ["GET", `/dashboards/${dashboardId}`],
      ["GET", `/dashboards/${dashboardId}/tiles/${tileId}/data`],
      ["POST", "/dashboards"],
      ["PUT", `/dashboards/${dashboardId}`],
      ["DELETE", `/dashboards/${dashboardId}`],
    ] as const) {
      const body = method === "POST" || method === "PUT" ? { name: "Scoped", tiles: [] } : undefined;
      assert.equal((await call(method, path, null, body)).status, 401, `${method} ${path} without a key`);
      assert.equal((await call(method, path, ingestKey, body)).status, 403, `${method} ${path} with an ingest key`);
      if (method !== "GET") {
        const res = await call(method, path, readKey, body);
        assert.equal(res.status, 403, `${method} ${path} with a read key`);
        assert.match(res.body.details!.message, /"full"/);
      } else assert.equal((await call(method, path, readKey)).status, 200, `${method} ${path} with a read key`);
    }
    assert.deepEqual(await ownerView(), before);
  });

  it("dashboard procedures validate their input", async () => {
    assert.equal((await call("GET", "/dashboards/not-an-id", ownerKey)).status, 400);
    assert.equal((await call("DELETE", "/dashboards/not-an-id", ownerKey)).status, 400);
    assert.equal((await call("PUT", "/dashboards/not-an-id", ownerKey, { name: "X", tiles: [] })).status, 400);
    assert.equal((await call("GET", `/dashboards/${dashboardId}/tiles/not-an-id/data`, ownerKey)).status, 400);
    assert.equal((await call("GET", `/dashboards/${dashboardId}/tiles/${tileId}/data?from=soon`, ownerKey)).status, 400);
    const layout = await call("POST", "/dashboards", ownerKey, { ...model, tiles: [{ ...model.tiles[0], layout: { x: 11, y: 0, w: 2, h: 1 } }] });
    assert.equal(layout.status, 400);
    assert.equal(layout.body.details!.message, "Tile 1: layout: x + w must be at most 12");
    const column = await call("PUT", `/dashboards/${dashboardId}`, ownerKey, { ...model, tiles: [{ ...model.tiles[0], series: [{ column: 7, filterColumn: -1, op: "equals", value: "0" }] }] });
    assert.equal(column.status, 400);
    assert.match(column.body.details!.message, /^Tile 1: series 1 column 7 is out of range/);
  });
});
