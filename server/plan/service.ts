/**
 * Plans and limits (ADR 25). Plans are rows of `plans` (seeded by migration 0006, edited by
 * admins at /admin/plans); `accounts.plan` names the plan in effect. Limits are enforced in the
 * services that create what they limit (reports and instances inside the ingest statement,
 * server/report/service.ts), with `checkPlanLimit` here for the rest.
 *
 * Helper for billing: `changeAccountPlan(db, accountId, planCode, { now })` is how a plan takes
 * effect (subscription started, changed, downgraded, dunning back to Free).
 */
import { and, asc, eq, isNull, sql } from "drizzle-orm";
import { type Db, queryRows } from "../../db/client";
import { accounts, apiKeys, type Plan, plans, reportInstances, reports } from "../../db/schema";
import { deleteReport } from "../report/service";
import { invalidateTileCache } from "../dashboard/tile-cache";
import { notFound } from "../errors";
import { API_RATE_WINDOW_SECONDS, apiKeyRateKey } from "./rate-limit";
import { allows, limitError, limitInfo, limitKeys, type LimitKey, monthOf } from "./limits";

export { allows, limitError, limitInfo, limitKeys, type LimitKey, monthOf } from "./limits";

export type { Plan };

/** Every limit column, compared on a plan change to tell a downgrade (a grace period) from an upgrade. */
const allLimitColumns = [
  "maxReports",
  "maxInstancesPerMonth",
  "retentionDays",
  "maxMembers",
  "maxDashboards",
  "maxShareLinks",
  "maxAlarms",
  "apiRequestsPerMinute",
] as const satisfies readonly (keyof Plan)[];

/** After a downgrade, data over the new limits stays (read-only) this long before retention applies the plan. */
export const GRACE_DAYS = 30;
const DAY_MS = 86_400_000;
export const FREE_PLAN = "free";

// ---------------------------------------------------------------- plans

/** Plans by position (the pricing page's order); `publicOnly` leaves out private plans. */
export async function listPlans(db: Db, opts: { publicOnly?: boolean } = {}): Promise<Plan[]> {
  return db
    .select()
    .from(plans)
    .where(opts.publicOnly ? eq(plans.isPublic, true) : undefined)
    .orderBy(asc(plans.position), asc(plans.priceCents), asc(plans.code));
}

export async function findPlan(db: Db, code: string): Promise<Plan | null> {
  const [plan] = await db.select().from(plans).where(eq(plans.code, code));
  return plan ?? null;
}

/** The account's plan in effect (Free if its plan row were ever gone) and its grace period. */
export async function accountPlan(db: Db, accountId: string): Promise<{ plan: Plan; graceUntil: Date | null }> {
  const [row] = await db
    .select({ plan: plans, code: accounts.plan, graceUntil: accounts.planGraceUntil })
    .from(accounts)
    .leftJoin(plans, eq(plans.code, accounts.plan))
    .where(eq(accounts.id, accountId));
  if (!row) throw notFound("Account not found");
  const plan = row.plan ?? (await findPlan(db, FREE_PLAN));
  if (!plan) throw new Error(`plan ${row.code} not found, and no free plan`);
  return { plan, graceUntil: row.graceUntil };
}

/** Admin edit of a plan (already validated by the router). */
export type PlanPatch = Pick<
  Plan,
  | "name"
  | "priceCents"
  | "isPublic"
  | "position"
  | "maxReports"
  | "maxInstancesPerMonth"
  | "retentionDays"
  | "maxMembers"
  | "maxDashboards"
  | "maxShareLinks"
  | "maxAlarms"
  | "apiRequestsPerMinute"
>;

export async function updatePlan(db: Db, code: string, patch: PlanPatch): Promise<Plan> {
  const [plan] = await db
    .update(plans)
    .set({ ...patch, updatedAt: new Date() })
    .where(eq(plans.code, code))
    .returning();
  if (!plan) throw notFound(`Plan ${code.slice(0, 50)} not found`);
  return plan;
}

// ---------------------------------------------------------------- usage

export type Usage = Record<LimitKey, number>;

/** What the account uses of each counted limit, in one statement. */
export async function accountUsage(db: Db, accountId: string, now = new Date()): Promise<Usage> {
  const [row] = await queryRows<Record<string, number | string>>(
    db,
    sql`select
      (select count(*) from reports where account_id = ${accountId})::int as reports,
      coalesce((select instances from account_usage where account_id = ${accountId} and month = ${monthOf(now)}), 0)::int as instances,
      ((select count(*) from memberships where account_id = ${accountId})
        + (select count(*) from invitations where account_id = ${accountId} and accepted_at is null and cancelled_at is null))::int as members,
      (select count(*) from dashboards where account_id = ${accountId})::int as dashboards,
      (select count(*) from dashboard_shares where account_id = ${accountId} and revoked_at is null)::int as shares,
      (select count(*) from alarms where account_id = ${accountId})::int as alarms`,
  );
  return {
    reports: Number(row!.reports),
    instancesPerMonth: Number(row!.instances),
    members: Number(row!.members),
    dashboards: Number(row!.dashboards),
    shareLinks: Number(row!.shares),
    alarms: Number(row!.alarms),
  };
}

/** One counted limit as shown: used of limit, the share used, and whether it warns (≥ 80 %) or blocks. */
export type LimitState = {
  key: LimitKey;
  label: string;
  used: number;
  limit: number;
  percent: number;
  level: "ok" | "warn" | "full";
  /** "5 dashboards", and what an upgrade lets you do ("create more"), for the UI's own wording. */
  allows: string;
  action: string;
  /** The API's error message when full. */
  message: string | null;
};

export function limitState(key: LimitKey, plan: Plan, used: number, baseUrl: string): LimitState {
  const limit = plan[limitInfo[key].column];
  const percent = limit > 0 ? Math.min(100, Math.floor((used * 100) / limit)) : 100;
  const level = used >= limit ? "full" : used * 100 >= limit * 80 ? "warn" : "ok";
  return {
    key,
    label: limitInfo[key].label,
    used,
    limit,
    percent,
    level,
    allows: allows(key, limit),
    action: limitInfo[key].action,
    message: level === "full" ? limitError(key, plan).messageAt(baseUrl) : null,
  };
}

export type PlanOverview = {
  plan: Plan;
  graceUntil: Date | null;
  limits: LimitState[];
};

/** The account's plan, grace period and every counted limit's state (Settings → Plan, banners, disabled buttons). */
export async function planOverview(db: Db, accountId: string, opts: { baseUrl: string; now?: Date }): Promise<PlanOverview> {
  const [{ plan, graceUntil }, usage] = await Promise.all([accountPlan(db, accountId), accountUsage(db, accountId, opts.now)]);
  return { plan, graceUntil, limits: limitKeys.map((key) => limitState(key, plan, usage[key], opts.baseUrl)) };
}

/**
 * The limits that do not count things, as used now: the age in days of the oldest instance
 * (against retention days; one index probe per report) and the busiest API key's requests in its
 * current one-minute window (against requests per minute).
 */
export async function otherUsage(db: Db, accountId: string): Promise<{ oldestInstanceDays: number | null; busiestKeyRequests: number }> {
  const [oldest] = await queryRows<{ oldest: string | Date | null; now: string | Date }>(
    db,
    sql`select min((select ri.created from report_instances ri where ri.report_id = r.id order by ri.created limit 1)) as oldest, now() as now
        from reports r where r.account_id = ${accountId}`,
  );
  const keys = await db.select({ id: apiKeys.id }).from(apiKeys).where(and(eq(apiKeys.accountId, accountId), isNull(apiKeys.revokedAt)));
  let busiest = 0;
  if (keys.length) {
    const [row] = await queryRows<{ busiest: number | null }>(
      db,
      sql`select max(count)::int as busiest from rate_limits
          where key in (${sql.join(keys.map((k) => sql`${apiKeyRateKey(k.id)}`), sql`, `)})
            and window_start > now() - interval '${sql.raw(String(API_RATE_WINDOW_SECONDS))} seconds'`,
    );
    busiest = Number(row?.busiest ?? 0);
  }
  const oldestInstanceDays =
    oldest?.oldest ? Math.max(0, Math.floor((new Date(oldest.now).getTime() - new Date(oldest.oldest).getTime()) / DAY_MS)) : null;
  return { oldestInstanceDays, busiestKeyRequests: busiest };
}

/** How many of `key` the account has now. */
async function countOf(db: Db, accountId: string, key: Exclude<LimitKey, "instancesPerMonth" | "reports">): Promise<number> {
  const counts = {
    members: sql`(select count(*) from memberships where account_id = ${accountId})
      + (select count(*) from invitations where account_id = ${accountId} and accepted_at is null and cancelled_at is null)`,
    dashboards: sql`(select count(*) from dashboards where account_id = ${accountId})`,
    shareLinks: sql`(select count(*) from dashboard_shares where account_id = ${accountId} and revoked_at is null)`,
    alarms: sql`(select count(*) from alarms where account_id = ${accountId})`,
  };
  const [row] = await queryRows<{ n: number }>(db, sql`select (${counts[key]})::int as n`);
  return Number(row!.n);
}

/**
 * Throws the plan-limit error (429 ERROR_PLAN_LIMIT) when the account may not have one more of
 * `key`; otherwise returns what it uses and may use, the new one not counted. `adding` more than
 * one (an import of several) must all fit.
 */
export async function checkPlanLimit(
  db: Db,
  accountId: string,
  key: Exclude<LimitKey, "instancesPerMonth" | "reports">,
  adding = 1,
): Promise<{ used: number; limit: number }> {
  const { plan } = await accountPlan(db, accountId);
  const used = await countOf(db, accountId, key);
  const limit = plan[limitInfo[key].column];
  if (used + adding > limit) throw limitError(key, plan);
  return { used, limit };
}

// ---------------------------------------------------------------- plan changes

export type PlanChange = { previous: Plan; plan: Plan; graceUntil: Date | null; downgrade: boolean };

/**
 * Puts `planCode` in effect for the account (billing calls this when a subscription starts,
 * changes, is cancelled or falls back to Free after failed payments).
 *
 * When any limit of the new plan is lower than the old plan's, `accounts.plan_grace_until`
 * becomes now + 30 days: data over the new limits is kept, read-only, until then (reports beyond
 * the report limit, newest first, refuse pushes; retention waits), and then the daily retention
 * job applies the new plan. Otherwise a running grace period is left as it is. Changing to the
 * plan in effect changes nothing. Throws NOT_FOUND for an unknown plan code.
 */
export async function changeAccountPlan(db: Db, accountId: string, planCode: string, opts: { now?: Date } = {}): Promise<PlanChange> {
  const now = opts.now ?? new Date();
  return db.transaction(async (t) => {
    const tx = t as unknown as Db;
    // The account row is locked (not its key: foreign keys pointing at it still work), so two
    // changes at once apply one after the other.
    const [account] = await queryRows<{ plan: string; plan_grace_until: string | Date | null }>(
      tx,
      sql`select plan, plan_grace_until from accounts where id = ${accountId} for no key update`,
    );
    if (!account) throw notFound("Account not found");
    const plan = await findPlan(tx, planCode);
    if (!plan) throw notFound(`Plan ${planCode.slice(0, 50)} not found`);
    const previous = (await findPlan(tx, account.plan)) ?? (await findPlan(tx, FREE_PLAN)) ?? plan;
    const current = account.plan_grace_until ? new Date(account.plan_grace_until) : null;
    if (account.plan === plan.code) return { previous, plan, graceUntil: current, downgrade: false };
    const downgrade = allLimitColumns.some((c) => plan[c] < previous[c]);
    const graceUntil = downgrade ? new Date(now.getTime() + GRACE_DAYS * DAY_MS) : current;
    await tx.update(accounts).set({ plan: plan.code, planGraceUntil: graceUntil }).where(eq(accounts.id, accountId));
    return { previous, plan, graceUntil, downgrade };
  });
}

// ---------------------------------------------------------------- retention

/**
 * The daily retention job. For every account not in a grace period (`plan_grace_until` null or
 * past): deletes the instances created before now − the plan's retention days (exactly those; an
 * instance created at the cut-off stays), in batches of `batchSize`, each its own statement.
 * For an account whose grace period has ended it then applies the plan to what was kept: the
 * reports beyond the report limit (the newest ones, as they were read-only) are deleted, and the
 * grace period is cleared. Safe to run again, and by several workers at once.
 */
export async function applyRetention(db: Db, opts: { now?: Date; batchSize?: number } = {}): Promise<{ instances: number; reports: number }> {
  const now = opts.now ?? new Date();
  const batchSize = opts.batchSize ?? 5000;
  const due = await queryRows<{ id: string; retention_days: number; max_reports: number; grace_ended: boolean }>(
    db,
    sql`select a.id, p.retention_days, p.max_reports, a.plan_grace_until is not null as grace_ended
        from accounts a join plans p on p.code = a.plan
        where a.plan_grace_until is null or a.plan_grace_until <= ${now.toISOString()}::timestamptz
        order by a.id`,
  );
  let instances = 0;
  let removedReports = 0;
  for (const account of due) {
    const cutoff = new Date(now.getTime() - Number(account.retention_days) * DAY_MS);
    let deletedHere = 0;
    const ids = await db.select({ id: reports.id }).from(reports).where(eq(reports.accountId, account.id));
    for (const report of ids) {
      for (;;) {
        const [row] = await queryRows<{ n: number }>(
          db,
          sql`with doomed as (
                select account_id, id from report_instances
                where report_id = ${report.id} and created < ${cutoff.toISOString()}::timestamptz
                limit ${batchSize}
              ), d as (
                delete from report_instances ri using doomed
                where ri.account_id = doomed.account_id and ri.id = doomed.id
                returning 1
              )
              select count(*)::int as n from d`,
        );
        const n = Number(row?.n ?? 0);
        deletedHere += n;
        if (n < batchSize) break;
      }
    }
    if (account.grace_ended) {
      removedReports += await trimReports(db, account.id, Number(account.max_reports), batchSize);
      await db
        .update(accounts)
        .set({ planGraceUntil: null })
        .where(and(eq(accounts.id, account.id), sql`${accounts.planGraceUntil} <= ${now.toISOString()}::timestamptz`));
    }
    if (deletedHere) invalidateTileCache(account.id);
    instances += deletedHere;
  }
  return { instances, reports: removedReports };
}

/** Deletes the account's reports beyond `maxReports`, newest first (their instances in batches first). */
async function trimReports(db: Db, accountId: string, maxReports: number, batchSize: number): Promise<number> {
  const extra = await db
    .select({ id: reports.id, name: reports.name })
    .from(reports)
    .where(eq(reports.accountId, accountId))
    .orderBy(asc(reports.createdAt), asc(reports.id))
    .offset(maxReports);
  for (const report of extra) {
    for (;;) {
      const [row] = await queryRows<{ n: number }>(
        db,
        sql`with d as (
              delete from report_instances where (account_id, id) in (
                select account_id, id from ${reportInstances} where report_id = ${report.id} limit ${batchSize})
              returning 1)
            select count(*)::int as n from d`,
      );
      if (Number(row?.n ?? 0) < batchSize) break;
    }
    await deleteReport(db, { accountId, name: report.name }).catch(() => undefined); // gone meanwhile: fine
  }
  return extra.length;
}

export const planRetentionTask = () => ({ name: "plan retention", run: (db: Db) => applyRetention(db) });
