import type { LinksFunction } from "@remix-run/node";
import { NavLink, Outlet } from "@remix-run/react";
import styles from "~/styles/billing.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

/** Settings → Billing: the tabs (Overview, Credit card details, Invoice data, Invoices) above the chosen page. */
export default function BillingLayout() {
  const tab = ({ isActive }: { isActive: boolean }) => `tab${isActive ? " active" : ""}`;
  return (
    <div className="billing">
      <nav className="tabs billing-tabs" aria-label="Billing">
        <NavLink to="/settings/billing" end className={tab}>
          Overview
        </NavLink>
        <NavLink to="/settings/billing/card" className={tab}>
          Credit card details
        </NavLink>
        <NavLink to="/settings/billing/invoice-data" className={tab}>
          Invoice data
        </NavLink>
        <NavLink to="/settings/billing/invoices" className={tab}>
          Invoices
        </NavLink>
      </nav>
      <Outlet />
    </div>
  );
}
