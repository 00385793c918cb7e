import { sql } from "drizzle-orm";
import { foreignKey, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";
import type { DashboardSettings, TileConfig } from "../../server/dashboard/model";
import { accounts } from "./accounts";

/** A grid of tiles. `layout_version` versions the layout document (dashboards.md "Layout"). */
export const dashboards = pgTable(
  "dashboards",
  {
    accountId: uuid("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    id: uuid("id").notNull(),
    name: text("name").notNull(),
    position: integer("position").notNull().default(0),
    layoutVersion: integer("layout_version").notNull().default(0),
    settings: jsonb("settings").$type<DashboardSettings>().notNull().default(sql`'{}'::jsonb`),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.id] }), index("dashboards_account_position_idx").on(t.accountId, t.position)],
);

/**
 * One tile: what it draws (`config`, validated by tileConfig) and where (x, y, w, h). `report`
 * is the report's name, so a tile keeps working when a report is re-created by a new push.
 * Automatic copies of a master tile carry `master_id` and the tag value they were made for.
 */
export const tiles = pgTable(
  "tiles",
  {
    accountId: uuid("account_id").notNull(),
    id: uuid("id").notNull(),
    dashboardId: uuid("dashboard_id").notNull(),
    report: text("report").notNull(),
    config: jsonb("config").$type<Omit<TileConfig, "report">>().notNull(),
    x: integer("x").notNull(),
    y: integer("y").notNull(),
    w: integer("w").notNull(),
    h: integer("h").notNull(),
    masterId: uuid("master_id"),
    tagValue: text("tag_value"),
    lastDataAt: timestamp("last_data_at", { withTimezone: true, mode: "date" }),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.accountId, t.id] }),
    foreignKey({ columns: [t.accountId, t.dashboardId], foreignColumns: [dashboards.accountId, dashboards.id] }).onDelete("cascade"),
    index("tiles_dashboard_idx").on(t.accountId, t.dashboardId),
    index("tiles_report_idx").on(t.accountId, t.report),
  ],
);
