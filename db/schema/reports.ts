import { sql } from "drizzle-orm";
import { index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { accounts } from "./accounts";

/** A named stream of instances within an account, created on first push. */
export const reports = pgTable(
  "reports",
  {
    id: uuid("id").primaryKey(),
    accountId: uuid("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("reports_account_name_idx").on(t.accountId, t.name)],
);

/**
 * One push: the parsed table, the original input, tags, created, link. The table that grows
 * without bound (see docs/decisions/0008-report-instances-at-scale.md).
 */
export const reportInstances = pgTable(
  "report_instances",
  {
    accountId: uuid("account_id").notNull(),
    id: uuid("id").notNull(),
    reportId: uuid("report_id")
      .notNull()
      .references(() => reports.id, { onDelete: "cascade" }),
    created: timestamp("created", { withTimezone: true, mode: "date" }).notNull(),
    tags: text("tags").array().notNull().default(sql`'{}'::text[]`),
    rows: jsonb("rows").$type<unknown[][]>().notNull(),
    header: jsonb("header").$type<number[]>().notNull(),
    input: text("input").notNull(),
    format: text("format").notNull(),
    link: text("link"),
    bytes: integer("bytes").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.accountId, t.id] }),
    index("report_instances_report_created_idx").on(t.reportId, t.created, t.id),
    index("report_instances_tags_idx").using("gin", t.tags),
  ],
);

/** De-identified usage: requests per API key and day (no addresses, no paths). */
export const apiKeyUsage = pgTable(
  "api_key_usage",
  {
    accountId: uuid("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    apiKeyId: uuid("api_key_id").notNull(),
    day: text("day").notNull(),
    count: integer("count").notNull(),
  },
  (t) => [primaryKey({ columns: [t.apiKeyId, t.day] }), index("api_key_usage_account_idx").on(t.accountId)],
);
