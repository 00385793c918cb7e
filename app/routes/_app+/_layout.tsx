import type { LoaderFunctionArgs } from "@remix-run/node";
import { Form, NavLink, Outlet, useLoaderData } from "@remix-run/react";
import { AccountSwitcher } from "~/components/account-switcher";
import { DeletionBanner } from "~/components/deletion-banner";
import { Logo } from "~/components/logo";
import { AppFooter } from "~/components/policy/footer";
import { PolicyBanner } from "~/components/policy/banner";
import { UsageBanner } from "~/components/plan/usage-banner";
import { requireAccount } from "~/utils/auth.server";

export async function loader({ request, context }: LoaderFunctionArgs) {
  const current = await requireAccount(context, request);
  // The header's account switcher: every account of the user's.
  const { accounts } = await context.trpc.team.accounts();
  // A banner on every page while the account is scheduled for deletion.
  const deletion = await context.trpc.accountDeletion.status();
  // "We updated our Privacy Policy on …", once per new version (app/components/policy/banner.tsx).
  const policyNotices = await context.trpc.policy.notices();
  // A banner at 80 % / 100 % of any plan limit; pages read the limits here to disable create buttons (app/components/plan).
  const plan = await context.trpc.plan.limits();
  return { ...current, accounts, deletion, policyNotices, plan, isAdmin: context.user?.isAdmin ?? false };
}

export default function AppLayout() {
  const { account, user, role, accounts, deletion, policyNotices, plan, isAdmin } = useLoaderData<typeof loader>();
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
            {isAdmin ? <NavLink to="/admin">Admin</NavLink> : null}
          </nav>
          <div className="account-menu">
            <div className="who">
              <span>{user.name}</span>
              <AccountSwitcher current={account} role={role} accounts={accounts} />
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
      <DeletionBanner accountName={account.name} deletion={deletion} role={role} timeZone={user.timeZone} />
      <PolicyBanner notices={policyNotices} />
      <UsageBanner plan={plan} />
      <main className="app-main">
        <Outlet />
      </main>
      <AppFooter />
    </>
  );
}
