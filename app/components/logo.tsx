import { Link } from "@remix-run/react";

export function Logo({ to = "/" }: { to?: string }) {
  return (
    <Link to={to} className="logo" aria-label="Tablewatch home">
      <svg viewBox="0 0 32 32" width="26" height="26" aria-hidden="true">
        <rect width="32" height="32" rx="7" fill="#0f766e" />
        <rect x="7" y="8" width="18" height="4" rx="1" fill="#ccfbf1" />
        <rect x="7" y="14" width="8" height="4" rx="1" fill="#fff" />
        <rect x="17" y="14" width="8" height="4" rx="1" fill="#fff" />
        <rect x="7" y="20" width="8" height="4" rx="1" fill="#fff" />
        <rect x="17" y="20" width="8" height="4" rx="1" fill="#5eead4" />
      </svg>
      <span>Tablewatch</span>
    </Link>
  );
}
