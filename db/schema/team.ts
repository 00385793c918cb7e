import { sql } from "drizzle-orm";
import { foreignKey, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid, boolean } from "drizzle-orm/pg-core";
import { accounts } from "./accounts";
import { roles } from "./memberships";
import { dashboards } from "./dashboards";

/**
 * An invitation to join an account with a role, by email. The link's token is kept only as a
 * hash; it is valid 7 days and works once. Resending makes a new token (the old link dies).
 */
export const invitations = pgTable(
  "invitations",
  {
    accountId: uuid("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    id: uuid("id").notNull(),
    email: text("email").notNull(),
    role: text("role", { enum: roles }).notNull(),
    tokenHash: text("token_hash").notNull(),
    invitedBy: text("invited_by"),
    expiresAt: timestamp("expires_at", { withTimezone: true, mode: "date" }).notNull(),
    acceptedAt: timestamp("accepted_at", { withTimezone: true, mode: "date" }),
    acceptedBy: text("accepted_by"),
    cancelledAt: timestamp("cancelled_at", { withTimezone: true, mode: "date" }),
    lastSentAt: timestamp("last_sent_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.accountId, t.id] }),
    uniqueIndex("invitations_token_idx").on(t.tokenHash),
    uniqueIndex("invitations_pending_email_idx")
      .on(t.accountId, sql`lower(${t.email})`)
      .where(sql`accepted_at is null and cancelled_at is null`),
  ],
);

/**
 * The account's activity: who did what, when, from which IP (Settings → Activity). `actor` is a
 * label kept as it was (the user's email, or "API key <prefix>") so entries outlive the actor.
 */
export const auditLog = pgTable(
  "audit_log",
  {
    accountId: uuid("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    id: uuid("id").notNull(),
    at: timestamp("at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    actorUserId: text("actor_user_id"),
    actor: text("actor").notNull(),
    action: text("action").notNull(),
    target: text("target"),
    details: jsonb("details").$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
    ip: text("ip"),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.id] }), index("audit_log_account_at_idx").on(t.accountId, t.at, t.id)],
);

/**
 * A public read-only link to one dashboard. Only the token's hash is stored; regenerating
 * replaces the hash (the old link dies at once). Views are counted without visitor data.
 */
export const dashboardShares = pgTable(
  "dashboard_shares",
  {
    accountId: uuid("account_id").notNull(),
    id: uuid("id").notNull(),
    dashboardId: uuid("dashboard_id").notNull(),
    tokenHash: text("token_hash").notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true, mode: "date" }),
    allowTimeRange: boolean("allow_time_range").notNull().default(false),
    paused: boolean("paused").notNull().default(false),
    revokedAt: timestamp("revoked_at", { withTimezone: true, mode: "date" }),
    createdBy: text("created_by"),
    viewCount: integer("view_count").notNull().default(0),
    lastViewedAt: timestamp("last_viewed_at", { withTimezone: true, mode: "date" }),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.accountId, t.id] }),
    uniqueIndex("dashboard_shares_token_idx").on(t.tokenHash),
    foreignKey({ columns: [t.accountId, t.dashboardId], foreignColumns: [dashboards.accountId, dashboards.id] }).onDelete("cascade"),
    index("dashboard_shares_dashboard_idx").on(t.accountId, t.dashboardId),
  ],
);
