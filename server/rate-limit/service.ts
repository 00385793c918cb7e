import { sql } from "drizzle-orm";
import { type Db, queryRows } from "../../db/client";
import { sha256 } from "../tokens";

export type RateLimitResult = {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** When the current window ends. */
  resetAt: Date;
};

/**
 * Counts one hit against `key` in a fixed window, atomically in PostgreSQL, so the count is
 * shared by every app process. The key is hashed before it is stored.
 */
export async function hitRateLimit(
  db: Db,
  key: string,
  opts: { limit: number; windowMs: number; now?: Date },
): Promise<RateLimitResult> {
  const now = opts.now ?? new Date();
  const windowStartFloor = new Date(now.getTime() - opts.windowMs);
  const [row] = await queryRows<{ count: number; window_start: string | Date }>(db, sql`
    insert into rate_limits (key, count, window_start)
    values (${sha256(key)}, 1, ${now.toISOString()})
    on conflict (key) do update set
      count = case when rate_limits.window_start <= ${windowStartFloor.toISOString()} then 1 else rate_limits.count + 1 end,
      window_start = case when rate_limits.window_start <= ${windowStartFloor.toISOString()} then ${now.toISOString()}::timestamptz else rate_limits.window_start end
    returning count, window_start`);
  const count = Number(row!.count);
  const resetAt = new Date(new Date(row!.window_start).getTime() + opts.windowMs);
  return { allowed: count <= opts.limit, limit: opts.limit, remaining: Math.max(0, opts.limit - count), resetAt };
}

/** Whether `key` is already over its limit in the current window, without counting a hit. */
export async function isRateLimited(
  db: Db,
  key: string,
  opts: { limit: number; windowMs: number; now?: Date },
): Promise<{ limited: boolean; resetAt: Date }> {
  const now = opts.now ?? new Date();
  const [row] = await queryRows<{ count: number; window_start: string | Date }>(
    db,
    sql`select count, window_start from rate_limits where key = ${sha256(key)}`,
  );
  if (!row) return { limited: false, resetAt: now };
  const resetAt = new Date(new Date(row.window_start).getTime() + opts.windowMs);
  return { limited: resetAt > now && Number(row.count) >= opts.limit, resetAt };
}

/** Forget the hits of `key` (e.g. after a successful login). */
export async function clearRateLimit(db: Db, key: string): Promise<void> {
  await db.execute(sql`delete from rate_limits where key = ${sha256(key)}`);
}

/**
 * Rate-limit rows whose window ended more than a day ago: deleted daily, so the hashed keys
 * (some derived from client IPs) are not kept longer than the limits need them.
 */
export async function purgeExpiredRateLimits(db: Db, now = new Date()): Promise<number> {
  const rows = await queryRows<{ key: string }>(
    db,
    sql`delete from rate_limits where window_start < ${new Date(now.getTime() - 24 * 3600_000).toISOString()}::timestamptz returning key`,
  );
  return rows.length;
}

export const rateLimitPurgeTask = () => ({ name: "rate limit purge", run: (db: Db) => purgeExpiredRateLimits(db) });
