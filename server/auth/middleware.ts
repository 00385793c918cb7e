import { eq } from "drizzle-orm";
import type { NextFunction, Request, Response } from "express";
import type { Session, User } from "lucia";
import { sessions } from "../../db/schema";
import type { Deps } from "../deps";
import { type Auth, blankSessionCookieHeader, SESSION_COOKIE, sessionCookieHeader } from "./lucia";

export type RequestAuth = { user: User | null; session: Session | null };

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Locals {
      auth: RequestAuth;
      cspNonce: string;
    }
  }
}

/**
 * Validates the session cookie once per request, refreshes it when Lucia extends the session,
 * and clears it when it is no longer valid. The result is `res.locals.auth`.
 */
export function sessionMiddleware(deps: Deps) {
  return async (req: Request, res: Response, next: NextFunction) => {
    res.locals.auth = { user: null, session: null };
    const sessionId = readSessionId(deps.auth, req.headers.cookie ?? "");
    if (!sessionId) return next();
    try {
      // Only ids shaped like Lucia's reach the database (a NUL, say, would fail the query).
      const { session, user } = LUCIA_ID.test(sessionId)
        ? await deps.auth.validateSession(sessionId)
        : { session: null, user: null };
      if (!session) {
        res.appendHeader("Set-Cookie", blankSessionCookieHeader(deps.auth));
      } else {
        if (session.fresh) res.appendHeader("Set-Cookie", sessionCookieHeader(deps.auth, session.id, session.remember));
        await touchSession(deps, session);
        res.locals.auth = { user, session };
      }
      next();
    } catch (error) {
      next(error);
    }
  };
}

const LUCIA_ID = /^[a-z0-9]{1,100}$/;

/** "Last seen" of a session (Settings → Profile → Sessions) is written at most this often. */
export const LAST_SEEN_EVERY_MS = 60_000;

/**
 * Records that the session was used, at most once a minute: the validated session already
 * carries its last_seen_at, so most requests cost nothing more.
 */
async function touchSession(deps: Deps, session: Session): Promise<void> {
  const now = Date.now();
  const last = session.lastSeenAt ? new Date(session.lastSeenAt).getTime() : 0;
  if (now - last < LAST_SEEN_EVERY_MS) return;
  await deps.db.update(sessions).set({ lastSeenAt: new Date(now) }).where(eq(sessions.id, session.id));
}

/**
 * The session cookie's value. Lucia's parser decodes every cookie of the header and throws on a
 * malformed `%` sequence in any of them (another site's cookie on the same host, or a forged one),
 * which in this async middleware crashed the process; so only our own cookie is handed to it.
 */
function readSessionId(auth: Auth, header: string): string | null {
  const own = header.split(/;\s*/).filter((item) => item.startsWith(`${SESSION_COOKIE}=`));
  try {
    return own.length ? auth.readSessionCookie(own.join("; ")) : null;
  } catch {
    return null;
  }
}
