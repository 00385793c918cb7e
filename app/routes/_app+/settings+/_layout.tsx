import { NavLink, Outlet } from "@remix-run/react";

/** Settings: a sub-navigation on the left, the chosen page on the right. */
export default function SettingsLayout() {
  return (
    <div className="settings">
      <div className="page-head">
        <div>
          <h1>Settings</h1>
          <p className="page-sub">Manage how machines and people access this account.</p>
        </div>
      </div>
      <div className="settings-grid">
        <nav className="subnav" aria-label="Settings">
          <NavLink to="/settings/team">
            <svg viewBox="0 0 20 20" width="16" height="16" aria-hidden="true">
              <circle cx="7.5" cy="7" r="3" fill="none" stroke="currentColor" strokeWidth="1.8" />
              <path d="M2 17c0-3 2.5-5 5.5-5s5.5 2 5.5 5" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" />
              <path d="M13 4.3a3 3 0 0 1 0 5.4M15.5 12.4c1.6.7 2.5 2.4 2.5 4.6" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" />
            </svg>
            Team
          </NavLink>
          <NavLink to="/settings/api-keys">
            <svg viewBox="0 0 20 20" width="16" height="16" aria-hidden="true">
              <circle cx="6.5" cy="10" r="3.5" fill="none" stroke="currentColor" strokeWidth="1.8" />
              <path d="M10 10h8m-3 0v3m3-3v2.5" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" />
            </svg>
            API keys
          </NavLink>
          <NavLink to="/settings/sharing">
            <svg viewBox="0 0 20 20" width="16" height="16" aria-hidden="true">
              <circle cx="15" cy="4.5" r="2.5" fill="none" stroke="currentColor" strokeWidth="1.7" />
              <circle cx="5" cy="10" r="2.5" fill="none" stroke="currentColor" strokeWidth="1.7" />
              <circle cx="15" cy="15.5" r="2.5" fill="none" stroke="currentColor" strokeWidth="1.7" />
              <path d="M7.2 8.8l5.6-3.1M7.2 11.2l5.6 3.1" stroke="currentColor" strokeWidth="1.7" />
            </svg>
            Sharing
          </NavLink>
          <NavLink to="/settings/activity">
            <svg viewBox="0 0 20 20" width="16" height="16" aria-hidden="true">
              <path d="M2 10h3.5l2-5 5 10 2-5H18" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" />
            </svg>
            Activity
          </NavLink>
          <NavLink to="/settings/plan">
            <svg viewBox="0 0 20 20" width="16" height="16" aria-hidden="true">
              <path d="M3 16V9m5 7V4m5 12v-5m4 5H2" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" />
            </svg>
            Plan &amp; usage
          </NavLink>
          <NavLink to="/settings/billing">
            <svg viewBox="0 0 20 20" width="16" height="16" aria-hidden="true">
              <rect x="2" y="4.5" width="16" height="11" rx="2" fill="none" stroke="currentColor" strokeWidth="1.8" />
              <path d="M2 8.5h16M5.5 12.5h3" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" />
            </svg>
            Billing
          </NavLink>
          <NavLink to="/settings/preferences">
            <svg viewBox="0 0 20 20" width="16" height="16" aria-hidden="true">
              <circle cx="10" cy="10" r="7" fill="none" stroke="currentColor" strokeWidth="1.8" />
              <path d="M10 6v4l3 2" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" />
            </svg>
            Preferences
          </NavLink>
          <NavLink to="/settings/profile">
            <svg viewBox="0 0 20 20" width="16" height="16" aria-hidden="true">
              <circle cx="10" cy="7" r="3.2" fill="none" stroke="currentColor" strokeWidth="1.8" />
              <path d="M3.5 17.5c.6-3.2 3.3-5 6.5-5s5.9 1.8 6.5 5" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" />
            </svg>
            Profile
          </NavLink>
          <NavLink to="/settings/account">
            <svg viewBox="0 0 20 20" width="16" height="16" aria-hidden="true">
              <rect x="3" y="4" width="14" height="12" rx="2" fill="none" stroke="currentColor" strokeWidth="1.8" />
              <path d="M3 8h14M7 12h3" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" />
            </svg>
            Account
          </NavLink>
        </nav>
        <div className="settings-content">
          <Outlet />
        </div>
      </div>
    </div>
  );
}
