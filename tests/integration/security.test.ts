import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { eq } from "drizzle-orm";
import { accessLog, sessions } from "../../db/schema";
import { createApiKey } from "../../server/api-key/service";
import { formAlert, sessionCookieOf, sessionSetCookie, startTestApp, type TestApp, TEST_PASSWORD, uniqueEmail } from "../helpers/app";

/** Behind a (trusted) proxy, so that tests can log in from addresses of their own. */
let app: TestApp;
/** Production over https. */
let prod: TestApp;

before(async () => {
  app = await startTestApp({ env: { TRUST_PROXY: "true" } });
  prod = await startTestApp({ env: { APP_URL: "https://example.test", NODE_ENV: "production" } });
});
after(async () => {
  await Promise.all([app?.stop(), prod?.stop()]);
});

let nextAddress = 1;
/** A client address not used by any other test (for the per-address login limit). */
const freshAddress = () => `198.51.100.${nextAddress++}`;

const login = (target: TestApp, fields: Record<string, string>, address = freshAddress()) =>
  target.postForm("/login", fields, { headers: { "x-forwarded-for": address } });

describe("session cookie", () => {
  it("is HttpOnly and SameSite=Lax, and without remember me lasts only the browser session", async () => {
    const user = await app.createUser();
    const res = await login(app, { email: user.email, password: user.password });
    assert.equal(res.status, 302);
    const cookie = sessionSetCookie(res) ?? "";
    assert.match(cookie, /; HttpOnly/i);
    assert.match(cookie, /; SameSite=Lax/i);
    assert.match(cookie, /; Path=\//i);
    assert.doesNotMatch(cookie, /Max-Age/i);
    assert.doesNotMatch(cookie, /Expires/i);
    assert.doesNotMatch(cookie, /; Secure/i, "not Secure over plain http (localhost)");
  });

  it("with remember me lasts 30 days", async () => {
    const user = await app.createUser();
    const res = await login(app, { email: user.email, password: user.password, remember: "on" });
    const cookie = sessionSetCookie(res) ?? "";
    const maxAge = Number(/Max-Age=(\d+)/i.exec(cookie)?.[1]);
    assert.ok(Math.abs(maxAge - 30 * 24 * 3600) < 60, `Max-Age ${maxAge}`);
    assert.match(cookie, /; HttpOnly/i);
    assert.match(cookie, /; SameSite=Lax/i);
  });

  it("after registration lasts only the browser session", async () => {
    const res = await app.postForm("/register", { name: "Reg", email: uniqueEmail(), password: TEST_PASSWORD });
    const cookie = sessionSetCookie(res) ?? "";
    assert.match(cookie, /; HttpOnly/i);
    assert.doesNotMatch(cookie, /Max-Age/i);
  });

  it("is Secure when the app is served over https", async () => {
    const user = await prod.createUser();
    const res = await prod.postForm("/login", { email: user.email, password: user.password });
    assert.equal(res.status, 302);
    const cookie = sessionSetCookie(res) ?? "";
    assert.match(cookie, /; Secure/i);
    assert.match(cookie, /; HttpOnly/i);
    assert.match(cookie, /; SameSite=Lax/i);
  });

  it("a malformed cookie of another site on the same host neither crashes the app nor logs the user out", async () => {
    const user = await app.createUser();
    const { cookie } = await app.sessionCookie(user.userId);
    const res = await app.trpc("query", "account.current", undefined, `other=100%; broken=%E0%A4%A; ${cookie}`);
    assert.equal(res.status, 200);
    const alone = await app.request("/", { cookie: "tw_session=%E0%A4%A" });
    assert.equal(alone.status, 200);
    assert.equal((await app.request("/login")).status, 200, "the app still answers");
  });

  it("a forged session id with odd characters counts as logged out", async () => {
    for (const cookie of ["tw_session=%00abc", "tw_session=" + "z".repeat(5000), "tw_session=x'--", "tw_session=ABC"]) {
      const res = await app.trpc("query", "account.current", undefined, cookie);
      assert.equal(res.status, 401, cookie.slice(0, 40));
    }
  });
});

describe("cross-site requests", () => {
  it("a form POST without an Origin or Referer is refused with 403", async () => {
    const user = await app.createUser();
    const res = await app.postForm("/login", { email: user.email, password: user.password }, { origin: null });
    assert.equal(res.status, 403);
    assert.match(await res.text(), /cross-site request/);
    assert.equal(sessionCookieOf(res), null);
    assert.deepEqual(await app.db.select().from(sessions).where(eq(sessions.userId, user.userId)), [], "no session was made");
  });

  it("a form POST from another site's Origin is refused with 403", async () => {
    for (const origin of ["http://evil.example", "null", `${app.url}.evil.example`, "not a url"]) {
      const res = await app.postForm("/login", { email: "a@b.test", password: "x" }, { origin });
      assert.equal(res.status, 403, origin);
    }
  });

  it("a cross-site logout does not end the session", async () => {
    const user = await app.createUser();
    const { cookie } = await app.sessionCookie(user.userId);
    const res = await app.postForm("/logout", {}, { cookie, origin: "http://evil.example" });
    assert.equal(res.status, 403);
    assert.equal((await app.trpc("query", "account.current", undefined, cookie)).status, 200);
  });

  it("a tRPC mutation without a matching Origin is refused with 403", async () => {
    const res = await app.request("/trpc/auth.logout", { method: "POST", origin: null });
    assert.equal(res.status, 403);
    const foreign = await app.request("/trpc/auth.logout", { method: "POST", origin: "http://evil.example" });
    assert.equal(foreign.status, 403);
  });

  it("a same-site Referer is accepted when the browser sends no Origin", async () => {
    const user = await app.createUser();
    const res = await app.postForm("/login", { email: user.email, password: user.password }, {
      origin: null,
      headers: { referer: `${app.url}/login`, "x-forwarded-for": freshAddress() },
    });
    assert.equal(res.status, 302);
  });

  it("a forged X-Forwarded-Host does not pass the check when no proxy is trusted", async () => {
    const res = await prod.postForm("/login", { email: "a@b.test", password: "x" }, {
      origin: "http://evil.example",
      headers: { "x-forwarded-host": "evil.example" },
    });
    assert.equal(res.status, 403);
  });

  it("reading pages needs no Origin", async () => {
    assert.equal((await app.request("/login", { origin: null })).status, 200);
  });
});

describe("login rate limit", () => {
  it("the 11th attempt for one email within 15 minutes is refused with 429 and a clear message, even with the right password", async () => {
    const user = await app.createUser();
    for (let i = 1; i <= 10; i++) {
      const res = await login(app, { email: user.email, password: `wrong ${i}` });
      assert.equal(res.status, 401, `attempt ${i}`);
    }
    const eleventh = await login(app, { email: user.email, password: user.password });
    assert.equal(eleventh.status, 429);
    assert.equal(sessionCookieOf(eleventh), null);
    const message = formAlert(await eleventh.text()) ?? "";
    assert.match(message, /Too many .*login attempts/i);
    assert.match(message, /wait 15 minutes/);
  });

  it("the limit holds for the email whatever its letter case", async () => {
    const user = await app.createUser();
    for (let i = 1; i <= 10; i++) await login(app, { email: i % 2 ? user.email.toUpperCase() : user.email, password: "wrong" });
    assert.equal((await login(app, { email: ` ${user.email.toUpperCase()}`, password: user.password })).status, 429);
  });

  it("failed attempts from one address are limited across emails", async () => {
    const address = freshAddress();
    for (let i = 1; i <= 10; i++) {
      assert.equal((await login(app, { email: uniqueEmail("probe"), password: "guess" }, address)).status, 401);
    }
    const user = await app.createUser();
    assert.equal((await login(app, { email: user.email, password: user.password }, address)).status, 429);
    assert.equal((await login(app, { email: user.email, password: user.password })).status, 302, "other addresses are not affected");
  });

  it("a successful login clears the failed attempts of the email", async () => {
    const user = await app.createUser();
    for (let i = 1; i <= 9; i++) await login(app, { email: user.email, password: "wrong" });
    assert.equal((await login(app, { email: user.email, password: user.password })).status, 302);
    for (let i = 1; i <= 9; i++) await login(app, { email: user.email, password: "wrong" });
    assert.equal((await login(app, { email: user.email, password: user.password })).status, 302);
  });
});

describe("bad input never yields a 500", () => {
  const form = (fields: Record<string, string>) => ({
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields).toString(),
  });
  const json = (body: string) => ({ method: "POST", headers: { "content-type": "application/json" }, body });

  const cases: [string, string, RequestInit, number][] = [
    ["garbage JSON to a tRPC mutation", "/trpc/auth.login", json("{not json"), 400],
    ["garbage JSON to a tRPC batch", "/trpc/auth.login?batch=1", json("[[["), 400],
    ["wrong types to a tRPC mutation", "/trpc/auth.login", json(JSON.stringify({ email: ["x"], password: 5 })), 400],
    ["an empty tRPC mutation body", "/trpc/auth.register", json(""), 400],
    ["a NUL character in a tRPC string", "/trpc/auth.register", json(JSON.stringify({ name: "a\u0000b", email: "nul@example.test", password: TEST_PASSWORD })), 400],
    ["garbage tRPC query input", "/trpc/auth.checkResetToken?input=%7Bbad", {}, 400],
    ["an unknown tRPC procedure", "/trpc/nope.nothing", {}, 404],
    ["a query sent as a mutation", "/trpc/account.current", json("{}"), 405],
    ["a 1 MB email in the login form", "/login", form({ email: "a".repeat(1_000_000), password: "x" }), 400],
    ["a NUL character in the login email", "/login", form({ email: "a\u0000b@example.test", password: "x" }), 400],
    ["a NUL character in the registration name", "/register", form({ name: "a\u0000b", email: uniqueEmail(), password: TEST_PASSWORD }), 400],
    ["a 10,000-character name", "/register", form({ name: "n".repeat(10_000), email: uniqueEmail(), password: TEST_PASSWORD }), 400],
    ["a password of 100,000 characters", "/register", form({ name: "n", email: uniqueEmail(), password: "p".repeat(100_000) }), 400],
    ["JSON posted to a form", "/login", json(JSON.stringify({ email: "a@b.test", password: "x" })), 400],
    ["a broken multipart body", "/login", { method: "POST", headers: { "content-type": "multipart/form-data; boundary=zzz" }, body: "garbage" }, 400],
    ["a form with no fields", "/forgot-password", form({}), 400],
    ["an overlong reset token", "/reset-password", form({ token: "t".repeat(500), password: TEST_PASSWORD, confirm: TEST_PASSWORD }), 400],
    ["an overlong reset link", `/reset-password?token=${"t".repeat(5000)}`, {}, 200],
    ["a NUL in a confirmation link", `/confirm-email?token=%00${"x".repeat(30)}`, {}, 200],
    ["a malformed percent-encoding in a page path", "/%E0%A4%A", {}, 400],
    ["an unknown page", "/no/such/page", {}, 404],
    ["a malformed percent-encoding in an API path", "/api/v1/%E0%A4%A", {}, 404],
    ["a malformed key in the query", "/api/v1/account?key=%E0%A4%A&a=%&b[c][d]=1", {}, 401],
    ["garbage JSON to the API", "/api/v1/account", json("{bad"), 405],
    ["an unknown API path", "/api/v1/nope", {}, 404],
  ];

  for (const [what, path, init, status] of cases) {
    it(`${what} is answered with ${status}`, async () => {
      const res = await app.request(path, init);
      await res.arrayBuffer();
      assert.equal(res.status, status);
    });
  }
});

describe("bad input to the public API never yields a 500", () => {
  let key: string;
  before(async () => {
    const user = await app.createUser();
    key = (await createApiKey(app.db, { accountId: user.accountId, name: "fuzz", scope: "full", createdBy: user.userId })).key;
  });

  const push = (body: BodyInit, contentType = "text/plain") => ({ method: "POST", headers: { "content-type": contentType }, body });
  // Expected status, or "any" for odd input that may be accepted (but never with a 500).
  const cases: [string, string, RequestInit, number | "any"][] = [
    ["an empty body", "/reports/r", push("  \n "), 422],
    ["a body with NUL bytes", "/reports/r", push(new Uint8Array([0, 1, 2, 255, 0, 10])), 400],
    ["JSON with an escaped NUL", "/reports/r", push('{"a":"\\u0000"}', "application/json"), "any"],
    ["invalid UTF-8", "/reports/r", push(new Uint8Array([0xc3, 0x28, 0xa0, 0xa1, 0x41])), "any"],
    ["a number too large for a double", "/reports/r", push('{"a": 1e999999}', "application/json"), "any"],
    ["JSON nested 100,000 deep", "/reports/r", push("[".repeat(100_000) + "]".repeat(100_000), "application/json"), 400],
    ["a body over 1 MiB", "/reports/r", push("x".repeat(1024 * 1024 + 10)), 413],
    ["a 300-character report name", `/reports/${"n".repeat(300)}`, push("1"), 400],
    ["a slash in the report name", "/reports/a%2Fb", push("1"), 400],
    ["a malformed percent-encoding in the report name", "/reports/%E0%A4%A", push("1"), 400],
    ["a creation time in the future", "/reports/r?created=3000-01-01T00:00:00Z", push("1"), 400],
    ["a creation time that is no time", "/reports/r?created=garbage", push("1"), 400],
    ["20 tags", `/reports/r?tags=${Array.from({ length: 20 }, (_, i) => `t${i}`).join(",")}`, push("1"), 400],
    ["an unknown format", "/reports/r?format=nope", push("1"), 400],
    ["a NUL delimiter", "/reports/r?format=csv&delimiter=%00", push("a,b\n1,2"), 400],
    ["an absurd header row", "/reports/r?header=99999999999999999999", push("a b\n1 2"), 400],
    ["a 6,000-character link", `/reports/r?link=${"h".repeat(6000)}`, push("1"), 400],
    ["formKey with a broken multipart body", "/reports/r?formKey=x", push("zzz", "multipart/form-data; boundary=q"), 400],
    ["formKey with a body that is not a form", "/reports/r?formKey=x", push("zzz"), 400],
    ["formKey naming a field the form lacks", "/reports/r?formKey=x", push("y=1", "application/x-www-form-urlencoded"), 400],
    ["a limit that is no number", "/reports?limit=abc", {}, 400],
    ["a from that is no time", "/reports/r/instances?from=garbage", {}, 400],
    ["an instance id that is no id", "/reports/r/instances/zzz", {}, 400],
    ["a deletion with a from that is no time", "/reports/r/instances?from=99999-99-99", { method: "DELETE" }, 400],
  ];

  for (const [what, path, init, expected] of cases) {
    it(`${what} is answered ${expected === "any" ? "without a 500" : `with ${expected}`}, in the envelope`, async () => {
      const headers = new Headers(init.headers);
      headers.set("authorization", `Bearer ${key}`);
      const res = await app.request(`/api/v1${path}`, { ...init, headers, origin: null });
      const body = (await res.json()) as { success: boolean; details?: { errorCode?: string } };
      if (expected === "any") assert.ok(res.status < 500, `status ${res.status}`);
      else assert.equal(res.status, expected);
      assert.equal(body.success, res.status === 200);
      if (res.status === 422) assert.equal(body.details?.errorCode, "ERROR_EMPTY_REPORT_DATA");
      else if (!body.success) assert.equal(body.details?.errorCode, `ERROR_${res.status}`);
    });
  }
});

describe("security headers", () => {
  it("pages forbid framing, sniffing and foreign scripts", async () => {
    const res = await app.request("/login");
    const csp = res.headers.get("content-security-policy") ?? "";
    assert.match(csp, /frame-ancestors 'none'/);
    assert.match(csp, /script-src 'self' 'nonce-[A-Za-z0-9+/=]+'/);
    assert.equal(res.headers.get("x-content-type-options"), "nosniff");
    assert.equal(res.headers.get("x-powered-by"), null);
  });

  it("over https, browsers are told to stay on https", async () => {
    const res = await prod.request("/login");
    assert.match(res.headers.get("strict-transport-security") ?? "", /max-age=\d+/);
    assert.match(res.headers.get("content-security-policy") ?? "", /upgrade-insecure-requests/);
  });

  it("the development mailbox does not exist in production", async () => {
    assert.equal((await prod.request("/dev/mail/messages.json")).status, 404);
    assert.equal((await prod.request("/dev/mail")).status, 404);
  });
});

describe("access log", () => {
  /** The access log rows of requests with this user agent, once there are `count` of them (rows are written in batches). */
  async function logged(userAgent: string, count = 1) {
    const deadline = Date.now() + 5000;
    for (;;) {
      const rows = await app.db.select().from(accessLog).where(eq(accessLog.userAgent, userAgent));
      if (rows.length >= count) return rows;
      if (Date.now() > deadline) throw new Error(`${rows.length} of ${count} access log rows for ${userAgent}: ${JSON.stringify(rows.map((r) => r.url))}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  it("each request leaves a row with time, method, URL, status, duration, address and user agent", async () => {
    const userAgent = `probe-${uniqueEmail()}`;
    const started = Date.now();
    await (await app.request("/login?from=test", { headers: { "user-agent": userAgent, "x-forwarded-for": "203.0.113.7, 10.0.0.1" } })).arrayBuffer();
    const [row] = await logged(userAgent);
    assert.ok(row);
    assert.equal(row.method, "GET");
    assert.equal(row.url, "/login?from=test");
    assert.equal(row.status, 200);
    assert.ok(row.durationMs >= 0);
    assert.equal(row.ip, "203.0.113.7", "the first X-Forwarded-For address, as the proxy is trusted");
    assert.ok(Math.abs(row.time.getTime() - started) < 60_000);
  });

  it("API requests and refused requests are logged too, with their status", async () => {
    const userAgent = `probe-${uniqueEmail()}`;
    await (await app.request("/api/v1/account", { headers: { "user-agent": userAgent }, origin: null })).arrayBuffer();
    await (await app.postForm("/login", { email: "x@y.test", password: "z" }, { origin: null, headers: { "user-agent": userAgent } })).arrayBuffer();
    const rows = await logged(userAgent, 2);
    assert.deepEqual(rows.map((r) => [r.method, r.url, r.status]).sort(), [
      ["GET", "/api/v1/account", 401],
      ["POST", "/login", 403],
    ]);
  });

  it("API keys and one-time tokens in URLs never reach the log", async () => {
    const userAgent = `probe-${uniqueEmail()}`;
    const paths = [
      "/api/v1/account?key=tw_live_SECRET1&x=1",
      "/api/v1/account?%6Bey=tw_live_SECRET2",
      "/api/v1/account?KEY=tw_live_SECRET3",
      "/reset-password?token=SECRET4",
      "/confirm-email?x=1&token=SECRET5",
    ];
    for (const path of paths) await (await app.request(path, { headers: { "user-agent": userAgent }, origin: null })).arrayBuffer();
    const rows = await logged(userAgent, paths.length);
    assert.equal(rows.length, paths.length);
    for (const row of rows) {
      assert.doesNotMatch(row.url, /SECRET/, row.url);
      assert.match(row.url, /=\[redacted\]/);
    }
  });
});

describe("rate-limit counters are not kept longer than needed", () => {
  it("the daily purge deletes counters whose window ended over a day ago, and keeps current ones", async () => {
    const { hitRateLimit, isRateLimited, purgeExpiredRateLimits } = await import("../../server/rate-limit/service");
    const now = new Date();
    const opts = { limit: 1, windowMs: 60_000 };
    await hitRateLimit(app.db, "purge-test:old", { ...opts, now: new Date(now.getTime() - 2 * 24 * 3600_000) });
    await hitRateLimit(app.db, "purge-test:new", { ...opts, now });
    await hitRateLimit(app.db, "purge-test:new", { ...opts, now });
    assert.ok((await purgeExpiredRateLimits(app.db, now)) >= 1);
    assert.equal((await isRateLimited(app.db, "purge-test:new", { ...opts, now })).limited, true, "the current window still counts");
    assert.equal(await purgeExpiredRateLimits(app.db, now), 0, "nothing old is left");
  });
});
