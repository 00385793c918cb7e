/**
 * tRPC: the context, then the setup with its one error mapping, then the procedure builders
 * (public, authed, admin, apiKey). Routers live in server/trpc/routers, one per noun.
 */
import { initTRPC, TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import type { Session, User } from "lucia";
import type { OpenApiMeta } from "trpc-to-openapi";
import { z } from "zod";
import type { ApiKeyScope, Role } from "../db/schema";
import { findMembership } from "./account/service";
import { resolveApiKey, scopeAllows } from "./api-key/service";
import type { Deps } from "./deps";
import { PlanLimitError, ServiceError } from "./errors";
import { countApiRequest } from "./plan/rate-limit";

// ---------------------------------------------------------------- context

/** What a transport knows about the request; Express builds it once per request. */
export type RequestMeta = {
  ip: string;
  userAgent: string;
  /** Absolute base URL for links (APP_URL, or the request's origin). */
  baseUrl: string;
  /** The validated session (browser requests). */
  user: User | null;
  session: Session | null;
  /** A presented API key, not yet checked (public API requests). */
  apiKey: string | null;
  /** Names the request's account for its access-log row, once the API key is known. */
  noteAccount?: (accountId: string) => void;
  /** Sets a response header (public API: the RateLimit-* headers); absent for in-process callers. */
  setHeader?: (name: string, value: string) => void;
};

export type Context = Deps & RequestMeta;

export function createContext(deps: Deps, meta: RequestMeta): Context {
  // Not `{ ...deps, ...meta }`: on Node 20 (V8 11.3) a literal with two spreads costs ~10 µs
  // and garbage on every call, Object.assign 0.15 µs; this runs for every request.
  return Object.assign({}, deps, meta);
}

// ---------------------------------------------------------------- setup

export type Meta = OpenApiMeta;

/**
 * What a client is told about a failed procedure: status, message and error code. Used by the
 * errorFormatter (tRPC and OpenAPI adapters) and by the raw ingest route, so all answer alike.
 */
export function errorInfo(error: TRPCError): { status: number; message: string; errorCode: string } {
  const status = getHTTPStatusCodeFromError(error);
  if (error.code === "INTERNAL_SERVER_ERROR") return { status: 500, message: "Internal error", errorCode: "ERROR_500" };
  const errorCode = error.cause instanceof ServiceError ? error.cause.errorCode : `ERROR_${status}`;
  if (error.cause instanceof z.ZodError) {
    const issue = error.cause.issues[0];
    const where = issue?.path.length ? `${issue.path.join(".")}: ` : "";
    return { status, errorCode, message: issue ? `${where}${issue.message}` : "Invalid input" };
  }
  return { status, errorCode, message: error.message };
}

const t = initTRPC
  .context<Context>()
  .meta<Meta>()
  .create({
    errorFormatter({ shape, error }) {
      const { message, errorCode } = errorInfo(error);
      // Per-field messages, so that forms can show each next to its field.
      const fieldErrors: Record<string, string> = {};
      if (error.cause instanceof z.ZodError) {
        for (const issue of error.cause.issues) {
          const field = String(issue.path[0] ?? "");
          fieldErrors[field] ??= issue.message;
        }
      }
      return { ...shape, message, data: { ...shape.data, stack: undefined, errorCode, fieldErrors } };
    },
  });

/**
 * Every procedure's one base middleware (one layer: each layer copies tRPC's call options).
 * Input with a NUL character is refused as invalid, not a 500: PostgreSQL text cannot hold one.
 * Typed service errors become tRPC errors here, and nowhere else.
 */
const base = t.middleware(async ({ ctx, getRawInput, next }) => {
  if (containsNul(await getRawInput())) {
    throw new TRPCError({ code: "BAD_REQUEST", message: "Text must not contain NUL characters." });
  }
  const result = await next();
  if (!result.ok && result.error.cause instanceof ServiceError) {
    const cause = result.error.cause;
    // A plan limit's message links to Settings → Plan & usage under this app's URL.
    const message = cause instanceof PlanLimitError ? cause.messageAt(ctx.baseUrl) : cause.message;
    throw new TRPCError({ code: cause.kind, message, cause });
  }
  return result;
});

function containsNul(value: unknown, depth = 0): boolean {
  if (typeof value === "string") return value.includes("\u0000");
  if (value === null || typeof value !== "object" || depth > 32) return false;
  return Object.values(value).some((v) => containsNul(v, depth + 1));
}

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

// ---------------------------------------------------------------- procedure builders

export const publicProcedure = t.procedure.use(base);

/** Requires a logged-in user who is a member of the session's current account. */
export const authedProcedure = publicProcedure.use(async ({ ctx, next }) => {
  if (!ctx.user || !ctx.session) throw new TRPCError({ code: "UNAUTHORIZED", message: "Please log in." });
  const accountId = ctx.session.accountId;
  const membership = accountId ? await findMembership(ctx.db, { userId: ctx.user.id, accountId }) : null;
  if (!membership) throw new TRPCError({ code: "FORBIDDEN", message: "You are not a member of this account." });
  return next({
    ctx: { user: ctx.user, session: ctx.session, account: membership.account, role: membership.role as Role },
  });
});

const roleRank: Record<Role, number> = { viewer: 0, editor: 1, admin: 2, owner: 3 };

/** Requires a member whose role is at least `minimum` (viewer < editor < admin < owner). */
export function memberProcedure(minimum: Role) {
  return authedProcedure.use(({ ctx, next }) => {
    if (roleRank[ctx.role] < roleRank[minimum]) {
      throw new TRPCError({ code: "FORBIDDEN", message: `Your role (${ctx.role}) does not allow this; it needs ${minimum} or above.` });
    }
    return next();
  });
}

/** Requires a logged-in user, in whatever account: their own login (invitations, policies). */
export const userProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.user || !ctx.session) throw new TRPCError({ code: "UNAUTHORIZED", message: "Please log in." });
  return next({ ctx: { user: ctx.user, session: ctx.session } });
});

/** Requires a logged-in operator of Tablewatch itself. */
export const adminProcedure = userProcedure.use(({ ctx, next }) => {
  if (!ctx.user.isAdmin) throw new TRPCError({ code: "FORBIDDEN", message: "Admins only." });
  return next();
});

export const API_KEY_HELP =
  "Missing or invalid API key. Pass it as the Basic auth user name (curl --user KEY:), as a Bearer token (Authorization: Bearer KEY), or as the query parameter ?key=KEY.";

/**
 * Requires an API key whose scope allows `needed` ("ingest", "read", or "full" for deletions).
 * Each request of a valid key counts against its plan's requests per minute (PostgreSQL, shared
 * by every process; RateLimit-* headers, 429 ERROR_RATE_LIMIT beyond): here, in one statement,
 * or — `rateLimit: "in-service"`, the ingest push — inside the statement that stores the push
 * (server/report/service.ts), so the hot path pays no extra round trip (ADR 25).
 */
export function apiKeyProcedure(needed: ApiKeyScope, opts: { rateLimit?: "here" | "in-service" } = {}) {
  return publicProcedure.use(async ({ ctx, next }) => {
    const apiKey = ctx.apiKey ? await resolveApiKey(ctx.db, ctx.apiKey) : null;
    if (!apiKey) throw new TRPCError({ code: "UNAUTHORIZED", message: API_KEY_HELP });
    ctx.usage.count(apiKey.accountId, apiKey.id);
    ctx.noteAccount?.(apiKey.accountId);
    if (opts.rateLimit !== "in-service") await countApiRequest(ctx, apiKey);
    if (!scopeAllows(apiKey.scope, needed)) {
      throw new TRPCError({
        code: "FORBIDDEN",
        message:
          needed === "full"
            ? `This API key has the scope "${apiKey.scope}", which does not allow this call (it needs a "full" key).`
            : `This API key has the scope "${apiKey.scope}", which does not allow this call (it needs "${needed}" or "full").`,
      });
    }
    return next({ ctx: { apiKey, accountId: apiKey.accountId } });
  });
}
