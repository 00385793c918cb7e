/**
 * The billing job (ADR 24), run every few minutes where the alarm worker runs:
 *
 * 1. **Failed payments**: a renewal that failed (webhook.ts) is retried on days 1, 3 and 7 after
 *    the first failure, each a one-off charge of the period's price. Paid → active again and the
 *    invoice; failed → the owners are told when the next try is; the day-7 retry failing cancels
 *    the processor subscription at once and moves the account to Free (data over Free's limits
 *    read-only for 30 days, changeAccountPlan), with a "moved to Free" email.
 * 2. **Period ends**: a pending downgrade or a cancellation takes effect once `current_period_end`
 *    has passed (when the processor's webhook did not already apply it).
 * 3. **Invoices** whose generation failed are retried (retryPendingInvoices, server/invoice).
 *
 * Rows are claimed with `FOR UPDATE SKIP LOCKED` plus the row's `locked_until` lease (the charge
 * runs outside any transaction), so several processes never retry the same payment. The clock is
 * a parameter (`now`), so tests move time.
 */
import { and, asc, eq, inArray, isNotNull, isNull, lt, lte, or, type SQL, sql } from "drizzle-orm";
import type { PgColumn } from "drizzle-orm/pg-core";
import type { Db } from "../../db/client";
import { accounts, payments, type Plan, plans, subscriptions, type Subscription } from "../../db/schema";
import { retryPendingInvoices } from "../invoice/service";
import { createPoller, errorText } from "../jobs/poller";
import { changeAccountPlan } from "../plan/service";
import { sendPaymentFailed, sendPlanDowngraded, toOwners } from "./mail";
import { PaymentDeclinedError, type ProviderCharge, type ProviderSubscription } from "./provider/types";
import { accountOwners, type BillingDeps, endSubscriptionOnFree, FREE_PLAN, formatDay, formatMoney, getPlan, invoiceAfterCommit, upsertPayment } from "./service";

/** Days after the first failure on which the payment is tried again; after the last, Free. */
export const RETRY_DAYS = [1, 3, 7] as const;
const DAY_MS = 24 * 60 * 60 * 1000;
/** How long a claimed row is held (then another process may take it over). */
const LEASE_SECONDS = 120;
/** When the processor cannot be reached, the step is tried again this much later (not counted as a retry). */
const UNAVAILABLE_RETRY_MS = 60 * 60 * 1000;

export type BillingRunResult = { retried: number; recovered: number; downgraded: number; periodEnds: number; renewed: number };

/** One run of the billing job at `now`. */
export async function runBillingTasks(deps: BillingDeps, opts: { now?: Date; batchSize?: number } = {}): Promise<BillingRunResult> {
  const now = opts.now ?? new Date();
  const batchSize = opts.batchSize ?? 20;
  const result: BillingRunResult = { retried: 0, recovered: 0, downgraded: 0, periodEnds: 0, renewed: 0 };

  for (const row of await claimDueRetries(deps.db, now, batchSize)) {
    try {
      const outcome = await retryPayment(deps, row, now);
      if (outcome === "recovered") result.recovered++;
      if (outcome === "downgraded") result.downgraded++;
      if (outcome !== "postponed") result.retried++;
    } catch (error) {
      console.error(`billing job: the retry of account ${row.accountId} failed:`, errorText(error));
      await release(deps.db, row.accountId, { nextRetryAt: new Date(now.getTime() + UNAVAILABLE_RETRY_MS) });
    }
  }
  result.periodEnds = await applyPeriodEnds(deps, now, batchSize);
  for (const row of await claimContinuations(deps.db, now, batchSize)) {
    try {
      if ((await renewContinuation(deps, row, now)) === "renewed") result.renewed++;
    } catch (error) {
      console.error(`billing job: renewing account ${row.accountId} failed:`, errorText(error));
      await release(deps.db, row.accountId);
    }
  }
  await retryPendingInvoices(deps).catch((error) => console.error("billing job: retrying invoices failed:", errorText(error)));
  return result;
}

const unlocked = () => or(isNull(subscriptions.lockedUntil), lt(subscriptions.lockedUntil, sql`now()`));

/** Claims rows (FOR UPDATE SKIP LOCKED), holding them for LEASE_SECONDS through `locked_until`. */
async function claim(db: Db, where: SQL | undefined, order: SQL | PgColumn, batchSize: number): Promise<Subscription[]> {
  return db.transaction(async (t) => {
    const tx = t as unknown as Db;
    const due = await tx
      .select({ accountId: subscriptions.accountId })
      .from(subscriptions)
      .where(and(where, unlocked()))
      .orderBy(order)
      .limit(batchSize)
      .for("update", { skipLocked: true });
    if (!due.length) return [];
    return tx
      .update(subscriptions)
      .set({ lockedUntil: sql`now() + make_interval(secs => ${LEASE_SECONDS})` })
      .where(inArray(subscriptions.accountId, due.map((d) => d.accountId)))
      .returning();
  });
}

/** Past-due rows whose retry is due. */
const claimDueRetries = (db: Db, now: Date, batchSize: number) =>
  claim(db, and(eq(subscriptions.status, "past_due"), isNotNull(subscriptions.nextRetryAt), lte(subscriptions.nextRetryAt, now)), asc(subscriptions.nextRetryAt), batchSize);

/** Resumed subscriptions (no processor subscription any more) whose period has ended: subscribed again. */
const claimContinuations = (db: Db, now: Date, batchSize: number) =>
  claim(
    db,
    and(
      eq(subscriptions.status, "active"),
      isNull(subscriptions.providerSubscriptionId),
      isNotNull(subscriptions.planCode),
      eq(subscriptions.cancelAtPeriodEnd, false),
      lte(subscriptions.currentPeriodEnd, now),
    ),
    asc(subscriptions.currentPeriodEnd),
    batchSize,
  );

async function release(db: Db, accountId: string, set: Partial<typeof subscriptions.$inferInsert> = {}) {
  await db.update(subscriptions).set({ ...set, lockedUntil: null, updatedAt: new Date() }).where(eq(subscriptions.accountId, accountId));
}

type Attempt =
  | { outcome: "paid"; charge: ProviderCharge; subscription: ProviderSubscription | null }
  | { outcome: "declined"; charge: ProviderCharge | null; message: string }
  | { outcome: "unavailable" };

/**
 * Charges the period's price: a one-off charge while the processor subscription runs, or a new
 * processor subscription (its first month charged at once) when there is none. A decline's charge
 * is looked up at the processor by the attempt's key, so the history has it once.
 */
async function attempt(deps: BillingDeps, row: Subscription, plan: Plan, key: string, description: string): Promise<Attempt> {
  try {
    if (!row.providerSubscriptionId) {
      const { subscription, charge } = await deps.payments.subscribe({
        customerId: row.customerId!,
        plan: { code: plan.code, name: plan.name, amountCents: plan.priceCents, currency: plan.currency },
      });
      if (!charge) return { outcome: "declined", charge: null, message: "The processor made no charge." };
      return charge.status === "succeeded" ? { outcome: "paid", charge, subscription } : { outcome: "declined", charge, message: charge.failureMessage ?? "The charge failed." };
    }
    const charge = await deps.payments.charge({
      customerId: row.customerId!,
      amountCents: plan.priceCents,
      currency: plan.currency,
      description,
      metadata: { accountId: row.accountId, kind: "retry", plan: plan.code, attempt: key },
    });
    return charge.status === "succeeded" ? { outcome: "paid", charge, subscription: null } : { outcome: "declined", charge, message: charge.failureMessage ?? "The charge failed." };
  } catch (error) {
    if (!(error instanceof PaymentDeclinedError)) {
      console.error(`billing job: the processor could not charge account ${row.accountId}:`, errorText(error));
      return { outcome: "unavailable" };
    }
    const recent = await deps.payments.listCharges(row.customerId!, { limit: 10 }).catch(() => [] as ProviderCharge[]);
    const charge = recent.find((c) => (error.chargeId && c.id === error.chargeId) || c.metadata.attempt === key) ?? null;
    return { outcome: "declined", charge, message: error.message };
  }
}

/** Records a paid attempt: the payment, the subscription active again (and its new processor subscription). */
async function recordPaid(deps: BillingDeps, row: Subscription, plan: Plan, paid: Extract<Attempt, { outcome: "paid" }>, kind: string, description: string, now: Date) {
  const sub = paid.subscription;
  const periodStart = sub?.currentPeriodStart ?? row.currentPeriodStart;
  const periodEnd = sub?.currentPeriodEnd ?? row.currentPeriodEnd;
  const payment = await deps.db.transaction(async (t) => {
    const tx = t as unknown as Db;
    const p = await upsertPayment(tx, { accountId: row.accountId, provider: deps.payments.name, charge: paid.charge, kind, planCode: plan.code, periodStart, periodEnd, description });
    await tx
      .update(subscriptions)
      .set({
        status: "active",
        planCode: plan.code,
        pendingPlanCode: null,
        failedAt: null,
        retryCount: 0,
        nextRetryAt: null,
        lockedUntil: null,
        updatedAt: new Date(),
        ...(sub ? { providerSubscriptionId: sub.id, currentPeriodStart: sub.currentPeriodStart, currentPeriodEnd: sub.currentPeriodEnd } : {}),
      })
      .where(eq(subscriptions.accountId, row.accountId));
    if (plan.code !== row.planCode) await changeAccountPlan(tx, row.accountId, plan.code, { now });
    return p;
  });
  await invoiceAfterCommit(deps, payment.id);
}

/** Records a declined attempt in the history (when the processor's charge is known). */
async function recordDeclined(deps: BillingDeps, row: Subscription, plan: Plan, declined: Extract<Attempt, { outcome: "declined" }>, kind: string, description: string): Promise<FailedPayment> {
  if (declined.charge) {
    await upsertPayment(deps.db, {
      accountId: row.accountId,
      provider: deps.payments.name,
      charge: { ...declined.charge, status: "failed", failureMessage: declined.charge.failureMessage ?? declined.message },
      kind,
      planCode: plan.code,
      periodStart: row.currentPeriodStart,
      periodEnd: row.currentPeriodEnd,
      description,
    });
  }
  return { amountCents: plan.priceCents, currency: plan.currency, cardLast4: declined.charge?.cardLast4 ?? row.cardLast4, reason: declined.message, planName: plan.name };
}

/**
 * After a new card is saved while a payment is due: the payment is tried at once with it. This
 * try is extra — a decline leaves the schedule (and the day of the move to Free) as it was.
 */
export async function retryWithNewCard(deps: BillingDeps, accountId: string, now = new Date()): Promise<"recovered" | "failed" | null> {
  const [row] = await claim(deps.db, and(eq(subscriptions.accountId, accountId), eq(subscriptions.status, "past_due")), asc(subscriptions.accountId), 1);
  if (!row) return null;
  try {
    const outcome = await retryPayment(deps, row, now, { extra: true });
    return outcome === "recovered" ? "recovered" : "failed";
  } catch (error) {
    await release(deps.db, accountId);
    throw error;
  }
}

/** One retry of a claimed past-due row (or, after the last failed retry, the move to Free). */
async function retryPayment(
  deps: BillingDeps,
  row: Subscription,
  now: Date,
  opts: { extra?: boolean } = {},
): Promise<"recovered" | "failed" | "downgraded" | "postponed"> {
  if (!opts.extra && (row.retryCount >= RETRY_DAYS.length || !row.customerId || !row.planCode)) return downgradeToFree(deps, row, now);
  if (!row.customerId || !row.planCode) {
    await release(deps.db, row.accountId);
    return "postponed";
  }
  const plan = await getPlan(deps.db, row.pendingPlanCode ?? row.planCode);
  const n = row.retryCount + 1;
  const description = opts.extra ? `${plan.name} plan, payment with the new card` : `${plan.name} plan, payment retry ${n} of ${RETRY_DAYS.length}`;
  const key = `${row.accountId}:${(row.failedAt ?? now).toISOString()}:${opts.extra ? `card-${now.getTime()}` : n}`;
  const result = await attempt(deps, row, plan, key, description);
  if (result.outcome === "unavailable") {
    await release(deps.db, row.accountId, { nextRetryAt: new Date(now.getTime() + UNAVAILABLE_RETRY_MS) });
    return "postponed";
  }
  if (result.outcome === "paid") {
    await recordPaid(deps, row, plan, result, "retry", description, now);
    return "recovered";
  }
  const failed = await recordDeclined(deps, row, plan, result, "retry", description);
  if (opts.extra) {
    // The owner sees this answer on the page; the schedule stays.
    await release(deps.db, row.accountId);
    return "failed";
  }
  if (n >= RETRY_DAYS.length) return downgradeToFree(deps, { ...row, retryCount: n }, now);
  const failedAt = row.failedAt ?? now;
  await release(deps.db, row.accountId, { retryCount: n, nextRetryAt: new Date(failedAt.getTime() + RETRY_DAYS[n]! * DAY_MS) });
  await notifyPaymentFailed(deps, row.accountId, failed);
  return "failed";
}

/**
 * A resumed subscription whose period ended (its processor subscription ended with it): a new
 * processor subscription, its first month charged now — or, declined, the failed-payment path.
 */
async function renewContinuation(deps: BillingDeps, row: Subscription, now: Date): Promise<"renewed" | "failed" | "postponed"> {
  if (!row.customerId || !row.planCode) {
    await release(deps.db, row.accountId);
    return "postponed";
  }
  const plan = await getPlan(deps.db, row.pendingPlanCode ?? row.planCode);
  const description = `${plan.name} plan, monthly`;
  const result = await attempt(deps, { ...row, providerSubscriptionId: null }, plan, `${row.accountId}:renew:${row.currentPeriodEnd?.toISOString()}`, description);
  if (result.outcome === "unavailable") {
    await release(deps.db, row.accountId);
    return "postponed";
  }
  if (result.outcome === "paid") {
    await recordPaid(deps, row, plan, result, "subscription", description, now);
    return "renewed";
  }
  const failed = await recordDeclined(deps, row, plan, result, "subscription", description);
  await release(deps.db, row.accountId, {
    status: "past_due",
    planCode: plan.code,
    pendingPlanCode: null,
    failedAt: now,
    retryCount: 0,
    nextRetryAt: new Date(now.getTime() + RETRY_DAYS[0] * DAY_MS),
  });
  if (plan.code !== row.planCode) await changeAccountPlan(deps.db, row.accountId, plan.code, { now });
  await notifyPaymentFailed(deps, row.accountId, failed);
  return "failed";
}

/** After the last failed retry: the processor subscription ends at once, the account is on Free. */
async function downgradeToFree(deps: BillingDeps, row: Subscription, now: Date): Promise<"downgraded" | "postponed"> {
  if (row.providerSubscriptionId) {
    try {
      await deps.payments.cancel(row.providerSubscriptionId, { atPeriodEnd: false });
    } catch (error) {
      // Not downgraded while the processor may still charge: tried again later.
      console.error(`billing job: cancelling subscription ${row.providerSubscriptionId} failed:`, errorText(error));
      await release(deps.db, row.accountId, { retryCount: RETRY_DAYS.length, nextRetryAt: new Date(now.getTime() + UNAVAILABLE_RETRY_MS) });
      return "postponed";
    }
  }
  const previousPlan = row.planCode ?? FREE_PLAN;
  await deps.db.transaction((tx) => endSubscriptionOnFree(tx as unknown as Db, row.accountId, now, { retryCount: RETRY_DAYS.length, nextRetryAt: null, lockedUntil: null }));
  await notifyDowngraded(deps, row.accountId, { previousPlan, reason: "payment-failed" });
  return "downgraded";
}

/** Pending downgrades and cancellations whose period has ended (and that no webhook applied yet). */
async function applyPeriodEnds(deps: BillingDeps, now: Date, batchSize: number): Promise<number> {
  const downgraded: { accountId: string; previousPlan: string }[] = [];
  const n = await deps.db.transaction(async (t) => {
    const tx = t as unknown as Db;
    const due = await tx
      .select()
      .from(subscriptions)
      .where(
        and(
          eq(subscriptions.status, "active"),
          lte(subscriptions.currentPeriodEnd, now),
          // (A pending plan of a resumed subscription is applied when it is subscribed again.)
          or(eq(subscriptions.cancelAtPeriodEnd, true), and(isNotNull(subscriptions.pendingPlanCode), isNotNull(subscriptions.providerSubscriptionId))),
          unlocked(),
        ),
      )
      .limit(batchSize)
      .for("update", { skipLocked: true });
    for (const row of due) {
      if (row.cancelAtPeriodEnd) {
        await endSubscriptionOnFree(tx, row.accountId, now);
        downgraded.push({ accountId: row.accountId, previousPlan: row.planCode ?? FREE_PLAN });
      } else if (row.pendingPlanCode) {
        await tx
          .update(subscriptions)
          .set({ planCode: row.pendingPlanCode, pendingPlanCode: null, updatedAt: new Date() })
          .where(eq(subscriptions.accountId, row.accountId));
        await changeAccountPlan(tx, row.accountId, row.pendingPlanCode, { now });
      }
    }
    return due.length;
  });
  for (const d of downgraded) await notifyDowngraded(deps, d.accountId, { previousPlan: d.previousPlan, reason: "cancelled" });
  return n;
}

// ---------------------------------------------------------------- the owners' emails

export type FailedPayment = { amountCents: number; currency: string; cardLast4: string | null; reason: string; planName: string };

/** "Payment failed" to the owners: amount, card, the next retry (or the move to Free), a link to the card form. */
export async function notifyPaymentFailed(deps: BillingDeps, accountId: string, payment: FailedPayment): Promise<void> {
  try {
    const [row] = await deps.db
      .select({
        accountName: accounts.name,
        cardLast4: subscriptions.cardLast4,
        failedAt: subscriptions.failedAt,
        retryCount: subscriptions.retryCount,
        nextRetryAt: subscriptions.nextRetryAt,
      })
      .from(accounts)
      .leftJoin(subscriptions, eq(subscriptions.accountId, accounts.id))
      .where(eq(accounts.id, accountId));
    if (!row) return;
    const failedAt = row.failedAt ?? new Date();
    const props = {
      accountName: row.accountName,
      planName: payment.planName,
      amount: formatMoney(payment.amountCents, payment.currency),
      cardLast4: payment.cardLast4 ?? row.cardLast4,
      reason: payment.reason,
      nextRetry: row.nextRetryAt ? formatDay(row.nextRetryAt) : null,
      retriesLeft: Math.max(0, RETRY_DAYS.length - (row.retryCount ?? 0) - 1),
      downgradeDay: formatDay(new Date(failedAt.getTime() + RETRY_DAYS[RETRY_DAYS.length - 1] * DAY_MS)),
      cardUrl: `${deps.config.appUrl}/settings/billing/card`,
    };
    await toOwners(await accountOwners(deps.db, accountId), (to) => sendPaymentFailed(deps.mailer, to, props), "payment failed");
  } catch (error) {
    console.error("billing: the payment failed email could not be prepared:", errorText(error));
  }
}

/** "Now on Free" to the owners: why, what is read-only until when, a link to choose a plan. */
export async function notifyDowngraded(deps: BillingDeps, accountId: string, input: { previousPlan: string; reason: "payment-failed" | "cancelled" }): Promise<void> {
  try {
    const [account] = await deps.db
      .select({ name: accounts.name, graceUntil: accounts.planGraceUntil })
      .from(accounts)
      .where(eq(accounts.id, accountId));
    if (!account) return;
    const [previous, free] = await Promise.all([getPlan(deps.db, input.previousPlan).catch(() => null), getPlan(deps.db, FREE_PLAN).catch(() => null)]);
    const [lastFailed] =
      input.reason === "payment-failed"
        ? await deps.db
            .select({ amountCents: payments.amountCents, currency: payments.currency })
            .from(payments)
            .where(and(eq(payments.accountId, accountId), eq(payments.status, "failed")))
            .orderBy(sql`${payments.chargedAt} desc`)
            .limit(1)
        : [];
    const props = {
      accountName: account.name,
      previousPlanName: previous?.name ?? input.previousPlan,
      reason: input.reason,
      amount: lastFailed ? formatMoney(lastFailed.amountCents, lastFailed.currency) : null,
      readOnlyUntil: account.graceUntil ? formatDay(account.graceUntil) : null,
      freeLimits: free ? freeLimitWords(free) : [],
      upgradeUrl: `${deps.config.appUrl}/settings/billing`,
    };
    await toOwners(await accountOwners(deps.db, accountId), (to) => sendPlanDowngraded(deps.mailer, to, props), "moved to Free");
  } catch (error) {
    console.error("billing: the moved to Free email could not be prepared:", errorText(error));
  }
}

const plural = (n: number, one: string, many: string) => `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;

function freeLimitWords(p: typeof plans.$inferSelect): string[] {
  return [
    plural(p.maxReports, "report", "reports"),
    plural(p.maxDashboards, "dashboard", "dashboards"),
    plural(p.maxAlarms, "alarm", "alarms"),
    plural(p.maxMembers, "team member", "team members"),
    `${plural(p.retentionDays, "day", "days")} of history`,
  ];
}

// ---------------------------------------------------------------- the poller

export type BillingJobs = { runOnce(): Promise<BillingRunResult>; stop(): Promise<void> };

/** Starts the billing job (every `intervalMs`, default 2 minutes); `now` is the clock (tests move it). */
export function startBillingJobs(deps: BillingDeps, opts: { intervalMs?: number; now?: () => Date } = {}): BillingJobs {
  const poller = createPoller(() => runBillingTasks(deps, { now: opts.now?.() }), {
    isFull: () => false,
    onError: (error) => console.error("billing job failed:", errorText(error)),
  });
  poller.start(opts.intervalMs ?? 120_000);
  return { runOnce: poller.runOnce, stop: poller.stop };
}
