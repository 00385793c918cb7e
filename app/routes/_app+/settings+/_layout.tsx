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
          <NavLink to="/settings/api-keys">
            <svg viewBox="0 0 20 20" width="16" height="16" aria-hidden="true">
              <circle cx="6.5" cy="10" r="3.5" fill="none" stroke="currentColor" strokeWidth="1.8" />
              <path d="M10 10h8m-3 0v3m3-3v2.5" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" />
            </svg>
            API keys
          </NavLink>
          <NavLink to="/settings/preferences">
            <svg viewBox="0 0 20 20" width="16" height="16" aria-hidden="true">
              <circle cx="10" cy="10" r="7" fill="none" stroke="currentColor" strokeWidth="1.8" />
              <path d="M10 6v4l3 2" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" />
            </svg>
            Preferences
          </NavLink>
        </nav>
        <div className="settings-content">
          <Outlet />
        </div>
      </div>
    </div>
  );
}
