import { redirect, type AppLoadContext } from "@remix-run/node";

/** Only same-site paths are followed after login, never another origin. */
export function safeRedirect(to: FormDataEntryValue | string | null | undefined, fallback = "/dashboard"): string {
  if (typeof to !== "string" || !to.startsWith("/") || to.startsWith("//") || to.startsWith("/\\")) return fallback;
  return to;
}

/** The logged-in user, or a redirect to the login page that comes back here. */
export function requireUser(context: AppLoadContext, request: Request) {
  if (context.user) return context.user;
  const url = new URL(request.url);
  const back = url.pathname + url.search;
  throw redirect(back === "/dashboard" ? "/login" : `/login?redirectTo=${encodeURIComponent(back)}`);
}

/**
 * The logged-in user's current account, user and role. A session whose account the user no longer
 * belongs to (removed from it) is ended and sent to log in again, instead of failing every page.
 */
export async function requireAccount(context: AppLoadContext, request: Request) {
  requireUser(context, request);
  try {
    return await context.trpc.account.current();
  } catch (error) {
    if (!(error instanceof Error && error.name === "TRPCError" && "code" in error && error.code === "FORBIDDEN")) throw error;
    await context.trpc.auth.logout();
    throw redirect("/login", { headers: { "Set-Cookie": context.blankSessionCookie() } });
  }
}

/** Logged-in users have no business on the login and register pages. */
export function requireAnonymous(context: AppLoadContext) {
  if (context.user) throw redirect("/dashboard");
}
