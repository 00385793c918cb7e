import { type LoaderFunctionArgs, redirect } from "@remix-run/node";
import { requireAdmin } from "~/utils/admin.server";

export async function loader({ context }: LoaderFunctionArgs) {
  requireAdmin(context);
  throw redirect("/admin/policies");
}

/** Never drawn (the loader redirects); a component keeps this a page, so a refusal is the usual 404 page. */
export default function AdminIndex() {
  return null;
}
