/**
 * What operators see of the customers: accounts with counts and activity, one account's usage
 * and recent errors, and de-identified API usage. Nothing here reads report contents (no
 * instance rows, inputs, report or dashboard names): counts, times and plans only.
 */
import { sql } from "drizzle-orm";
import { type Db, queryRows } from "../../db/client";
import { badRequest, notFound } from "../errors";

/** The smallest UUIDv7 of a millisecond: ids at or above it were made at that time or later. */
export function uuidv7Floor(date: Date): string {
  const hex = Math.max(0, Math.floor(date.getTime())).toString(16).padStart(12, "0").slice(-12);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-0000-0000-000000000000`;
}

/** The first instant of the current UTC month. */
export function monthStart(now = new Date()): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
}

/** SQL: the time a UUIDv7 was made (its first 48 bits, milliseconds since 1970). */
const uuidTime = (column: string) =>
  sql.raw(`to_timestamp(('x' || lpad(replace(left(${column}::text, 13), '-', ''), 16, '0'))::bit(64)::bigint / 1000.0)`);

export type AccountListItem = {
  id: string;
  name: string;
  plan: string;
  createdAt: Date;
  members: number;
  reports: number;
  instancesThisMonth: number;
  lastActivityAt: Date | null;
  deletionScheduledAt: Date | null;
};

function encodeCursor(createdAt: string, id: string) {
  return Buffer.from(JSON.stringify([createdAt, id])).toString("base64url");
}
function decodeCursor(cursor: string): { createdAt: string; id: string } {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as [unknown, unknown];
    if (typeof createdAt !== "string" || typeof id !== "string" || !/^[0-9a-f-]{36}$/.test(id)) throw new Error("bad");
    return { createdAt, id };
  } catch {
    throw badRequest("The page cursor is not valid; start from the first page.");
  }
}

/**
 * The account's last activity: the newest of its sessions' last use, its API keys' last use and
 * its newest instance (the time in its UUIDv7, from the primary key's last entry).
 */
const lastActivity = sql`greatest(
    (select max(s.last_seen_at) from sessions s where s.account_id = a.id),
    (select max(k.last_used_at) from api_keys k where k.account_id = a.id),
    (select ${uuidTime("ri.id")} from report_instances ri where ri.account_id = a.id order by ri.id desc limit 1)
  )`;

/**
 * Accounts, newest first, 50 a page; `q` matches the account's name, a member's email (parts of
 * either) or the account id.
 */
export async function listAccounts(db: Db, input: { q?: string; cursor?: string | null; limit?: number; now?: Date }): Promise<{ accounts: AccountListItem[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(input.limit ?? 50, 1), 200);
  const where = [];
  const q = input.q?.trim();
  if (q) {
    const like = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`).toLowerCase()}%`;
    where.push(
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(q)
        ? sql`a.id = ${q.toLowerCase()}::uuid`
        : sql`(lower(a.name) like ${like} or exists (
              select 1 from memberships m join users u on u.id = m.user_id where m.account_id = a.id and lower(u.email) like ${like}))`,
    );
  }
  if (input.cursor) {
    const c = decodeCursor(input.cursor);
    where.push(sql`(a.created_at, a.id) < (${c.createdAt}::timestamptz, ${c.id}::uuid)`);
  }
  const since = uuidv7Floor(monthStart(input.now));
  const rows = await queryRows<{
    id: string;
    name: string;
    plan: string;
    created_at: string | Date;
    created_text: string;
    deletion_scheduled_at: string | Date | null;
    members: number;
    reports: number;
    instances: number;
    last_activity: string | Date | null;
  }>(
    db,
    sql`select a.id, a.name, a.plan, a.created_at, a.created_at::text as created_text, a.deletion_scheduled_at,
               (select count(*)::int from memberships m where m.account_id = a.id) as members,
               (select count(*)::int from reports r where r.account_id = a.id) as reports,
               (select count(*)::int from report_instances ri where ri.account_id = a.id and ri.id >= ${since}::uuid) as instances,
               ${lastActivity} as last_activity
        from accounts a
        ${where.length ? sql`where ${sql.join(where, sql` and `)}` : sql``}
        order by a.created_at desc, a.id desc
        limit ${limit + 1}::int`,
  );
  const more = rows.length > limit;
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    accounts: page.map((r) => ({
      id: r.id,
      name: r.name,
      plan: r.plan,
      createdAt: new Date(r.created_at),
      members: Number(r.members),
      reports: Number(r.reports),
      instancesThisMonth: Number(r.instances),
      lastActivityAt: r.last_activity ? new Date(r.last_activity) : null,
      deletionScheduledAt: r.deletion_scheduled_at ? new Date(r.deletion_scheduled_at) : null,
    })),
    nextCursor: more && last ? encodeCursor(last.created_text, last.id) : null,
  };
}

export type DailyCount = { day: string; count: number };

export type AccountDetail = AccountListItem & {
  members: number;
  memberList: { name: string; email: string; role: string; joinedAt: Date }[];
  dashboards: number;
  alarms: number;
  apiKeys: number;
  bytesThisMonth: number;
  /** Last 30 UTC days, oldest first, days without any as 0. */
  apiRequestsPerDay: DailyCount[];
  instancesPerDay: DailyCount[];
};

/** The UTC days from `days - 1` days ago to today, as YYYY-MM-DD. */
export function lastDays(days: number, now = new Date()): string[] {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return Array.from({ length: days }, (_, i) => new Date(today - (days - 1 - i) * 86_400_000).toISOString().slice(0, 10));
}

function fillDays(days: string[], rows: { day: string; n: number | string }[]): DailyCount[] {
  const byDay = new Map(rows.map((r) => [r.day, Number(r.n)]));
  return days.map((day) => ({ day, count: byDay.get(day) ?? 0 }));
}

/** One account for /admin/accounts/<id>: counts, members, and its usage over the last 30 days. */
export async function getAccountDetail(db: Db, accountId: string, now = new Date()): Promise<AccountDetail> {
  const since = uuidv7Floor(monthStart(now));
  const [a] = await queryRows<{
    id: string;
    name: string;
    plan: string;
    created_at: string | Date;
    deletion_scheduled_at: string | Date | null;
    members: number;
    reports: number;
    instances: number;
    bytes: number | string | null;
    dashboards: number;
    alarms: number;
    api_keys: number;
    last_activity: string | Date | null;
  }>(
    db,
    sql`select a.id, a.name, a.plan, a.created_at, a.deletion_scheduled_at,
               (select count(*)::int from memberships m where m.account_id = a.id) as members,
               (select count(*)::int from reports r where r.account_id = a.id) as reports,
               (select count(*)::int from report_instances ri where ri.account_id = a.id and ri.id >= ${since}::uuid) as instances,
               (select coalesce(sum(ri.bytes), 0)::bigint from report_instances ri where ri.account_id = a.id and ri.id >= ${since}::uuid) as bytes,
               (select count(*)::int from dashboards d where d.account_id = a.id) as dashboards,
               (select count(*)::int from alarms al where al.account_id = a.id) as alarms,
               (select count(*)::int from api_keys k where k.account_id = a.id and k.revoked_at is null) as api_keys,
               ${lastActivity} as last_activity
        from accounts a where a.id = ${accountId}::uuid`,
  );
  if (!a) throw notFound("No such account.");
  const days = lastDays(30, now);
  const from = new Date(`${days[0]}T00:00:00Z`);
  const [memberList, requests, instances] = await Promise.all([
    queryRows<{ name: string; email: string; role: string; created_at: string | Date }>(
      db,
      sql`select u.name, u.email, m.role, m.created_at from memberships m join users u on u.id = m.user_id
          where m.account_id = ${accountId}::uuid
          order by case m.role when 'owner' then 0 when 'admin' then 1 when 'editor' then 2 else 3 end, m.created_at`,
    ),
    queryRows<{ day: string; n: number }>(
      db,
      sql`select day, sum(count)::int as n from api_key_usage where account_id = ${accountId}::uuid and day >= ${days[0]} group by day`,
    ),
    queryRows<{ day: string; n: number }>(
      db,
      sql`select to_char(${uuidTime("ri.id")} at time zone 'UTC', 'YYYY-MM-DD') as day, count(*)::int as n
          from report_instances ri where ri.account_id = ${accountId}::uuid and ri.id >= ${uuidv7Floor(from)}::uuid
          group by 1`,
    ),
  ]);
  return {
    id: a.id,
    name: a.name,
    plan: a.plan,
    createdAt: new Date(a.created_at),
    deletionScheduledAt: a.deletion_scheduled_at ? new Date(a.deletion_scheduled_at) : null,
    members: Number(a.members),
    reports: Number(a.reports),
    instancesThisMonth: Number(a.instances),
    bytesThisMonth: Number(a.bytes ?? 0),
    dashboards: Number(a.dashboards),
    alarms: Number(a.alarms),
    apiKeys: Number(a.api_keys),
    lastActivityAt: a.last_activity ? new Date(a.last_activity) : null,
    memberList: memberList.map((m) => ({ name: m.name, email: m.email, role: m.role, joinedAt: new Date(m.created_at) })),
    apiRequestsPerDay: fillDays(days, requests),
    instancesPerDay: fillDays(days, instances),
  };
}

export type UsageReport = {
  days: string[];
  /** Requests per day for each plan (every plan with any request in the range). */
  byPlan: { plan: string; perDay: number[]; total: number }[];
  /** The busiest keys in the range: the key's id and its account's plan, nothing else. */
  byKey: { apiKeyId: string; plan: string; perDay: number[]; total: number }[];
  totalRequests: number;
  activeKeys: number;
};

/**
 * De-identified API usage from `api_key_usage` (requests per key and UTC day; no addresses, no
 * paths): per plan and per key id for the last `days` days.
 */
export async function usageReport(db: Db, input: { days: number; topKeys?: number; now?: Date }): Promise<UsageReport> {
  const days = lastDays(input.days, input.now);
  const index = new Map(days.map((d, i) => [d, i]));
  const rows = await queryRows<{ api_key_id: string; plan: string; day: string; n: number }>(
    db,
    sql`select u.api_key_id, a.plan, u.day, u.count as n
        from api_key_usage u join accounts a on a.id = u.account_id
        where u.day >= ${days[0]} and u.day <= ${days[days.length - 1]}`,
  );
  const plans = new Map<string, number[]>();
  const keys = new Map<string, { plan: string; perDay: number[] }>();
  for (const r of rows) {
    const i = index.get(r.day);
    if (i === undefined) continue;
    const n = Number(r.n);
    const plan = plans.get(r.plan) ?? Array<number>(days.length).fill(0);
    plan[i]! += n;
    plans.set(r.plan, plan);
    const key = keys.get(r.api_key_id) ?? { plan: r.plan, perDay: Array<number>(days.length).fill(0) };
    key.perDay[i]! += n;
    keys.set(r.api_key_id, key);
  }
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const byPlan = [...plans].map(([plan, perDay]) => ({ plan, perDay, total: sum(perDay) })).sort((a, b) => b.total - a.total);
  const byKey = [...keys]
    .map(([apiKeyId, k]) => ({ apiKeyId, plan: k.plan, perDay: k.perDay, total: sum(k.perDay) }))
    .sort((a, b) => b.total - a.total || a.apiKeyId.localeCompare(b.apiKeyId))
    .slice(0, input.topKeys ?? 20);
  return { days, byPlan, byKey, totalRequests: sum(byPlan.map((p) => p.total)), activeKeys: keys.size };
}

/** Marks (or unmarks) a user as an operator of Tablewatch (`npm run tw -- make-admin`). */
export async function setAdmin(db: Db, input: { email: string; isAdmin: boolean }): Promise<{ id: string; email: string } | null> {
  const [row] = await queryRows<{ id: string; email: string }>(
    db,
    sql`update users set is_admin = ${input.isAdmin} where lower(email) = ${input.email.trim().toLowerCase()} returning id, email`,
  );
  return row ?? null;
}
