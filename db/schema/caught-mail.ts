import { bigserial, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/** A caught mail's attachment (e.g. an invoice PDF), its bytes in base64. */
export type CaughtAttachment = { filename: string; contentType: string; size: number; contentBase64: string };

/** Development only: mail caught instead of sent when no SMTP_URL is set (see /dev/mail). */
export const caughtMail = pgTable("caught_mail", {
  id: bigserial("id", { mode: "number" }).primaryKey(),
  to: text("to").notNull(),
  subject: text("subject").notNull(),
  html: text("html").notNull(),
  text: text("text").notNull(),
  /** Attachments, kept so /dev/mail can offer them for download (migration 0006). */
  attachments: jsonb("attachments").$type<CaughtAttachment[]>(),
  createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
});
