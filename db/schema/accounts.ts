import { pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

/** The tenant: a customer. Everything a customer owns carries its `account_id`. */
export const accounts = pgTable("accounts", {
  id: uuid("id").primaryKey(),
  name: text("name").notNull(),
  plan: text("plan").notNull().default("free"),
  createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
});

export type Account = typeof accounts.$inferSelect;
