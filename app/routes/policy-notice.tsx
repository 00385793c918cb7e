import { type ActionFunctionArgs, redirect } from "@remix-run/node";
import { safeRedirect } from "~/utils/auth.server";
import { readForm } from "~/utils/errors.server";

/** POST: the user closed the "We updated our …" banner (app/components/policy/banner.tsx). */
export async function action({ request, context }: ActionFunctionArgs) {
  const values = await readForm(request);
  if (!context.user) throw redirect("/login");
  await context.trpc.policy.dismiss({});
  // From the page's script: nothing to load. Without JavaScript: back to the page.
  if (values.js) return { dismissed: true };
  throw redirect(safeRedirect(values.redirectTo));
}

export async function loader() {
  throw new Response("Not found", { status: 404 });
}
