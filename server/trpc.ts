/**
 * tRPC: the context, then the setup with its one error mapping, then the procedure builders
 * (public, authed, admin, apiKey). Routers live in server/trpc/routers, one per noun.
 */
import { initTRPC, TRPCError } from "@trpc/server";
import type { Session, User } from "lucia";
import type { OpenApiMeta } from "trpc-to-openapi";
import { z } from "zod";
import type { Role } from "../db/schema";
import { findMembership } from "./account/service";
import { resolveApiKey, scopeAllows } from "./api-key/service";
import type { Deps } from "./deps";
import { ServiceError } from "./errors";

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
};

export type Context = Deps & RequestMeta;

export function createContext(deps: Deps, meta: RequestMeta): Context {
  return { ...deps, ...meta };
}

// ---------------------------------------------------------------- setup

export type Meta = OpenApiMeta;

function publicMessage(error: TRPCError): string {
  if (error.code === "INTERNAL_SERVER_ERROR") return "Internal error";
  if (error.cause instanceof z.ZodError) {
    const issue = error.cause.issues[0];
    if (!issue) return "Invalid input";
    const where = issue.path.length ? `${issue.path.join(".")}: ` : "";
    return `${where}${issue.message}`;
  }
  return error.message;
}

const t = initTRPC
  .context<Context>()
  .meta<Meta>()
  .create({
    errorFormatter({ shape, error }) {
      const errorCode = error.cause instanceof ServiceError ? error.cause.errorCode : `ERROR_${shape.data.httpStatus}`;
      // Per-field messages, so that forms can show each next to its field.
      const fieldErrors: Record<string, string> = {};
      if (error.cause instanceof z.ZodError) {
        for (const issue of error.cause.issues) {
          const field = String(issue.path[0] ?? "");
          fieldErrors[field] ??= issue.message;
        }
      }
      return {
        ...shape,
        message: publicMessage(error),
        data: { ...shape.data, stack: undefined, errorCode, fieldErrors },
      };
    },
  });

/** Typed service errors become tRPC errors here, and nowhere else. */
const mapServiceErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof ServiceError) {
    const cause = result.error.cause;
    throw new TRPCError({ code: cause.kind, message: cause.message, cause });
  }
  return result;
});

/** PostgreSQL text cannot hold a NUL character: input with one is refused as invalid, not a 500. */
const refuseNul = t.middleware(async ({ getRawInput, next }) => {
  if (containsNul(await getRawInput())) {
    throw new TRPCError({ code: "BAD_REQUEST", message: "Text must not contain NUL characters." });
  }
  return next();
});

function containsNul(value: unknown, depth = 0): boolean {
  if (typeof value === "string") return value.includes("\u0000");
  if (value === null || typeof value !== "object" || depth > 32) return false;
  return Object.values(value).some((v) => containsNul(v, depth + 1));
}

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

// ---------------------------------------------------------------- procedure builders

export const publicProcedure = t.procedure.use(mapServiceErrors).use(refuseNul);

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

/** Requires a logged-in operator of Tablewatch itself. */
export const adminProcedure = publicProcedure.use(async ({ ctx, next }) => {
  if (!ctx.user || !ctx.session) throw new TRPCError({ code: "UNAUTHORIZED", message: "Please log in." });
  if (!ctx.user.isAdmin) throw new TRPCError({ code: "FORBIDDEN", message: "Admins only." });
  return next({ ctx: { user: ctx.user, session: ctx.session } });
});

export const API_KEY_HELP =
  "Missing or invalid API key. Pass it as the Basic auth user name (curl --user KEY:), as a Bearer token (Authorization: Bearer KEY), or as the query parameter ?key=KEY.";

/** Requires an API key whose scope allows `needed` ("ingest" or "read"). */
export function apiKeyProcedure(needed: "ingest" | "read") {
  return publicProcedure.use(async ({ ctx, next }) => {
    const apiKey = ctx.apiKey ? await resolveApiKey(ctx.db, ctx.apiKey) : null;
    if (!apiKey) throw new TRPCError({ code: "UNAUTHORIZED", message: API_KEY_HELP });
    if (!scopeAllows(apiKey.scope, needed)) {
      throw new TRPCError({
        code: "FORBIDDEN",
        message: `This API key has the scope "${apiKey.scope}", which does not allow this call (it needs "${needed}" or "full").`,
      });
    }
    return next({ ctx: { apiKey, accountId: apiKey.accountId } });
  });
}
