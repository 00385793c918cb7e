import { sql } from "drizzle-orm";
import type { Db } from "../../db/client";

/**
 * De-identified usage statistics: requests per API key and UTC day (no IPs, no paths).
 * Counted in memory and added to `api_key_usage` every few seconds, so the API's hot path does
 * not wait for an extra write; several processes add up because each flush is an increment.
 */
export type UsageCounter = {
  count(accountId: string, apiKeyId: string, now?: Date): void;
  flush(): Promise<void>;
  stop(): Promise<void>;
};

export function createUsageCounter(db: Db, opts: { flushMs?: number } = {}): UsageCounter {
  let pending = new Map<string, { accountId: string; apiKeyId: string; day: string; count: number }>();
  let flushing: Promise<void> = Promise.resolve();

  const flush = async () => {
    await flushing;
    if (!pending.size) return;
    const batch = [...pending.values()];
    pending = new Map();
    flushing = (async () => {
      for (const u of batch) {
        // An account deleted since (server/account/purge.ts) takes its counts with it.
        await db.execute(sql`
          insert into api_key_usage (account_id, api_key_id, day, count)
          select ${u.accountId}, ${u.apiKeyId}, ${u.day}, ${u.count}
          where exists (select 1 from accounts where id = ${u.accountId})
          on conflict (api_key_id, day) do update set count = api_key_usage.count + excluded.count`);
      }
    })().catch((error: unknown) => console.error("usage flush failed", error));
    await flushing;
  };

  const timer = setInterval(() => void flush(), opts.flushMs ?? 5000);
  timer.unref();

  return {
    count(accountId, apiKeyId, now = new Date()) {
      const day = now.toISOString().slice(0, 10);
      const key = `${apiKeyId}/${day}`;
      const entry = pending.get(key);
      if (entry) entry.count += 1;
      else pending.set(key, { accountId, apiKeyId, day, count: 1 });
    },
    flush,
    async stop() {
      clearInterval(timer);
      await flush();
    },
  };
}
