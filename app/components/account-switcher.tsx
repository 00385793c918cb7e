import { Form, Link, useLocation } from "@remix-run/react";
import { useEffect, useRef } from "react";
import type { Role } from "../../db/schema";
import { roleInfo } from "./role-badge";

type Account = { id: string; name: string; role: Role };

/**
 * Where to land after switching: the same settings page or section (they exist in every
 * account), otherwise the dashboard (a dashboard or report of the old account would not).
 */
function landing(pathname: string): string {
  if (pathname.startsWith("/settings/")) return pathname;
  if (pathname.startsWith("/reports")) return "/reports";
  if (pathname.startsWith("/alarms")) return "/alarms";
  return "/dashboard";
}

/**
 * The current account's name and the user's role in it; with more than one account, a menu to
 * switch (a plain form post, so it works before the scripts load) and a link to the team.
 */
export function AccountSwitcher({ current, role, accounts }: { current: { id: string; name: string }; role: Role; accounts: Account[] }) {
  const details = useRef<HTMLDetailsElement>(null);
  const location = useLocation();
  useEffect(() => {
    if (details.current) details.current.open = false;
  }, [location]);
  useEffect(() => {
    const close = (event: MouseEvent) => {
      if (details.current?.open && !details.current.contains(event.target as Node)) details.current.open = false;
    };
    document.addEventListener("click", close);
    return () => document.removeEventListener("click", close);
  }, []);

  if (accounts.length <= 1) {
    return (
      <small>
        {current.name} · {role}
      </small>
    );
  }
  const redirectTo = landing(location.pathname);
  return (
    <details className="account-switcher" ref={details}>
      <summary aria-label={`Account: ${current.name} (${role}). Switch account`}>
        <span className="account-switcher-name">{current.name}</span> · {role}
        <svg viewBox="0 0 12 8" width="10" height="7" aria-hidden="true">
          <path d="M1 1l5 5 5-5" fill="none" stroke="currentColor" strokeWidth="1.6" />
        </svg>
      </summary>
      <div className="account-switcher-menu" role="menu" aria-label="Your accounts">
        <div className="account-switcher-head">Switch account</div>
        {accounts.map((a) => (
          <Form method="post" action="/switch-account" key={a.id}>
            <input type="hidden" name="accountId" value={a.id} />
            <input type="hidden" name="redirectTo" value={redirectTo} />
            <button type="submit" role="menuitem" className={a.id === current.id ? "current" : undefined} aria-current={a.id === current.id ? "true" : undefined} disabled={a.id === current.id}>
              <span className="account-switcher-initial" aria-hidden="true">
                {a.name.slice(0, 1).toUpperCase()}
              </span>
              <span className="account-switcher-item">
                <strong>{a.name}</strong>
                <small>{roleInfo[a.role].label}</small>
              </span>
              {a.id === current.id ? (
                <span className="account-switcher-check" aria-hidden="true">
                  ✓
                </span>
              ) : null}
            </button>
          </Form>
        ))}
        <Link to="/settings/team" className="account-switcher-team" role="menuitem">
          Manage the team of {current.name}
        </Link>
      </div>
    </details>
  );
}
