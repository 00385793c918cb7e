import { Link, useRouteLoaderData } from "@remix-run/react";
import type { loader as appLayoutLoader } from "~/routes/_app+/_layout";

export type PlanLimitView = {
  key: string;
  label: string;
  used: number;
  limit: number;
  percent: number;
  level: "ok" | "warn" | "full";
  allows: string;
  action: string;
};

/**
 * The account's usage of one plan limit, from the app layout's loader (`plan.limits`, revalidated
 * after every action), for disabling a create button and saying why. The server enforces the
 * limit either way (ADR 25).
 */
export function usePlanLimit(key: "reports" | "instancesPerMonth" | "members" | "dashboards" | "shareLinks" | "alarms"): (PlanLimitView & { planName: string }) | null {
  const data = useRouteLoaderData<typeof appLayoutLoader>("routes/_app+/_layout");
  const limit = data?.plan.limits.find((l) => l.key === key);
  return limit && data ? { ...limit, planName: data.plan.planName } : null;
}

/** Whether the limit blocks creating one more. */
export const blocks = (limit: PlanLimitView | null) => limit?.level === "full";

/** The reason shown next to a create action that a plan limit blocks. */
export function LimitNote({ limit, id, className }: { limit: (PlanLimitView & { planName: string }) | null; id?: string; className?: string }) {
  if (!limit || limit.level !== "full") return null;
  return (
    <p className={`limit-note${className ? ` ${className}` : ""}`} id={id} role="note">
      <svg viewBox="0 0 20 20" width="15" height="15" aria-hidden="true">
        <rect x="4" y="9" width="12" height="8" rx="1.6" fill="none" stroke="currentColor" strokeWidth="1.7" />
        <path d="M7 9V6.5a3 3 0 0 1 6 0V9" fill="none" stroke="currentColor" strokeWidth="1.7" />
      </svg>
      <span>
        Plan limit reached: the {limit.planName} plan allows {limit.allows}.{" "}
        <Link to="/settings/plan">Upgrade in Settings → Plan &amp; usage</Link> to {limit.action}.
      </span>
    </p>
  );
}
