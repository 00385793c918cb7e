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

/** Logged-in users have no business on the login and register pages. */
export function requireAnonymous(context: AppLoadContext) {
  if (context.user) throw redirect("/dashboard");
}
