import type { LoaderFunctionArgs } from "@remix-run/node";
import { Link, Outlet, useLoaderData } from "@remix-run/react";
import { Logo } from "~/components/logo";

export async function loader({ context }: LoaderFunctionArgs) {
  return { loggedIn: Boolean(context.user) };
}

export default function MarketingLayout() {
  const { loggedIn } = useLoaderData<typeof loader>();
  return (
    <>
      <header className="site-header">
        <Logo />
        <nav aria-label="Site">
          <Link className="button ghost hide-narrow" to="/pricing">
            Pricing
          </Link>
          <a className="button ghost hide-narrow" href="/api/docs">
            API docs
          </a>
          {loggedIn ? (
            <Link className="button" to="/dashboard">
              Open dashboard
            </Link>
          ) : (
            <>
              <Link className="button ghost" to="/login">
                Log in
              </Link>
              <Link className="button" to="/register">
                Start free
              </Link>
            </>
          )}
        </nav>
      </header>
      <Outlet />
      <footer className="site-footer">
        <div className="inner">
          <span>© {new Date().getFullYear()} Tablewatch</span>
          <nav aria-label="Footer">
            <Link to="/pricing">Pricing</Link>
            <a href="/api/docs">API</a>
            <Link to="/login">Log in</Link>
            <Link to="/register">Create account</Link>
            <Link to="/privacy">Privacy</Link>
            <Link to="/terms">Terms</Link>
          </nav>
        </div>
      </footer>
    </>
  );
}
