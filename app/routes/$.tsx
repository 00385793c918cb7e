import { useRouteError } from "@remix-run/react";

/** Unknown paths: a real 404, drawn by the root ErrorBoundary. */
export async function loader() {
  throw new Response("Not found", { status: 404 });
}

export default function NotFound() {
  return null;
}

export function ErrorBoundary() {
  useRouteError();
  return (
    <main className="error-page">
      <h1>Page not found</h1>
      <p>There is nothing at this address. It may have moved, or the link may be mistyped.</p>
      <a className="button" href="/">
        Go to the home page
      </a>
    </main>
  );
}
