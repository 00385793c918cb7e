import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { eq } from "drizzle-orm";
import { passwordResetTokens, rateLimits } from "../../db/schema";
import {
  fieldError,
  formAlert,
  type Mail,
  sessionCookieOf,
  startTestApp,
  type TestApp,
  TEST_PASSWORD,
  uniqueEmail,
} from "../helpers/app";

let app: TestApp;
before(async () => {
  app = await startTestApp();
});
after(() => app?.stop());
// Only failed logins count against the limits, but keep each test independent of the others.
beforeEach(() => app.db.delete(rateLimits));

/** The session's account and user as the app's pages see them, or the HTTP status. */
async function whoAmI(cookie: string) {
  const reply = await app.trpc("query", "account.current", undefined, cookie);
  return reply.status === 200
    ? (reply.body.result!.data as { account: { name: string }; role: string; user: { email: string; emailConfirmed: boolean } })
    : reply.status;
}

const linkIn = (mail: Mail, path: string) => {
  const match = new RegExp(`https?://[^\\s"<>]+${path}\\?token=[A-Za-z0-9_-]+`).exec(mail.text);
  assert.ok(match, `no ${path} link in: ${mail.text}`);
  return new URL(match[0]);
};

describe("registration", () => {
  it("a visitor who registers is logged in, owns a new account and lands on the dashboard", async () => {
    const email = uniqueEmail("reg");
    const res = await app.postForm("/register", { name: "Rita Register", email, password: TEST_PASSWORD });
    assert.equal(res.status, 302);
    assert.equal(res.headers.get("location"), "/dashboard?welcome=1");
    const cookie = sessionCookieOf(res);
    assert.ok(cookie, "a session cookie is set");

    const me = await whoAmI(cookie);
    assert.notEqual(typeof me, "number");
    assert.deepEqual(typeof me === "object" && { name: me.account.name, role: me.role, email: me.user.email }, {
      name: "Rita Register",
      role: "owner",
      email,
    });

    const landing = await app.request("/dashboard", { cookie });
    assert.equal(landing.status, 302);
    assert.match(landing.headers.get("location") ?? "", /^\/dashboards\/[0-9a-f-]{36}$/);
    const dashboard = await app.request(landing.headers.get("location")!, { cookie });
    assert.equal(dashboard.status, 200);
    assert.match(await dashboard.text(), /Rita Register/);
  });

  it("an email that is already registered, in any letter case, is refused with a hint to log in", async () => {
    const { email } = await app.createUser();
    const res = await app.postForm("/register", { name: "Again", email: email.toUpperCase(), password: TEST_PASSWORD });
    assert.equal(res.status, 409);
    assert.equal(sessionCookieOf(res), null);
    assert.match(formAlert(await res.text()) ?? "", /already exists.*Log in/);
  });

  it("invalid registration fields are refused with a message next to each field", async () => {
    const res = await app.postForm("/register", { name: " ", email: "not-an-email", password: "short" });
    assert.equal(res.status, 400);
    const html = await res.text();
    assert.equal(formAlert(html), "Please correct the highlighted fields.");
    assert.equal(fieldError(html, "name"), "Enter your name");
    assert.equal(fieldError(html, "email"), "Enter a valid email address");
    assert.equal(fieldError(html, "password"), "Use at least 8 characters for the password");
  });
});

describe("login", () => {
  it("the right password logs in and redirects to the dashboard", async () => {
    const user = await app.createUser({ name: "Lena Login" });
    const res = await app.postForm("/login", { email: user.email, password: user.password });
    assert.equal(res.status, 302);
    assert.equal(res.headers.get("location"), "/dashboard");
    const cookie = sessionCookieOf(res);
    assert.ok(cookie);
    const me = await whoAmI(cookie);
    assert.equal(typeof me === "object" && me.user.email, user.email);
  });

  it("a wrong password is refused with a generic message", async () => {
    const user = await app.createUser();
    const res = await app.postForm("/login", { email: user.email, password: "wrong password" });
    assert.equal(res.status, 401);
    assert.equal(sessionCookieOf(res), null);
    assert.equal(formAlert(await res.text()), "Wrong email or password.");
  });

  it("an unknown email gets exactly the same answer as a wrong password", async () => {
    const user = await app.createUser();
    const wrongPassword = await app.postForm("/login", { email: user.email, password: "wrong password" });
    const unknownEmail = await app.postForm("/login", { email: uniqueEmail("nobody"), password: "wrong password" });
    assert.equal(unknownEmail.status, wrongPassword.status);
    assert.equal(formAlert(await unknownEmail.text()), formAlert(await wrongPassword.text()));
  });

  it("the email's letter case and surrounding spaces do not matter", async () => {
    const user = await app.createUser();
    const res = await app.postForm("/login", { email: `  ${user.email.toUpperCase()} `, password: user.password });
    assert.equal(res.status, 302);
    assert.ok(sessionCookieOf(res));
  });

  it("after login the user goes back to the page they came from, but never to another site", async () => {
    const user = await app.createUser();
    const local = await app.postForm("/login", { email: user.email, password: user.password, redirectTo: "/dashboard?tab=2" });
    assert.equal(local.headers.get("location"), "/dashboard?tab=2");
    for (const redirectTo of ["//evil.example/x", "https://evil.example/", "/\\evil.example"]) {
      const res = await app.postForm("/login", { email: user.email, password: user.password, redirectTo });
      assert.equal(res.headers.get("location"), "/dashboard", `redirectTo ${redirectTo}`);
    }
  });

  it("a logged-in user who opens the login or register page is sent to the dashboard", async () => {
    const user = await app.createUser();
    const { cookie } = await app.sessionCookie(user.userId);
    for (const path of ["/login", "/register"]) {
      const res = await app.request(path, { cookie });
      assert.equal(res.status, 302, path);
      assert.equal(res.headers.get("location"), "/dashboard");
    }
  });

  it("a visitor without a session who opens the dashboard is sent to the login page", async () => {
    const res = await app.request("/dashboard");
    assert.equal(res.status, 302);
    assert.equal(res.headers.get("location"), "/login");
  });
});

describe("logout", () => {
  it("logging out ends the session on the server, not only in the browser", async () => {
    const user = await app.createUser();
    const { cookie } = await app.sessionCookie(user.userId);
    assert.equal(typeof (await whoAmI(cookie)), "object");

    const res = await app.postForm("/logout", {}, { cookie });
    assert.equal(res.status, 302);
    assert.equal(res.headers.get("location"), "/login");
    assert.match(res.headers.getSetCookie().join("\n"), /tw_session=;.*Max-Age=0/);
    // The old cookie, replayed, no longer works.
    assert.equal(await whoAmI(cookie), 401);
  });
});

describe("email confirmation", () => {
  it("the emailed link confirms the address, and works only once", async () => {
    const email = uniqueEmail("confirm");
    const registered = await app.postForm("/register", { name: "Cora Confirm", email, password: TEST_PASSWORD });
    const cookie = sessionCookieOf(registered)!;
    const me = await whoAmI(cookie);
    assert.equal(typeof me === "object" && me.user.emailConfirmed, false);

    const mail = await app.waitForMail((m) => m.to === email);
    const link = linkIn(mail, "/confirm-email");
    assert.equal(link.origin, app.url, "the link points at the app's URL");

    const first = await app.request(link.pathname + link.search);
    assert.equal(first.status, 200);
    assert.match(await first.text(), /Email confirmed/);
    const confirmed = await whoAmI(cookie);
    assert.equal(typeof confirmed === "object" && confirmed.user.emailConfirmed, true);

    const again = await app.request(link.pathname + link.search);
    assert.match(await again.text(), /This link does not work/);
  });

  it("a made-up confirmation link confirms nothing", async () => {
    const res = await app.request("/confirm-email?token=made-up-token-0123456789");
    assert.equal(res.status, 200);
    assert.match(await res.text(), /This link does not work/);
  });
});

describe("password reset", () => {
  async function requestReset(email: string) {
    const res = await app.postForm("/forgot-password", { email });
    assert.equal(res.status, 200);
    assert.match(await res.text(), /Check your inbox/);
  }

  /** Asks for a reset link for `email` and returns its token (the mail is sent in the background). */
  async function resetToken(email: string): Promise<string> {
    const before = new Set((await app.mail()).map((m) => m.id));
    await requestReset(email);
    const mail = await app.waitForMail((m) => m.to === email && !before.has(m.id) && /password/i.test(m.subject));
    return linkIn(mail, "/reset-password").searchParams.get("token")!;
  }

  // The form posts back to the page's own URL, link token included.
  const reset = (token: string, password: string, confirm = password) =>
    app.postForm(`/reset-password?token=${encodeURIComponent(token)}`, { token, password, confirm });

  /** A refused reset: 400, no session, and the page says the link no longer works. */
  async function assertRefused(res: Response) {
    assert.equal(res.status, 400);
    assert.equal(sessionCookieOf(res), null);
    assert.match(await res.text(), /This link has expired/);
  }

  it("a user who forgot the password sets a new one through the emailed link and is logged in", async () => {
    const user = await app.createUser();
    const token = await resetToken(user.email);

    const page = await app.request(`/reset-password?token=${token}`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /Choose a new password/);

    const res = await reset(token, "a brand new password");
    assert.equal(res.status, 302);
    assert.equal(res.headers.get("location"), "/dashboard?reset=1");
    const cookie = sessionCookieOf(res);
    assert.ok(cookie);
    assert.equal(typeof (await whoAmI(cookie)), "object");

    const withNew = await app.postForm("/login", { email: user.email, password: "a brand new password" });
    assert.equal(withNew.status, 302);
    const withOld = await app.postForm("/login", { email: user.email, password: user.password });
    assert.equal(withOld.status, 401);
  });

  it("a password reset ends all other sessions of the user", async () => {
    const user = await app.createUser();
    const login = await app.postForm("/login", { email: user.email, password: user.password, remember: "on" });
    const oldCookie = sessionCookieOf(login)!;
    const { cookie: otherDevice } = await app.sessionCookie(user.userId);
    assert.equal(typeof (await whoAmI(oldCookie)), "object");

    const res = await reset(await resetToken(user.email), "another new password");
    assert.equal(res.status, 302);
    assert.equal(await whoAmI(oldCookie), 401);
    assert.equal(await whoAmI(otherDevice), 401);
    assert.equal(typeof (await whoAmI(sessionCookieOf(res)!)), "object", "the new session works");
  });

  it("a reset link that was used once is refused the second time", async () => {
    const user = await app.createUser();
    const token = await resetToken(user.email);
    assert.equal((await reset(token, "first new password")).status, 302);

    await assertRefused(await reset(token, "second new password"));
    assert.match(await (await app.request(`/reset-password?token=${token}`)).text(), /This link has expired/);
    const login = await app.postForm("/login", { email: user.email, password: "second new password" });
    assert.equal(login.status, 401, "the second password was not set");
  });

  it("an expired reset link is refused", async () => {
    const user = await app.createUser();
    const token = await resetToken(user.email);
    await app.db
      .update(passwordResetTokens)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(passwordResetTokens.userId, user.userId));

    assert.match(await (await app.request(`/reset-password?token=${token}`)).text(), /This link has expired/);
    await assertRefused(await reset(token, "too late password"));
    const login = await app.postForm("/login", { email: user.email, password: user.password });
    assert.equal(login.status, 302, "the old password still works");
  });

  it("a made-up reset token is refused", async () => {
    await assertRefused(await reset("made-up-token-0123456789", "whatever password"));
  });

  it("two different passwords in the reset form are refused before the link is spent", async () => {
    const user = await app.createUser();
    const token = await resetToken(user.email);
    const res = await reset(token, "one new password", "another one");
    assert.equal(res.status, 400);
    assert.equal(fieldError(await res.text(), "confirm"), "The two passwords differ");
    assert.equal((await reset(token, "one new password")).status, 302, "the link still works");
  });

  it("asking to reset an unknown email looks the same and sends no mail", async () => {
    const unknown = uniqueEmail("ghost");
    await requestReset(unknown);
    const known = await app.createUser();
    await resetToken(known.email); // sent after the unknown one was handled
    assert.equal((await app.mail()).filter((m) => m.to === unknown).length, 0);
  });
});

describe("development mailbox (no SMTP_URL)", () => {
  it("a new user's confirmation email is caught and listed at /dev/mail/messages.json, newest first", async () => {
    const first = uniqueEmail("first");
    const second = uniqueEmail("second");
    await app.postForm("/register", { name: "First", email: first, password: TEST_PASSWORD });
    await app.postForm("/register", { name: "Second", email: second, password: TEST_PASSWORD });

    const mails = (await app.mail()).filter((m) => m.to === first || m.to === second);
    assert.deepEqual(
      mails.map((m) => m.to),
      [second, first],
    );
    const mail = mails[0]!;
    assert.equal(mail.subject, "Confirm your email address for Tablewatch");
    assert.match(mail.text, new RegExp(`${app.url.replace(/[.:/]/g, "\\$&")}/confirm-email\\?token=`));
    assert.match(mail.html, /<html/i);
    assert.match(mail.html, /confirm-email\?token=/);
  });

  it("the development mailbox shows caught mail as pages", async () => {
    const [mail] = await app.mail();
    assert.ok(mail);
    const list = await app.request("/dev/mail");
    assert.equal(list.status, 200);
    assert.match(await list.text(), new RegExp(mail.subject));
    const one = await app.request(`/dev/mail/${mail.id}`);
    assert.equal(one.status, 200);
    assert.match(await one.text(), /Plain text/);
    assert.equal((await app.request("/dev/mail/999999999")).status, 404);
  });
});
