import type { ReactNode } from "react";

/** A plan as the pricing page and Settings → Plan show it (the `plans` row, serialized). */
export type PlanCardData = {
  code: string;
  name: string;
  priceCents: number;
  currency: string;
  maxReports: number;
  maxInstancesPerMonth: number;
  retentionDays: number;
  maxMembers: number;
  maxDashboards: number;
  maxShareLinks: number;
  maxAlarms: number;
  apiRequestsPerMinute: number;
};

const n = (x: number) => x.toLocaleString("en-US");
const plural = (x: number, one: string, many: string) => `${n(x)} ${x === 1 ? one : many}`;

/** "€19" or "€19.90" (what is charged per month, VAT included where applicable). */
export function formatPrice(cents: number, currency: string): string {
  return new Intl.NumberFormat("en-IE", {
    style: "currency",
    currency,
    minimumFractionDigits: cents % 100 ? 2 : 0,
    maximumFractionDigits: 2,
  }).format(cents / 100);
}

/** "30 days", "6 months", "2 years". */
export function formatRetention(days: number): string {
  if (days >= 365 && days % 365 === 0) return plural(days / 365, "year", "years");
  if (days >= 60 && days % 30 === 0 && days < 365) return plural(days / 30, "month", "months");
  return plural(days, "day", "days");
}

/** One line per limit, in the order the pages compare them. */
export function planFeatures(p: PlanCardData): { key: string; label: string; value: string }[] {
  return [
    { key: "reports", label: "Reports", value: plural(p.maxReports, "report", "reports") },
    { key: "instances", label: "Instances a month", value: `${n(p.maxInstancesPerMonth)} pushes a month` },
    { key: "retention", label: "History kept", value: `${formatRetention(p.retentionDays)} of history` },
    { key: "members", label: "Team members", value: plural(p.maxMembers, "team member", "team members") },
    { key: "dashboards", label: "Dashboards", value: plural(p.maxDashboards, "dashboard", "dashboards") },
    { key: "shares", label: "Live share links", value: plural(p.maxShareLinks, "live share link", "live share links") },
    { key: "alarms", label: "Alarms", value: plural(p.maxAlarms, "alarm", "alarms") },
    { key: "api", label: "API requests", value: `${n(p.apiRequestsPerMinute)} API requests a minute per key` },
  ];
}

/** A sentence about who each seeded plan is for; other plans (added by admins) go without. */
const taglines: Record<string, string> = {
  free: "For trying Tablewatch and for a few servers of your own.",
  team: "For a team watching its servers, jobs and databases.",
  business: "For fleets, many teams and long history.",
};

/** Plans side by side: name, price per month, limits, and an action each (a link, or why there is none). */
export function PlanCards({
  plans,
  currentCode,
  highlightCode,
  action,
}: {
  plans: PlanCardData[];
  currentCode?: string;
  /** The plan drawn as recommended. */
  highlightCode?: string;
  action: (plan: PlanCardData) => ReactNode;
}) {
  return (
    <div className="plan-cards" style={{ gridTemplateColumns: `repeat(${Math.min(Math.max(plans.length, 1), 4)}, minmax(0, 1fr))` }}>
      {plans.map((plan) => {
        const current = plan.code === currentCode;
        const highlight = plan.code === highlightCode;
        return (
          <article
            key={plan.code}
            className={`plan-card${current ? " current" : ""}${highlight ? " highlight" : ""}`}
            aria-labelledby={`plan-${plan.code}-name`}
            data-plan={plan.code}
          >
            <header>
              <div className="plan-card-title">
                <h3 id={`plan-${plan.code}-name`}>{plan.name}</h3>
                {current ? <span className="badge plan-badge-current">Your plan</span> : highlight ? <span className="badge plan-badge-popular">Most popular</span> : null}
              </div>
              {taglines[plan.code] ? <p className="plan-tagline">{taglines[plan.code]}</p> : null}
              <p className="plan-price">
                <strong>{plan.priceCents === 0 ? formatPrice(0, plan.currency) : formatPrice(plan.priceCents, plan.currency)}</strong>
                <span>{plan.priceCents === 0 ? "forever" : "per month"}</span>
              </p>
            </header>
            <ul className="plan-features">
              {planFeatures(plan).map((f) => (
                <li key={f.key}>
                  <svg viewBox="0 0 20 20" width="16" height="16" aria-hidden="true">
                    <path d="M4.5 10.5l3.5 3.5 7.5-8" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" />
                  </svg>
                  {f.value}
                </li>
              ))}
            </ul>
            <div className="plan-card-action">{action(plan)}</div>
          </article>
        );
      })}
    </div>
  );
}
