import { Link } from "@remix-run/react";
import type { PlanLimitView } from "./limits";

const lower = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);
const n = (x: number) => x.toLocaleString("en-US");

/**
 * On every app page while any plan limit is at 80 % or more (a stronger one at 100 %): what is
 * nearly or fully used, linking to Settings → Plan & usage.
 */
export function UsageBanner({ plan }: { plan: { planName: string; limits: PlanLimitView[] } }) {
  const full = plan.limits.filter((l) => l.level === "full");
  const warn = plan.limits.filter((l) => l.level === "warn");
  if (!full.length && !warn.length) return null;
  const list = (limits: PlanLimitView[]) =>
    limits.map((l, i) => (
      <span key={l.key}>
        {i ? (i === limits.length - 1 ? " and " : ", ") : null}
        {lower(l.label)} ({n(l.used)} of {n(l.limit)})
      </span>
    ));
  const strong = full.length > 0;
  return (
    <div className={`usage-banner${strong ? " full" : ""}`} role={strong ? "alert" : "status"} data-testid="usage-banner">
      <div className="usage-banner-inner">
        <svg viewBox="0 0 20 20" width="18" height="18" aria-hidden="true">
          <path d="M3 16V9m5 7V4m5 12v-5m4 5H2" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" />
        </svg>
        <p>
          {strong ? (
            <>
              <strong>Plan limit reached</strong> on the {plan.planName} plan: {list(full)}. New ones are refused until you upgrade or free some up.
              {warn.length ? <> Nearly used up: {list(warn)}.</> : null}
            </>
          ) : (
            <>
              <strong>Over 80 % used</strong> on the {plan.planName} plan: {list(warn)}.
            </>
          )}
        </p>
        <Link to="/settings/plan" className="usage-banner-link">
          {strong ? "Upgrade" : "See plan & usage"}
        </Link>
      </div>
    </div>
  );
}
