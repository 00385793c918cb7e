import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireAccount } from "~/utils/auth.server";
import { loaderCall } from "~/utils/errors.server";

/** Export JSON: the dashboard's JSON model as a download (the same model the public API takes). */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  await requireAccount(context, request);
  const model = await loaderCall(() => context.trpc.dashboards.export({ id: params.id ?? "" }));
  const { id: _id, ...portable } = model;
  const filename = `${model.name.replace(/[^A-Za-z0-9_.-]+/g, "-").replace(/^-+|-+$/g, "") || "dashboard"}.dashboard.json`;
  return new Response(JSON.stringify(portable, null, 2) + "\n", {
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Content-Disposition": `attachment; filename="${filename}"`,
      "Cache-Control": "no-store",
    },
  });
}
