import { TRPCError } from "@trpc/server";
import { z } from "zod";
import * as billing from "../../billing/service";
import { authedProcedure, router } from "../../trpc";

/**
 * Settings → Billing (session-authenticated, owners only): the overview, the card, plan changes
 * (preview, then confirm), cancel and resume, the payment history. Other members get FORBIDDEN
 * with a message the page shows them. Card numbers never come here: only the token id the
 * processor's script made in the browser (ADR 24).
 */
const ownerProcedure = authedProcedure.use(({ ctx, next }) => {
  if (ctx.role !== "owner") {
    throw new TRPCError({
      code: "FORBIDDEN",
      message: `Your role (${ctx.role}) does not allow this: only owners manage billing. Ask an owner of this account to change the plan or the card.`,
    });
  }
  return next();
});

const page = z.number({ message: "Page must be a number" }).int().min(1).max(100_000);
const planCode = z.string().trim().min(1, "Choose a plan").max(50);
const token = z
  .string()
  .trim()
  .min(1, "The card form did not send a card token. Enter the card again.")
  .max(200, "That is not a card token.")
  .regex(/^[A-Za-z0-9_-]+$/, "That is not a card token.");

const planSummary = z.object({ code: z.string(), name: z.string(), priceCents: z.number(), currency: z.string() });
const payment = z.object({
  id: z.string(),
  chargedAt: z.date(),
  amountCents: z.number(),
  currency: z.string(),
  status: z.enum(["succeeded", "failed"]),
  kind: z.string(),
  description: z.string(),
  planCode: z.string().nullable(),
  periodStart: z.date().nullable(),
  periodEnd: z.date().nullable(),
  cardLast4: z.string().nullable(),
  failureMessage: z.string().nullable(),
});
const paymentPage = z.object({ items: z.array(payment), total: z.number(), page: z.number(), pageSize: z.number() });
const card = z.object({ last4: z.string() });
const planChange = z.object({
  kind: z.enum(["subscribe", "upgrade", "downgrade", "undo-downgrade", "cancel"]),
  planInEffect: z.string(),
  chargedCents: z.number(),
  currency: z.string(),
  effectiveAt: z.date(),
  paymentId: z.string().nullable(),
});

/** The services' dependencies: the app's (with its payment processor). */
const deps = (ctx: billing.BillingDeps): billing.BillingDeps => ctx;

export const billingRouter = router({
  /** Plan in effect, subscription, card, invoice data present, plans to pick, a page of payments. */
  overview: ownerProcedure
    .input(z.object({ page: page.default(1) }).optional())
    .output(
      z.object({
        accountName: z.string(),
        plan: planSummary,
        graceUntil: z.date().nullable(),
        card: card.nullable(),
        hasInvoiceData: z.boolean(),
        provider: z.string(),
        subscription: z
          .object({
            status: z.enum(["active", "past_due"]),
            plan: planSummary,
            currentPeriodStart: z.date().nullable(),
            currentPeriodEnd: z.date().nullable(),
            pendingPlan: planSummary.nullable(),
            cancelAtPeriodEnd: z.boolean(),
            failedAt: z.date().nullable(),
            retryCount: z.number(),
            nextRetryAt: z.date().nullable(),
            lastFailureMessage: z.string().nullable(),
          })
          .nullable(),
        plans: z.array(planSummary),
        payments: paymentPage,
      }),
    )
    .query(({ ctx, input }) => billing.billingOverview(deps(ctx), { accountId: ctx.account.id, page: input?.page ?? 1, pageSize: 10 })),

  /** The card form's script config (processor script, public key) for Credit card details. */
  cardForm: ownerProcedure
    .input(z.void())
    .output(
      z.object({
        scriptUrl: z.string(),
        publicKey: z.string(),
        library: z.enum(["securionpay", "sandbox"]),
        origins: z.array(z.string()),
        card: card.nullable(),
      }),
    )
    .query(async ({ ctx }) => {
      const config = deps(ctx).payments.cardFormConfig();
      const overview = await billing.billingOverview(deps(ctx), { accountId: ctx.account.id, page: 1, pageSize: 1 });
      return { ...config, card: overview.card };
    }),

  /** Saves the card behind a token made by the processor's script; `extra` is any other form field (refused if it holds a card number). */
  saveCard: ownerProcedure
    .input(z.object({ token, extra: z.record(z.string(), z.string().max(1000)).optional() }))
    .output(card.extend({ retry: z.enum(["recovered", "failed"]).nullable() }))
    .mutation(({ ctx, input }) => {
      billing.assertNoCardNumber({ ...input.extra });
      return billing.saveCard(deps(ctx), { accountId: ctx.account.id, accountName: ctx.account.name, ownerEmail: ctx.user.email, token: input.token });
    }),

  /** What choosing a plan would do now: kind, amount charged at once, effective date, what is missing. */
  previewPlan: ownerProcedure
    .input(z.object({ planCode }))
    .output(
      z.object({
        kind: z.enum(["subscribe", "upgrade", "downgrade", "undo-downgrade", "cancel"]).nullable(),
        from: planSummary,
        to: planSummary,
        amountCents: z.number(),
        currency: z.string(),
        effectiveAt: z.date(),
        proration: z.object({ amountCents: z.number(), remainingDays: z.number(), totalDays: z.number() }).nullable(),
        missing: z.array(z.enum(["card", "invoiceData"])),
        blocked: z.string().nullable(),
        summary: z.string(),
      }),
    )
    .query(({ ctx, input }) => billing.previewPlanChange(deps(ctx), { accountId: ctx.account.id, planCode: input.planCode })),

  /** Makes the change previewed; `expectedAmountCents` is the amount the confirmation showed. */
  changePlan: ownerProcedure
    .input(z.object({ planCode, expectedAmountCents: z.number().int().min(0).max(100_000_000).optional() }))
    .output(planChange)
    .mutation(({ ctx, input }) =>
      billing.changePlan(deps(ctx), { accountId: ctx.account.id, planCode: input.planCode, expectedAmountCents: input.expectedAmountCents }),
    ),

  /** Back to Free at the end of the period. */
  cancel: ownerProcedure
    .input(z.void())
    .output(planChange)
    .mutation(({ ctx }) => billing.cancelSubscription(deps(ctx), { accountId: ctx.account.id })),

  /** Undoes a pending cancellation. */
  resume: ownerProcedure
    .input(z.void())
    .output(z.object({ planCode: z.string(), currentPeriodEnd: z.date().nullable() }))
    .mutation(({ ctx }) => billing.resumeSubscription(deps(ctx), { accountId: ctx.account.id })),

  /** The payment history, newest first. */
  payments: ownerProcedure
    .input(z.object({ page: page.default(1), pageSize: z.number().int().min(1).max(100).default(20) }))
    .output(paymentPage)
    .query(({ ctx, input }) => billing.listPayments(ctx.db, ctx.account.id, { page: input.page, pageSize: input.pageSize })),
});
