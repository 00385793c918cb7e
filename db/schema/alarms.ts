import { sql } from "drizzle-orm";
import { boolean, foreignKey, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { accounts } from "./accounts";

export const alarmKinds = ["check", "no_data"] as const;
export type AlarmKind = (typeof alarmKinds)[number];
export const alarmStates = ["ok", "alarm", "error", "no_data"] as const;
export type AlarmState = (typeof alarmStates)[number];

/** A weekly maintenance window: days 0 (Sunday) … 6, "HH:MM" to "HH:MM" in the alarm's time zone. */
export type MaintenanceWindow = { days: number[]; start: string; end: string };

/**
 * An alarm on one report (by name, like tiles), optionally only for instances carrying `tags`
 * (patterns such as `host:*`; each distinct tag set matched has its own state).
 * `recipients` are user ids of team members. The webhook's signing secret has to be kept as it
 * is (it signs what we send); the badge token is kept only as a hash.
 */
export const alarms = pgTable(
  "alarms",
  {
    accountId: uuid("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    id: uuid("id").notNull(),
    name: text("name").notNull(),
    report: text("report").notNull(),
    tags: text("tags").array().notNull().default(sql`'{}'::text[]`),
    kind: text("kind", { enum: alarmKinds }).notNull(),
    code: text("code").notNull().default(""),
    noDataMinutes: integer("no_data_minutes"),
    recipients: text("recipients").array().notNull().default(sql`'{}'::text[]`),
    notifyRecovery: boolean("notify_recovery").notNull().default(true),
    renotifyMinutes: integer("renotify_minutes"),
    webhookUrl: text("webhook_url"),
    webhookSecret: text("webhook_secret").notNull(),
    badgeTokenHash: text("badge_token_hash").notNull(),
    enabled: boolean("enabled").notNull().default(true),
    snoozedUntil: timestamp("snoozed_until", { withTimezone: true, mode: "date" }),
    maintenance: jsonb("maintenance").$type<MaintenanceWindow[]>().notNull().default(sql`'[]'::jsonb`),
    timeZone: text("time_zone").notNull().default("UTC"),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.accountId, t.id] }),
    index("alarms_report_idx").on(t.accountId, t.report),
    uniqueIndex("alarms_badge_idx").on(t.badgeTokenHash),
    index("alarms_no_data_idx").on(t.kind).where(sql`kind = 'no_data' and enabled`),
  ],
);

/**
 * The current state of an alarm for one tag set (`tag_key`: the matched tags, sorted, joined by
 * a newline; '' when the alarm has no tag pattern). `seq` counts state changes and is part of
 * each notification's idempotency key. `last_instance_*` make re-evaluations idempotent.
 */
export const alarmStatesTable = pgTable(
  "alarm_states",
  {
    accountId: uuid("account_id").notNull(),
    alarmId: uuid("alarm_id").notNull(),
    tagKey: text("tag_key").notNull(),
    tags: text("tags").array().notNull().default(sql`'{}'::text[]`),
    state: text("state", { enum: alarmStates }).notNull().default("ok"),
    since: timestamp("since", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    message: text("message"),
    rows: integer("rows").array(),
    seq: integer("seq").notNull().default(0),
    lastInstanceId: uuid("last_instance_id"),
    lastInstanceCreated: timestamp("last_instance_created", { withTimezone: true, mode: "date" }),
    /** When the last instance of this tag set arrived (server time; no-data alarms count from it). */
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true, mode: "date" }),
    lastNotifiedAt: timestamp("last_notified_at", { withTimezone: true, mode: "date" }),
    renotifyCount: integer("renotify_count").notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.accountId, t.alarmId, t.tagKey] }),
    foreignKey({ columns: [t.accountId, t.alarmId], foreignColumns: [alarms.accountId, alarms.id] }).onDelete("cascade"),
  ],
);

/**
 * The evaluation queue: one row per new instance of a report that has an enabled alarm, written
 * by the same statement that stores the instance (so a committed instance is never left
 * unevaluated). Workers claim rows with FOR UPDATE SKIP LOCKED and a lease, and delete them
 * once the results are committed.
 */
export const alarmEvaluations = pgTable(
  "alarm_evaluations",
  {
    accountId: uuid("account_id").notNull(),
    instanceId: uuid("instance_id").notNull(),
    reportId: uuid("report_id").notNull(),
    queuedAt: timestamp("queued_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    attempts: integer("attempts").notNull().default(0),
    lockedUntil: timestamp("locked_until", { withTimezone: true, mode: "date" }),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.instanceId] }), index("alarm_evaluations_queued_idx").on(t.queuedAt)],
);

/** Every change of state: time, instance and message (alarms.md "History"). */
export const alarmHistory = pgTable(
  "alarm_history",
  {
    accountId: uuid("account_id").notNull(),
    id: uuid("id").notNull(),
    alarmId: uuid("alarm_id").notNull(),
    at: timestamp("at", { withTimezone: true, mode: "date" }).notNull(),
    tags: text("tags").array().notNull().default(sql`'{}'::text[]`),
    fromState: text("from_state", { enum: alarmStates }).notNull(),
    toState: text("to_state", { enum: alarmStates }).notNull(),
    message: text("message"),
    instanceId: uuid("instance_id"),
  },
  (t) => [
    primaryKey({ columns: [t.accountId, t.id] }),
    foreignKey({ columns: [t.accountId, t.alarmId], foreignColumns: [alarms.accountId, alarms.id] }).onDelete("cascade"),
    index("alarm_history_alarm_idx").on(t.accountId, t.alarmId, t.at, t.id),
  ],
);

export const notificationChannels = ["email", "webhook"] as const;
export type NotificationChannel = (typeof notificationChannels)[number];
export const notificationStatuses = ["pending", "sent", "failed"] as const;

/**
 * The notification outbox: each notification is a row, written in the same transaction as the
 * state change that causes it, before anything is sent. `idempotency_key` is unique per state
 * change and channel/recipient. Senders claim due rows with FOR UPDATE SKIP LOCKED and a lease
 * (`locked_until`); failures are retried with backoff (`next_attempt_at`).
 * `payload` holds everything needed to render the message, so sending needs no other row.
 */
export const notifications = pgTable(
  "notifications",
  {
    accountId: uuid("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    id: uuid("id").notNull(),
    alarmId: uuid("alarm_id"),
    idempotencyKey: text("idempotency_key").notNull(),
    channel: text("channel", { enum: notificationChannels }).notNull(),
    recipient: text("recipient").notNull(),
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull(),
    status: text("status", { enum: notificationStatuses }).notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    lockedUntil: timestamp("locked_until", { withTimezone: true, mode: "date" }),
    lastError: text("last_error"),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    sentAt: timestamp("sent_at", { withTimezone: true, mode: "date" }),
  },
  (t) => [
    primaryKey({ columns: [t.accountId, t.id] }),
    uniqueIndex("notifications_idempotency_idx").on(t.idempotencyKey),
    index("notifications_due_idx").on(t.nextAttemptAt).where(sql`status = 'pending'`),
    index("notifications_alarm_idx").on(t.accountId, t.alarmId, t.createdAt),
  ],
);
