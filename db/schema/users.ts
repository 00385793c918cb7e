import { sql } from "drizzle-orm";
import { boolean, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";

/** A person who can log in. Belongs to accounts through memberships. */
export const users = pgTable(
  "users",
  {
    id: text("id").primaryKey(),
    email: text("email").notNull(),
    name: text("name").notNull(),
    passwordHash: text("password_hash").notNull(),
    emailConfirmedAt: timestamp("email_confirmed_at", { withTimezone: true, mode: "date" }),
    isAdmin: boolean("is_admin").notNull().default(false),
    /** Preferences: charts' time axis in this IANA time zone, 12- or 24-hour clock. */
    timeZone: text("time_zone").notNull().default("UTC"),
    hour12: boolean("hour12").notNull().default(false),
    /** Two-factor login (TOTP): the shared secret (base32; it must be kept to check codes), set once confirmed. */
    totpSecret: text("totp_secret"),
    totpEnabledAt: timestamp("totp_enabled_at", { withTimezone: true, mode: "date" }),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("users_email_lower_idx").on(sql`lower(${t.email})`)],
);

export type User = typeof users.$inferSelect;
