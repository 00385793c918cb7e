import { type LoaderFunctionArgs, redirect } from "@remix-run/node";
import { requireAccount } from "~/utils/auth.server";

/** /dashboard (where login lands) opens the account's first dashboard, keeping notices like ?welcome=1. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireAccount(context, request);
  const [first] = await context.trpc.dashboards.list();
  const search = new URL(request.url).search;
  throw redirect(`/dashboards/${first!.id}${search}`);
}
