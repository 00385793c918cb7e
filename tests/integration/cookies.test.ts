/**
 * Cookies (issue 8, and the Privacy Policy's "Cookies" section): a tour of every kind of page —
 * public, auth, app, admin, a shared dashboard, the public API, tRPC — logging in, refreshing and
 * ending a session, records every Set-Cookie, and asserts that the only cookie ever set is the
 * session cookie, always HttpOnly and SameSite=Lax, and Secure exactly when APP_URL is https.
 * (/dev/mail, a development tool, is left out.) No script of the built client sets a cookie either.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import { queryRows } from "../../db/client";
import { createApiKey } from "../../server/api-key/service";
import { SESSION_COOKIE } from "../../server/auth/lucia";
import { runCommand } from "../../server/cli/commands";
import { createShare } from "../../server/share/service";
import { startTestApp, type TestApp } from "../helpers/app";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

type Seen = { url: string; status: number; setCookie: string[] };

/** Visits every page type as the three kinds of visitor and returns every response's Set-Cookie headers. */
async function tour(app: TestApp): Promise<Seen[]> {
  const seen: Seen[] = [];
  const visit = async (url: string, init: Parameters<TestApp["request"]>[1] = {}) => {
    const res = await app.request(url, init);
    await res.arrayBuffer();
    seen.push({ url: `${init.method ?? "GET"} ${url}`, status: res.status, setCookie: res.headers.getSetCookie() });
    return res;
  };

  const owner = await app.createUser({ name: "Cookie Owner" });
  const adminUser = await app.createUser({ name: "Cookie Admin" });
  await runCommand(app.db, ["make-admin", "--email", adminUser.email], { appUrl: app.url });

  // Public pages, as a stranger.
  for (const url of ["/", "/privacy", "/terms", "/login", "/register", "/forgot-password", "/api/docs/", "/api/v1/openapi.json", "/favicon.svg", "/no-such-page"]) {
    await visit(url);
  }

  // Logging in through the form: the session cookie is born here.
  const login = await visit("/login", {
    method: "POST",
    body: new URLSearchParams({ email: owner.email, password: owner.password, remember: "on" }).toString(),
    headers: { "content-type": "application/x-www-form-urlencoded" },
  });
  const cookie = login.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`))?.split(";")[0];
  assert.ok(cookie, "logging in sets the session cookie");

  // App pages and tRPC, as a member.
  const [{ id: dashboardId }] = await queryRows<{ id: string }>(app.db, sql`select id from dashboards where account_id = ${owner.accountId}::uuid limit 1`);
  for (const url of [
    "/dashboard",
    `/dashboards/${dashboardId}`,
    "/reports",
    "/alarms",
    "/alarms/new",
    "/settings",
    "/settings/api-keys",
    "/settings/preferences",
    "/settings/profile",
    "/settings/team",
    "/trpc/account.current",
    "/admin/policies",
  ]) {
    await visit(url, { cookie });
  }

  // A session Lucia extends (past half its life) is sent again: still only the session cookie.
  await queryRows(app.db, sql`update sessions set expires_at = now() + interval '1 day' where id = ${cookie.split("=")[1]!}`);
  const refreshed = await visit("/reports", { cookie });
  assert.ok(refreshed.headers.getSetCookie().some((c) => c.startsWith(`${SESSION_COOKIE}=`)), "the extended session is sent again");

  // Admin pages, as an admin.
  const adminSession = await app.sessionCookie(adminUser.userId);
  for (const url of ["/admin/policies", "/admin/access-log", "/admin/accounts", `/admin/accounts/${owner.accountId}`, "/admin/usage", "/admin/emails"]) {
    await visit(url, { cookie: adminSession.cookie });
  }

  // A shared dashboard, as a visitor without an account.
  const { token } = await createShare(app.db, {
    accountId: owner.accountId,
    dashboardId,
    actor: { userId: owner.userId, label: owner.email, ip: null },
  });
  await visit(`/s/${token}`);

  // The public API, with a key.
  const { key } = await createApiKey(app.db, { accountId: owner.accountId, name: "cookie test", scope: "full", createdBy: owner.userId });
  const auth = { authorization: `Bearer ${key}` };
  await visit("/api/v1/account", { headers: auth, origin: null });
  await visit("/api/v1/reports/cookie-test", { method: "POST", headers: auth, body: "42", origin: null });
  await visit("/api/v1/reports", { headers: auth, origin: null });
  await visit("/api/v1/reports", { origin: null });

  // A stale cookie is cleared; logging out clears it too.
  await visit("/reports", { cookie: `${SESSION_COOKIE}=doesnotexist0123456789abcdefghij` });
  await visit("/logout", { method: "POST", cookie, headers: { "content-type": "application/x-www-form-urlencoded" }, body: "" });
  return seen;
}

function assertOnlySessionCookies(seen: Seen[], secure: boolean) {
  const all = seen.flatMap((s) => s.setCookie.map((c) => ({ url: s.url, cookie: c })));
  assert.ok(all.length >= 3, "the tour set (and cleared) the session cookie several times");
  for (const { url, cookie } of all) {
    const [pair, ...attributes] = cookie.split(/;\s*/);
    const name = pair!.split("=")[0];
    assert.equal(name, SESSION_COOKIE, `${url} sets only the session cookie (got ${cookie})`);
    const attrs = attributes.map((a) => a.toLowerCase());
    assert.ok(attrs.includes("httponly"), `${url}: HttpOnly (${cookie})`);
    assert.ok(attrs.includes("samesite=lax"), `${url}: SameSite=Lax (${cookie})`);
    assert.equal(attrs.includes("secure"), secure, `${url}: Secure ${secure ? "under https" : "only under https"} (${cookie})`);
    assert.ok(attrs.includes("path=/"), `${url}: Path=/ (${cookie})`);
  }
  // Every page of the tour answered (none was skipped by a redirect to an error).
  const failed = seen.filter((s) => s.status >= 500);
  assert.deepEqual(failed, [], "no page failed");
}

describe("cookies over http", () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(() => app?.stop());

  it("only the session cookie is ever set: HttpOnly, SameSite=Lax, not Secure", async () => {
    const seen = await tour(app);
    assertOnlySessionCookies(seen, false);
    const pages = seen.map((s) => s.url);
    assert.ok(pages.some((p) => p.includes("/s/tws_")), "a shared dashboard was visited");
    assert.equal(seen.find((s) => s.url.includes("/s/tws_"))!.status, 200);
    assert.equal(seen.find((s) => s.url === "GET /admin/usage")!.status, 200);
  });
});

describe("cookies under https (APP_URL=https://…)", () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp({ env: { APP_URL: "https://tablewatch.example" } });
  });
  after(() => app?.stop());

  it("only the session cookie is ever set: HttpOnly, SameSite=Lax and Secure", async () => {
    assertOnlySessionCookies(await tour(app), true);
  });
});

describe("the browser's scripts", () => {
  it("no built client script sets a cookie (no document.cookie anywhere)", () => {
    const dir = path.join(root, "build/client/assets");
    if (!fs.existsSync(dir)) assert.fail("run `npm run build` first");
    const files = (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith(".js"));
    assert.ok(files.length > 10);
    const offenders = files.filter((f) => fs.readFileSync(path.join(dir, f), "utf8").includes("document.cookie"));
    assert.deepEqual(offenders, []);
  });
});
