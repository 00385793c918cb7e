import { pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

/** The tenant: a customer. Everything a customer owns carries its `account_id`. */
export const accounts = pgTable("accounts", {
  id: uuid("id").primaryKey(),
  name: text("name").notNull(),
  plan: text("plan").notNull().default("free"),
  createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  /** When the owner asked to delete the account, it is purged at this time (14 days later) unless cancelled. */
  deletionScheduledAt: timestamp("deletion_scheduled_at", { withTimezone: true, mode: "date" }),
  deletionRequestedBy: text("deletion_requested_by"),
  /**
   * After a downgrade, data over the new plan's limits stays, read-only, until this time; then
   * the daily retention job applies the plan's limits to it.
   */
  planGraceUntil: timestamp("plan_grace_until", { withTimezone: true, mode: "date" }),
});

export type Account = typeof accounts.$inferSelect;
