import { DrizzlePostgreSQLAdapter } from "@lucia-auth/adapter-drizzle";
import { Lucia, TimeSpan } from "lucia";
import type { Db } from "../../db/client";
import { sessions, users } from "../../db/schema";

export const SESSION_COOKIE = "tw_session";
/** "Remember me" keeps a session this long; otherwise the cookie lasts the browser session. */
export const SESSION_DAYS = 30;

export function createLucia(db: Db, opts: { secureCookies: boolean }) {
  // The adapter's types name the postgres-js/pglite databases; both are the PgDatabase we hold.
  const adapter = new DrizzlePostgreSQLAdapter(db as never, sessions, users);
  return new Lucia(adapter, {
    sessionExpiresIn: new TimeSpan(SESSION_DAYS, "d"),
    sessionCookie: {
      name: SESSION_COOKIE,
      expires: true,
      attributes: { secure: opts.secureCookies, sameSite: "lax" },
    },
    getSessionAttributes: (a) => ({ remember: a.remember, accountId: a.accountId, lastSeenAt: a.lastSeenAt ?? null }),
    getUserAttributes: (a) => ({
      email: a.email,
      name: a.name,
      isAdmin: a.isAdmin,
      emailConfirmedAt: a.emailConfirmedAt,
      timeZone: a.timeZone,
      hour12: a.hour12,
    }),
  });
}

export type Auth = ReturnType<typeof createLucia>;

declare module "lucia" {
  interface Register {
    Lucia: Auth;
    /** `userAgent` and `lastSeenAt` (Settings → Profile → Sessions) are set by startSession (server/auth/session.ts). */
    DatabaseSessionAttributes: { remember: boolean; accountId: string | null; userAgent?: string | null; lastSeenAt?: Date | null };
    DatabaseUserAttributes: { email: string; name: string; isAdmin: boolean; emailConfirmedAt: Date | null; timeZone: string; hour12: boolean };
  }
}

/**
 * The Set-Cookie value for a session: persistent for "remember me" sessions, a browser-session
 * cookie otherwise. httpOnly and SameSite=Lax always; Secure when served over https.
 */
export function sessionCookieHeader(auth: Auth, sessionId: string, remember: boolean): string {
  const cookie = auth.createSessionCookie(sessionId);
  if (!remember) {
    delete cookie.attributes.maxAge;
    delete cookie.attributes.expires;
  }
  return cookie.serialize();
}

export function blankSessionCookieHeader(auth: Auth): string {
  return auth.createBlankSessionCookie().serialize();
}
