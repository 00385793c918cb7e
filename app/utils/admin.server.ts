import type { AppLoadContext } from "@remix-run/node";

/**
 * /admin exists only for admins: everyone else — logged out, or logged in without the flag —
 * gets the same 404 as any unknown address, so the pages do not advertise themselves (the
 * procedures behind them answer UNAUTHORIZED / FORBIDDEN; tests/integration/admin.test.ts).
 */
export function requireAdmin(context: AppLoadContext) {
  if (!context.user?.isAdmin) throw new Response("Not found", { status: 404 });
  return context.user;
}

/**
 * Runs admin procedures for a loader or action; a refusal (the flag was removed a moment ago,
 * the session ended) is the same 404.
 */
export async function adminCall<T>(context: AppLoadContext, run: (admin: AppLoadContext["trpc"]["admin"]) => Promise<T>): Promise<T> {
  requireAdmin(context);
  try {
    return await run(context.trpc.admin);
  } catch (error) {
    if (error instanceof Error && error.name === "TRPCError" && "code" in error && (error.code === "FORBIDDEN" || error.code === "UNAUTHORIZED")) {
      throw new Response("Not found", { status: 404 });
    }
    throw error;
  }
}
