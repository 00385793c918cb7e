/**
 * The account's lifecycle (issue 6): Settings → Profile (email change, password change, sessions),
 * two-factor login, export, and deleting an account (schedule → notice → cancel; the purge).
 */
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { getTableConfig, PgTable } from "drizzle-orm/pg-core";
import { and, eq, is, sql } from "drizzle-orm";
import { Secret, TOTP } from "otpauth";
import { queryRows } from "../../db/client";
import * as schema from "../../db/schema";
import {
  accounts,
  alarmEvaluations,
  alarmHistory,
  alarms,
  alarmStatesTable,
  apiKeyUsage,
  auditLog,
  dashboardShares,
  emailConfirmations,
  invitations,
  memberships,
  notifications,
  rateLimits,
  recoveryCodes,
  reportInstances,
  reports,
  sessions,
  tiles,
  twoFactorChallenges,
  users,
} from "../../db/schema";
import { exportAccount } from "../../server/account/export";
import { accountPurgeTask, purgeDueAccounts, tenantTables } from "../../server/account/purge";
import { recordAudit } from "../../server/audit/service";
import { sessionPublicId } from "../../server/profile/service";
import { sha256, uuidv7 } from "../../server/tokens";
import { startTwoFactorChallenge } from "../../server/two-factor/service";
import { appRouter } from "../../server/trpc/root";
import { type Mail, sessionCookieOf, startTestApp, type TestApp, trpcOutcome, uniqueEmail } from "../helpers/app";
import { accountMember, type Actor, newKey, pushOk } from "../helpers/reports";

let app: TestApp;
before(async () => {
  app = await startTestApp();
});
after(() => app?.stop());
// Wrong passwords and codes count against per-IP limits: keep each test independent of the others.
beforeEach(() => app.db.delete(rateLimits));

/** Every procedure of the routers this file covers; the guard at the end checks it is all of them. */
const PREFIXES = ["profile.", "sessions.", "twoFactor.", "accountExport.", "accountDeletion."];
const exercised = new Set<string>();
const note = (...names: string[]) => names.forEach((n) => exercised.add(n));

const CHROME_LINUX = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";
const SAFARI_IPHONE =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
const DAY = 24 * 60 * 60 * 1000;

const callerOf = (sessionId: string) => app.caller({ sessionId });

/** A user with an account of their own, a password and a session. */
async function newOwner(name = "Olga Owner") {
  const user = await app.createUser({ name });
  const session = await app.sessionCookie(user.userId);
  return { ...user, ...session };
}

/** Logs in over HTTP (tRPC), as a browser with `userAgent` would. */
async function loginOverHttp(email: string, password: string, userAgent = CHROME_LINUX) {
  const res = await app.request("/trpc/auth.login", {
    method: "POST",
    headers: { "content-type": "application/json", "user-agent": userAgent },
    body: JSON.stringify({ email, password }),
  });
  const body = (await res.json()) as { result?: { data: { sessionId?: string; twoFactorChallenge?: string } }; error?: { message: string } };
  return { status: res.status, data: body.result?.data, error: body.error };
}

const linkIn = (mail: Mail, path: string) => {
  const match = new RegExp(`https?://[^\\s"<>\\]]+${path}\\?token=[A-Za-z0-9_-]+`).exec(mail.text);
  assert.ok(match, `no ${path} link in: ${mail.text}`);
  return new URL(match[0]);
};

const userRow = async (userId: string) => (await app.db.select().from(users).where(eq(users.id, userId)))[0];

describe("changing the email", () => {
  it("sends the link to the new address; the old address stays until it is opened; the link works once", async () => {
    const owner = await newOwner("Erik Email");
    const caller = await callerOf(owner.sessionId);
    const newEmail = uniqueEmail("new");
    const pending = await caller.profile.requestEmailChange({ newEmail, password: owner.password });
    note("profile.requestEmailChange", "profile.get", "profile.confirmEmailChange");
    assert.equal(pending.pendingEmail, newEmail);
    assert.ok(Math.abs(pending.expiresAt.getTime() - (Date.now() + DAY)) < 60_000, "the link is valid 24 hours");

    const mail = await app.waitForMail((m) => m.to === newEmail);
    assert.equal(mail.subject, "Confirm your new email address for Tablewatch");
    assert.match(mail.text, new RegExp(owner.email.replace(/[.+]/g, "\\$&")), "the mail names the old address");
    assert.equal((await app.mail()).filter((m) => m.to === owner.email && /new email/.test(m.subject)).length, 0, "nothing goes to the old address");

    assert.equal((await userRow(owner.userId))!.email, owner.email, "the old address stays until the link is opened");
    assert.deepEqual((await caller.profile.get()).pendingEmail?.email, newEmail);
    assert.equal((await loginOverHttp(owner.email, owner.password)).status, 200, "login with the old address still works");

    const link = linkIn(mail, "/confirm-new-email");
    const page = await app.request(link.pathname + link.search);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /Email changed/);
    const user = await userRow(owner.userId);
    assert.equal(user!.email, newEmail);
    assert.ok(user!.emailConfirmedAt, "the new address is confirmed by the link");
    assert.equal((await caller.profile.get()).pendingEmail, null);
    assert.equal((await loginOverHttp(newEmail, owner.password)).status, 200, "login with the new address works");
    assert.equal((await loginOverHttp(owner.email, owner.password)).status, 401, "the old address no longer logs in");

    const again = await app.request(link.pathname + link.search);
    assert.match(await again.text(), /Your email was not changed/);
    assert.equal((await trpcOutcome(() => caller.profile.confirmEmailChange({ token: link.searchParams.get("token")! }))).code, "BAD_REQUEST");
  });

  it("needs the current password, a different address, and one no other login uses", async () => {
    const owner = await newOwner();
    const other = await app.createUser();
    const caller = await callerOf(owner.sessionId);
    const wrong = await trpcOutcome(() => caller.profile.requestEmailChange({ newEmail: uniqueEmail(), password: "not my password" }));
    assert.deepEqual(wrong, { code: "BAD_REQUEST", message: "Your current password is not correct." });
    assert.equal((await trpcOutcome(() => caller.profile.requestEmailChange({ newEmail: other.email.toUpperCase(), password: owner.password }))).code, "CONFLICT");
    assert.equal((await trpcOutcome(() => caller.profile.requestEmailChange({ newEmail: owner.email, password: owner.password }))).code, "BAD_REQUEST");
    assert.equal((await trpcOutcome(() => caller.profile.requestEmailChange({ newEmail: "not an email", password: owner.password }))).code, "BAD_REQUEST");
    assert.equal((await userRow(owner.userId))!.email, owner.email);
  });

  it("refuses an expired link, and a link whose address another login took meanwhile", async () => {
    const owner = await newOwner();
    const caller = await callerOf(owner.sessionId);
    const expiring = uniqueEmail("expiring");
    await caller.profile.requestEmailChange({ newEmail: expiring, password: owner.password });
    const expiredLink = linkIn(await app.waitForMail((m) => m.to === expiring), "/confirm-new-email");
    await app.db.update(emailConfirmations).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(emailConfirmations.email, expiring));
    const expired = await trpcOutcome(() => caller.profile.confirmEmailChange({ token: expiredLink.searchParams.get("token")! }));
    assert.equal(expired.code, "BAD_REQUEST");
    assert.match(expired.message, /expired/);

    const wanted = uniqueEmail("wanted");
    await caller.profile.requestEmailChange({ newEmail: wanted, password: owner.password });
    const link = linkIn(await app.waitForMail((m) => m.to === wanted), "/confirm-new-email");
    await app.createUser({ email: wanted });
    const taken = await trpcOutcome(() => caller.profile.confirmEmailChange({ token: link.searchParams.get("token")! }));
    assert.equal(taken.code, "CONFLICT");
    assert.match(taken.message, /now used by another Tablewatch login/);
    const page = await app.request(link.pathname + link.search);
    assert.match(await page.text(), /now used by another Tablewatch login/, "the page says so clearly");
    assert.equal((await userRow(owner.userId))!.email, owner.email);
  });

  it("a newer request or a cancel kills the older link; the link never works as an address confirmation", async () => {
    const owner = await newOwner();
    const caller = await callerOf(owner.sessionId);
    const first = uniqueEmail("first");
    await caller.profile.requestEmailChange({ newEmail: first, password: owner.password });
    const firstLink = linkIn(await app.waitForMail((m) => m.to === first), "/confirm-new-email");
    assert.equal((await trpcOutcome(() => caller.auth.confirmEmail({ token: firstLink.searchParams.get("token")! }))).code, "BAD_REQUEST");
    const second = uniqueEmail("second");
    await caller.profile.requestEmailChange({ newEmail: second, password: owner.password });
    assert.equal((await trpcOutcome(() => caller.profile.confirmEmailChange({ token: firstLink.searchParams.get("token")! }))).code, "BAD_REQUEST");
    const secondLink = linkIn(await app.waitForMail((m) => m.to === second), "/confirm-new-email");
    await caller.profile.cancelEmailChange();
    note("profile.cancelEmailChange");
    assert.equal((await caller.profile.get()).pendingEmail, null);
    assert.equal((await trpcOutcome(() => caller.profile.confirmEmailChange({ token: secondLink.searchParams.get("token")! }))).code, "BAD_REQUEST");
    assert.equal((await userRow(owner.userId))!.email, owner.email);
  });
});

describe("changing the password", () => {
  it("ends every other session (their next call is UNAUTHORIZED) and keeps the current one", async () => {
    const owner = await newOwner("Paula Password");
    const other1 = await app.sessionCookie(owner.userId);
    const other2 = await app.sessionCookie(owner.userId);
    const outsider = await newOwner("Outsider");
    const caller = await callerOf(owner.sessionId);
    const result = await caller.profile.changePassword({ currentPassword: owner.password, newPassword: "a brand new secret" });
    note("profile.changePassword");
    assert.deepEqual(result, { endedSessions: 2 });
    for (const other of [other1, other2]) {
      assert.equal((await trpcOutcome(async () => (await callerOf(other.sessionId)).account.current())).code, "UNAUTHORIZED");
      assert.equal((await app.trpc("query", "account.current", undefined, other.cookie)).status, 401);
    }
    assert.equal((await app.trpc("query", "account.current", undefined, owner.cookie)).status, 200, "the current session stays");
    assert.equal((await app.trpc("query", "account.current", undefined, outsider.cookie)).status, 200, "other users' sessions stay");
    assert.equal((await loginOverHttp(owner.email, owner.password)).status, 401, "the old password no longer works");
    assert.equal((await loginOverHttp(owner.email, "a brand new secret")).status, 200);
  });

  it("needs the current password and a valid new one; nothing changes otherwise", async () => {
    const owner = await newOwner();
    const other = await app.sessionCookie(owner.userId);
    const caller = await callerOf(owner.sessionId);
    const wrong = await trpcOutcome(() => caller.profile.changePassword({ currentPassword: "wrong wrong", newPassword: "another secret" }));
    assert.deepEqual(wrong, { code: "BAD_REQUEST", message: "Your current password is not correct." });
    assert.equal((await trpcOutcome(() => caller.profile.changePassword({ currentPassword: owner.password, newPassword: "short" }))).code, "BAD_REQUEST");
    assert.equal((await app.trpc("query", "account.current", undefined, other.cookie)).status, 200, "no session was ended");
    assert.equal((await loginOverHttp(owner.email, owner.password)).status, 200);
  });

  it("the profile page changes it through its form", async () => {
    const owner = await newOwner();
    const res = await app.postForm("/settings/profile", { intent: "password", currentPassword: owner.password, newPassword: "form changed it", confirm: "form changed it" }, { cookie: owner.cookie });
    assert.equal(res.status, 200);
    assert.match(await res.text(), /Your password was changed/);
    assert.equal((await loginOverHttp(owner.email, "form changed it")).status, 200);
  });
});

describe("sessions", () => {
  it("lists the user's sessions with device and last seen, marks this device, and never shows session ids", async () => {
    const owner = await newOwner("Sam Sessions");
    const chrome = await loginOverHttp(owner.email, owner.password, CHROME_LINUX);
    const iphone = await loginOverHttp(owner.email, owner.password, SAFARI_IPHONE);
    const caller = await callerOf(chrome.data!.sessionId!);
    const list = await caller.sessions.list();
    note("sessions.list");
    assert.equal(list.length, 3);
    const mine = list.find((s) => s.current)!;
    assert.equal(mine.device, "Chrome on Linux");
    assert.equal(list[0]!.current, true, "this device comes first");
    assert.ok(list.some((s) => s.device === "Safari on iPhone"));
    assert.equal(mine.id, sessionPublicId(chrome.data!.sessionId!));
    const text = JSON.stringify(list);
    for (const id of [owner.sessionId, chrome.data!.sessionId!, iphone.data!.sessionId!]) assert.ok(!text.includes(id), "a session id is the cookie's secret");

    const page = await app.request("/settings/profile", { cookie: `tw_session=${chrome.data!.sessionId}` });
    const html = await page.text();
    assert.match(html, /Chrome on Linux/);
    assert.match(html, /Safari on iPhone/);
    assert.match(html, /This device/);
  });

  it("records last seen at most once a minute when the session is used", async () => {
    const owner = await newOwner();
    const stale = new Date(Date.now() - 5 * 60_000);
    await app.db.update(sessions).set({ lastSeenAt: stale }).where(eq(sessions.id, owner.sessionId));
    await app.trpc("query", "account.current", undefined, owner.cookie);
    const [seen] = await app.db.select().from(sessions).where(eq(sessions.id, owner.sessionId));
    assert.ok(seen!.lastSeenAt! > stale && Date.now() - seen!.lastSeenAt!.getTime() < 10_000, "updated when older than a minute");
    const recent = new Date(Date.now() - 20_000);
    await app.db.update(sessions).set({ lastSeenAt: recent }).where(eq(sessions.id, owner.sessionId));
    await app.trpc("query", "account.current", undefined, owner.cookie);
    const [again] = await app.db.select().from(sessions).where(eq(sessions.id, owner.sessionId));
    assert.equal(again!.lastSeenAt!.getTime(), recent.getTime(), "not written again within the minute");
  });

  it("ends one other session, or all others; never the current one, never another user's", async () => {
    const owner = await newOwner();
    const a = await app.sessionCookie(owner.userId);
    const b = await app.sessionCookie(owner.userId);
    const c = await app.sessionCookie(owner.userId);
    const outsider = await newOwner("Oscar Outsider");
    const caller = await callerOf(owner.sessionId);

    const outsiderCaller = await callerOf(outsider.sessionId);
    const stolen = await trpcOutcome(() => outsiderCaller.sessions.end({ id: sessionPublicId(a.sessionId) }));
    assert.equal(stolen.code, "NOT_FOUND", "the outsider cannot end the owner's session");
    assert.equal((await app.trpc("query", "account.current", undefined, a.cookie)).status, 200);

    await caller.sessions.end({ id: sessionPublicId(a.sessionId) });
    note("sessions.end");
    assert.equal((await app.trpc("query", "account.current", undefined, a.cookie)).status, 401);
    assert.equal((await trpcOutcome(() => caller.sessions.end({ id: sessionPublicId(a.sessionId) }))).code, "NOT_FOUND", "already ended");
    assert.equal((await trpcOutcome(() => caller.sessions.end({ id: sessionPublicId(owner.sessionId) }))).code, "BAD_REQUEST", "not the current one");
    assert.equal((await trpcOutcome(() => caller.sessions.end({ id: owner.sessionId }))).code, "BAD_REQUEST", "the raw id is no listed id");

    assert.deepEqual(await caller.sessions.endOthers(), { endedSessions: 2 });
    note("sessions.endOthers");
    for (const s of [b, c]) assert.equal((await app.trpc("query", "account.current", undefined, s.cookie)).status, 401);
    assert.equal((await app.trpc("query", "account.current", undefined, owner.cookie)).status, 200);
    assert.equal((await app.trpc("query", "account.current", undefined, outsider.cookie)).status, 200, "the outsider's session stays");
    assert.equal((await outsiderCaller.sessions.list()).length, 1);
  });

  it("without a session every profile, sessions and two-factor procedure is refused", async () => {
    const anonymous = await app.caller();
    const calls: [string, () => Promise<unknown>][] = [
      ["profile.get", () => anonymous.profile.get()],
      ["profile.requestEmailChange", () => anonymous.profile.requestEmailChange({ newEmail: uniqueEmail(), password: "x" })],
      ["profile.cancelEmailChange", () => anonymous.profile.cancelEmailChange()],
      ["profile.changePassword", () => anonymous.profile.changePassword({ currentPassword: "x", newPassword: "yyyyyyyy" })],
      ["sessions.list", () => anonymous.sessions.list()],
      ["sessions.end", () => anonymous.sessions.end({ id: "0".repeat(24) })],
      ["sessions.endOthers", () => anonymous.sessions.endOthers()],
      ["twoFactor.status", () => anonymous.twoFactor.status()],
      ["twoFactor.setup", () => anonymous.twoFactor.setup()],
      ["twoFactor.enable", () => anonymous.twoFactor.enable({ code: "123456" })],
      ["twoFactor.disable", () => anonymous.twoFactor.disable({ password: "x" })],
      ["twoFactor.regenerateRecoveryCodes", () => anonymous.twoFactor.regenerateRecoveryCodes({ password: "x" })],
      ["accountExport.summary", () => anonymous.accountExport.summary()],
      ["accountExport.archive", () => anonymous.accountExport.archive()],
      ["accountDeletion.status", () => anonymous.accountDeletion.status()],
      ["accountDeletion.schedule", () => anonymous.accountDeletion.schedule({ confirmName: "x" })],
      ["accountDeletion.cancel", () => anonymous.accountDeletion.cancel()],
    ];
    for (const [name, call] of calls) assert.equal((await trpcOutcome(call)).code, "UNAUTHORIZED", name);
  });
});

/** The code an authenticator app shows for `secret` at `timestamp`. */
const totpCode = (secret: string, timestamp = Date.now()) =>
  new TOTP({ secret: Secret.fromBase32(secret), algorithm: "SHA1", digits: 6, period: 30 }).generate({ timestamp });

/** Turns two-factor login on for a new user; their secret and recovery codes. */
async function userWithTwoFactor(name = "Tess Twofactor") {
  const owner = await newOwner(name);
  const caller = await callerOf(owner.sessionId);
  const { secret } = await caller.twoFactor.setup();
  const { recoveryCodes: codes } = await caller.twoFactor.enable({ code: totpCode(secret) });
  return { ...owner, caller, secret, codes };
}

describe("two-factor login", () => {
  it("setup shows a secret and a QR code; a wrong code is refused; the recovery codes are shown once and only their hashes kept", async () => {
    const owner = await newOwner("Tom Totp");
    const caller = await callerOf(owner.sessionId);
    assert.deepEqual(await caller.twoFactor.status(), { enabled: false, enabledAt: null, recoveryCodesLeft: 0 });
    const setup = await caller.twoFactor.setup();
    note("twoFactor.status", "twoFactor.setup", "twoFactor.enable");
    assert.match(setup.secret, /^[A-Z2-7]{32}$/, "160 bits, base32");
    assert.match(setup.qrCode, /^data:image\/svg\+xml;base64,/, "the QR code is drawn here, not by a third party");
    assert.match(Buffer.from(setup.qrCode.split(",")[1]!, "base64").toString(), /^<svg/);
    const url = new URL(setup.otpauthUrl);
    assert.equal(url.protocol, "otpauth:");
    assert.equal(url.searchParams.get("issuer"), "Tablewatch");
    assert.equal(url.searchParams.get("secret"), setup.secret);
    assert.equal((await caller.twoFactor.status()).enabled, false, "not on before a code confirms it");
    assert.ok((await loginOverHttp(owner.email, owner.password)).data?.sessionId, "until then the password alone logs in");

    const wrongCode = String((Number(totpCode(setup.secret)) + 500_000) % 1_000_000).padStart(6, "0");
    const wrong = await trpcOutcome(() => caller.twoFactor.enable({ code: wrongCode }));
    assert.equal(wrong.code, "BAD_REQUEST");
    assert.equal((await caller.twoFactor.status()).enabled, false);

    const { recoveryCodes: codes } = await caller.twoFactor.enable({ code: totpCode(setup.secret) });
    assert.equal(codes.length, 10);
    assert.equal(new Set(codes).size, 10);
    for (const code of codes) assert.match(code, /^[a-z2-9]{5}-[a-z2-9]{5}$/);
    const stored = await app.db.select().from(recoveryCodes).where(eq(recoveryCodes.userId, owner.userId));
    assert.equal(stored.length, 10);
    const dump = JSON.stringify(stored);
    for (const code of codes) {
      assert.ok(!dump.includes(code) && !dump.includes(code.replace("-", "")), "no recovery code is stored as it is");
    }
    for (const row of stored) assert.match(row.codeHash, /^[0-9a-f]{64}$/);
    const status = await caller.twoFactor.status();
    assert.equal(status.enabled, true);
    assert.equal(status.recoveryCodesLeft, 10);
    assert.ok(!JSON.stringify(status).includes(codes[0]!), "the codes are not shown again");
    assert.equal((await trpcOutcome(() => caller.twoFactor.setup())).code, "CONFLICT", "no new secret while it is on");
    const [audit] = await app.db.select().from(auditLog).where(and(eq(auditLog.accountId, owner.accountId), eq(auditLog.action, "user.two_factor_enabled")));
    assert.equal(audit?.ip, "127.0.0.1");
  });

  it("then the password alone makes no session: a code from the app completes the login", async () => {
    const user = await userWithTwoFactor();
    const before = (await app.db.select().from(sessions).where(eq(sessions.userId, user.userId))).length;
    const login = await loginOverHttp(user.email, user.password);
    assert.equal(login.status, 200);
    assert.equal(login.data?.sessionId, undefined, "no session for the password alone");
    assert.ok(login.data?.twoFactorChallenge);
    assert.equal((await app.db.select().from(sessions).where(eq(sessions.userId, user.userId))).length, before, "no session row either");
    const [challenge] = await app.db.select().from(twoFactorChallenges).where(eq(twoFactorChallenges.userId, user.userId));
    assert.equal(challenge!.tokenHash, sha256(login.data!.twoFactorChallenge!), "only the challenge's hash is kept");

    const anonymous = await app.caller();
    const code = totpCode(user.secret);
    const session = await anonymous.twoFactor.verifyLogin({ challenge: login.data!.twoFactorChallenge!, code });
    note("twoFactor.verifyLogin");
    assert.equal((await app.trpc("query", "account.current", undefined, `tw_session=${session.sessionId}`)).status, 200);
    assert.equal((await trpcOutcome(() => anonymous.twoFactor.verifyLogin({ challenge: login.data!.twoFactorChallenge!, code: totpCode(user.secret) }))).code, "UNAUTHORIZED", "a challenge works once");

    // The same code again, with a fresh challenge: a code seen over a shoulder cannot be replayed.
    const again = await loginOverHttp(user.email, user.password);
    const replay = await trpcOutcome(() => anonymous.twoFactor.verifyLogin({ challenge: again.data!.twoFactorChallenge!, code }));
    assert.equal(replay.code, "UNAUTHORIZED");
    // The next step's code (a clock up to 30 s ahead is allowed).
    assert.ok((await anonymous.twoFactor.verifyLogin({ challenge: again.data!.twoFactorChallenge!, code: totpCode(user.secret, Date.now() + 30_000) })).sessionId);
  });

  it("through the pages: the login form leads to the code form, and only the code sets the session cookie", async () => {
    const user = await userWithTwoFactor();
    const res = await app.postForm("/login", { email: user.email, password: user.password, redirectTo: "/reports" });
    assert.equal(res.status, 302);
    assert.equal(res.headers.get("location"), "/login/two-factor?redirectTo=%2Freports");
    assert.equal(sessionCookieOf(res), null, "no session cookie yet");
    const challengeCookie = res.headers.getSetCookie().find((c) => c.startsWith("tw_2fa="))!;
    assert.match(challengeCookie, /HttpOnly/i);
    const cookie = challengeCookie.split(";")[0]!;

    assert.equal((await app.request("/login/two-factor")).status, 302, "without the challenge: back to the login");
    const form = await app.request("/login/two-factor?redirectTo=%2Freports", { cookie });
    assert.equal(form.status, 200);
    assert.match(await form.text(), /Authentication code/);

    const wrong = await app.postForm("/login/two-factor", { code: "000000", redirectTo: "/reports" }, { cookie });
    assert.equal(wrong.status, 401);
    assert.match(await wrong.text(), /That code is not right/);
    const ok = await app.postForm("/login/two-factor", { code: totpCode(user.secret), redirectTo: "/reports" }, { cookie });
    assert.equal(ok.status, 302);
    assert.equal(ok.headers.get("location"), "/reports");
    const session = sessionCookieOf(ok);
    assert.ok(session);
    assert.ok(ok.headers.getSetCookie().some((c) => /^tw_2fa=;/.test(c)), "the challenge cookie is cleared");
    assert.equal((await app.trpc("query", "account.current", undefined, session)).status, 200);
  });

  it("a recovery code logs in once", async () => {
    const user = await userWithTwoFactor();
    const anonymous = await app.caller();
    const first = await loginOverHttp(user.email, user.password);
    const code = user.codes[3]!;
    assert.ok((await anonymous.twoFactor.verifyLogin({ challenge: first.data!.twoFactorChallenge!, code: ` ${code.toUpperCase()} ` })).sessionId);
    const [used] = await app.db.select().from(recoveryCodes).where(and(eq(recoveryCodes.userId, user.userId), sql`${recoveryCodes.usedAt} is not null`));
    assert.ok(used, "it is marked used");
    assert.equal((await user.caller.twoFactor.status()).recoveryCodesLeft, 9);
    const second = await loginOverHttp(user.email, user.password);
    const reused = await trpcOutcome(() => anonymous.twoFactor.verifyLogin({ challenge: second.data!.twoFactorChallenge!, code }));
    assert.equal(reused.code, "UNAUTHORIZED");
    assert.ok((await anonymous.twoFactor.verifyLogin({ challenge: second.data!.twoFactorChallenge!, code: user.codes[4]! })).sessionId, "another code works");
  });

  it("each challenge allows 5 codes, and wrong codes count against the user's limit", async () => {
    const user = await userWithTwoFactor();
    const anonymous = await app.caller();
    const { data } = await loginOverHttp(user.email, user.password);
    for (let i = 1; i <= 5; i++) {
      const wrong = await trpcOutcome(() => anonymous.twoFactor.verifyLogin({ challenge: data!.twoFactorChallenge!, code: "000000" }));
      assert.equal(wrong.code, "UNAUTHORIZED");
      assert.match(wrong.message, i < 5 ? new RegExp(`${5 - i} tr(y|ies) left`) : /log in again/);
    }
    const late = await trpcOutcome(() => anonymous.twoFactor.verifyLogin({ challenge: data!.twoFactorChallenge!, code: totpCode(user.secret) }));
    assert.equal(late.code, "UNAUTHORIZED", "even the right code is refused after 5 wrong ones");
    assert.match(late.message, /log in again/);

    // (The next challenges are made directly: the wrong codes also count against this IP's logins.)
    const next = await startTwoFactorChallenge(app.db, { userId: user.userId, remember: false });
    for (let i = 0; i < 5; i++) await trpcOutcome(() => anonymous.twoFactor.verifyLogin({ challenge: next.twoFactorChallenge, code: "111111" }));
    const third = await startTwoFactorChallenge(app.db, { userId: user.userId, remember: false });
    const limited = await trpcOutcome(() => anonymous.twoFactor.verifyLogin({ challenge: third.twoFactorChallenge, code: totpCode(user.secret) }));
    assert.equal(limited.code, "TOO_MANY_REQUESTS", "10 wrong codes within 15 minutes: the user has to wait");
  });

  it("a password reset does not bypass it", async () => {
    const user = await userWithTwoFactor();
    await app.postForm("/forgot-password", { email: user.email });
    const mail = await app.waitForMail((m) => m.to === user.email && /Reset/.test(m.subject));
    const token = linkIn(mail, "/reset-password").searchParams.get("token")!;
    const anonymous = await app.caller();
    const reset = await anonymous.auth.resetPassword({ token, password: "new password after reset" });
    assert.ok("twoFactorChallenge" in reset, "a challenge, not a session");
    assert.ok((await anonymous.twoFactor.verifyLogin({ challenge: reset.twoFactorChallenge, code: totpCode(user.secret) })).sessionId);
  });

  it("new recovery codes and turning it off need the password (or a code)", async () => {
    const user = await userWithTwoFactor();
    const caller = user.caller;
    assert.equal((await trpcOutcome(() => caller.twoFactor.regenerateRecoveryCodes({ password: "wrong wrong" }))).code, "BAD_REQUEST");
    const { recoveryCodes: fresh } = await caller.twoFactor.regenerateRecoveryCodes({ password: user.password });
    note("twoFactor.regenerateRecoveryCodes", "twoFactor.disable");
    assert.equal(fresh.length, 10);
    const anonymous = await app.caller();
    const login = await loginOverHttp(user.email, user.password);
    assert.equal((await trpcOutcome(() => anonymous.twoFactor.verifyLogin({ challenge: login.data!.twoFactorChallenge!, code: user.codes[0]! }))).code, "UNAUTHORIZED", "the old codes died");

    assert.equal((await trpcOutcome(() => caller.twoFactor.disable({ password: "wrong wrong" }))).code, "BAD_REQUEST");
    assert.equal((await trpcOutcome(() => caller.twoFactor.disable({ code: "000000" }))).code, "BAD_REQUEST");
    assert.equal((await trpcOutcome(() => caller.twoFactor.disable({}))).code, "BAD_REQUEST");
    assert.equal((await caller.twoFactor.status()).enabled, true);
    await caller.twoFactor.disable({ password: user.password });
    assert.deepEqual(await caller.twoFactor.status(), { enabled: false, enabledAt: null, recoveryCodesLeft: 0 });
    assert.equal((await app.db.select().from(recoveryCodes).where(eq(recoveryCodes.userId, user.userId))).length, 0);
    assert.equal((await userRow(user.userId))!.totpSecret, null);
    assert.ok((await loginOverHttp(user.email, user.password)).data?.sessionId, "the password alone logs in again");

    const other = await userWithTwoFactor();
    await other.caller.twoFactor.disable({ code: totpCode(other.secret, Date.now() + 30_000) });
    assert.equal((await other.caller.twoFactor.status()).enabled, false, "a code turns it off too");
  });
});

/** Data in an account: two reports with instances, a dashboard with a tile, an alarm. */
async function seedAccount(owner: { userId: string; accountId: string; sessionId: string }, marker: string, instances = 3) {
  const key = await newKey(app, owner.accountId, "full", owner.userId);
  for (let i = 0; i < instances; i++) await pushOk(app, key, `${marker}-disk`, `Filesystem Size Used\n/dev/sda1 20G ${i}G\n${marker}-row ${i} 1\n`);
  await pushOk(app, key, `${marker}-json`, JSON.stringify({ marker, value: 42 }), { contentType: "application/json" });
  const caller = await callerOf(owner.sessionId);
  const dashboard = await caller.dashboards.create({ name: `${marker} board` });
  await caller.dashboards.createTile({ dashboardId: dashboard.id, config: { report: `${marker}-disk`, kind: "range", draw: "line", series: [{ column: 2, filterColumn: 0, op: "equals", value: "/dev/sda1" }] } });
  const alarmId = uuidv7();
  await app.db.insert(alarms).values({
    accountId: owner.accountId,
    id: alarmId,
    name: `${marker} alarm`,
    report: `${marker}-disk`,
    kind: "check",
    code: "return false",
    webhookSecret: `whsec-${marker}`,
    badgeTokenHash: sha256(`badge-${marker}`),
  });
  return { key, dashboardId: dashboard.id, alarmId };
}

describe("export", () => {
  let owner: Actor & { email: string };
  let viewer: Actor;
  let admin: Actor;
  let outsider: Actor;

  before(async () => {
    const o = await newOwner("Xena Export");
    owner = { ...o };
    viewer = await accountMember(app, owner.accountId, "viewer");
    admin = await accountMember(app, owner.accountId, "admin");
    const x = await newOwner("Oscar Outsider");
    outsider = x;
    await seedAccount(owner, "ownerdata", 5);
    await seedAccount(outsider, "outsiderdata", 2);
  });

  type Archive = {
    format: string;
    version: number;
    account: { id: string; name: string };
    reports: { name: string; instances: { id: string; input: string; rows: unknown[][]; created: string }[] }[];
    dashboards: { name: string; tiles: { report: string; layout: unknown }[] }[];
    alarms: Record<string, unknown>[];
  };

  it("streams the owner's reports, instances, dashboards, tiles and alarms as a JSON download, and nothing of another account", async () => {
    const res = await app.request("/account/export.json", { cookie: owner.cookie });
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
    assert.match(res.headers.get("content-disposition") ?? "", /^attachment; filename="tablewatch-xena-export-\d{4}-\d{2}-\d{2}\.json"$/);
    assert.equal(res.headers.get("content-length"), null, "streamed (chunked), not buffered");
    const text = await res.text();
    const archive = JSON.parse(text) as Archive;
    assert.equal(archive.format, "tablewatch-account-export");
    assert.equal(archive.account.id, owner.accountId);
    assert.deepEqual(archive.reports.map((r) => r.name), ["ownerdata-disk", "ownerdata-json"]);
    assert.equal(archive.reports[0]!.instances.length, 5);
    assert.match(archive.reports[0]!.instances[2]!.input, /ownerdata-row 2 1/);
    assert.ok(Array.isArray(archive.reports[0]!.instances[0]!.rows));
    const created = archive.reports[0]!.instances.map((i) => i.created);
    assert.deepEqual(created, [...created].sort(), "instances in time order");
    assert.ok(archive.dashboards.some((d) => d.name === "ownerdata board" && d.tiles.length === 1 && d.tiles[0]!.report === "ownerdata-disk"));
    assert.deepEqual(archive.alarms.map((a) => a.name), ["ownerdata alarm"]);
    assert.ok(!("webhookSecret" in archive.alarms[0]!) && !text.includes("whsec-"), "no secrets");
    assert.doesNotMatch(text, /outsiderdata|Oscar/, "nothing of the outsider's account");
    const [audit] = await app.db.select().from(auditLog).where(and(eq(auditLog.accountId, owner.accountId), eq(auditLog.action, "account.exported")));
    assert.ok(audit, "the export is in the activity log");
  });

  it("shows the counts before the download", async () => {
    const caller = await callerOf(owner.sessionId);
    const summary = await caller.accountExport.summary();
    note("accountExport.summary", "accountExport.archive");
    assert.equal(summary.reports, 2);
    assert.equal(summary.instances, 6);
    assert.ok(summary.inputBytes > 100);
    assert.equal(summary.alarms, 1);
    assert.ok(summary.dashboards >= 2 && summary.tiles >= 1);
    const page = await app.request("/settings/account", { cookie: owner.cookie });
    const html = await page.text();
    assert.match(html, /Download JSON archive/);
    assert.match(html, /href="\/account\/export.json"/);
  });

  it("admins may export; a viewer is refused; the outsider exports only its own account; anonymous goes to the login", async () => {
    assert.equal((await app.request("/account/export.json", { cookie: admin.cookie })).status, 200);
    const refused = await app.request("/account/export.json", { cookie: viewer.cookie });
    assert.equal(refused.status, 403);
    assert.match(await refused.text(), /needs admin or above/);
    const viewerCaller = await callerOf(viewer.sessionId);
    assert.equal((await trpcOutcome(() => viewerCaller.accountExport.summary())).code, "FORBIDDEN");
    assert.equal((await trpcOutcome(() => viewerCaller.accountExport.archive())).code, "FORBIDDEN");
    assert.doesNotMatch(await (await app.request("/settings/account", { cookie: viewer.cookie })).text(), /Download JSON archive/);

    const theirs = await app.request("/account/export.json", { cookie: outsider.cookie });
    const text = await theirs.text();
    assert.equal((JSON.parse(text) as Archive).account.id, outsider.accountId);
    assert.doesNotMatch(text, /ownerdata|Xena/);

    const anonymous = await app.request("/account/export.json");
    assert.equal(anonymous.status, 302);
    assert.match(anonymous.headers.get("location") ?? "", /^\/login/);
    // Over /trpc the stream is not served at all (the download route is the way).
    const overTrpc = await app.trpc("query", "accountExport.archive", undefined, owner.cookie);
    assert.notEqual(overTrpc.status, 200);
  });

  it("reads instances a page at a time with the same result (memory stays flat for large accounts)", async () => {
    const read = async (opts: Parameters<typeof exportAccount>[2]) => {
      let text = "";
      let chunks = 0;
      for await (const chunk of exportAccount(app.db, owner.accountId, opts)) {
        text += chunk;
        chunks++;
      }
      const archive = JSON.parse(text) as Archive & { exportedAt: string };
      return { archive: { ...archive, exportedAt: "" }, chunks };
    };
    const whole = await read({});
    const paged = await read({ pageSize: 2, groupBytes: 1, chunkChars: 200 });
    assert.deepEqual(paged.archive, whole.archive);
    assert.ok(paged.chunks > whole.chunks, "smaller chunks");
  });
});

describe("deleting an account", () => {
  it("the owner types the account's name; the deletion is scheduled 14 days later; every member is emailed; an owner can cancel", async () => {
    const owner = await newOwner("Dora Delete");
    const viewer = await accountMember(app, owner.accountId, "viewer");
    const admin = await accountMember(app, owner.accountId, "admin");
    const [viewerUser] = await app.db.select().from(users).where(eq(users.id, viewer.userId));
    const [adminUser] = await app.db.select().from(users).where(eq(users.id, admin.userId));
    const caller = await callerOf(owner.sessionId);
    assert.deepEqual(await caller.accountDeletion.status(), { scheduledAt: null, requestedBy: null, due: false });
    note("accountDeletion.status", "accountDeletion.schedule", "accountDeletion.cancel");

    const mismatch = await trpcOutcome(() => caller.accountDeletion.schedule({ confirmName: "Dora" }));
    assert.equal(mismatch.code, "BAD_REQUEST");
    assert.match(mismatch.message, /Dora Delete/);
    for (const member of [viewer, admin]) {
      const c = await callerOf(member.sessionId);
      assert.equal((await trpcOutcome(() => c.accountDeletion.schedule({ confirmName: "Dora Delete" }))).code, "FORBIDDEN", "owners only");
    }
    assert.equal((await caller.accountDeletion.status()).scheduledAt, null);

    const { scheduledAt } = await caller.accountDeletion.schedule({ confirmName: " Dora Delete " });
    assert.ok(Math.abs(scheduledAt.getTime() - (Date.now() + 14 * DAY)) < 60_000, "14 days from now");
    const status = await caller.accountDeletion.status();
    assert.equal(status.scheduledAt?.getTime(), scheduledAt.getTime());
    assert.equal(status.requestedBy, "Dora Delete");
    assert.equal((await trpcOutcome(() => caller.accountDeletion.schedule({ confirmName: "Dora Delete" }))).code, "CONFLICT");

    const subject = "Dora Delete will be deleted from Tablewatch in 14 days";
    for (const email of [owner.email, viewerUser!.email, adminUser!.email]) {
      const mail = await app.waitForMail((m) => m.to === email && m.subject === subject);
      assert.match(mail.text, /Dora Delete \(/, "names who asked");
      assert.match(mail.html, /<html/);
      assert.match(mail.text, email === owner.email ? /cancel the deletion until then/ : /ask an owner/i);
    }
    const [audit] = await app.db.select().from(auditLog).where(and(eq(auditLog.accountId, owner.accountId), eq(auditLog.action, "account.deletion_scheduled")));
    assert.equal(audit?.actor, owner.email);
    assert.equal(audit?.ip, "127.0.0.1");

    // Every member sees the banner on every page; only owners get the button.
    const ownerPage = await (await app.request("/reports", { cookie: owner.cookie })).text();
    assert.match(ownerPage, /will be deleted on/);
    assert.match(ownerPage, /Cancel deletion/);
    const viewerPage = await (await app.request("/reports", { cookie: viewer.cookie })).text();
    assert.match(viewerPage, /will be deleted on/);
    assert.doesNotMatch(viewerPage, /Cancel deletion/);

    for (const member of [viewer, admin]) {
      const c = await callerOf(member.sessionId);
      assert.equal((await trpcOutcome(() => c.accountDeletion.cancel())).code, "FORBIDDEN");
    }
    const res = await app.postForm("/settings/account", { intent: "cancel-deletion" }, { cookie: owner.cookie });
    assert.equal(res.status, 200);
    assert.match(await res.text(), /The deletion was cancelled/);
    assert.deepEqual(await caller.accountDeletion.status(), { scheduledAt: null, requestedBy: null, due: false });
    await app.waitForMail((m) => m.to === viewerUser!.email && m.subject === "Dora Delete will not be deleted");
    assert.equal((await app.db.select().from(auditLog).where(and(eq(auditLog.accountId, owner.accountId), eq(auditLog.action, "account.deletion_cancelled")))).length, 1);
    assert.equal((await trpcOutcome(() => caller.accountDeletion.cancel())).code, "CONFLICT", "nothing to cancel");
    assert.doesNotMatch(await (await app.request("/reports", { cookie: owner.cookie })).text(), /will be deleted on/);

    const purged = await purgeDueAccounts(app.db, { now: new Date(Date.now() + 15 * DAY) });
    assert.ok(!purged.purged.includes(owner.accountId), "a cancelled deletion purges nothing");
    assert.equal((await app.db.select().from(accounts).where(eq(accounts.id, owner.accountId))).length, 1);
  });

  /** Rows per tenant table for one account. */
  async function tenantCounts(accountId: string): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const table of await tenantTables(app.db)) {
      const [row] = await queryRows<{ n: number | string }>(app.db, sql`select count(*) as n from ${sql.raw(`"${table}"`)} where account_id = ${accountId}::uuid`);
      counts[table] = Number(row!.n);
    }
    return counts;
  }

  /** Rows written in the background (access log, API key usage) land before what follows. */
  const settle = async () => {
    await app.deps.usage.flush();
    await app.deps.accessLog.flush();
  };

  /** The access log is written in the background (requests of a moment ago may still arrive). */
  const withoutAccessLog = (counts: Record<string, number>) => Object.fromEntries(Object.entries(counts).filter(([table]) => table !== "access_log"));

  /** Something in every table of the account (beyond what seedAccount makes). */
  async function seedEverything(owner: { userId: string; accountId: string; sessionId: string }, marker: string) {
    const seeded = await seedAccount(owner, marker, 4);
    const [instance] = await app.db.select().from(reportInstances).where(eq(reportInstances.accountId, owner.accountId)).limit(1);
    await app.db.insert(alarmEvaluations).values({ accountId: owner.accountId, instanceId: instance!.id, reportId: instance!.reportId });
    await app.db.insert(alarmStatesTable).values({ accountId: owner.accountId, alarmId: seeded.alarmId, tagKey: "" });
    await app.db.insert(alarmHistory).values({ accountId: owner.accountId, id: uuidv7(), alarmId: seeded.alarmId, at: new Date(), fromState: "ok", toState: "alarm" });
    await app.db.insert(notifications).values({ accountId: owner.accountId, id: uuidv7(), alarmId: seeded.alarmId, idempotencyKey: `${marker}-${uuidv7()}`, channel: "email", recipient: "x@example.test", payload: {} });
    const [apiKey] = await app.db.select().from(schema.apiKeys).where(eq(schema.apiKeys.accountId, owner.accountId));
    await app.db.insert(apiKeyUsage).values({ accountId: owner.accountId, apiKeyId: apiKey!.id, day: "2026-01-01", count: 3 });
    await recordAudit(app.db, { accountId: owner.accountId, actor: { userId: owner.userId, label: marker, ip: "127.0.0.1" }, action: "test.seeded" });
    await app.db.insert(invitations).values({ accountId: owner.accountId, id: uuidv7(), email: uniqueEmail("invitee"), role: "viewer", tokenHash: sha256(uuidv7()), expiresAt: new Date(Date.now() + DAY) });
    await app.db.insert(dashboardShares).values({ accountId: owner.accountId, id: uuidv7(), dashboardId: seeded.dashboardId, tokenHash: sha256(uuidv7()) });
    // Plans (ADR 25): the month's instance count (pushes make it too) and a limit email sent.
    await app.db.execute(sql`insert into account_usage (account_id, month, instances) values (${owner.accountId}, '2026-01-01', 7) on conflict do nothing`);
    await app.db.execute(sql`insert into plan_notices (account_id, limit_key, month, level) values (${owner.accountId}, 'dashboards', '2026-01-01', 80)`);
    // Billing (issue 7): the subscription and card token, a payment, its invoice, the invoice data.
    await app.db.execute(sql`insert into subscriptions (account_id, provider, customer_id, card_id, card_last4, status) values (${owner.accountId}, 'sandbox', ${`cust_${marker}`}, ${`card_${marker}`}, '4242', 'active')`);
    const paymentId = uuidv7();
    await app.db.execute(sql`insert into payments (id, account_id, provider, provider_charge_id, amount_cents, currency, status, kind, charged_at) values (${paymentId}, ${owner.accountId}, 'sandbox', ${`char_${marker}_${paymentId}`}, 1900, 'EUR', 'succeeded', 'subscription', now())`);
    await app.db.execute(sql`insert into invoice_data (account_id, kind, company_name, address_line1, postal_code, city, country) values (${owner.accountId}, 'company', ${marker}, 'Street 1', '00-001', 'Warszawa', 'PL')`);
    await app.db.execute(sql`insert into invoices (id, account_id, payment_id, number, year, sequence, issued_at, currency, net_cents, vat_cents, gross_cents, vat_rate, seller, buyer, accounting_provider, status)
      values (${uuidv7()}, ${owner.accountId}, ${paymentId}, ${`TW/1999/${marker}`}, 1999, ${Math.floor(Math.random() * 1e9)}, now(), 'EUR', 1545, 355, 1900, '23%', '{}'::jsonb, '{}'::jsonb, 'local', 'issued')`);
    if ((await tenantTables(app.db)).includes("access_log")) {
      await app.db.execute(
        sql`insert into access_log (time, method, url, status, duration_ms, ip, user_agent, account_id) values (now(), 'GET', '/dashboard', 200, 1, '127.0.0.1', 'test', ${owner.accountId}::uuid)`,
      );
    }
    return seeded;
  }

  it("due: every row of the account is gone, its only-here users too; other accounts are untouched", async () => {
    const doomed = await newOwner("Doomed Owner");
    const onlyHere = await accountMember(app, doomed.accountId, "editor");
    const keeper = await newOwner("Kept Elsewhere");
    await app.db.insert(memberships).values({ accountId: doomed.accountId, userId: keeper.userId, role: "viewer" });
    const keeperThere = await app.sessionCookie(keeper.userId, { accountId: doomed.accountId });
    await seedEverything(doomed, "doomed");
    const outsider = await newOwner("Oscar Untouched");
    await seedEverything(outsider, "untouched");
    await settle();

    // The seeds reach every table the schema gives an account_id (so the purge is tested on all of them).
    const schemaTables = (Object.values(schema) as unknown[])
      .filter((value): value is PgTable => is(value, PgTable))
      .map((table) => getTableConfig(table))
      .filter((config) => config.columns.some((c) => c.name === "account_id"))
      .map((config) => config.name)
      .sort();
    assert.deepEqual(await tenantTables(app.db), schemaTables, "the database and db/schema agree on the tenant tables");
    const before = await tenantCounts(doomed.accountId);
    for (const [table, n] of Object.entries(before)) assert.ok(n > 0, `the doomed account has rows in ${table}`);
    const outsiderBefore = await tenantCounts(outsider.accountId);
    const [outsiderUserBefore] = await app.db.select().from(users).where(eq(users.id, outsider.userId));

    const caller = await callerOf(doomed.sessionId);
    await caller.accountDeletion.schedule({ confirmName: "Doomed Owner" });
    assert.deepEqual((await purgeDueAccounts(app.db)).purged, [], "not due yet");
    await app.db.update(accounts).set({ deletionScheduledAt: new Date(Date.now() - 1000) }).where(eq(accounts.id, doomed.accountId));
    assert.equal((await trpcOutcome(() => caller.accountDeletion.cancel())).code, "CONFLICT", "too late to cancel once due");

    await settle();
    const result = await purgeDueAccounts(app.db, { batchSize: 2 });
    assert.deepEqual(result.purged, [doomed.accountId]);
    const after = await tenantCounts(doomed.accountId);
    assert.deepEqual(Object.entries(after).filter(([, n]) => n > 0), [], "no row of the account is left in any table with account_id");
    assert.equal((await app.db.select().from(accounts).where(eq(accounts.id, doomed.accountId))).length, 0);
    assert.equal((await app.db.select().from(reports).where(eq(reports.accountId, doomed.accountId))).length, 0);
    assert.equal((await app.db.select().from(tiles).where(eq(tiles.accountId, doomed.accountId))).length, 0);

    assert.equal((await userRow(doomed.userId)), undefined, "the owner belonged to no other account: deleted");
    assert.equal((await userRow(onlyHere.userId)), undefined, "so did the editor");
    assert.equal((await app.db.select().from(sessions).where(eq(sessions.userId, doomed.userId))).length, 0);
    assert.ok(await userRow(keeper.userId), "a member of another account keeps the login");
    assert.deepEqual(
      (await app.db.select().from(memberships).where(eq(memberships.userId, keeper.userId))).map((m) => m.accountId),
      [keeper.accountId],
    );
    const [moved] = await app.db.select().from(sessions).where(eq(sessions.id, keeperThere.sessionId));
    assert.equal(moved?.accountId, keeper.accountId, "their session moved to their other account");
    assert.equal((await app.trpc("query", "account.current", undefined, keeperThere.cookie)).status, 200);

    assert.deepEqual(withoutAccessLog(await tenantCounts(outsider.accountId)), withoutAccessLog(outsiderBefore), "the other account is untouched");
    assert.ok((await tenantCounts(outsider.accountId)).access_log! >= outsiderBefore.access_log!, "its access log too");
    assert.deepEqual((await app.db.select().from(users).where(eq(users.id, outsider.userId)))[0], outsiderUserBefore);
    const res = await app.request("/account/export.json", { cookie: outsider.cookie });
    assert.match(await res.text(), /untouched-disk/);
  });

  it("is resumable: a run stopped after one batch is finished by the next; several runs at once do it once", async () => {
    const doomed = await newOwner("Crashy Owner");
    await seedEverything(doomed, "crashy");
    const outsider = await newOwner("Calm Outsider");
    await seedAccount(outsider, "calm", 3);
    await settle();
    const outsiderBefore = await tenantCounts(outsider.accountId);
    await app.db.update(accounts).set({ deletionScheduledAt: new Date(Date.now() - 1000), deletionRequestedBy: doomed.userId }).where(eq(accounts.id, doomed.accountId));
    const instancesBefore = (await tenantCounts(doomed.accountId)).report_instances!;

    await settle();
    // "Crash" after one batch of 2 instances.
    const partial = await purgeDueAccounts(app.db, { batchSize: 2, maxBatches: 1 });
    assert.deepEqual(partial.purged, []);
    assert.deepEqual(partial.unfinished, [doomed.accountId]);
    assert.equal(partial.rowsDeleted, 2);
    assert.equal((await tenantCounts(doomed.accountId)).report_instances, instancesBefore - 2);
    assert.equal((await app.db.select().from(accounts).where(eq(accounts.id, doomed.accountId))).length, 1, "the account is still there");

    const runs = await Promise.all([purgeDueAccounts(app.db, { batchSize: 3 }), purgeDueAccounts(app.db, { batchSize: 3 })]);
    assert.deepEqual(
      runs.flatMap((r) => r.purged),
      [doomed.accountId],
      "finished, by one of the runs",
    );
    assert.deepEqual(Object.entries(await tenantCounts(doomed.accountId)).filter(([, n]) => n > 0), []);
    assert.deepEqual(withoutAccessLog(await tenantCounts(outsider.accountId)), withoutAccessLog(outsiderBefore));
    // The daily task (server/maintenance/daily.ts) runs the same purge: nothing is left to do.
    const again = await accountPurgeTask().run(app.db);
    assert.deepEqual(again, { purged: [], unfinished: [], rowsDeleted: 0, batches: 0 }, "nothing is left to do");
  });

  it("the account page: owners type the name to schedule; others cannot", async () => {
    const owner = await newOwner("Paged Owner");
    const viewer = await accountMember(app, owner.accountId, "viewer");
    const page = await (await app.request("/settings/account", { cookie: owner.cookie })).text();
    assert.match(page, /Type <strong class="mono">Paged Owner<\/strong> to confirm/);
    assert.match(await (await app.request("/settings/account", { cookie: viewer.cookie })).text(), /Only an owner of the account can delete it/);
    const wrong = await app.postForm("/settings/account", { intent: "schedule-deletion", confirmName: "paged owner" }, { cookie: owner.cookie });
    assert.equal(wrong.status, 400);
    const refused = await app.postForm("/settings/account", { intent: "schedule-deletion", confirmName: "Paged Owner" }, { cookie: viewer.cookie });
    assert.equal(refused.status, 403);
    const ok = await app.postForm("/settings/account", { intent: "schedule-deletion", confirmName: "Paged Owner" }, { cookie: owner.cookie });
    assert.equal(ok.status, 200);
    assert.match(await ok.text(), /The deletion is scheduled/);
    const [row] = await app.db.select().from(accounts).where(eq(accounts.id, owner.accountId));
    assert.ok(row!.deletionScheduledAt);
    assert.equal(row!.deletionRequestedBy, owner.userId);
    // Leave nothing scheduled for the other tests' purges.
    await (await callerOf(owner.sessionId)).accountDeletion.cancel();
  });
});

describe("coverage", () => {
  it("this file exercises every procedure of the profile, sessions, twoFactor, accountExport and accountDeletion routers", () => {
    const mine = Object.keys(appRouter._def.procedures)
      .filter((p) => PREFIXES.some((prefix) => p.startsWith(prefix)))
      .sort();
    assert.deepEqual([...exercised].sort(), mine);
  });
});
