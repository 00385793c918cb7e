import { sql } from "drizzle-orm";
import { bigserial, index, integer, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

/**
 * One line per HTTP request, for investigating technical problems; kept
 * ACCESS_LOG_RETENTION_DAYS (default 30), then purged (server/access-log/service.ts).
 * The Privacy Policy names exactly these fields; add none without changing it.
 *
 * Indexes (ADR 20): every admin query pages newest first by (time, id), so each filter has an
 * index ending in (time, id): all rows; one IP; one account; the errors (status >= 400, all
 * rows and per account). URL prefixes use a text_pattern_ops index on url.
 */
export const accessLog = pgTable(
  "access_log",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    time: timestamp("time", { withTimezone: true, mode: "date" }).notNull(),
    method: text("method").notNull(),
    url: text("url").notNull(),
    status: integer("status").notNull(),
    durationMs: integer("duration_ms").notNull(),
    ip: text("ip").notNull(),
    userAgent: text("user_agent").notNull(),
    /** The account, when known: the session's current account, or the API key's. No foreign key: rows outlive nothing but their retention. */
    accountId: uuid("account_id"),
  },
  (t) => [
    index("access_log_time_id_idx").on(t.time, t.id),
    index("access_log_ip_idx").on(t.ip, t.time, t.id),
    index("access_log_account_idx").on(t.accountId, t.time, t.id).where(sql`account_id is not null`),
    index("access_log_errors_idx").on(t.time, t.id).where(sql`status >= 400`),
    index("access_log_account_errors_idx").on(t.accountId, t.time, t.id).where(sql`status >= 400 and account_id is not null`),
    index("access_log_url_idx").using("btree", t.url.op("text_pattern_ops")),
  ],
);
