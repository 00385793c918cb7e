/**
 * Helpers for the reports tests: calls to the public API (asserting the envelope on every
 * answer), API keys, pushes, and extra members of an account.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { memberships, type ApiKeyScope, type Role, users } from "../../db/schema";
import { createApiKey } from "../../server/api-key/service";
import { uuidv7 } from "../../server/tokens";
import { type TestApp, uniqueEmail } from "./app";

/** The parsing corpus shared by all copies of the project: <repo>/../shared/fixtures/parsing. */
export const PARSING_FIXTURES = fileURLToPath(new URL("../../../shared/fixtures/parsing/", import.meta.url));

export type Envelope<T = unknown> = {
  success: boolean;
  details?: { message?: string; errorCode?: string; next?: string | null };
  result?: T;
};

export type Instance = {
  id: string;
  tags: string[];
  created: string;
  rows?: unknown[][];
  header?: number[];
  input?: unknown;
  href: string;
  link: string | null;
};

export type ApiReply<T = unknown> = { status: number; body: Envelope<T>; res: Response };

/** How the key travels: the documented four ways. */
export type KeyStyle = "basic-user" | "basic-password" | "bearer" | "query";

export const basicAuth = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

export type CallOptions = {
  key?: string | null;
  keyStyle?: KeyStyle;
  body?: BodyInit;
  contentType?: string;
  headers?: Record<string, string>;
};

/**
 * A call to the public API (`path` below /api/v1, or an absolute URL such as `details.next`).
 * Asserts what holds for every answer: a JSON envelope, `success` exactly when the status is
 * 200, errors with a message and an `ERROR_…` code, and never a 500.
 */
export async function apiCall<T = unknown>(app: TestApp, method: string, path: string, opts: CallOptions = {}): Promise<ApiReply<T>> {
  const url = new URL(path.startsWith("http") ? path : `${app.url}/api/v1${path}`);
  const headers = new Headers(opts.headers);
  if (opts.contentType) headers.set("content-type", opts.contentType);
  if (opts.key) {
    switch (opts.keyStyle ?? "bearer") {
      case "basic-user":
        headers.set("authorization", basicAuth(opts.key, ""));
        break;
      case "basic-password":
        headers.set("authorization", basicAuth("", opts.key));
        break;
      case "bearer":
        headers.set("authorization", `Bearer ${opts.key}`);
        break;
      case "query":
        url.searchParams.set("key", opts.key);
        break;
    }
  }
  const res = await fetch(url, { method, headers, body: opts.body, redirect: "manual" });
  const what = `${method} ${url.pathname}${url.search.slice(0, 120)}`;
  const text = await res.text();
  assert.ok(res.status < 500, `${what} must never answer ${res.status}: ${text.slice(0, 300)}`);
  assert.match(res.headers.get("content-type") ?? "", /^application\/json/, `${what} answers JSON`);
  const body = JSON.parse(text) as Envelope<T>;
  assert.equal(body.success, res.status === 200, `${what}: success is true exactly when the status is 200 (${res.status}: ${text.slice(0, 300)})`);
  if (!body.success) {
    assert.equal(typeof body.details?.message, "string", `${what}: an error has a message`);
    assert.ok(body.details!.message!.length > 0, `${what}: the message is not empty`);
    assert.match(body.details?.errorCode ?? "", /^ERROR_[A-Z0-9_]+$/, `${what}: an error has an error code`);
    // 429s name their cause: a plan limit or the key's rate limit (ADR 25).
    if (res.status === 429) assert.match(body.details?.errorCode ?? "", /^ERROR_(429|PLAN_LIMIT|RATE_LIMIT)$/, `${what}: ${text}`);
    else if (res.status !== 422) assert.equal(body.details?.errorCode, `ERROR_${res.status}`, `${what}: ${text}`);
    assert.equal(body.result, undefined, `${what}: an error carries no result`);
  }
  return { status: res.status, body, res };
}

/** Asserts an error answer: status, error code (ERROR_<status> unless given) and, when given, the message. */
export function assertError(
  reply: ApiReply,
  status: number,
  message?: string | RegExp,
  opts: { errorCode?: string; label?: string } = {},
): void {
  const shown = `${opts.label ? `${opts.label}: ` : ""}${JSON.stringify(reply.body)}`;
  assert.equal(reply.status, status, shown);
  assert.equal(reply.body.success, false, shown);
  assert.equal(reply.body.details?.errorCode, opts.errorCode ?? `ERROR_${status}`, shown);
  if (typeof message === "string") assert.equal(reply.body.details?.message, message, shown);
  else if (message) assert.match(reply.body.details?.message ?? "", message, shown);
}

/** Asserts a 200 and returns the result. */
export function okResult<T>(reply: ApiReply<T>): T {
  assert.equal(reply.status, 200, JSON.stringify(reply.body).slice(0, 500));
  return reply.body.result as T;
}

export type PushOptions = {
  query?: Record<string, string>;
  /** text/plain unless given; null sends none of its own (a FormData body brings its own). */
  contentType?: string | null;
  headers?: Record<string, string>;
};

/** POST /api/v1/reports/{name}[?query]: pushes `body`; the reply as it came. */
export function push(app: TestApp, key: string, name: string, body: BodyInit, opts: PushOptions = {}): Promise<ApiReply<Instance>> {
  const search = opts.query ? `?${new URLSearchParams(opts.query).toString()}` : "";
  return apiCall<Instance>(app, "POST", `/reports/${encodeURIComponent(name)}${search}`, {
    key,
    body,
    contentType: opts.contentType === undefined ? "text/plain" : (opts.contentType ?? undefined),
    headers: opts.headers,
  });
}

/** Pushes and asserts a 200; the instance. */
export async function pushOk(app: TestApp, key: string, name: string, body: BodyInit, opts: PushOptions = {}): Promise<Instance> {
  return okResult(await push(app, key, name, body, opts));
}

export async function newKey(app: TestApp, accountId: string, scope: ApiKeyScope, createdBy: string | null = null): Promise<string> {
  return (await createApiKey(app.db, { accountId, name: `${scope} key`, scope, createdBy })).key;
}

export type Actor = { userId: string; accountId: string; sessionId: string; cookie: string };

/** A user with an account of their own (they own it) and a session. */
export async function accountOwner(app: TestApp, name = "Owner"): Promise<Actor> {
  const user = await app.createUser({ name });
  return { userId: user.userId, accountId: user.accountId, ...(await app.sessionCookie(user.userId)) };
}

/** A user without an account of their own, a member of `accountId` with `role`, and a session there. */
export async function accountMember(app: TestApp, accountId: string, role: Role): Promise<Actor> {
  const userId = uuidv7();
  // No password login is needed here, so no costly hash.
  await app.db.insert(users).values({ id: userId, email: uniqueEmail(role), name: `Member ${role}`, passwordHash: "unused" });
  await app.db.insert(memberships).values({ accountId, userId, role });
  return { userId, accountId, ...(await app.sessionCookie(userId, { accountId })) };
}

/** `2025-03-01T10:00:00.000Z` plus `minutes`: fixed past times for instances pushed with `created`. */
export const at = (minutes: number, base = "2025-03-01T10:00:00.000Z") => new Date(Date.parse(base) + minutes * 60_000).toISOString();

/** A 32-hex id in dashed form (8-4-4-4-12). */
export const dashed = (hex: string) => `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
