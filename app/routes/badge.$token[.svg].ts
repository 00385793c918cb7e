import type { LoaderFunctionArgs } from "@remix-run/node";

/**
 * /badge/<token>.svg: an alarm's public status badge (alarms.md "Badge"), for READMEs and wikis.
 * No login: the unguessable token is the permission. Never cached, so the state is current
 * (GitHub's image proxy honours `no-cache`).
 */
export async function loader({ params, context }: LoaderFunctionArgs) {
  const token = (params.token ?? "").replace(/\.svg$/, "");
  const svg = token ? await context.trpc.alarms.badge({ token: token.slice(0, 200) }) : null;
  if (svg === null) {
    return new Response("No such badge. The link may have been replaced by a new one.", {
      status: 404,
      headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-cache, max-age=0" },
    });
  }
  return new Response(svg, {
    headers: {
      "Content-Type": "image/svg+xml",
      "Cache-Control": "no-cache, max-age=0",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
