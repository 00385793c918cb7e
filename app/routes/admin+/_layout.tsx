import type { LinksFunction, LoaderFunctionArgs } from "@remix-run/node";
import { Form, isRouteErrorResponse, Link, NavLink, Outlet, useLoaderData, useRouteError } from "@remix-run/react";
import { Logo } from "~/components/logo";
import { AppFooter } from "~/components/policy/footer";
import { requireAdmin } from "~/utils/admin.server";
import adminStyles from "~/styles/admin.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: adminStyles }];

export async function loader({ context }: LoaderFunctionArgs) {
  const user = requireAdmin(context);
  return { user };
}

const sections = [
  { to: "/admin/policies", label: "Policies", icon: "M6 3h6l4 4v10H6zM9 9h5M9 12h5M9 15h3" },
  { to: "/admin/access-log", label: "Access log", icon: "M4 5h12M4 10h12M4 15h8" },
  { to: "/admin/accounts", label: "Accounts", icon: "M10 10a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM4 17c0-3 2.7-5 6-5s6 2 6 5" },
  { to: "/admin/usage", label: "Usage", icon: "M4 16V9M8 16V5M12 16v-5M16 16V7" },
  { to: "/admin/plans", label: "Plans", icon: "M3 6h14v9H3zM3 9h14M6 12h3" },
  { to: "/admin/emails", label: "Emails", icon: "M3 5h14v10H3zM3 5l7 6 7-6" },
];

/** The operators' area: its own header and navigation, for admins only (404 for everyone else). */
export default function AdminLayout() {
  const { user } = useLoaderData<typeof loader>();
  return (
    <div className="admin">
      <header className="admin-header">
        <div className="inner">
          <div className="admin-brand">
            <Logo to="/admin" />
            <span className="admin-badge">Admin</span>
          </div>
          <nav className="admin-nav" aria-label="Admin">
            {sections.map((s) => (
              <NavLink key={s.to} to={s.to}>
                <svg viewBox="0 0 20 20" width="16" height="16" aria-hidden="true">
                  <path d={s.icon} fill="none" stroke="currentColor" strokeWidth="1.7" strokeLinecap="round" strokeLinejoin="round" />
                </svg>
                {s.label}
              </NavLink>
            ))}
          </nav>
          <div className="admin-user">
            <Link to="/dashboard" className="button ghost small">
              Back to the app
            </Link>
            <span className="admin-who" title={user.name}>
              {user.name}
            </span>
            <Form method="post" action="/logout">
              <button className="button secondary small" type="submit">
                Log out
              </button>
            </Form>
          </div>
        </div>
      </header>
      <main className="admin-main">
        <Outlet />
      </main>
      <AppFooter />
    </div>
  );
}

/** Not an admin (or an unknown admin page): exactly the 404 of any unknown address. */
export function ErrorBoundary() {
  const error = useRouteError();
  const notFound = isRouteErrorResponse(error) && error.status === 404;
  if (!notFound) console.error(error);
  return (
    <main className="error-page">
      <h1>{notFound ? "Page not found" : "Something went wrong"}</h1>
      <p>
        {notFound
          ? "There is nothing at this address. It may have moved, or the link may be mistyped."
          : "We could not show this page. Please try again in a moment."}
      </p>
      <a className="button" href="/">
        Go to the home page
      </a>
    </main>
  );
}
