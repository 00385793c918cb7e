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
  // Procedures with denial/validation tests in this file (report.*, reports.* and apiKey.* in
  // the describes below).
  const covered = [
    "account.current",
    "account.get",
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
  ];

  it("the procedures tested here are all the procedures there are", () => {
    const procedures = Object.keys(appRouter._def.procedures).sort();
    const untested = procedures.filter((p) => !covered.includes(p));
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

describe("API keys are managed within the account, by editors and above", () => {
  it("a viewer can neither list, create nor revoke the account's keys", async () => {
    const caller = await app.caller({ sessionId: member.sessionId });
    assert.equal((await trpcOutcome(() => caller.apiKey.list())).code, "FORBIDDEN");
    assert.equal((await trpcOutcome(() => caller.apiKey.create({ name: "sneaky", scope: "full" }))).code, "FORBIDDEN");
    assert.equal((await trpcOutcome(() => caller.apiKey.revoke({ id: uuidv7() }))).code, "FORBIDDEN");
    assert.equal((await trpcOutcome(async () => (await app.caller()).apiKey.list())).code, "UNAUTHORIZED");
  });

  it("an editor manages the account's keys, and the list shows only this account's keys", async () => {
    const id = uuidv7();
    await app.db.insert(users).values({ id, email: uniqueEmail("editor"), name: "Editor", passwordHash: "x" });
    await app.db.insert(memberships).values({ accountId: owner.accountId, userId: id, role: "editor" });
    const editor = await app.caller({ sessionId: (await app.sessionCookie(id)).sessionId });
    const created = await editor.apiKey.create({ name: "by editor", scope: "read" });
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
