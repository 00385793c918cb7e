import { type ActionFunctionArgs, redirect } from "@remix-run/node";
import { requireUser, safeRedirect } from "~/utils/auth.server";
import { formAction, readForm } from "~/utils/errors.server";

/** The header's account switcher posts here: the session acts on the chosen account from now on. */
export async function loader() {
  return redirect("/dashboard");
}

export async function action({ request, context }: ActionFunctionArgs) {
  requireUser(context, request);
  const values = await readForm(request);
  const result = await formAction(() => context.trpc.team.switchAccount({ accountId: values.accountId ?? "" }));
  if (!result.ok) {
    throw new Response(result.response.data.errors.message, { status: result.response.init?.status ?? 400, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  }
  throw redirect(safeRedirect(values.redirectTo));
}
