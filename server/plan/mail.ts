/**
 * "You have used 80 % / 100 % of a limit" emails to the account's owners: once per limit, month
 * (UTC) and level — the primary key of `plan_notices` makes it once, across processes. Checked
 * off the request, after a create or after ingest's counter update, so a slow or failing mail
 * never slows or fails the request. ADR 25.
 */
import { createElement } from "react";
import { and, eq, sql } from "drizzle-orm";
import { type Db, queryRows } from "../../db/client";
import { accounts, memberships, users } from "../../db/schema";
import PlanLimitEmail, { type PlanLimitEmailProps, subject as planLimitSubject } from "../../emails/plan-limit";
import type { Mailer } from "../mail/mailer";
import { limitInfo, type LimitKey, monthOf } from "./limits";
import { accountPlan, accountUsage } from "./service";

/** The 80 % or 100 % email of one limit. */
export function sendPlanLimitNotice(mailer: Mailer, to: string, props: PlanLimitEmailProps) {
  return mailer.send({ to, subject: planLimitSubject(props), react: createElement(PlanLimitEmail, props) });
}

/** How each limit is named in the email and what stops when it is used up. */
const wording: Record<LimitKey, { label: string; effect: string; monthly: boolean }> = {
  reports: { label: "reports", effect: "Pushes to new report names are refused", monthly: false },
  instancesPerMonth: { label: "instances this month", effect: "Pushes are refused", monthly: true },
  members: { label: "team members (pending invitations included)", effect: "New invitations cannot be sent", monthly: false },
  dashboards: { label: "dashboards", effect: "New dashboards cannot be created", monthly: false },
  shareLinks: { label: "live share links", effect: "New share links cannot be created", monthly: false },
  alarms: { label: "alarms", effect: "New alarms cannot be created", monthly: false },
};

type NoticeDeps = { db: Db; mailer: Mailer; config: { appUrl: string } };

/**
 * Sends the notice for `key` if the account's usage has reached 80 % or 100 % of its limit and
 * that level's notice was not sent this month. `known` skips counting (ingest knows both numbers).
 * Returns the level sent, or null.
 */
export async function checkPlanNotice(
  deps: NoticeDeps,
  accountId: string,
  key: LimitKey,
  known?: { used: number; limit: number },
  now = new Date(),
): Promise<80 | 100 | null> {
  const { plan } = await accountPlan(deps.db, accountId);
  const limit = known?.limit ?? plan[limitInfo[key].column];
  const used = known?.used ?? (await accountUsage(deps.db, accountId, now))[key];
  if (used <= 0 || limit <= 0) return null;
  const level = used >= limit ? 100 : used * 100 >= limit * 80 ? 80 : null;
  if (!level) return null;
  // Reaching 100 % marks 80 % too: no 80 % email after the 100 % one when usage dips and rises again.
  const month = monthOf(now);
  const levels = level === 100 ? [100, 80] : [80];
  const inserted = await queryRows<{ level: number }>(
    deps.db,
    sql`insert into plan_notices (account_id, limit_key, month, level)
        select ${accountId}, ${key}, ${month}, unnest(${`{${levels.join(",")}}`}::int[])
        on conflict do nothing
        returning level`,
  );
  if (!inserted.some((r) => Number(r.level) === level)) return null;
  const [account] = await deps.db.select({ name: accounts.name }).from(accounts).where(eq(accounts.id, accountId));
  const owners = await deps.db
    .select({ email: users.email })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.accountId, accountId), eq(memberships.role, "owner")));
  const w = wording[key];
  for (const owner of owners) {
    await sendPlanLimitNotice(deps.mailer, owner.email, {
      accountName: account?.name ?? "Your account",
      planName: plan.name,
      level,
      limitLabel: w.label,
      used,
      limit,
      effect: w.effect,
      monthly: w.monthly,
      planUrl: `${deps.config.appUrl}/settings/plan`,
    });
  }
  return level;
}

/** checkPlanNotice off the request: never awaited, never failing it. */
export function notePlanUsage(deps: NoticeDeps, accountId: string, key: LimitKey, known?: { used: number; limit: number }): void {
  checkPlanNotice(deps, accountId, key, known).catch((error: unknown) => console.error(`plan notice (${key}) failed`, error));
}

/** Whether `used` is the push that reached 80 % or 100 % of `limit` (each is reached by exactly one push). */
export function crossesNoticeLevel(used: number, limit: number): boolean {
  return limit > 0 && (used === limit || used === Math.ceil((limit * 80) / 100));
}
