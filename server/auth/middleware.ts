import type { NextFunction, Request, Response } from "express";
import type { Session, User } from "lucia";
import type { Deps } from "../deps";
import { blankSessionCookieHeader, sessionCookieHeader } from "./lucia";

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
    const sessionId = deps.auth.readSessionCookie(req.headers.cookie ?? "");
    if (!sessionId) return next();
    try {
      const { session, user } = await deps.auth.validateSession(sessionId);
      if (!session) {
        res.appendHeader("Set-Cookie", blankSessionCookieHeader(deps.auth));
      } else {
        if (session.fresh) res.appendHeader("Set-Cookie", sessionCookieHeader(deps.auth, session.id, session.remember));
        res.locals.auth = { user, session };
      }
      next();
    } catch (error) {
      next(error);
    }
  };
}
