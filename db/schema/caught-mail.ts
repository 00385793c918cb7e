import { bigserial, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/** Development only: mail caught instead of sent when no SMTP_URL is set (see /dev/mail). */
export const caughtMail = pgTable("caught_mail", {
  id: bigserial("id", { mode: "number" }).primaryKey(),
  to: text("to").notNull(),
  subject: text("subject").notNull(),
  html: text("html").notNull(),
  text: text("text").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
});
