/**
 * Integration test helpers: a real app (server/boot.ts) on a free port with a fresh database,
 * plus small request helpers. PGlite in memory by default; with TEST_DATABASE_URL set, a fresh
 * PostgreSQL database `tw_test_<random>` on that server, dropped again by `stop()`.
 */
import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import postgres from "postgres";
import { type Database, type Db, openDatabase } from "../../db/client";
import { accounts } from "../../db/schema";
import { defaultAccountId } from "../../server/account/service";
import { createUser } from "../../server/auth/service";
import { startApp } from "../../server/boot";
import { type Config, loadConfig } from "../../server/config";
import type { Deps } from "../../server/deps";
import { createContext, type RequestMeta } from "../../server/trpc";
import { createCaller } from "../../server/trpc/root";

const testDatabaseUrl = process.env.TEST_DATABASE_URL || undefined;
export const databaseKind: "postgres" | "pglite" = testDatabaseUrl ? "postgres" : "pglite";

/** A fresh, empty PostgreSQL database on `serverUrl`'s server, and how to drop it. */
async function createPostgresDatabase(serverUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `tw_test_${randomBytes(6).toString("hex")}`;
  const admin = () => postgres(serverUrl, { max: 1, onnotice: () => {} });
  const create = admin();
  try {
    await create.unsafe(`create database "${name}"`);
  } finally {
    await create.end({ timeout: 5 });
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const sql = admin();
      try {
        await sql.unsafe(`drop database if exists "${name}" with (force)`);
      } finally {
        await sql.end({ timeout: 5 });
      }
    },
  };
}

/** A fresh migrated database without an app (for service-level tests such as the CLI's). */
export async function openTestDatabase(): Promise<{ db: Db; database: Database; close(): Promise<void> }> {
  const pg = testDatabaseUrl ? await createPostgresDatabase(testDatabaseUrl) : null;
  const database = await openDatabase(pg ? { databaseUrl: pg.url, max: 2 } : { dataDir: "memory://" });
  await database.migrate();
  return {
    db: database.db,
    database,
    async close() {
      await database.close();
      await pg?.drop();
    },
  };
}

export type Mail = { id: number; to: string; subject: string; html: string; text: string };
export type TrpcReply = { status: number; body: { result?: { data?: unknown }; error?: { message: string; data: { code: string; httpStatus: number } } } };

export type TestApp = {
  url: string;
  deps: Deps;
  db: Db;
  config: Config;
  stop(): Promise<void>;
  /** fetch against the app: relative path, `Origin` of the app, redirects not followed. */
  request(path: string, init?: RequestInit & { cookie?: string; origin?: string | null }): Promise<Response>;
  /** A browser-like form POST (application/x-www-form-urlencoded). */
  postForm(path: string, fields: Record<string, string>, opts?: { cookie?: string; origin?: string | null; headers?: Record<string, string> }): Promise<Response>;
  /** tRPC over HTTP: a query (GET) or a mutation (POST), with an optional session cookie. */
  trpc(kind: "query" | "mutation", path: string, input?: unknown, cookie?: string): Promise<TrpcReply>;
  /** The in-process tRPC caller, as the Remix loaders use it, for a session id and/or API key. */
  caller(opts?: { sessionId?: string; apiKey?: string }): Promise<ReturnType<typeof createCaller>>;
  /** A user with an account of their own; unique email unless given. */
  createUser(input?: { name?: string; email?: string; password?: string }): Promise<{ userId: string; accountId: string; email: string; password: string }>;
  /** A session cookie for the user, made directly (no login form, so no rate limit). */
  sessionCookie(userId: string, opts?: { accountId?: string | null; remember?: boolean }): Promise<{ cookie: string; sessionId: string }>;
  /** Caught mail (no SMTP_URL), newest first. */
  mail(): Promise<Mail[]>;
  /** Polls the caught mail until one matches (mail may be sent in the background). */
  waitForMail(match: (mail: Mail) => boolean, timeoutMs?: number): Promise<Mail>;
};

let counter = 0;
export const uniqueEmail = (prefix = "user") =>
  `${prefix}-${Date.now().toString(36)}${(counter++).toString(36)}${randomBytes(2).toString("hex")}@example.test`;

export const TEST_PASSWORD = "correct horse battery";

/** `tw_session=<id>` from a response's Set-Cookie headers, or null. */
export function sessionCookieOf(res: Response): string | null {
  const header = res.headers.getSetCookie().find((c) => c.startsWith("tw_session="));
  const value = header?.split(";")[0];
  return value && value !== "tw_session=" ? value : null;
}

/** The full Set-Cookie header of the session cookie, for checking its attributes. */
export function sessionSetCookie(res: Response): string | undefined {
  return res.headers.getSetCookie().find((c) => c.startsWith("tw_session="));
}

/** Starts the app on a free port with a fresh database; `env` adds to or overrides the test env. */
export async function startTestApp(opts: { env?: Record<string, string> } = {}): Promise<TestApp> {
  const pg = testDatabaseUrl ? await createPostgresDatabase(testDatabaseUrl) : null;
  const env: Record<string, string> = {
    PORT: "0",
    DATA_DIR: "memory://",
    LOG_REQUESTS: "false",
    NODE_ENV: "test",
    // Tests that need the alarm worker run its functions themselves, or opt in.
    ALARM_WORKER: "false",
    // The sandbox payment processor the app starts listens on any free port (ADR 22).
    PAYMENT_SANDBOX_PORT: "0",
    ...(pg ? { DATABASE_URL: pg.url } : {}),
    ...opts.env,
  };
  const config = loadConfig(env);
  let running;
  try {
    running = await startApp(config, { quiet: true });
  } catch (error) {
    await pg?.drop();
    throw error;
  }
  const { url, deps } = running;
  // Links in mail and API answers point at the real port unless APP_URL was given.
  if (!env.APP_URL) config.appUrl = url;

  const request: TestApp["request"] = (path, init = {}) => {
    const { cookie, origin, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (origin !== null && !headers.has("origin")) headers.set("origin", origin ?? url);
    if (cookie) headers.set("cookie", cookie);
    return fetch(url + path, { redirect: "manual", ...rest, headers });
  };

  const app: TestApp = {
    url,
    deps,
    db: deps.db,
    config,
    async stop() {
      // Let the access log rows of the last responses land before the database closes.
      await new Promise((resolve) => setTimeout(resolve, 100));
      // A response whose body a test did not read keeps its connection busy: close it too.
      running.server.closeAllConnections();
      await running.stop();
      await pg?.drop();
    },
    request,
    postForm: (path, fields, o = {}) =>
      request(path, {
        method: "POST",
        body: new URLSearchParams(fields).toString(),
        headers: { "content-type": "application/x-www-form-urlencoded", ...o.headers },
        cookie: o.cookie,
        origin: o.origin,
      }),
    async trpc(kind, path, input, cookie) {
      const res =
        kind === "query"
          ? await request(`/trpc/${path}${input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(input))}`}`, { cookie })
          : await request(`/trpc/${path}`, {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: input === undefined ? undefined : JSON.stringify(input),
              cookie,
            });
      return { status: res.status, body: (await res.json()) as TrpcReply["body"] };
    },
    async caller(o = {}) {
      const { session, user } = o.sessionId ? await deps.auth.validateSession(o.sessionId) : { session: null, user: null };
      const meta: RequestMeta = {
        ip: "127.0.0.1",
        userAgent: "integration-test",
        baseUrl: config.appUrl,
        user,
        session,
        apiKey: o.apiKey ?? null,
      };
      return createCaller(createContext(deps, meta));
    },
    async createUser(input = {}) {
      const email = input.email ?? uniqueEmail();
      const password = input.password ?? TEST_PASSWORD;
      const created = await createUser(deps.db, { name: input.name ?? "Test User", email, password });
      return { ...created, email, password };
    },
    async sessionCookie(userId, o = {}) {
      const accountId = o.accountId === undefined ? await defaultAccountId(deps.db, userId) : o.accountId;
      const session = await deps.auth.createSession(userId, { remember: o.remember ?? false, accountId });
      return { cookie: `tw_session=${session.id}`, sessionId: session.id };
    },
    async mail() {
      const res = await request("/dev/mail/messages.json");
      if (res.status !== 200) throw new Error(`GET /dev/mail/messages.json answered ${res.status}`);
      return (await res.json()) as Mail[];
    },
    async waitForMail(match, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = (await app.mail()).find(match);
        if (found) return found;
        if (Date.now() > deadline) throw new Error("No matching mail arrived in time");
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
  return app;
}

/** Runs a tRPC call and returns how it failed ({code: "OK"} when it did not fail). */
export async function trpcOutcome(fn: () => Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await fn();
    return { code: "OK", message: "" };
  } catch (error) {
    if (error instanceof Error && error.name === "TRPCError" && "code" in error) return { code: String(error.code), message: error.message };
    throw error;
  }
}

const decodeHtml = (s: string) =>
  s.replace(/&(#39|quot|lt|gt|amp);/g, (_, e: string) => ({ "#39": "'", quot: '"', lt: "<", gt: ">", amp: "&" })[e]!);

/** The text of a page's form alert (the form-level error message), or null. */
export function formAlert(html: string): string | null {
  const match = /role="alert">([^<]*)</.exec(html);
  return match ? decodeHtml(match[1]!) : null;
}

/** The error shown next to a form field, or null. */
export function fieldError(html: string, field: string): string | null {
  const match = new RegExp(`id="field-${field}-error">([^<]*)<`).exec(html);
  return match ? decodeHtml(match[1]!) : null;
}

/**
 * Puts the account on plan `code` directly (no grace period, no billing): for tests whose
 * accounts push or create more than the Free plan allows (ADR 25).
 */
export async function setPlan(db: Db, accountId: string, code: "free" | "team" | "business" | (string & {})): Promise<void> {
  await db.update(accounts).set({ plan: code }).where(eq(accounts.id, accountId));
}
