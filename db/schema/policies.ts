import { sql } from "drizzle-orm";
import { index, integer, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { users } from "./users";

/** The policy documents, served at /privacy and /terms. */
export const policyDocuments = ["privacy", "terms"] as const;
export type PolicyDocument = (typeof policyDocuments)[number];

/**
 * A published version of a policy document (Markdown). Versions are numbered 1, 2, … per
 * document and never change once published; the newest is the one served. Version 1 of both
 * documents is seeded by migration 0005 from server/policy/v1-*.md.
 */
export const policyVersions = pgTable(
  "policy_versions",
  {
    id: uuid("id").primaryKey(),
    document: text("document", { enum: policyDocuments }).notNull(),
    version: integer("version").notNull(),
    body: text("body").notNull(),
    /** What changed, in a few sentences: shown in the email and on the admin page. */
    summary: text("summary").notNull(),
    /** The "Last modified" date shown on the page. */
    publishedAt: timestamp("published_at", { withTimezone: true, mode: "date" }).notNull(),
    /** The admin who published it (a label kept as it was: their email). */
    publishedBy: text("published_by"),
  },
  (t) => [uniqueIndex("policy_versions_document_version_idx").on(t.document, t.version)],
);

/** An admin's unpublished next version of a document (one per document). */
export const policyDrafts = pgTable("policy_drafts", {
  document: text("document", { enum: policyDocuments }).primaryKey(),
  body: text("body").notNull(),
  summary: text("summary").notNull().default(""),
  updatedBy: text("updated_by"),
  updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
});

export const policyDeliveryStatuses = ["pending", "sent", "failed"] as const;
export type PolicyDeliveryStatus = (typeof policyDeliveryStatuses)[number];

/**
 * The broadcast of a published version: one row per user, written when the version is published
 * (the primary key makes a second email to the same user for the same version impossible), then
 * claimed and sent in batches by server/policy/broadcast.ts (ADR 21).
 */
export const policyDeliveries = pgTable(
  "policy_deliveries",
  {
    versionId: uuid("version_id")
      .notNull()
      .references(() => policyVersions.id, { onDelete: "cascade" }),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    status: text("status", { enum: policyDeliveryStatuses }).notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    /** While a sender holds the row: another may take it over only after this time. */
    lockedUntil: timestamp("locked_until", { withTimezone: true, mode: "date" }),
    /** When the last attempt was claimed: the rate limit counts these. */
    attemptedAt: timestamp("attempted_at", { withTimezone: true, mode: "date" }),
    sentAt: timestamp("sent_at", { withTimezone: true, mode: "date" }),
    lastError: text("last_error"),
  },
  (t) => [
    primaryKey({ columns: [t.versionId, t.userId] }),
    index("policy_deliveries_due_idx").on(t.nextAttemptAt).where(sql`status = 'pending'`),
    index("policy_deliveries_version_status_idx").on(t.versionId, t.status),
    index("policy_deliveries_attempted_idx").on(t.attemptedAt),
    index("policy_deliveries_user_idx").on(t.userId),
  ],
);

/**
 * The newest version of each document a user has been told about (banner closed, or the policy
 * opened). A newer published version shows the "We updated our …" banner once.
 */
export const policyNotices = pgTable(
  "policy_notices",
  {
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    document: text("document", { enum: policyDocuments }).notNull(),
    version: integer("version").notNull(),
    seenAt: timestamp("seen_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.document] })],
);

export type PolicyVersion = typeof policyVersions.$inferSelect;
