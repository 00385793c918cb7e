import type { LoaderFunctionArgs } from "@remix-run/node";
import { Form, NavLink, Outlet, useLoaderData } from "@remix-run/react";
import { Logo } from "~/components/logo";
import { requireAccount } from "~/utils/auth.server";

export async function loader({ request, context }: LoaderFunctionArgs) {
  return requireAccount(context, request);
}

export default function AppLayout() {
  const { account, user, role } = useLoaderData<typeof loader>();
  return (
    <>
      <header className="app-header">
        <div className="inner">
          <Logo to="/dashboard" />
          <nav className="app-nav" aria-label="Main">
            <NavLink to="/dashboard">Dashboards</NavLink>
            <NavLink to="/reports">Reports</NavLink>
            <NavLink to="/alarms">Alarms</NavLink>
            <NavLink to="/settings">Settings</NavLink>
            <a href="/api/docs">API docs</a>
          </nav>
          <div className="account-menu">
            <div className="who">
              <span>{user.name}</span>
              <small>
                {account.name} · {role}
              </small>
            </div>
            <span className="avatar" aria-hidden="true">
              {user.name.slice(0, 1).toUpperCase()}
            </span>
            <Form method="post" action="/logout">
              <button className="button ghost" type="submit">
                Log out
              </button>
            </Form>
          </div>
        </div>
      </header>
      <main className="app-main">
        <Outlet />
      </main>
    </>
  );
}
