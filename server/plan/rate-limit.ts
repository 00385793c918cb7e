/**
 * Public API rate limits per API key, by plan (`plans.api_requests_per_minute`): a fixed
 * one-minute window counted in PostgreSQL's `rate_limits` table (the same upsert as
 * server/rate-limit/service.ts, under the hashed key `api:key:<apiKeyId>`), so every app process
 * shares the count. The database's clock (`now()`) starts and ends windows, whichever process
 * counts. The ingest push counts inside the statement that stores it (server/report/service.ts)
 * with the same SQL pieces; every other API call counts here. ADR 25.
 */
import { type Db, preparedRows } from "../../db/client";
import { rateLimitExceeded } from "../errors";
import { sha256 } from "../tokens";

export const API_RATE_WINDOW_SECONDS = 60;

/** Hashed keys of the API keys seen lately: every push needs its key's, and a hash per push is CPU on the hot path. */
const rateKeys = new Map<string, string>();

/** The stored (hashed) rate-limit key of an API key. */
export function apiKeyRateKey(apiKeyId: string): string {
  let key = rateKeys.get(apiKeyId);
  if (key === undefined) {
    if (rateKeys.size >= 10_000) rateKeys.clear();
    rateKeys.set(apiKeyId, (key = sha256(`api:key:${apiKeyId}`)));
  }
  return key;
}

/** The upsert's `set` for a hit of `$n` requests in the window (`excluded.count` when inserting several). */
export const RATE_WINDOW_EXPIRED = `rate_limits.window_start <= now() - interval '${API_RATE_WINDOW_SECONDS} seconds'`;

/** Seconds until the window starting at `window_start` ends (at least 1 while it runs). */
export const RATE_RESET_SECONDS = (windowStart: string) =>
  `greatest(1, ceil(extract(epoch from (${windowStart} + interval '${API_RATE_WINDOW_SECONDS} seconds' - now()))))::int`;

/** A plan's requests per minute, or "no limit" when the account's plan row is gone. */
export const PLAN_PER_MINUTE = `coalesce(p.api_requests_per_minute, 2147483647)`;

export type ApiRateLimit = {
  /** Requests this key may make per window. */
  limit: number;
  /** Requests counted in the current window, this one included. */
  count: number;
  /** Seconds until the window resets. */
  reset: number;
};

const HIT = `
  with plan as (
    select ${PLAN_PER_MINUTE} as per_minute
    from accounts a left join plans p on p.code = a.plan
    where a.id = $2
  ), rate as (
    insert into rate_limits (key, count, window_start) values ($1, 1, now())
    on conflict (key) do update set
      count = case when ${RATE_WINDOW_EXPIRED} then 1 else rate_limits.count + 1 end,
      window_start = case when ${RATE_WINDOW_EXPIRED} then now() else rate_limits.window_start end
    returning count, window_start
  )
  select rate.count, coalesce((select per_minute from plan), 2147483647) as per_minute, ${RATE_RESET_SECONDS("rate.window_start")} as reset
  from rate`;

/** Counts one request of the key against its plan's limit (one statement). */
export async function hitApiKeyRateLimit(db: Db, apiKey: { id: string; accountId: string }): Promise<ApiRateLimit> {
  const [row] = await preparedRows<{ count: number; per_minute: number; reset: number }>(db, HIT, [apiKeyRateKey(apiKey.id), apiKey.accountId]);
  return { count: Number(row!.count), limit: Number(row!.per_minute), reset: Number(row!.reset) };
}

/** RateLimit-Limit / -Remaining / -Reset (seconds) on the response, when the transport can set headers. */
export function setRateLimitHeaders(setHeader: ((name: string, value: string) => void) | undefined, r: ApiRateLimit): void {
  if (!setHeader) return;
  setHeader("RateLimit-Limit", String(r.limit));
  setHeader("RateLimit-Remaining", String(Math.max(0, r.limit - r.count)));
  setHeader("RateLimit-Reset", String(r.reset));
}

/** The 429 for a request over the limit (Retry-After: the seconds until the window resets). */
export function checkRateLimit(r: ApiRateLimit): void {
  if (r.count > r.limit) throw rateLimitExceeded(r.limit, r.reset);
}

/** Counts a public API request of `apiKey`: sets the headers, throws 429 ERROR_RATE_LIMIT over the limit. */
export async function countApiRequest(
  ctx: { db: Db; setHeader?: (name: string, value: string) => void },
  apiKey: { id: string; accountId: string },
): Promise<ApiRateLimit> {
  const r = await hitApiKeyRateLimit(ctx.db, apiKey);
  setRateLimitHeaders(ctx.setHeader, r);
  checkRateLimit(r);
  return r;
}
