/**
 * A public dashboard link: /s/<token>, outside the app's layout, for visitors without an account.
 * The loader asks `share.view` (which checks the token, rate limits and counts the view); a
 * revoked, paused, expired or unknown link is a plain 404 "This link is not available", the same
 * for each. Headers (no-referrer, noindex, no-store) are set by server/share/http.ts.
 */
import { type HeadersFunction, type LinksFunction, type LoaderFunctionArgs, type MetaFunction, redirect } from "@remix-run/node";
import { isRouteErrorResponse, useLoaderData, useParams, useRouteError } from "@remix-run/react";
import { LinkNotAvailable, rangeFromSearch, rangeQuery, SharedDashboard, TooManyRequests } from "~/components/dashboard/shared-view";
import { tileViewLinks } from "~/components/dashboard/tile-view";
import dashboardStyles from "~/styles/dashboard.css";
import shareStyles from "~/styles/share.css";

export const links: LinksFunction = () => [...tileViewLinks, { rel: "stylesheet", href: dashboardStyles }, { rel: "stylesheet", href: shareStyles }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `${data.dashboard.name} · Shared dashboard` : "This link is not available" },
  { name: "robots", content: "noindex, nofollow" },
  { name: "referrer", content: "no-referrer" },
];

/** A 429's Retry-After reaches the browser (the other headers come from server/share/http.ts). */
export const headers: HeadersFunction = ({ errorHeaders }) => {
  const retryAfter = errorHeaders?.get("Retry-After");
  return retryAfter ? { "Retry-After": retryAfter } : new Headers();
};

const NOT_AVAILABLE = () => new Response("This link is not available", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8" } });

function trpcCode(error: unknown): string | null {
  return error instanceof Error && error.name === "TRPCError" && "code" in error ? String(error.code) : null;
}

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const token = params.token ?? "";
  if (token.length > 200) throw NOT_AVAILABLE();
  const url = new URL(request.url);
  const range = rangeFromSearch(url.searchParams);
  const asked = rangeQuery(range, Date.now());
  try {
    const dashboard = await context.trpc.share.view({ token, ...asked });
    return { dashboard, range };
  } catch (error) {
    const code = trpcCode(error);
    if (code === "TOO_MANY_REQUESTS") {
      const retryAfter = String((error as { cause?: { retryAfter?: number } }).cause?.retryAfter ?? 60);
      throw new Response(retryAfter, { status: 429, headers: { "Retry-After": retryAfter, "Content-Type": "text/plain; charset=utf-8" } });
    }
    // A time range the link does not allow (or a malformed one): the page without it.
    if (code === "BAD_REQUEST" && url.search) throw redirect(url.pathname);
    if (code) throw NOT_AVAILABLE();
    throw error;
  }
}

export default function SharedDashboardPage() {
  const { dashboard, range } = useLoaderData<typeof loader>();
  const { token = "" } = useParams();
  return <SharedDashboard key={token} token={token} initial={dashboard} initialRange={range} />;
}

export function ErrorBoundary() {
  const error = useRouteError();
  if (isRouteErrorResponse(error) && error.status === 429) return <TooManyRequests retryAfter={Number(error.data) || 60} />;
  if (!isRouteErrorResponse(error)) console.error(error);
  return <LinkNotAvailable />;
}
