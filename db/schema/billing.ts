import { sql } from "drizzle-orm";
import { boolean, customType, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { accounts } from "./accounts";

const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => "bytea",
  fromDriver: (v) => (Buffer.isBuffer(v) ? v : Buffer.from(v)),
});

/**
 * What an account pays for and what it may use. Seeded by migration 0006 (free, team,
 * business); admins edit them at /admin/plans. `accounts.plan` names one by `code`.
 * Every limit is a whole number; the limits apply per account.
 */
export const plans = pgTable("plans", {
  code: text("code").primaryKey(),
  name: text("name").notNull(),
  /** What is charged per month, in cents (VAT included where VAT applies; ADR 23), 0 for the free plan. */
  priceCents: integer("price_cents").notNull(),
  currency: text("currency").notNull().default("EUR"),
  /** Order on the pricing page. */
  position: integer("position").notNull().default(0),
  /** Shown on the pricing page and offered in Settings → Plan. */
  isPublic: boolean("is_public").notNull().default(true),
  maxReports: integer("max_reports").notNull(),
  maxInstancesPerMonth: integer("max_instances_per_month").notNull(),
  retentionDays: integer("retention_days").notNull(),
  maxMembers: integer("max_members").notNull(),
  maxDashboards: integer("max_dashboards").notNull(),
  maxShareLinks: integer("max_share_links").notNull(),
  maxAlarms: integer("max_alarms").notNull(),
  /** Public API requests per minute, per API key. */
  apiRequestsPerMinute: integer("api_requests_per_minute").notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
});

/** Instances pushed per account and calendar month (UTC), counted by the ingest statement. */
export const accountUsage = pgTable(
  "account_usage",
  {
    accountId: uuid("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    /** The first day of the month (UTC), e.g. 2026-11-01. */
    month: text("month").notNull(),
    instances: integer("instances").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.month] })],
);

/**
 * The "you have used 80 % / 100 % of a limit" emails already sent: one per account, limit,
 * month and level, so each is sent once.
 */
export const planNotices = pgTable(
  "plan_notices",
  {
    accountId: uuid("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    /** The limit's key, e.g. "reports", "instancesPerMonth". */
    limitKey: text("limit_key").notNull(),
    month: text("month").notNull(),
    level: integer("level").notNull(),
    sentAt: timestamp("sent_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.limitKey, t.month, t.level] })],
);

export const subscriptionStatuses = ["none", "active", "past_due", "canceled"] as const;
export type SubscriptionStatus = (typeof subscriptionStatuses)[number];

/**
 * The account's standing with the payment processor: its customer, card (token id and last 4
 * digits only — card numbers never reach us, and the brand and expiry the processor knows are not kept), paid subscription and dunning state. One row per
 * account that ever opened the billing page with a card.
 */
export const subscriptions = pgTable(
  "subscriptions",
  {
    accountId: uuid("account_id")
      .primaryKey()
      .references(() => accounts.id, { onDelete: "cascade" }),
    /** "securionpay" or "sandbox". */
    provider: text("provider").notNull(),
    customerId: text("customer_id"),
    cardId: text("card_id"),
    cardLast4: text("card_last4"),
    providerSubscriptionId: text("provider_subscription_id"),
    /** The paid plan subscribed to (accounts.plan is the plan in effect). */
    planCode: text("plan_code").references(() => plans.code),
    status: text("status", { enum: subscriptionStatuses }).notNull().default("none"),
    currentPeriodStart: timestamp("current_period_start", { withTimezone: true, mode: "date" }),
    currentPeriodEnd: timestamp("current_period_end", { withTimezone: true, mode: "date" }),
    /** A downgrade to this plan takes effect at current_period_end. */
    pendingPlanCode: text("pending_plan_code").references(() => plans.code),
    /** Cancelled: back to Free at current_period_end. */
    cancelAtPeriodEnd: boolean("cancel_at_period_end").notNull().default(false),
    /** Dunning: when the period's payment first failed, how many retries ran, when the next is due. */
    failedAt: timestamp("failed_at", { withTimezone: true, mode: "date" }),
    retryCount: integer("retry_count").notNull().default(0),
    nextRetryAt: timestamp("next_retry_at", { withTimezone: true, mode: "date" }),
    /** The newest provider event applied (out-of-order events older than this change nothing). */
    lastEventAt: timestamp("last_event_at", { withTimezone: true, mode: "date" }),
    /**
     * A billing operation that calls the processor (card, plan change, dunning retry) holds the row
     * until then, so that two at once (a double click, two processes) cannot both charge (ADR 24).
     */
    lockedUntil: timestamp("locked_until", { withTimezone: true, mode: "date" }),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("subscriptions_customer_idx").on(t.provider, t.customerId),
    index("subscriptions_retry_idx").on(t.nextRetryAt).where(sql`next_retry_at is not null`),
    index("subscriptions_period_end_idx").on(t.currentPeriodEnd).where(sql`status <> 'none'`),
  ],
);

export const paymentStatuses = ["succeeded", "failed"] as const;
export type PaymentStatus = (typeof paymentStatuses)[number];

/** A charge at the processor, as we learnt of it (API answer or webhook): the payment history. */
export const payments = pgTable(
  "payments",
  {
    id: uuid("id").primaryKey(),
    accountId: uuid("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    provider: text("provider").notNull(),
    providerChargeId: text("provider_charge_id").notNull(),
    amountCents: integer("amount_cents").notNull(),
    currency: text("currency").notNull(),
    status: text("status", { enum: paymentStatuses }).notNull(),
    /** "subscription" (a period), "proration" (an upgrade's difference) or "retry" (dunning). */
    kind: text("kind").notNull(),
    planCode: text("plan_code"),
    periodStart: timestamp("period_start", { withTimezone: true, mode: "date" }),
    periodEnd: timestamp("period_end", { withTimezone: true, mode: "date" }),
    description: text("description").notNull().default(""),
    cardLast4: text("card_last4"),
    failureMessage: text("failure_message"),
    /** When the processor made the charge. */
    chargedAt: timestamp("charged_at", { withTimezone: true, mode: "date" }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("payments_provider_charge_idx").on(t.provider, t.providerChargeId),
    index("payments_account_idx").on(t.accountId, t.chargedAt),
  ],
);

/** Processor webhook events already applied: a replayed event id changes nothing. */
export const billingEvents = pgTable(
  "billing_events",
  {
    provider: text("provider").notNull(),
    eventId: text("event_id").notNull(),
    type: text("type").notNull(),
    /** The event's own time at the processor. */
    occurredAt: timestamp("occurred_at", { withTimezone: true, mode: "date" }).notNull(),
    receivedAt: timestamp("received_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.provider, t.eventId] })],
);

/**
 * Settings → Billing → Invoice data: kept only to issue invoices; sent to the accounting service
 * only when an invoice is generated.
 */
export const invoiceData = pgTable("invoice_data", {
  accountId: uuid("account_id")
    .primaryKey()
    .references(() => accounts.id, { onDelete: "cascade" }),
  /** "company" (company name) or "person" (first and last name). */
  kind: text("kind", { enum: ["company", "person"] }).notNull(),
  companyName: text("company_name"),
  firstName: text("first_name"),
  lastName: text("last_name"),
  addressLine1: text("address_line1").notNull(),
  addressLine2: text("address_line2"),
  postalCode: text("postal_code").notNull(),
  city: text("city").notNull(),
  /** ISO 3166-1 alpha-2. */
  country: text("country").notNull(),
  vatId: text("vat_id"),
  updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
});

export const invoiceStatuses = ["pending", "issued", "failed"] as const;
export type InvoiceStatus = (typeof invoiceStatuses)[number];

/**
 * One invoice per successful payment. Numbered sequentially per year (`TW/2026/000001`) from
 * invoice_counters, in the transaction that creates the row. The buyer's data is copied in at
 * generation (it is what the invoice says, even if the invoice data changes later).
 */
export const invoices = pgTable(
  "invoices",
  {
    id: uuid("id").primaryKey(),
    accountId: uuid("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    paymentId: uuid("payment_id")
      .notNull()
      .references(() => payments.id, { onDelete: "cascade" }),
    number: text("number").notNull(),
    year: integer("year").notNull(),
    sequence: integer("sequence").notNull(),
    issuedAt: timestamp("issued_at", { withTimezone: true, mode: "date" }).notNull(),
    planCode: text("plan_code"),
    periodStart: timestamp("period_start", { withTimezone: true, mode: "date" }),
    periodEnd: timestamp("period_end", { withTimezone: true, mode: "date" }),
    currency: text("currency").notNull(),
    netCents: integer("net_cents").notNull(),
    vatCents: integer("vat_cents").notNull(),
    grossCents: integer("gross_cents").notNull(),
    /** The VAT rate as shown, e.g. "23%", "0% (reverse charge)". */
    vatRate: text("vat_rate").notNull(),
    seller: jsonb("seller").notNull(),
    buyer: jsonb("buyer").notNull(),
    /** "local" or "infakt", and the invoice's id there. */
    accountingProvider: text("accounting_provider").notNull(),
    providerInvoiceId: text("provider_invoice_id"),
    /** The PDF, kept when the local provider rendered it (Infakt's is fetched on download). */
    pdf: bytea("pdf"),
    status: text("status", { enum: invoiceStatuses }).notNull().default("pending"),
    lastError: text("last_error"),
    emailedAt: timestamp("emailed_at", { withTimezone: true, mode: "date" }),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("invoices_payment_idx").on(t.paymentId),
    uniqueIndex("invoices_year_sequence_idx").on(t.year, t.sequence),
    index("invoices_account_idx").on(t.accountId, t.issuedAt),
  ],
);

/** The last invoice number used per year (row-locked while an invoice is numbered). */
export const invoiceCounters = pgTable("invoice_counters", {
  year: integer("year").primaryKey(),
  last: integer("last").notNull(),
});

export type Plan = typeof plans.$inferSelect;
export type Subscription = typeof subscriptions.$inferSelect;
export type Payment = typeof payments.$inferSelect;
export type Invoice = typeof invoices.$inferSelect;
export type InvoiceData = typeof invoiceData.$inferSelect;
