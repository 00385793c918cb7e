import { bigserial, index, integer, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/**
 * One line per HTTP request, for investigating technical problems.
 * The Privacy Policy names exactly these fields; add none without changing it.
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
  },
  (t) => [index("access_log_time_idx").on(t.time)],
);
