/**
 * Billing (Settings → Billing, owners only): the card, the paid subscription, plan changes and
 * the payment history. ADR 24 has the reasoning; in short:
 *
 * - **Card numbers never reach us.** The browser turns the card into a token at the processor's
 *   origin; `saveCard` takes only that token id and stores the card's id and its last 4 digits,
 *   nothing else of the card. Any input field holding 12 or more digits is refused before anything else happens.
 * - **Free → paid** subscribes at the processor, which charges the first month at once; the charge
 *   becomes a payment row, the account's plan changes in the same transaction, and the invoice is
 *   issued after the commit (a failure there never fails the request; the billing job retries it).
 * - **Upgrade** (paid → dearer paid) takes effect at once: the price difference for the rest of
 *   the current period is charged at once (`prorate`), the processor bills the new price from the
 *   next period. **Downgrade** (paid → cheaper paid) takes effect at the end of the period.
 *   **Cancel** goes back to Free at the end of the period; **Resume** undoes that.
 * - **Nothing changes on a decline**: the processor is called before anything is written, and a
 *   `PaymentDeclinedError` becomes the processor's message.
 * - **One operation at a time per account**: operations that call the processor hold the
 *   account's subscriptions row (`locked_until`, a 2-minute lease) — never a database transaction,
 *   so that webhooks arriving meanwhile are not blocked (PGlite has one connection).
 *
 * Every query is scoped by `account_id`.
 */
import { and, asc, count, desc, eq, isNull, lt, or, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { accounts, invoiceData, memberships, payments, plans, subscriptions, users, type Plan, type Subscription } from "../../db/schema";
import type { Deps } from "../deps";
import { conflict, notFound, ServiceError } from "../errors";
import { changeAccountPlan } from "../plan/service";
import { issueInvoiceForPayment } from "../invoice/service";
import { uuidv7 } from "../tokens";
import { PaymentDeclinedError, type ProviderCharge, type ProviderPlan } from "./provider/types";

export type BillingDeps = Pick<Deps, "db" | "mailer" | "config" | "payments" | "accounting">;

export const FREE_PLAN = "free";

/**
 * The paid subscription is over (cancelled at period end, ended by the processor, or the last
 * failed retry): the row keeps the customer and card, the account moves to Free (with the grace
 * period changeAccountPlan starts). `extra` sets what the caller's path knows more (dunning state,
 * the event's time). In the caller's transaction.
 */
export async function endSubscriptionOnFree(
  tx: Db,
  accountId: string,
  now: Date,
  extra: Partial<Pick<Subscription, "failedAt" | "retryCount" | "nextRetryAt" | "lockedUntil" | "lastEventAt">> = {},
): Promise<void> {
  await tx
    .update(subscriptions)
    .set({ status: "canceled", providerSubscriptionId: null, planCode: null, pendingPlanCode: null, cancelAtPeriodEnd: false, ...extra, updatedAt: new Date() })
    .where(eq(subscriptions.accountId, accountId));
  await changeAccountPlan(tx, accountId, FREE_PLAN, { now });
}
const DAY_MS = 24 * 60 * 60 * 1000;
/** How long an operation may hold the account's billing row (a crashed one is taken over after). */
const LOCK_SECONDS = 120;

// ---------------------------------------------------------------- errors

/** A refusal by the processor the user can act on: its own message ("Your card was declined."). */
export const paymentDeclined = (message: string) =>
  new ServiceError("UNPROCESSABLE_CONTENT", message || "The card was declined.", { errorCode: "ERROR_PAYMENT_DECLINED" });

/** The processor could not be reached or failed: nothing was charged. */
export const processorUnavailable = () =>
  new ServiceError("UNPROCESSABLE_CONTENT", "The payment processor could not be reached, so nothing was charged or changed. Please try again in a few minutes.", {
    errorCode: "ERROR_PAYMENT_PROCESSOR",
  });

/** Runs a processor call: declines keep their message, anything else is logged and reported as unavailable. */
export async function processorCall<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof PaymentDeclinedError) throw paymentDeclined(error.message);
    if (error instanceof ServiceError) throw error;
    console.error(`payment processor: ${what} failed:`, error instanceof Error ? error.message : error);
    throw processorUnavailable();
  }
}

// ---------------------------------------------------------------- money and periods

/** "€12.34" (en-IE style, the currency's own symbol). */
export function formatMoney(cents: number, currency: string): string {
  try {
    return new Intl.NumberFormat("en-IE", { style: "currency", currency }).format(cents / 100);
  } catch {
    return `${(cents / 100).toFixed(2)} ${currency}`;
  }
}

/** "14 March 2026" (UTC). */
export function formatDay(date: Date): string {
  return new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" }).format(date);
}

/** The same time `months` calendar months later (UTC), the day clamped to the month's end (31 Jan → 28/29 Feb). */
export function addMonths(date: Date, months: number): Date {
  const d = new Date(date);
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  return d;
}

export type Proration = { amountCents: number; remainingDays: number; totalDays: number };

/**
 * The upgrade's one-off charge (ADR 24): the monthly price difference times the share of the
 * current period that is left, counted in days — a started day counts as a whole day left (the
 * customer has the dearer plan from that day on) — rounded to the nearest cent, halves up:
 *
 *   amount = round((newPrice − oldPrice) × remainingDays / totalDays)
 *   totalDays = round((periodEnd − periodStart) / 1 day), remainingDays = ceil((periodEnd − now) / 1 day), 0 ≤ remaining ≤ total
 *
 * E.g. Team €19 → Business €79 with 17 of 30 days left: 6000 × 17 / 30 = 3400 cents.
 */
export function prorate(input: { oldPriceCents: number; newPriceCents: number; periodStart: Date; periodEnd: Date; now: Date }): Proration {
  const totalDays = Math.max(1, Math.round((input.periodEnd.getTime() - input.periodStart.getTime()) / DAY_MS));
  const remainingDays = Math.min(totalDays, Math.max(0, Math.ceil((input.periodEnd.getTime() - input.now.getTime()) / DAY_MS)));
  const diff = Math.max(0, input.newPriceCents - input.oldPriceCents);
  // Integer arithmetic, halves up: floor((2·diff·rem + total) / (2·total)).
  const amountCents = Number((2n * BigInt(diff) * BigInt(remainingDays) + BigInt(totalDays)) / (2n * BigInt(totalDays)));
  return { amountCents, remainingDays, totalDays };
}

// ---------------------------------------------------------------- reads

const providerPlan = (plan: Plan): ProviderPlan => ({ code: plan.code, name: plan.name, amountCents: plan.priceCents, currency: plan.currency });

export async function getPlan(db: Db, code: string): Promise<Plan> {
  const [plan] = await db.select().from(plans).where(eq(plans.code, code));
  if (!plan) throw notFound(`There is no plan "${code}".`);
  return plan;
}

async function subscriptionRow(db: Db, accountId: string): Promise<Subscription | null> {
  const [row] = await db.select().from(subscriptions).where(eq(subscriptions.accountId, accountId));
  return row ?? null;
}

/** The account's owners (their emails get the billing messages). */
export async function accountOwners(db: Db, accountId: string): Promise<{ email: string; name: string }[]> {
  return db
    .select({ email: users.email, name: users.name })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.accountId, accountId), eq(memberships.role, "owner")))
    .orderBy(asc(memberships.createdAt));
}

/**
 * A paid subscription running (active, or past due while payments are retried). Its processor
 * subscription id is null when the processor's subscription is ending and ours goes on — after
 * Resume: the billing job subscribes again at the end of the period (ADR 24).
 */
export const isLive = (row: Subscription | null): row is Subscription & { planCode: string } =>
  Boolean(row && row.planCode && (row.status === "active" || row.status === "past_due"));

export type PlanSummary = { code: string; name: string; priceCents: number; currency: string };
const planSummary = (p: Plan): PlanSummary => ({ code: p.code, name: p.name, priceCents: p.priceCents, currency: p.currency });

export type PaymentItem = {
  id: string;
  chargedAt: Date;
  amountCents: number;
  currency: string;
  status: "succeeded" | "failed";
  kind: string;
  description: string;
  planCode: string | null;
  periodStart: Date | null;
  periodEnd: Date | null;
  cardLast4: string | null;
  failureMessage: string | null;
};

/** The payment history, newest first, a page at a time. */
export async function listPayments(db: Db, accountId: string, opts: { page: number; pageSize: number }) {
  const [items, [total]] = await Promise.all([
    db
      .select({
        id: payments.id,
        chargedAt: payments.chargedAt,
        amountCents: payments.amountCents,
        currency: payments.currency,
        status: payments.status,
        kind: payments.kind,
        description: payments.description,
        planCode: payments.planCode,
        periodStart: payments.periodStart,
        periodEnd: payments.periodEnd,
        cardLast4: payments.cardLast4,
        failureMessage: payments.failureMessage,
      })
      .from(payments)
      .where(eq(payments.accountId, accountId))
      .orderBy(desc(payments.chargedAt), desc(payments.id))
      .limit(opts.pageSize)
      .offset((opts.page - 1) * opts.pageSize),
    db.select({ n: count() }).from(payments).where(eq(payments.accountId, accountId)),
  ]);
  return { items: items as PaymentItem[], total: Number(total?.n ?? 0), page: opts.page, pageSize: opts.pageSize };
}

export type BillingOverview = Awaited<ReturnType<typeof billingOverview>>;

/** Everything Settings → Billing shows: plan in effect, subscription, card, plans to pick, payments. */
export async function billingOverview(deps: BillingDeps, input: { accountId: string; page: number; pageSize: number }) {
  const { db } = deps;
  const [account] = await db
    .select({ plan: accounts.plan, planGraceUntil: accounts.planGraceUntil, name: accounts.name })
    .from(accounts)
    .where(eq(accounts.id, input.accountId));
  if (!account) throw notFound("Account not found");
  const [row, allPlans, [invoice], history] = await Promise.all([
    subscriptionRow(db, input.accountId),
    db.select().from(plans).orderBy(asc(plans.position), asc(plans.priceCents)),
    db.select({ accountId: invoiceData.accountId }).from(invoiceData).where(eq(invoiceData.accountId, input.accountId)),
    listPayments(db, input.accountId, { page: input.page, pageSize: input.pageSize }),
  ]);
  const byCode = new Map(allPlans.map((p) => [p.code, p]));
  const inEffect = byCode.get(account.plan);
  const sameProvider = row?.provider === deps.payments.name;
  const card =
    row && sameProvider && row.cardId && row.cardLast4
      ? { last4: row.cardLast4 }
      : null;
  const live = isLive(row);
  const [lastFailed] = live && row.status === "past_due"
    ? await db
        .select({ failureMessage: payments.failureMessage, amountCents: payments.amountCents, currency: payments.currency })
        .from(payments)
        .where(and(eq(payments.accountId, input.accountId), eq(payments.status, "failed")))
        .orderBy(desc(payments.chargedAt))
        .limit(1)
    : [];
  return {
    accountName: account.name,
    plan: inEffect ? planSummary(inEffect) : { code: account.plan, name: account.plan, priceCents: 0, currency: "EUR" },
    graceUntil: account.planGraceUntil,
    card,
    hasInvoiceData: Boolean(invoice),
    provider: deps.payments.name,
    subscription: live
      ? {
          status: row.status as "active" | "past_due",
          plan: planSummary(byCode.get(row.planCode)!),
          currentPeriodStart: row.currentPeriodStart,
          currentPeriodEnd: row.currentPeriodEnd,
          pendingPlan: row.pendingPlanCode && byCode.get(row.pendingPlanCode) ? planSummary(byCode.get(row.pendingPlanCode)!) : null,
          cancelAtPeriodEnd: row.cancelAtPeriodEnd,
          failedAt: row.failedAt,
          retryCount: row.retryCount,
          nextRetryAt: row.nextRetryAt,
          lastFailureMessage: lastFailed?.failureMessage ?? null,
        }
      : null,
    /** Plans offered: the public ones, and the one in effect or subscribed even if no longer public. */
    plans: allPlans.filter((p) => p.isPublic || p.code === account.plan || (live && p.code === row.planCode)).map(planSummary),
    payments: history,
  };
}

// ---------------------------------------------------------------- the per-account lock

/**
 * Runs `fn` holding the account's billing row (`locked_until`, a lease on the database's clock):
 * a second operation for the same account meanwhile is refused, whichever process it reaches.
 */
export async function withBillingLock<T>(deps: BillingDeps, accountId: string, fn: (row: Subscription) => Promise<T>): Promise<T> {
  const { db } = deps;
  await db.insert(subscriptions).values({ accountId, provider: deps.payments.name }).onConflictDoNothing();
  const [row] = await db
    .update(subscriptions)
    .set({ lockedUntil: sql`now() + make_interval(secs => ${LOCK_SECONDS})` })
    .where(and(eq(subscriptions.accountId, accountId), or(isNull(subscriptions.lockedUntil), lt(subscriptions.lockedUntil, sql`now()`))))
    .returning();
  if (!row) throw conflict("Another billing change for this account is in progress. Wait a moment and try again.");
  try {
    return await fn(row);
  } finally {
    await db.update(subscriptions).set({ lockedUntil: null }).where(eq(subscriptions.accountId, accountId));
  }
}

// ---------------------------------------------------------------- payments

type PaymentInput = {
  accountId: string;
  provider: string;
  charge: ProviderCharge;
  kind?: string;
  planCode?: string | null;
  periodStart?: Date | null;
  periodEnd?: Date | null;
  description?: string;
};

/**
 * Records a charge as a payment, idempotent on the processor's charge id: the API answer and the
 * webhook of the same charge make one row (what either knows more — plan, period — is kept).
 */
export async function upsertPayment(db: Db, input: PaymentInput): Promise<{ id: string; inserted: boolean; status: "succeeded" | "failed" }> {
  const c = input.charge;
  const status = c.status === "succeeded" ? "succeeded" : "failed";
  const kind = input.kind ?? c.metadata.kind ?? (c.subscriptionId ? "subscription" : "charge");
  const [row] = await db
    .insert(payments)
    .values({
      id: uuidv7(),
      accountId: input.accountId,
      provider: input.provider,
      providerChargeId: c.id,
      amountCents: c.amountCents,
      currency: c.currency.toUpperCase(),
      status,
      kind,
      planCode: input.planCode ?? c.metadata.plan ?? c.metadata.tablewatchPlan ?? null,
      periodStart: input.periodStart ?? null,
      periodEnd: input.periodEnd ?? null,
      description: (input.description ?? c.description ?? "").slice(0, 500),
      cardLast4: c.cardLast4,
      failureMessage: status === "failed" ? (c.failureMessage ?? "The charge failed.") : null,
      chargedAt: c.createdAt,
    })
    .onConflictDoUpdate({
      target: [payments.provider, payments.providerChargeId],
      set: {
        status: sql`excluded.status`,
        failureMessage: sql`excluded.failure_message`,
        planCode: sql`coalesce(${payments.planCode}, excluded.plan_code)`,
        periodStart: sql`coalesce(${payments.periodStart}, excluded.period_start)`,
        periodEnd: sql`coalesce(${payments.periodEnd}, excluded.period_end)`,
        description: sql`case when ${payments.description} = '' then excluded.description else ${payments.description} end`,
      },
      // Never moves a payment to another account.
      setWhere: eq(payments.accountId, input.accountId),
    })
    .returning({ id: payments.id, inserted: sql<boolean>`(xmax = 0)`, status: payments.status });
  if (!row) {
    const [existing] = await db
      .select({ id: payments.id, status: payments.status })
      .from(payments)
      .where(and(eq(payments.provider, input.provider), eq(payments.providerChargeId, c.id)));
    if (!existing) throw new Error(`payment for charge ${c.id} neither inserted nor found`);
    return { ...existing, inserted: false };
  }
  return row;
}

/** Issues the invoice of a successful payment (idempotent); never throws: the billing job retries what failed. */
export async function invoiceAfterCommit(deps: BillingDeps, paymentId: string): Promise<void> {
  try {
    await issueInvoiceForPayment(deps, paymentId);
  } catch (error) {
    console.error(`invoice for payment ${paymentId} not issued yet (retried by the billing job):`, error instanceof Error ? error.message : error);
  }
}

// ---------------------------------------------------------------- the card

/**
 * Something that looks like a card number: 12 or more digits in a row, perhaps grouped by spaces,
 * dashes or dots ("4242 4242 4242 4242"). Token ids (random letters and digits) never match.
 */
const CARD_NUMBER_LIKE = /\d(?:[ .-]?\d){11,}/;

/** Refuses any field that looks like a card number; the message names the field, never its value. */
export function assertNoCardNumber(fields: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(fields)) {
    if (typeof value === "string" && CARD_NUMBER_LIKE.test(value)) {
      throw new ServiceError(
        "BAD_REQUEST",
        `The field "${name.slice(0, 40)}" looks like a card number. Card numbers are typed only into the card form, which sends them straight to the payment processor; we never accept them.`,
        { errorCode: "ERROR_CARD_NUMBER" },
      );
    }
  }
}

/**
 * Saves the card behind a browser-made token: creates the processor customer if needed (the
 * owner's email; the account's name and id), attaches the card as its default, stores the
 * card's id and last 4 digits (nothing else of the card). A payment that is due (past due) is tried at once
 * with the new card (`retry`: recovered or failed; null when nothing was due).
 */
export async function saveCard(
  deps: BillingDeps,
  input: { accountId: string; accountName: string; ownerEmail: string; token: string },
): Promise<{ last4: string; retry: "recovered" | "failed" | null }> {
  assertNoCardNumber({ token: input.token });
  const card = await withBillingLock(deps, input.accountId, async (row) => {
    const sameProvider = row.provider === deps.payments.name;
    let customerId = sameProvider ? row.customerId : null;
    if (!customerId) {
      const customer = await processorCall("create customer", () =>
        deps.payments.createCustomer({
          email: input.ownerEmail,
          description: `${input.accountName} (account ${input.accountId})`,
          metadata: { accountId: input.accountId },
        }),
      );
      customerId = customer.id;
      // Stored at once: a card refused next keeps the customer for the next attempt.
      await deps.db
        .update(subscriptions)
        .set({ provider: deps.payments.name, customerId, updatedAt: new Date() })
        .where(eq(subscriptions.accountId, input.accountId));
    }
    const attached = await processorCall("attach card", () => deps.payments.attachCard(customerId!, input.token));
    await deps.db
      .update(subscriptions)
      .set({
        cardId: attached.id,
        cardLast4: attached.last4,
        updatedAt: new Date(),
      })
      .where(eq(subscriptions.accountId, input.accountId));
    return { last4: attached.last4 };
  });
  // A payment due (past due): tried at once with the new card. (Imported here: dunning.ts imports this module.)
  const { retryWithNewCard } = await import("./dunning");
  const retry = await retryWithNewCard(deps, input.accountId).catch((error) => {
    console.error("billing: paying the due payment with the new card failed:", error instanceof Error ? error.message : error);
    return "failed" as const;
  });
  return { ...card, retry };
}

// ---------------------------------------------------------------- plan changes

export type PlanChangeKind = "subscribe" | "upgrade" | "downgrade" | "undo-downgrade" | "cancel";

export type PlanChangePreview = {
  kind: PlanChangeKind | null;
  from: PlanSummary;
  to: PlanSummary;
  /** Charged at once when confirmed (subscribe: the first month; upgrade: the prorated difference). */
  amountCents: number;
  currency: string;
  /** When the new plan takes effect. */
  effectiveAt: Date;
  proration: Proration | null;
  /** What is still needed before the change can be made. */
  missing: ("card" | "invoiceData")[];
  /** Why the change cannot be made now (null when it can, once nothing is missing). */
  blocked: string | null;
  /** One or two sentences for the confirmation: what happens, what is charged, when. */
  summary: string;
};

async function planChangeContext(deps: BillingDeps, accountId: string) {
  const [account] = await deps.db.select({ plan: accounts.plan }).from(accounts).where(eq(accounts.id, accountId));
  if (!account) throw notFound("Account not found");
  const [row, [invoice]] = await Promise.all([
    subscriptionRow(deps.db, accountId),
    deps.db.select({ accountId: invoiceData.accountId }).from(invoiceData).where(eq(invoiceData.accountId, accountId)),
  ]);
  return { accountPlan: account.plan, row, hasInvoiceData: Boolean(invoice) };
}

/** What choosing `planCode` would do now, and what it costs; `previewPlanChange` and `changePlan` share it. */
async function decide(deps: BillingDeps, input: { accountId: string; planCode: string; now: Date }): Promise<PlanChangePreview & { target: Plan; row: Subscription | null }> {
  const target = await getPlan(deps.db, input.planCode);
  const { accountPlan, row, hasInvoiceData } = await planChangeContext(deps, input.accountId);
  const live = isLive(row);
  const current = await getPlan(deps.db, live ? row.planCode : accountPlan).catch(() => null);
  const from = current ? planSummary(current) : { code: accountPlan, name: accountPlan, priceCents: 0, currency: target.currency };
  const to = planSummary(target);
  const base = { from, to, target, row, currency: target.currency, proration: null, amountCents: 0, effectiveAt: input.now };
  const missing: ("card" | "invoiceData")[] = [];
  const hasCard = Boolean(row && row.provider === deps.payments.name && row.customerId && row.cardId);
  const periodEnd = live ? row.currentPeriodEnd ?? input.now : input.now;
  const endText = formatDay(periodEnd);
  const blockedBy = (blocked: string) => ({ ...base, kind: null, missing, blocked, summary: blocked });

  if (target.priceCents > 0) {
    if (!hasCard) missing.push("card");
    if (!hasInvoiceData) missing.push("invoiceData");
  }
  if (!target.isPublic && target.code !== accountPlan && !(live && target.code === row.planCode)) {
    return blockedBy(`The ${target.name} plan is not offered any more.`);
  }

  if (!live) {
    if (target.priceCents === 0) {
      return blockedBy(target.code === accountPlan ? `You are on the ${target.name} plan.` : `Nothing to pay for: the ${target.name} plan is free.`);
    }
    return {
      ...base,
      kind: "subscribe",
      amountCents: target.priceCents,
      missing,
      blocked: null,
      summary: `${formatMoney(target.priceCents, target.currency)} is charged to your card now for the first month, then every month. The ${target.name} plan starts at once.`,
    };
  }

  if (row.status === "past_due") {
    return blockedBy("Your last payment failed. Update your card first (Credit card details): the payment is retried at once.");
  }
  if (target.priceCents === 0) {
    if (row.cancelAtPeriodEnd) return blockedBy(`Your subscription already ends on ${endText}.`);
    return {
      ...base,
      kind: "cancel",
      effectiveAt: periodEnd,
      missing: [],
      blocked: null,
      summary: `Your ${from.name} plan stays until ${endText}; then the account moves to the ${target.name} plan and the card is not charged again. Data over the Free limits is kept read-only for 30 days.`,
    };
  }
  if (row.cancelAtPeriodEnd) return blockedBy(`Your subscription ends on ${endText}. Resume it first to change the plan.`);
  if (target.code === row.planCode) {
    if (row.pendingPlanCode) {
      return {
        ...base,
        kind: "undo-downgrade",
        missing,
        blocked: null,
        summary: `You stay on the ${target.name} plan; the change scheduled for ${endText} is called off. Nothing is charged now.`,
      };
    }
    return blockedBy(`You are on the ${target.name} plan.`);
  }
  if (target.code === row.pendingPlanCode) return blockedBy(`The ${target.name} plan already starts on ${endText}.`);
  if (target.priceCents > (current?.priceCents ?? 0)) {
    const proration = prorate({
      oldPriceCents: current?.priceCents ?? 0,
      newPriceCents: target.priceCents,
      periodStart: row.currentPeriodStart ?? input.now,
      periodEnd,
      now: input.now,
    });
    const diff = formatMoney(target.priceCents - (current?.priceCents ?? 0), target.currency);
    return {
      ...base,
      kind: "upgrade",
      amountCents: proration.amountCents,
      proration,
      missing,
      blocked: null,
      summary:
        `The ${target.name} plan starts at once. ${formatMoney(proration.amountCents, target.currency)} is charged now: the difference of ${diff} a month ` +
        `for the ${proration.remainingDays} of ${proration.totalDays} days left until ${endText}. From ${endText} on, ${formatMoney(target.priceCents, target.currency)} a month.`,
    };
  }
  return {
    ...base,
    kind: "downgrade",
    effectiveAt: periodEnd,
    missing,
    blocked: null,
    summary: `You keep the ${from.name} plan until ${endText}; the ${target.name} plan starts then, at ${formatMoney(target.priceCents, target.currency)} a month. Nothing is charged now.`,
  };
}

/** What choosing the plan would do, for the confirmation (nothing changes). */
export async function previewPlanChange(deps: BillingDeps, input: { accountId: string; planCode: string; now?: Date }): Promise<PlanChangePreview> {
  const { target: _t, row: _r, ...preview } = await decide(deps, { ...input, now: input.now ?? new Date() });
  return preview;
}

export type PlanChangeResult = { kind: PlanChangeKind; planInEffect: string; chargedCents: number; currency: string; effectiveAt: Date; paymentId: string | null };

/**
 * Makes the change previewed. `expectedAmountCents` is what the confirmation showed: if the
 * amount is different now (a day passed), nothing happens and the new amount is named.
 */
export async function changePlan(
  deps: BillingDeps,
  input: { accountId: string; planCode: string; expectedAmountCents?: number; now?: Date },
): Promise<PlanChangeResult> {
  const now = input.now ?? new Date();
  let paymentId: string | null = null;
  const result = await withBillingLock(deps, input.accountId, async () => {
    const d = await decide(deps, { accountId: input.accountId, planCode: input.planCode, now });
    if (d.missing.length) {
      throw new ServiceError(
        "BAD_REQUEST",
        d.missing.includes("invoiceData")
          ? d.missing.includes("card")
            ? "Add a card (Settings → Billing → Credit card details) and your invoice data (Settings → Billing → Invoice data) before choosing a paid plan."
            : "Add your invoice data first (Settings → Billing → Invoice data): every payment gets an invoice."
          : "Add a card first (Settings → Billing → Credit card details).",
        { errorCode: d.missing.includes("invoiceData") ? "ERROR_INVOICE_DATA_MISSING" : "ERROR_CARD_MISSING" },
      );
    }
    if (!d.kind || d.blocked) throw conflict(d.blocked ?? "Nothing to change.");
    if (input.expectedAmountCents !== undefined && input.expectedAmountCents !== d.amountCents) {
      throw conflict(`The amount to pay is now ${formatMoney(d.amountCents, d.currency)}. Review it and confirm again.`);
    }
    const row = d.row!;
    const target = d.target;
    const done = (kind: PlanChangeKind, planInEffect: string, chargedCents = 0, effectiveAt = now): PlanChangeResult => ({
      kind,
      planInEffect,
      chargedCents,
      currency: target.currency,
      effectiveAt,
      paymentId,
    });

    switch (d.kind) {
      case "subscribe": {
        const { subscription, charge } = await processorCall("subscribe", () =>
          deps.payments.subscribe({ customerId: row.customerId!, plan: providerPlan(target) }),
        );
        await deps.db.transaction(async (t) => {
          const tx = t as unknown as Db;
          if (charge) {
            const payment = await upsertPayment(tx, {
              accountId: input.accountId,
              provider: deps.payments.name,
              charge,
              kind: "subscription",
              planCode: target.code,
              periodStart: subscription.currentPeriodStart,
              periodEnd: subscription.currentPeriodEnd,
              description: `${target.name} plan, first month`,
            });
            if (payment.status === "succeeded") paymentId = payment.id;
          }
          await tx
            .update(subscriptions)
            .set({
              providerSubscriptionId: subscription.id,
              planCode: target.code,
              status: "active",
              currentPeriodStart: subscription.currentPeriodStart,
              currentPeriodEnd: subscription.currentPeriodEnd,
              pendingPlanCode: null,
              cancelAtPeriodEnd: false,
              failedAt: null,
              retryCount: 0,
              nextRetryAt: null,
              updatedAt: new Date(),
            })
            .where(eq(subscriptions.accountId, input.accountId));
          await changeAccountPlan(tx, input.accountId, target.code, { now });
        });
        return done("subscribe", target.code, charge?.status === "succeeded" ? charge.amountCents : 0);
      }
      case "upgrade": {
        const previous = await getPlan(deps.db, row.planCode!);
        const subId = row.providerSubscriptionId;
        // The processor bills the new price from the next period; switched back if the charge fails.
        if (subId) await processorCall("change plan", () => deps.payments.changePlan(subId, providerPlan(target)));
        let charge: ProviderCharge | null = null;
        if (d.amountCents > 0) {
          try {
            charge = await processorCall("charge", () =>
              deps.payments.charge({
                customerId: row.customerId!,
                amountCents: d.amountCents,
                currency: target.currency,
                description: `Upgrade from ${previous.name} to ${target.name}: ${d.proration!.remainingDays} of ${d.proration!.totalDays} days`,
                metadata: { accountId: input.accountId, kind: "proration", plan: target.code },
              }),
            );
            if (charge.status === "failed") throw paymentDeclined(charge.failureMessage ?? "The card was declined.");
          } catch (error) {
            if (subId) {
              await deps.payments.changePlan(subId, providerPlan(previous)).catch((e) =>
                console.error(`payment processor: switching subscription ${subId} back to ${previous.code} failed:`, e instanceof Error ? e.message : e),
              );
            }
            throw error;
          }
        }
        await deps.db.transaction(async (t) => {
          const tx = t as unknown as Db;
          if (charge) {
            const payment = await upsertPayment(tx, {
              accountId: input.accountId,
              provider: deps.payments.name,
              charge,
              kind: "proration",
              planCode: target.code,
              periodStart: now,
              periodEnd: row.currentPeriodEnd,
              description: `Upgrade from ${previous.name} to ${target.name} (${d.proration!.remainingDays} of ${d.proration!.totalDays} days)`,
            });
            paymentId = payment.id;
          }
          await tx
            .update(subscriptions)
            .set({ planCode: target.code, pendingPlanCode: null, updatedAt: new Date() })
            .where(eq(subscriptions.accountId, input.accountId));
          await changeAccountPlan(tx, input.accountId, target.code, { now });
        });
        return done("upgrade", target.code, charge?.amountCents ?? 0);
      }
      case "downgrade": {
        const subId = row.providerSubscriptionId;
        if (subId) await processorCall("change plan", () => deps.payments.changePlan(subId, providerPlan(target)));
        await deps.db
          .update(subscriptions)
          .set({ pendingPlanCode: target.code, updatedAt: new Date() })
          .where(eq(subscriptions.accountId, input.accountId));
        return done("downgrade", row.planCode!, 0, d.effectiveAt);
      }
      case "undo-downgrade": {
        const subId = row.providerSubscriptionId;
        if (subId) await processorCall("change plan", () => deps.payments.changePlan(subId, providerPlan(target)));
        await deps.db
          .update(subscriptions)
          .set({ pendingPlanCode: null, updatedAt: new Date() })
          .where(eq(subscriptions.accountId, input.accountId));
        return done("undo-downgrade", target.code);
      }
      case "cancel":
        return cancelLocked(deps, input.accountId, row, now);
    }
  });
  if (paymentId) await invoiceAfterCommit(deps, paymentId);
  return result;
}

async function cancelLocked(deps: BillingDeps, accountId: string, row: Subscription, now: Date): Promise<PlanChangeResult> {
  const subId = row.providerSubscriptionId;
  if (subId) await processorCall("cancel", () => deps.payments.cancel(subId, { atPeriodEnd: true }));
  await deps.db
    .update(subscriptions)
    .set({ cancelAtPeriodEnd: true, pendingPlanCode: null, updatedAt: new Date() })
    .where(eq(subscriptions.accountId, accountId));
  return { kind: "cancel", planInEffect: row.planCode!, chargedCents: 0, currency: "EUR", effectiveAt: row.currentPeriodEnd ?? now, paymentId: null };
}

/** Back to Free at the end of the period: the card is not charged again. */
export async function cancelSubscription(deps: BillingDeps, input: { accountId: string; now?: Date }): Promise<PlanChangeResult> {
  return changePlan(deps, { accountId: input.accountId, planCode: FREE_PLAN, now: input.now });
}

/**
 * Undoes a pending cancellation: the plan goes on after the period. A processor subscription set
 * to end at period end cannot be taken back through the processor's API (SecurionPay has no such
 * call), so it is left to end, and ours forgets it: at the end of the period the billing job
 * subscribes again (the next month charged then, as a renewal would be; server/billing/dunning.ts).
 * Nothing is charged or called now.
 */
export async function resumeSubscription(deps: BillingDeps, input: { accountId: string }): Promise<{ planCode: string; currentPeriodEnd: Date | null }> {
  return withBillingLock(deps, input.accountId, async (row) => {
    if (!isLive(row) || !row.cancelAtPeriodEnd) throw conflict("There is no cancellation to undo: the subscription is not set to end.");
    await deps.db
      .update(subscriptions)
      .set({ cancelAtPeriodEnd: false, providerSubscriptionId: null, updatedAt: new Date() })
      .where(eq(subscriptions.accountId, input.accountId));
    return { planCode: row.planCode, currentPeriodEnd: row.currentPeriodEnd };
  });
}
