/** The counted limits: names, messages, the month they count in (no database here). ADR 25. */
import type { Plan } from "../../db/schema";
import { type PlanLimitError, planLimitReached } from "../errors";

/** The limits that count things; retention days and API requests per minute are limits of another kind. */
export const limitKeys = ["reports", "instancesPerMonth", "members", "dashboards", "shareLinks", "alarms"] as const;
export type LimitKey = (typeof limitKeys)[number];

export type LimitColumn = "maxReports" | "maxInstancesPerMonth" | "maxMembers" | "maxDashboards" | "maxShareLinks" | "maxAlarms";

/** Each counted limit: its plan column, how to name it, and what the upgrade lets you do. */
export const limitInfo: Record<LimitKey, { column: LimitColumn; label: string; one: string; many: string; action: string }> = {
  reports: { column: "maxReports", label: "Reports", one: "report", many: "reports", action: "push to more reports" },
  instancesPerMonth: {
    column: "maxInstancesPerMonth",
    label: "Instances this month",
    one: "instance a month",
    many: "instances a month",
    action: "push more this month",
  },
  members: { column: "maxMembers", label: "Team members", one: "team member (pending invitations included)", many: "team members (pending invitations included)", action: "invite more people" },
  dashboards: { column: "maxDashboards", label: "Dashboards", one: "dashboard", many: "dashboards", action: "create more" },
  shareLinks: { column: "maxShareLinks", label: "Live share links", one: "live share link", many: "live share links", action: "share more" },
  alarms: { column: "maxAlarms", label: "Alarms", one: "alarm", many: "alarms", action: "create more" },
};

/** "2026-11-01": the UTC month `account_usage` and `plan_notices` count in. */
export function monthOf(now: Date): string {
  return `${now.toISOString().slice(0, 7)}-01`;
}

/** "5 dashboards", "1 live share link", "50,000 instances a month". */
export function allows(key: LimitKey, limit: number): string {
  const info = limitInfo[key];
  return `${limit.toLocaleString("en-US")} ${limit === 1 ? info.one : info.many}`;
}

/** The error for a reached limit (429, ERROR_PLAN_LIMIT), naming the limit, the plan and the upgrade. */
export function limitError(key: LimitKey, plan: Pick<Plan, "name"> & Record<LimitColumn, number>): PlanLimitError {
  return planLimitReached(key, plan.name, allows(key, plan[limitInfo[key].column]), limitInfo[key].action);
}

