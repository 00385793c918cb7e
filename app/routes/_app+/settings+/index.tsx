import { redirect } from "@remix-run/node";

/** /settings opens its first page. */
export async function loader() {
  throw redirect("/settings/api-keys");
}
