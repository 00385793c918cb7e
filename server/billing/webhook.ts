/**
 * The processor's webhooks (POST /billing/webhook, server/app.ts): verified, applied once, and
 * safe in any order (ADR 24).
 *
 * - **Verified**: `payments.verifyWebhook` checks the signature (and, for SecurionPay, that the
 *   event exists at the processor); a bad or forged one changes nothing and answers 400.
 * - **Once**: the event id goes into `billing_events` in the transaction that applies it; a
 *   replayed id finds its row and changes nothing (200, so the processor stops sending it).
 * - **In any order**: payments are upserted by the processor's charge id, whatever the order. The
 *   period only moves with a renewal charge made at or after the end of the period we know
 *   (`current_period_end`), to the period that contains it; a late charge of an earlier period
 *   then only adds to the history (with its own month and invoice), and never moves the period
 *   back. Subscription updates never move the period (they only correct its end when the
 *   processor counts a month differently), so a renewal's charge and update may come in any
 *   order. `last_event_at` keeps the newest event time applied.
 *
 * Renewal paid → payment, next period, active, dunning cleared, a pending downgrade applied,
 * invoice issued. Renewal failed → payment (failed), next period, past_due, first retry in a day
 * (server/billing/dunning.ts), "payment failed" email to the owners. A dunning retry paid (when
 * the retry itself could not record it) → active again. The subscription ended at the processor
 * → Free.
 */
import { and, eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { billingEvents, subscriptions, type Subscription } from "../../db/schema";
import { changeAccountPlan } from "../plan/service";
import type { ProviderCharge, ProviderEvent } from "./provider/types";
import { WebhookVerificationError } from "./provider/types";
import { type FailedPayment, notifyDowngraded, notifyPaymentFailed, RETRY_DAYS } from "./dunning";
import { addMonths, type BillingDeps, endSubscriptionOnFree, getPlan, invoiceAfterCommit, isLive, upsertPayment } from "./service";

const DAY_MS = 24 * 60 * 60 * 1000;
/** A renewal may be made a little before the end of the period we know (clock differences). */
const RENEWAL_TOLERANCE_MS = 60 * 60 * 1000;

export type WebhookOutcome = { status: 200 | 400 | 503; body: { received: boolean; applied?: boolean; message?: string } };

/** Verifies the request and applies its event; what the route answers. */
export async function receiveWebhook(deps: BillingDeps, rawBody: Buffer, headers: Record<string, string | string[] | undefined>): Promise<WebhookOutcome> {
  let event: ProviderEvent;
  try {
    event = await deps.payments.verifyWebhook(rawBody, headers);
  } catch (error) {
    if (error instanceof WebhookVerificationError) return { status: 400, body: { received: false, message: error.message } };
    // The processor could not be asked about the event: it sends it again later.
    console.error("billing webhook: could not verify an event:", error instanceof Error ? error.message : error);
    return { status: 503, body: { received: false, message: "The event could not be verified now; send it again later." } };
  }
  const applied = await applyEvent(deps, event);
  return { status: 200, body: { received: true, applied } };
}

type AfterCommit = {
  invoices: string[];
  failed: { accountId: string; payment: FailedPayment } | null;
  downgraded: { accountId: string; previousPlan: string } | null;
};

/** Applies a verified event once; false when it had been applied before (a replay). */
export async function applyEvent(deps: BillingDeps, event: ProviderEvent): Promise<boolean> {
  const after: AfterCommit = { invoices: [], failed: null, downgraded: null };
  const applied = await deps.db.transaction(async (t) => {
    const tx = t as unknown as Db;
    const [fresh] = await tx
      .insert(billingEvents)
      .values({ provider: deps.payments.name, eventId: event.id.slice(0, 200), type: event.rawType.slice(0, 100), occurredAt: event.occurredAt })
      .onConflictDoNothing()
      .returning({ eventId: billingEvents.eventId });
    if (!fresh) return false;
    if ((event.type === "charge.succeeded" || event.type === "charge.failed") && event.charge) {
      await applyCharge(deps, tx, event, event.charge, after);
    } else if (event.type === "subscription.canceled" && event.subscription) {
      await applySubscriptionEnded(deps, tx, event, after);
    } else if (event.type === "subscription.updated" && event.subscription) {
      await applySubscriptionUpdated(deps, tx, event);
    }
    return true;
  });
  for (const paymentId of after.invoices) await invoiceAfterCommit(deps, paymentId);
  if (after.failed) await notifyPaymentFailed(deps, after.failed.accountId, after.failed.payment);
  if (after.downgraded) await notifyDowngraded(deps, after.downgraded.accountId, { previousPlan: after.downgraded.previousPlan, reason: "cancelled" });
  return applied;
}

async function lockRow(deps: BillingDeps, tx: Db, customerId: string | null): Promise<Subscription | null> {
  if (!customerId) return null;
  const [row] = await tx
    .select()
    .from(subscriptions)
    .where(and(eq(subscriptions.provider, deps.payments.name), eq(subscriptions.customerId, customerId)))
    .for("update");
  return row ?? null;
}

/** The newest event time applied (`last_event_at` only moves forward). */
const newest = (row: Subscription, event: ProviderEvent) =>
  row.lastEventAt && row.lastEventAt.getTime() > event.occurredAt.getTime() ? row.lastEventAt : event.occurredAt;

async function touch(tx: Db, row: Subscription, event: ProviderEvent) {
  await tx.update(subscriptions).set({ lastEventAt: newest(row, event), updatedAt: new Date() }).where(eq(subscriptions.accountId, row.accountId));
}

/** The period a renewal charge paid for: whole months on from the period we know, up to the charge. */
function renewedPeriod(known: Date, chargedAt: Date): { start: Date; end: Date } {
  let start = known;
  let end = addMonths(start, 1);
  while (end.getTime() <= chargedAt.getTime() + RENEWAL_TOLERANCE_MS) {
    start = end;
    end = addMonths(start, 1);
  }
  return { start, end };
}

async function applyCharge(deps: BillingDeps, tx: Db, event: ProviderEvent, charge: ProviderCharge, after: AfterCommit): Promise<void> {
  const row = await lockRow(deps, tx, charge.customerId);
  // A charge of a customer we do not know (another app on the same processor account): nothing to do.
  if (!row) return;
  const base = { accountId: row.accountId, provider: deps.payments.name, charge };
  const kind = charge.metadata.kind ?? (charge.subscriptionId ? "subscription" : "charge");
  // A renewal: a charge of the subscription we know, made at or after the end of the period we
  // know. Anything else — the first charge (recorded by the subscribe call), a late copy of an
  // earlier period's charge, a one-off charge — only adds to the history.
  const isRenewal =
    kind === "subscription" &&
    Boolean(charge.subscriptionId) &&
    charge.subscriptionId === row.providerSubscriptionId &&
    isLive(row) &&
    row.currentPeriodEnd !== null &&
    charge.createdAt.getTime() >= row.currentPeriodEnd.getTime() - RENEWAL_TOLERANCE_MS;

  if (!isRenewal) {
    // A subscription's charge pays the month from when it was made (renewals are charged at the
    // start of their period): what an earlier period's late charge needs for its invoice.
    const planCode = charge.metadata.plan ?? charge.metadata.tablewatchPlan ?? null;
    const plan = kind === "subscription" && charge.subscriptionId && planCode ? await getPlan(tx, planCode).catch(() => null) : null;
    const payment = await upsertPayment(
      tx,
      plan
        ? { ...base, kind, planCode: plan.code, periodStart: charge.createdAt, periodEnd: addMonths(charge.createdAt, 1), description: `${plan.name} plan, monthly` }
        : base,
    );
    if (plan && payment.status === "succeeded") after.invoices.push(payment.id);
    // A dunning retry that succeeded while the retry itself could not record it.
    if (kind === "retry" && payment.status === "succeeded" && row.status === "past_due" && row.failedAt && charge.createdAt >= row.failedAt) {
      await tx
        .update(subscriptions)
        .set({ status: "active", failedAt: null, retryCount: 0, nextRetryAt: null, lastEventAt: newest(row, event), updatedAt: new Date() })
        .where(eq(subscriptions.accountId, row.accountId));
      after.invoices.push(payment.id);
      return;
    }
    await touch(tx, row, event);
    return;
  }

  const period = renewedPeriod(row.currentPeriodEnd!, charge.createdAt);
  const planCode = row.pendingPlanCode ?? row.planCode!;
  const plan = await getPlan(tx, planCode);
  const payment = await upsertPayment(tx, {
    ...base,
    kind: "subscription",
    planCode,
    periodStart: period.start,
    periodEnd: period.end,
    description: `${plan.name} plan, monthly`,
  });
  const succeeded = payment.status === "succeeded";
  await tx
    .update(subscriptions)
    .set({
      planCode,
      pendingPlanCode: null,
      currentPeriodStart: period.start,
      currentPeriodEnd: period.end,
      status: succeeded ? "active" : "past_due",
      failedAt: succeeded ? null : charge.createdAt,
      retryCount: 0,
      nextRetryAt: succeeded ? null : new Date(charge.createdAt.getTime() + RETRY_DAYS[0]! * DAY_MS),
      lastEventAt: newest(row, event),
      updatedAt: new Date(),
    })
    .where(eq(subscriptions.accountId, row.accountId));
  if (row.pendingPlanCode) await changeAccountPlan(tx, row.accountId, planCode, { now: charge.createdAt });
  if (succeeded) after.invoices.push(payment.id);
  else {
    after.failed = {
      accountId: row.accountId,
      payment: { amountCents: charge.amountCents, currency: charge.currency, cardLast4: charge.cardLast4, reason: charge.failureMessage ?? "The charge failed.", planName: plan.name },
    };
  }
}

/**
 * The processor's view of the subscription changed. Periods only move with charges (above), so
 * that the order of a renewal's charge and update events does not matter; this only corrects the
 * end of the period we are in when the processor counts it differently (31 January + 1 month).
 */
async function applySubscriptionUpdated(deps: BillingDeps, tx: Db, event: ProviderEvent): Promise<void> {
  const sub = event.subscription!;
  const row = await lockRow(deps, tx, sub.customerId);
  if (!row || row.providerSubscriptionId !== sub.id) return;
  const samePeriod = row.currentPeriodStart && Math.abs(row.currentPeriodStart.getTime() - sub.currentPeriodStart.getTime()) < 1000;
  if (samePeriod && row.currentPeriodEnd && row.currentPeriodEnd.getTime() !== sub.currentPeriodEnd.getTime()) {
    await tx
      .update(subscriptions)
      .set({ currentPeriodEnd: sub.currentPeriodEnd, lastEventAt: newest(row, event), updatedAt: new Date() })
      .where(eq(subscriptions.accountId, row.accountId));
    return;
  }
  await touch(tx, row, event);
}

/**
 * The processor ended the subscription: at the end of the period after a cancellation (→ Free
 * now), or at once at the processor's side (→ no more charges; Free at the end of the period
 * paid for). Our own last failed retry ends it too; that path applies its own change.
 */
async function applySubscriptionEnded(deps: BillingDeps, tx: Db, event: ProviderEvent, after: AfterCommit): Promise<void> {
  const sub = event.subscription!;
  const row = await lockRow(deps, tx, sub.customerId);
  if (!row || row.providerSubscriptionId !== sub.id || !isLive(row)) return;
  // An operation of ours is ending it right now (the last failed retry): that operation applies it.
  if (row.lockedUntil && row.lockedUntil.getTime() > Date.now()) return touch(tx, row, event);
  const periodOver = !row.currentPeriodEnd || event.occurredAt.getTime() >= row.currentPeriodEnd.getTime() - RENEWAL_TOLERANCE_MS;
  if (!periodOver) {
    await tx
      .update(subscriptions)
      .set({ providerSubscriptionId: null, cancelAtPeriodEnd: true, pendingPlanCode: null, lastEventAt: newest(row, event), updatedAt: new Date() })
      .where(eq(subscriptions.accountId, row.accountId));
    return;
  }
  const previousPlan = row.planCode;
  await endSubscriptionOnFree(tx, row.accountId, event.occurredAt, { failedAt: null, retryCount: 0, nextRetryAt: null, lastEventAt: newest(row, event) });
  after.downgraded = { accountId: row.accountId, previousPlan };
}
