/**
 * Team members end to end over HTTP: invitations (the link's token only hashed, the email with
 * the link, accepting as a new user, as the invited logged-in user, refused for another logged-in
 * user, expired / cancelled / reused / replaced links), role changes with the last-owner rule,
 * removal and leaving, the account switcher, and the audit log with the request's IP.
 * Three actors: the owner of "Acme Ops", its members, and an outsider with an account of their own.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { and, eq, sql } from "drizzle-orm";
import { accounts, auditLog, invitations, memberships, type Role, users } from "../../db/schema";
import { hitRateLimit } from "../../server/rate-limit/service";
import { INVITATION_LIMIT } from "../../server/team/service";
import { sha256, uuidv7 } from "../../server/tokens";
import { appRouter } from "../../server/trpc/root";
import { formAlert, type Mail, sessionCookieOf, setPlan, startTestApp, TEST_PASSWORD, type TestApp, trpcOutcome, uniqueEmail } from "../helpers/app";
import { newKey, pushOk } from "../helpers/reports";

type Actor = { userId: string; email: string; accountId: string; cookie: string; sessionId: string };

let app: TestApp;
let owner: Actor;
let admin: Actor;
let editor: Actor;
let viewer: Actor;
let outsider: Actor;

const ACCOUNT = "Acme Ops";
const FORWARDED_IP = "203.0.113.7";

/** A user without an account of their own, a member of the owner's account with `role`, and a session there. */
async function member(role: Role, name = `Member ${role}`): Promise<Actor> {
  const userId = uuidv7();
  const email = uniqueEmail(role);
  await app.db.insert(users).values({ id: userId, email, name, passwordHash: "unused" });
  await app.db.insert(memberships).values({ accountId: owner.accountId, userId, role });
  return { userId, email, accountId: owner.accountId, ...(await app.sessionCookie(userId, { accountId: owner.accountId })) };
}

/** A user with an account of their own (and a password), logged in there. */
async function ownerOfOwn(name: string): Promise<Actor> {
  const user = await app.createUser({ name });
  await setPlan(app.db, user.accountId, "business"); // more members and invitations than Free allows
  return { userId: user.userId, email: user.email, accountId: user.accountId, ...(await app.sessionCookie(user.userId)) };
}

const callerOf = (actor: Actor) => app.caller({ sessionId: actor.sessionId });

/** tRPC over HTTP from a proxied client address (the app trusts X-Forwarded-For here). */
async function trpcFrom(kind: "query" | "mutation", path: string, input: unknown, cookie: string) {
  const headers = { "x-forwarded-for": FORWARDED_IP, ...(kind === "mutation" ? { "content-type": "application/json" } : {}) };
  const res =
    kind === "query"
      ? await app.request(`/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`, { cookie, headers })
      : await app.request(`/trpc/${path}`, { method: "POST", cookie, headers, body: JSON.stringify(input) });
  const body = (await res.json()) as { result?: { data?: unknown }; error?: { message: string; data: { code: string } } };
  return { status: res.status, body };
}

async function invite(by: Actor, email: string, role: Role) {
  const reply = await trpcFrom("mutation", "team.invite", { email, role }, by.cookie);
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  return reply.body.result!.data as { invitation: { id: string; email: string; role: Role }; resent: boolean; emailSent: boolean };
}

const INVITE_LINK = /(https?:\/\/[^\s)\]>"]+)\/invite\/(twi_[A-Za-z0-9_-]+)/;

/** The newest invitation mail to `to` other than `seen`, and the token of its link. */
async function invitationMail(to: string, seen: number[] = []): Promise<{ mail: Mail; token: string; url: string }> {
  const mail = await app.waitForMail((m) => m.to === to && !seen.includes(m.id) && /invited you/.test(m.subject));
  const match = INVITE_LINK.exec(mail.text);
  assert.ok(match, `the mail has an invitation link:\n${mail.text}`);
  return { mail, token: match[2]!, url: `${match[1]}/invite/${match[2]}` };
}

async function inviteAndGetToken(by: Actor, email: string, role: Role) {
  const before = (await app.mail()).filter((m) => m.to === email.trim().toLowerCase()).map((m) => m.id);
  const result = await invite(by, email, role);
  const { token, mail } = await invitationMail(email.trim().toLowerCase(), before);
  return { ...result, token, mail };
}

const invitationPage = (token: string, cookie?: string) => app.request(`/invite/${token}`, { cookie });
const postInvitation = (token: string, fields: Record<string, string>, cookie?: string) => app.postForm(`/invite/${token}`, fields, { cookie });

async function auditRows(accountId: string) {
  return app.db.select().from(auditLog).where(eq(auditLog.accountId, accountId)).orderBy(auditLog.at, auditLog.id);
}

const pendingRows = (accountId: string) =>
  app.db
    .select()
    .from(invitations)
    .where(and(eq(invitations.accountId, accountId), sql`accepted_at is null and cancelled_at is null`));

before(async () => {
  app = await startTestApp({ env: { TRUST_PROXY: "true" } });
  owner = await ownerOfOwn("Olga Owner");
  await app.db.update(accounts).set({ name: ACCOUNT }).where(eq(accounts.id, owner.accountId));
  admin = await member("admin", "Adam Admin");
  editor = await member("editor", "Edith Editor");
  viewer = await member("viewer", "Vic Viewer");
  outsider = await ownerOfOwn("Oscar Outsider");
});
after(() => app?.stop());

describe("invitations", () => {
  it("an owner invites: the address is normalised, only the token's hash is stored, and the email carries the link", async () => {
    const { invitation, token, mail, resent } = await inviteAndGetToken(owner, "  Ana.New@Example.TEST ", "editor");
    assert.equal(invitation.email, "ana.new@example.test");
    assert.equal(resent, false);
    assert.equal(mail.subject, `Olga Owner invited you to ${ACCOUNT} on Tablewatch`);
    assert.match(mail.text, /join Acme Ops on Tablewatch as an editor/i);
    assert.match(mail.text, /expires on \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/);
    assert.match(mail.html, /Accept the invitation/);
    assert.match(token, /^twi_[A-Za-z0-9_-]{43}$/, "256 random bits after the prefix");

    const [row] = await app.db.select().from(invitations).where(eq(invitations.id, invitation.id));
    assert.equal(row!.tokenHash, sha256(token));
    assert.ok(!JSON.stringify(row).includes(token), "the token itself is stored nowhere");
    assert.ok(Math.abs(row!.expiresAt.getTime() - Date.now() - 7 * 86_400_000) < 60_000, "valid 7 days");

    const page = await invitationPage(token);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /Join Acme Ops/);
    assert.match(html, /ana\.new@example\.test/);
    assert.match(html, /Create your login/);
    assert.match(html, /noindex/);
  });

  it("accepting as someone new creates the login (address confirmed) and the membership, and logs in on that account", async () => {
    const email = uniqueEmail("newbie");
    const { token } = await inviteAndGetToken(owner, email, "editor");
    const res = await postInvitation(token, { intent: "create", name: "Nina Newbie", password: TEST_PASSWORD });
    assert.equal(res.status, 302, await res.text());
    assert.equal(res.headers.get("location"), "/dashboard");
    const cookie = sessionCookieOf(res);
    assert.ok(cookie, "logged in");

    const current = await app.trpc("query", "account.current", undefined, cookie);
    const data = current.body.result!.data as { account: { id: string }; role: Role; user: { email: string; name: string; emailConfirmed: boolean } };
    assert.deepEqual([data.account.id, data.role, data.user.email, data.user.name, data.user.emailConfirmed], [owner.accountId, "editor", email, "Nina Newbie", true]);
    const mine = (await app.trpc("query", "team.accounts", undefined, cookie)).body.result!.data as { accounts: { id: string }[] };
    assert.deepEqual(mine.accounts.map((a) => a.id), [owner.accountId], "no account of their own was created");

    // The new login works with the chosen password.
    const login = await app.postForm("/login", { email, password: TEST_PASSWORD });
    assert.equal(login.status, 302);

    // The link works once.
    const again = await invitationPage(token);
    assert.equal(again.status, 410);
    assert.match(await again.text(), /already used/);
    const reuse = await postInvitation(token, { intent: "create", name: "Twice", password: TEST_PASSWORD });
    assert.equal(reuse.status, 404);
    assert.match(await reuse.text(), /This invitation was already used/);
    const outcome = await trpcOutcome(async () => (await app.caller()).team.acceptInvitationAsNewUser({ token, name: "Twice", password: TEST_PASSWORD }));
    assert.equal(outcome.code, "NOT_FOUND");
    assert.match(outcome.message, /already accepted/);
  });

  it("a logged-in user with the invited address accepts: they join with the role and their session switches to the account", async () => {
    const invitee = await ownerOfOwn("Ivy Invitee");
    const { token } = await inviteAndGetToken(owner, invitee.email.toUpperCase(), "viewer");
    const page = await invitationPage(token, invitee.cookie);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /Accept and join Acme Ops/);

    const res = await postInvitation(token, { intent: "accept" }, invitee.cookie);
    assert.equal(res.status, 302);
    assert.equal(res.headers.get("location"), "/dashboard");
    const current = (await (await callerOf(invitee)).account.current()) as { account: { id: string }; role: Role };
    assert.deepEqual([current.account.id, current.role], [owner.accountId, "viewer"]);
    const { accounts: theirs } = await (await callerOf(invitee)).team.accounts();
    assert.deepEqual(theirs.map((a) => a.id).sort(), [owner.accountId, invitee.accountId].sort());
    // With a login already there, the page of a used link says so.
    assert.equal((await invitationPage(token)).status, 410);
  });

  it("a logged-in user with another address is refused with a clear message, and the invitation stays usable", async () => {
    const email = uniqueEmail("carl");
    const { token } = await inviteAndGetToken(owner, email, "editor");
    const message = `This invitation is for ${email}; you are logged in as ${outsider.email} — log out and open the link again.`;

    const page = await invitationPage(token, outsider.cookie);
    assert.equal(page.status, 200);
    assert.equal(formAlert(await page.text()), message);

    const post = await postInvitation(token, { intent: "accept" }, outsider.cookie);
    assert.equal(post.status, 403);
    assert.equal(formAlert(await post.text()), message);
    const outcome = await trpcOutcome(async () => (await callerOf(outsider)).team.acceptInvitation({ token }));
    assert.deepEqual(outcome, { code: "FORBIDDEN", message });
    const create = await postInvitation(token, { intent: "create", name: "Sneaky", password: TEST_PASSWORD }, outsider.cookie);
    assert.equal(create.status, 403, "nor may it create a login for the invited address while logged in");

    const joined = await app.db.select().from(memberships).where(and(eq(memberships.accountId, owner.accountId), eq(memberships.userId, outsider.userId)));
    assert.equal(joined.length, 0, "the outsider did not join");
    assert.equal((await invitationPage(token)).status, 200, "the invitation is still pending");

    // "Log out" on that page ends the other user's session and comes back to the link.
    const other = await ownerOfOwn("Other Person");
    const logout = await postInvitation(token, { intent: "logout" }, other.cookie);
    assert.equal(logout.status, 302);
    assert.equal(logout.headers.get("location"), `/invite/${token}`);
    assert.equal((await app.trpc("query", "account.current", undefined, other.cookie)).status, 401);
  });

  it("with a login for the invited address, a logged-out visitor is sent to log in and come back", async () => {
    const existing = await ownerOfOwn("Existing Login");
    const { token } = await inviteAndGetToken(owner, existing.email, "viewer");
    const html = await (await invitationPage(token)).text();
    assert.match(html, /You already have a Tablewatch login/);
    assert.ok(html.includes(`/login?redirectTo=${encodeURIComponent(`/invite/${token}`)}`));
    assert.doesNotMatch(html, /Create login and join/);
    const create = await postInvitation(token, { intent: "create", name: "Dup", password: TEST_PASSWORD });
    assert.equal(create.status, 409);
    assert.match(formAlert(await create.text()) ?? "", /already have a Tablewatch login/);

    const login = await app.postForm("/login", { email: existing.email, password: TEST_PASSWORD, redirectTo: `/invite/${token}` });
    assert.equal(login.headers.get("location"), `/invite/${token}`);
    const cookie = sessionCookieOf(login)!;
    assert.equal((await postInvitation(token, { intent: "accept" }, cookie)).status, 302);
  });

  it("an expired link is refused: a 410 page and NOT_FOUND on accept", async () => {
    const email = uniqueEmail("late");
    const { token, invitation } = await inviteAndGetToken(owner, email, "viewer");
    await app.db.update(invitations).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(invitations.id, invitation.id));
    const page = await invitationPage(token);
    assert.equal(page.status, 410);
    assert.match(await page.text(), /This invitation has expired/);
    const post = await postInvitation(token, { intent: "create", name: "Late", password: TEST_PASSWORD });
    assert.equal(post.status, 404);
    assert.match(await post.text(), /This invitation has expired/);
    const outcome = await trpcOutcome(async () => (await app.caller()).team.acceptInvitationAsNewUser({ token, name: "Late", password: TEST_PASSWORD }));
    assert.deepEqual(outcome, { code: "NOT_FOUND", message: "This invitation has expired. Ask the person who invited you to send a new one." });
    const { pending: listed } = { pending: (await (await callerOf(owner)).team.list()).invitations.find((i) => i.id === invitation.id) };
    assert.equal(listed?.expired, true, "the team page shows it as expired, to resend");
    assert.equal((await app.db.select().from(users).where(eq(users.email, email))).length, 0, "no login was made");
  });

  it("a cancelled link is refused: a 410 page and NOT_FOUND on accept", async () => {
    const email = uniqueEmail("cancelled");
    const { token, invitation } = await inviteAndGetToken(owner, email, "viewer");
    const cancelled = await trpcFrom("mutation", "team.cancelInvitation", { id: invitation.id }, admin.cookie);
    assert.equal(cancelled.status, 200);
    const page = await invitationPage(token);
    assert.equal(page.status, 410);
    assert.match(await page.text(), /was cancelled/);
    const invitee = await app.createUser({ email, name: "Cancelled" });
    const { sessionId } = await app.sessionCookie(invitee.userId);
    const outcome = await trpcOutcome(async () => (await app.caller({ sessionId })).team.acceptInvitation({ token }));
    assert.equal(outcome.code, "NOT_FOUND");
    assert.match(outcome.message, /cancelled/);
    assert.equal((await trpcOutcome(async () => (await callerOf(owner)).team.cancelInvitation({ id: invitation.id }))).code, "NOT_FOUND", "cancelling twice");
  });

  it("unknown and malformed links give a 404 page", async () => {
    for (const token of ["twi_" + "x".repeat(43), "not-a-token", "twi_"]) {
      const page = await invitationPage(token);
      assert.equal(page.status, 404, token);
      assert.match(await page.text(), /This invitation link does not work/);
    }
  });

  it("resending makes a new link and the old one dies; inviting the same address again replaces the invitation", async () => {
    const email = uniqueEmail("dave");
    const first = await inviteAndGetToken(owner, email, "viewer");
    const seen = (await app.mail()).filter((m) => m.to === email).map((m) => m.id);
    const resent = await trpcFrom("mutation", "team.resendInvitation", { id: first.invitation.id }, owner.cookie);
    assert.equal(resent.status, 200);
    const second = await invitationMail(email, seen);
    assert.notEqual(second.token, first.token);
    assert.equal((await invitationPage(first.token)).status, 404, "the old link is unknown now");
    assert.equal((await invitationPage(second.token)).status, 200);

    const third = await inviteAndGetToken(owner, email.toUpperCase(), "admin");
    assert.equal(third.resent, true);
    assert.equal(third.invitation.id, first.invitation.id, "the same invitation, replaced");
    const pending = (await pendingRows(owner.accountId)).filter((r) => r.email === email);
    assert.deepEqual(pending.map((r) => r.role), ["admin"]);
    assert.equal((await invitationPage(second.token)).status, 404);
    const html = await (await invitationPage(third.token)).text();
    assert.match(html, /as an admin/);
  });

  it("invitations are refused for members, from editors and viewers, and owner invitations from admins", async () => {
    for (const email of [viewer.email, viewer.email.toUpperCase(), owner.email]) {
      const outcome = await trpcOutcome(async () => (await callerOf(owner)).team.invite({ email, role: "editor" }));
      assert.equal(outcome.code, "CONFLICT", email);
      assert.match(outcome.message, /already a member of Acme Ops/);
    }
    for (const actor of [editor, viewer]) {
      const reply = await trpcFrom("mutation", "team.invite", { email: uniqueEmail("x"), role: "viewer" }, actor.cookie);
      assert.equal(reply.status, 403);
    }
    const adminCaller = await callerOf(admin);
    assert.deepEqual(await trpcOutcome(() => adminCaller.team.invite({ email: uniqueEmail("boss"), role: "owner" })), {
      code: "FORBIDDEN",
      message: "Only owners can invite owners.",
    });
    assert.equal((await adminCaller.team.invite({ email: uniqueEmail("by-admin"), role: "admin" })).invitation.role, "admin");
    assert.equal((await trpcOutcome(() => adminCaller.team.invite({ email: "not an email", role: "viewer" }))).code, "BAD_REQUEST");
    assert.equal((await trpcOutcome(() => adminCaller.team.invite({ email: uniqueEmail(), role: "god" as Role }))).code, "BAD_REQUEST");

    // Admins may not resend an owner's invitation either.
    const ownerInvite = await (await callerOf(owner)).team.invite({ email: uniqueEmail("co-owner"), role: "owner" });
    assert.equal((await trpcOutcome(() => adminCaller.team.resendInvitation({ id: ownerInvite.invitation.id }))).code, "FORBIDDEN");
  });

  it("an account may send a limited number of invitations an hour (each is an email to any address)", async () => {
    const sender = await ownerOfOwn("Busy Sender");
    for (let i = 0; i < INVITATION_LIMIT.limit; i++) await hitRateLimit(app.db, `invite:account:${sender.accountId}`, INVITATION_LIMIT);
    const outcome = await trpcOutcome(async () => (await callerOf(sender)).team.invite({ email: uniqueEmail("one-too-many"), role: "viewer" }));
    assert.equal(outcome.code, "TOO_MANY_REQUESTS");
    assert.match(outcome.message, /50 invitations in the last hour/);
    assert.equal((await pendingRows(sender.accountId)).length, 0, "nothing was saved or sent");
    assert.equal((await (await callerOf(owner)).team.invite({ email: uniqueEmail("other-account"), role: "viewer" })).emailSent, true, "other accounts are not held back");
  });

  it("the members list is visible to every member; pending invitations only to admins and owners", async () => {
    for (const actor of [owner, admin, editor, viewer]) {
      const { members, invitations: pending, canManage } = await (await callerOf(actor)).team.list();
      assert.ok(members.some((m) => m.email === viewer.email && m.role === "viewer"));
      assert.equal(members[0]!.role, "owner", "owners first");
      assert.equal(canManage, actor === owner || actor === admin);
      assert.equal(pending.length > 0, canManage);
    }
  });
});

describe("roles, removal and leaving", () => {
  it("the last owner can be neither demoted, removed nor leave", async () => {
    const caller = await callerOf(owner);
    const demote = await trpcOutcome(() => caller.team.changeRole({ userId: owner.userId, role: "admin" }));
    assert.equal(demote.code, "CONFLICT");
    assert.match(demote.message, /last owner of Acme Ops/);
    assert.equal((await trpcOutcome(() => caller.team.removeMember({ userId: owner.userId }))).code, "CONFLICT");
    assert.equal((await trpcOutcome(() => caller.team.leave())).code, "CONFLICT");
    const [row] = await app.db.select().from(memberships).where(and(eq(memberships.accountId, owner.accountId), eq(memberships.userId, owner.userId)));
    assert.equal(row!.role, "owner");
  });

  it("admins change roles below owner; only owners make or unmake owners", async () => {
    const target = await member("viewer", "Terry Target");
    const adminCaller = await callerOf(admin);
    assert.equal((await adminCaller.team.changeRole({ userId: target.userId, role: "editor" })).role, "editor");
    assert.equal((await trpcOutcome(() => adminCaller.team.changeRole({ userId: target.userId, role: "owner" }))).message, "Only owners can make someone an owner.");
    assert.equal((await trpcOutcome(() => adminCaller.team.changeRole({ userId: owner.userId, role: "viewer" }))).message, "Only owners can change an owner's role.");
    assert.equal((await trpcOutcome(() => adminCaller.team.removeMember({ userId: owner.userId }))).message, "Only owners can remove an owner.");
    for (const actor of [editor, viewer]) {
      assert.equal((await trpcOutcome(async () => (await callerOf(actor)).team.changeRole({ userId: target.userId, role: "viewer" }))).code, "FORBIDDEN");
    }

    // The owner makes the target an owner; with two owners, either may step down.
    const ownerCaller = await callerOf(owner);
    assert.equal((await ownerCaller.team.changeRole({ userId: target.userId, role: "owner" })).role, "owner");
    assert.equal((await (await callerOf(target)).account.current()).role, "owner", "the new role applies at once");
    assert.equal((await ownerCaller.team.changeRole({ userId: target.userId, role: "viewer" })).role, "viewer");
    assert.equal((await (await callerOf(target)).account.current()).role, "viewer");
    assert.equal((await trpcOutcome(() => ownerCaller.team.changeRole({ userId: uuidv7(), role: "viewer" }))).code, "NOT_FOUND");
  });

  it("a removed member's sessions lose access at once: their next call is FORBIDDEN and pages log them out", async () => {
    const leaver = await member("editor", "Rick Removed");
    const second = await app.sessionCookie(leaver.userId, { accountId: owner.accountId });
    const caller = await callerOf(leaver);
    assert.ok((await caller.dashboards.list()).length > 0);

    const removed = await trpcFrom("mutation", "team.removeMember", { userId: leaver.userId }, owner.cookie);
    assert.equal(removed.status, 200);
    assert.equal((await trpcOutcome(() => caller.dashboards.list())).code, "FORBIDDEN");
    assert.equal((await trpcOutcome(() => caller.team.list())).code, "FORBIDDEN");
    const other = await app.trpc("query", "reports.overview", undefined, second.cookie);
    assert.equal(other.status, 403, "every session of theirs");
    const page = await app.request("/dashboard", { cookie: leaver.cookie });
    assert.equal(page.status, 302);
    assert.equal(page.headers.get("location"), "/login");
    assert.equal((await trpcOutcome(async () => (await callerOf(owner)).team.removeMember({ userId: leaver.userId }))).code, "NOT_FOUND", "removing twice");
  });

  it("a member may leave; their sessions move to another account of theirs (or to none)", async () => {
    const both = await ownerOfOwn("Betty Both");
    await app.db.insert(memberships).values({ accountId: owner.accountId, userId: both.userId, role: "editor" });
    const there = await app.sessionCookie(both.userId, { accountId: owner.accountId });
    const left = await app.trpc("mutation", "team.leave", undefined, there.cookie);
    assert.deepEqual(left.body.result?.data, { accountId: both.accountId });
    const current = await app.trpc("query", "account.current", undefined, there.cookie);
    assert.equal((current.body.result!.data as { account: { id: string } }).account.id, both.accountId, "the session now acts on their own account");

    const only = await member("viewer", "Olly Only");
    const res = await app.postForm("/settings/team", { intent: "leave" }, { cookie: only.cookie });
    assert.equal(res.status, 302);
    assert.equal(res.headers.get("location"), "/login", "with no account left, they are logged out");
    assert.equal((await app.db.select().from(memberships).where(eq(memberships.userId, only.userId))).length, 0);
  });
});

describe("the account switcher", () => {
  it("switching the session's account changes what every procedure lists", async () => {
    const both = await ownerOfOwn("Sam Switcher");
    await app.db.insert(memberships).values({ accountId: owner.accountId, userId: both.userId, role: "viewer" });
    const ownerCaller = await callerOf(owner);
    const board = await ownerCaller.dashboards.create({ name: "Olga's board" });
    const key = await newKey(app, owner.accountId, "ingest");
    await pushOk(app, key, "acme-only", "1");

    // A caller reads the session when it is made (as each request does): one per step.
    const names = async () => {
      const caller = await callerOf(both);
      return [(await caller.dashboards.list()).map((d) => d.id), (await caller.reports.overview()).map((r) => r.name)] as const;
    };
    let caller = await callerOf(both);
    let [dashboards, reports] = await names();
    assert.ok(!dashboards.includes(board.id));
    assert.ok(!reports.includes("acme-only"));
    const { accounts: listed, currentId } = await caller.team.accounts();
    assert.equal(currentId, both.accountId);
    assert.deepEqual(listed.map((a) => [a.name, a.role]), [[ACCOUNT, "viewer"], ["Sam Switcher", "owner"]]);

    // Through the header's form, as a browser posts it.
    const res = await app.postForm("/switch-account", { accountId: owner.accountId, redirectTo: "/settings/team" }, { cookie: both.cookie });
    assert.equal(res.status, 302);
    assert.equal(res.headers.get("location"), "/settings/team");
    [dashboards, reports] = await names();
    assert.ok(dashboards.includes(board.id));
    assert.ok(reports.includes("acme-only"));
    caller = await callerOf(both);
    assert.equal((await caller.account.current()).role, "viewer");

    // Not to an account of someone else's; the session stays where it was.
    assert.equal((await trpcOutcome(() => caller.team.switchAccount({ accountId: outsider.accountId }))).code, "NOT_FOUND");
    assert.equal((await trpcOutcome(() => caller.team.switchAccount({ accountId: "nope" }))).code, "BAD_REQUEST");
    const refused = await app.postForm("/switch-account", { accountId: outsider.accountId }, { cookie: both.cookie });
    assert.equal(refused.status, 404);
    assert.equal((await (await callerOf(both)).account.current()).account.id, owner.accountId);

    await caller.team.switchAccount({ accountId: both.accountId });
    [dashboards] = await names();
    assert.ok(!dashboards.includes(board.id));
  });

  it("the header offers the switcher only to users of several accounts", async () => {
    const single = await (await app.request("/settings/team", { cookie: outsider.cookie })).text();
    assert.doesNotMatch(single, /Switch account/);
    const many = await ownerOfOwn("Multi Member");
    await app.db.insert(memberships).values({ accountId: owner.accountId, userId: many.userId, role: "editor" });
    const html = await (await app.request("/settings/team", { cookie: many.cookie })).text();
    assert.match(html, /Switch account/);
    assert.match(html, /Acme Ops/);
    assert.match(html, /Manage the team of/);
  });

  it("without a login, the user-level procedures are refused", async () => {
    const anonymous = await app.caller();
    for (const call of [() => anonymous.team.accounts(), () => anonymous.team.switchAccount({ accountId: owner.accountId }), () => anonymous.team.acceptInvitation({ token: "twi_x" })]) {
      assert.equal((await trpcOutcome(call)).code, "UNAUTHORIZED");
    }
  });
});

describe("the outsider", () => {
  it("cannot list, invite into, resend, cancel, re-role or remove anything in the owner's account", async () => {
    const { invitation } = await (await callerOf(owner)).team.invite({ email: uniqueEmail("guarded"), role: "viewer" });
    const target = await member("editor", "Guarded Member");
    const before = [await pendingRows(owner.accountId), (await (await callerOf(owner)).team.list()).members];
    const caller = await callerOf(outsider);

    const listed = await caller.team.list();
    assert.deepEqual(listed.members.map((m) => m.email), [outsider.email], "only its own account's members");
    assert.ok(!listed.invitations.some((i) => i.id === invitation.id));
    for (const [name, call] of Object.entries({
      resendInvitation: () => caller.team.resendInvitation({ id: invitation.id }),
      cancelInvitation: () => caller.team.cancelInvitation({ id: invitation.id }),
      changeRole: () => caller.team.changeRole({ userId: target.userId, role: "viewer" }),
      removeMember: () => caller.team.removeMember({ userId: target.userId }),
      removeOwner: () => caller.team.removeMember({ userId: owner.userId }),
    })) {
      const outcome = await trpcOutcome(call);
      assert.equal(outcome.code, "NOT_FOUND", `${name}: ${outcome.message}`);
      assert.doesNotMatch(outcome.message, /Acme|guarded/i);
    }
    // Its invitations go to its own account.
    const own = await caller.team.invite({ email: uniqueEmail("oscar-friend"), role: "viewer" });
    const [row] = await app.db.select().from(invitations).where(eq(invitations.id, own.invitation.id));
    assert.equal(row!.accountId, outsider.accountId);
    assert.ok(!(await caller.audit.list({ limit: 100 })).entries.some((e) => /Acme|guarded/i.test(e.summary)));
    assert.deepEqual([await pendingRows(owner.accountId), (await (await callerOf(owner)).team.list()).members], before, "nothing changed");

    // A session forged onto the owner's account is refused before anything runs.
    const forged = await app.caller({ sessionId: (await app.sessionCookie(outsider.userId, { accountId: owner.accountId })).sessionId });
    for (const call of [() => forged.team.list(), () => forged.team.invite({ email: uniqueEmail(), role: "viewer" }), () => forged.audit.list({ limit: 5 }), () => forged.team.leave()]) {
      assert.equal((await trpcOutcome(call)).code, "FORBIDDEN");
    }
  });
});

describe("the audit log", () => {
  it("records invitations, joins, role changes and removals with the actor and the request's IP", async () => {
    const email = uniqueEmail("audited");
    const { token } = await inviteAndGetToken(owner, email, "editor");
    await postInvitation(token, { intent: "create", name: "Audra Audited", password: TEST_PASSWORD });
    const [joined] = await app.db.select({ id: users.id }).from(users).where(eq(users.email, email));
    await trpcFrom("mutation", "team.changeRole", { userId: joined!.id, role: "viewer" }, admin.cookie);
    await trpcFrom("mutation", "team.removeMember", { userId: joined!.id }, owner.cookie);

    const rows = (await auditRows(owner.accountId)).filter((r) => r.target === email);
    assert.deepEqual(
      rows.map((r) => [r.action, r.actor, r.ip]),
      [
        ["member.invited", owner.email, FORWARDED_IP],
        ["member.joined", email, "127.0.0.1"],
        ["member.role_changed", admin.email, FORWARDED_IP],
        ["member.removed", owner.email, FORWARDED_IP],
      ],
    );
    assert.deepEqual(rows[2]!.details, { email, name: "Audra Audited", from: "editor", to: "viewer" });
  });

  it("records API keys and alarms (web and public API) and says what happened in words", async () => {
    const created = await trpcFrom("mutation", "apiKey.create", { name: "web1 cron", scope: "full" }, owner.cookie);
    assert.equal(created.status, 200);
    const { key, apiKey } = created.body.result!.data as { key: string; apiKey: { id: string; prefix: string } };
    await pushOk(app, key, "df", "Use%\n91%\n");
    const caller = await callerOf(editor);
    const { alarm } = await caller.alarms.create({ name: "Disk full", report: "df", kind: "check", code: "return false" });
    await caller.alarms.setEnabled({ id: alarm.id, enabled: false });
    await caller.alarms.snooze({ id: alarm.id, minutes: 30 });
    const viaApi = await app.request(`/api/v1/alarms/${alarm.id}`, { method: "DELETE", origin: null, headers: { authorization: `Bearer ${key}`, "x-forwarded-for": "198.51.100.9" } });
    assert.equal(viaApi.status, 200);
    assert.equal((await trpcFrom("mutation", "apiKey.revoke", { id: apiKey.id }, admin.cookie)).status, 200);

    const { entries } = await (await callerOf(owner)).audit.list({ limit: 10 });
    const recent = entries.slice(0, 6).reverse().map((e) => [e.action, e.actor, e.summary, e.ip]);
    assert.deepEqual(recent, [
      ["api_key.created", owner.email, "created the API key “web1 cron” (full scope)", FORWARDED_IP],
      ["alarm.created", editor.email, "created the alarm “Disk full” on df", "127.0.0.1"],
      ["alarm.changed", editor.email, "turned off the alarm “Disk full”", "127.0.0.1"],
      ["alarm.changed", editor.email, "snoozed the alarm “Disk full” for 30 minutes", "127.0.0.1"],
      ["alarm.deleted", `API key ${apiKey.prefix}`, "deleted the alarm “Disk full”", "198.51.100.9"],
      ["api_key.revoked", admin.email, `revoked the API key “web1 cron” (${apiKey.prefix}…)`, FORWARDED_IP],
    ]);
    const invited = entries.length ? (await (await callerOf(owner)).audit.list({ limit: 100 })).entries.find((e) => e.action === "member.invited") : undefined;
    assert.match(invited?.summary ?? "", /^invited \S+@example\.test as \w+$/);
  });

  it("pages back without gaps or repeats, and only admins and owners may read it", async () => {
    const caller = await callerOf(admin);
    const all = (await caller.audit.list({ limit: 100 })).entries.map((e) => e.id);
    const paged: string[] = [];
    let before: string | undefined;
    for (;;) {
      const page = await caller.audit.list({ limit: 3, before });
      paged.push(...page.entries.map((e) => e.id));
      if (!page.next) break;
      before = page.next;
    }
    assert.deepEqual(paged, all);
    assert.equal((await trpcOutcome(() => caller.audit.list({ before: "yesterday" }))).code, "BAD_REQUEST");
    for (const actor of [editor, viewer]) {
      assert.equal((await trpcOutcome(async () => (await callerOf(actor)).audit.list({}))).code, "FORBIDDEN");
    }
    assert.equal((await trpcOutcome(async () => (await app.caller()).audit.list({}))).code, "UNAUTHORIZED");
  });

  it("Settings → Activity shows the sentences to admins and a locked state to others", async () => {
    const page = await app.request("/settings/activity", { cookie: owner.cookie });
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /Recent activity/);
    assert.match(html, /created the API key “web1 cron”/);
    assert.ok(html.includes(FORWARDED_IP));
    const locked = await (await app.request("/settings/activity", { cookie: viewer.cookie })).text();
    assert.match(locked, /Only admins and owners can see the activity log/);
    assert.doesNotMatch(locked, /web1 cron/);
  });
});

describe("every team.* and audit.* procedure is tested here", () => {
  it("the list matches the router", () => {
    const tested = [
      "team.list",
      "team.invite",
      "team.resendInvitation",
      "team.cancelInvitation",
      "team.changeRole",
      "team.removeMember",
      "team.leave",
      "team.accounts",
      "team.switchAccount",
      "team.invitation",
      "team.acceptInvitation",
      "team.acceptInvitationAsNewUser",
      "audit.list",
    ];
    const all = Object.keys(appRouter._def.procedures).filter((p) => p.startsWith("team.") || p.startsWith("audit."));
    assert.deepEqual([...all].sort(), [...tested].sort());
  });
});
