import { redirect } from "@remix-run/node";

/** /dashboards is /dashboard. */
export async function loader({ request }: { request: Request }) {
  throw redirect(`/dashboard${new URL(request.url).search}`);
}
