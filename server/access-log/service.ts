/**
 * The access log for operators: purging rows past their retention (daily, in batches) and the
 * admin search (/admin/access-log, and an account's recent errors on /admin/accounts/<id>).
 * The indexes these queries rely on, and their plans on a million rows, are in ADR 20.
 */
import { type SQL, sql } from "drizzle-orm";
import { type Db, queryRows } from "../../db/client";
import { badRequest } from "../errors";
import type { DailyTask } from "../maintenance/daily";

/**
 * Deletes the rows older than `retentionDays`, `batchSize` rows per statement (each its own
 * transaction, so a purge of millions never holds one huge transaction), until none is left.
 * Returns how many rows were deleted.
 */
export async function purgeAccessLog(
  db: Db,
  opts: { retentionDays: number; batchSize?: number; now?: Date; log?: (message: string) => void },
): Promise<number> {
  const batchSize = opts.batchSize ?? 10_000;
  const cutoff = new Date((opts.now ?? new Date()).getTime() - opts.retentionDays * 86_400_000);
  let total = 0;
  for (;;) {
    const deleted = await queryRows<{ n: number }>(
      db,
      sql`with gone as (
            delete from access_log where id in (
              select id from access_log where time < ${cutoff.toISOString()}::timestamptz limit ${batchSize}::int
            )
            returning 1
          )
          select count(*)::int as n from gone`,
    );
    const n = Number(deleted[0]?.n ?? 0);
    total += n;
    if (n < batchSize) break;
  }
  if (total > 0) opts.log?.(`access log: purged ${total} rows older than ${opts.retentionDays} days`);
  return total;
}

/** "4xx", "5xx", "errors" (400 and above) or one status such as "404". */
export type StatusFilter = string;

export type AccessLogFilter = {
  from?: Date;
  to?: Date;
  ip?: string;
  accountId?: string;
  urlPrefix?: string;
  status?: StatusFilter;
};

export type AccessLogRow = {
  id: number;
  time: Date;
  method: string;
  url: string;
  status: number;
  durationMs: number;
  ip: string;
  userAgent: string;
  accountId: string | null;
  accountName: string | null;
};

export type AccessLogPage = { rows: AccessLogRow[]; nextCursor: string | null };

function statusCondition(status: string): SQL {
  const s = status.trim().toLowerCase();
  if (s === "errors") return sql`status >= 400`;
  const klass = /^([1-5])xx$/.exec(s);
  if (klass) {
    const low = Number(klass[1]) * 100;
    return sql`status >= ${low}::int and status < ${low + 100}::int`;
  }
  if (/^[1-5]\d\d$/.test(s)) return sql`status = ${Number(s)}::int`;
  throw badRequest('Status: use a code such as 404, a class such as 4xx or 5xx, or "errors".');
}

/** The smallest string above every string that starts with `prefix`, in byte order (text_pattern_ops). */
function prefixUpperBound(prefix: string): string {
  return `${prefix}\u{10FFFF}`;
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

function encodeCursor(time: string, id: number): string {
  return Buffer.from(JSON.stringify([time, id])).toString("base64url");
}

function decodeCursor(cursor: string): { time: string; id: number } {
  try {
    const [time, id] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as [unknown, unknown];
    if (typeof time !== "string" || !Number.isSafeInteger(id) || Number.isNaN(new Date(time).getTime())) throw new Error("bad");
    return { time, id: id as number };
  } catch {
    throw badRequest("The page cursor is not valid; start from the first page.");
  }
}

/**
 * One page of the access log, newest first, matching every given filter. Keyset paging on
 * (time, id): each filter is served by an index ending in (time, id) (ADR 20), so a page costs
 * about the same at the start and deep into millions of rows.
 */
export async function searchAccessLog(db: Db, filter: AccessLogFilter & { cursor?: string | null; limit?: number }): Promise<AccessLogPage> {
  const limit = Math.min(Math.max(filter.limit ?? 50, 1), 500);
  const rows = await queryRows<{
    id: string | number;
    time: string | Date;
    time_text: string;
    method: string;
    url: string;
    status: number;
    duration_ms: number;
    ip: string;
    user_agent: string;
    account_id: string | null;
    account_name: string | null;
  }>(db, accessLogQuery(filter, limit + 1));
  const more = rows.length > limit;
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    rows: page.map((r) => ({
      id: Number(r.id),
      time: new Date(r.time),
      method: r.method,
      url: r.url,
      status: r.status,
      durationMs: r.duration_ms,
      ip: r.ip,
      userAgent: r.user_agent,
      accountId: r.account_id,
      accountName: r.account_name,
    })),
    nextCursor: more && last ? encodeCursor(last.time_text, Number(last.id)) : null,
  };
}

/** The page query of searchAccessLog (exported for EXPLAIN in ADR 20's measurements). */
export function accessLogQuery(filter: AccessLogFilter & { cursor?: string | null }, limit: number): SQL {
  const where: SQL[] = [];
  if (filter.from) where.push(sql`l.time >= ${filter.from.toISOString()}::timestamptz`);
  if (filter.to) where.push(sql`l.time < ${filter.to.toISOString()}::timestamptz`);
  if (filter.ip) where.push(sql`l.ip = ${filter.ip}`);
  if (filter.accountId) where.push(sql`l.account_id = ${filter.accountId}::uuid`);
  if (filter.urlPrefix) {
    // The range serves the text_pattern_ops index; LIKE keeps the match exact.
    where.push(
      sql`l.url ~>=~ ${filter.urlPrefix} and l.url ~<~ ${prefixUpperBound(filter.urlPrefix)} and l.url like ${`${escapeLike(filter.urlPrefix)}%`}`,
    );
  }
  if (filter.status) where.push(statusCondition(filter.status));
  if (filter.cursor) {
    const c = decodeCursor(filter.cursor);
    where.push(sql`(l.time, l.id) < (${c.time}::timestamptz, ${c.id}::bigint)`);
  }
  return sql`select l.id, l.time, l.time::text as time_text, l.method, l.url, l.status, l.duration_ms, l.ip, l.user_agent, l.account_id,
               a.name as account_name
        from (
          select * from access_log l
          ${where.length ? sql`where ${sql.join(where, sql` and `)}` : sql``}
          order by l.time desc, l.id desc
          limit ${limit}::int
        ) l
        left join accounts a on a.id = l.account_id
        order by l.time desc, l.id desc`;
}

/** The daily purge as a task of server/maintenance/daily.ts (rows older than ACCESS_LOG_RETENTION_DAYS). */
export function accessLogPurgeTask(retentionDays: number, log: (message: string) => void = console.log): DailyTask {
  return { name: "access log purge", run: (db) => purgeAccessLog(db, { retentionDays, log }) };
}
