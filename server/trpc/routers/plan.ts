/**
 * Plans and usage (ADR 25): the public plans (/pricing), the account's plan and usage against
 * each limit (Settings → Plan & usage, the usage banner, disabled create buttons), and the
 * operators' plan editor (/admin/plans).
 */
import { z } from "zod";
import * as planService from "../../plan/service";
import { adminProcedure, authedProcedure, publicProcedure, router } from "../../trpc";

const planOut = z.object({
  code: z.string(),
  name: z.string(),
  priceCents: z.number(),
  currency: z.string(),
  position: z.number(),
  isPublic: z.boolean(),
  maxReports: z.number(),
  maxInstancesPerMonth: z.number(),
  retentionDays: z.number(),
  maxMembers: z.number(),
  maxDashboards: z.number(),
  maxShareLinks: z.number(),
  maxAlarms: z.number(),
  apiRequestsPerMinute: z.number(),
  updatedAt: z.date(),
});

const limitOut = z.object({
  key: z.enum(planService.limitKeys),
  label: z.string(),
  used: z.number(),
  limit: z.number(),
  percent: z.number(),
  level: z.enum(["ok", "warn", "full"]),
  allows: z.string(),
  action: z.string(),
  message: z.string().nullable(),
});

const MAX_NUMBER = 2_000_000_000;
/** A whole number, 0 or more, from a form field ("1,000" and "1 000" allowed) or a number. */
const whole = (label: string) =>
  z.preprocess(
    (v) => (typeof v === "string" ? (v.trim() === "" ? undefined : Number(v.trim().replace(/[\s,_]/g, ""))) : v),
    z
      .number({ message: `Enter the ${label} as a whole number` })
      .int(`Enter the ${label} as a whole number`)
      .min(0, `The ${label} cannot be negative`)
      .max(MAX_NUMBER, `The ${label} can be at most ${MAX_NUMBER.toLocaleString("en-US")}`),
  );

/** The monthly price as typed ("19", "19.90", "0"): whole cents. */
const price = z.preprocess(
  (v) => (typeof v === "number" ? String(v) : v),
  z
    .string({ message: "Enter the monthly price, e.g. 19 or 19.90" })
    .trim()
    .regex(/^\d{1,7}(\.\d{1,2})?$/, "Enter the monthly price, e.g. 19 or 19.90 (no currency sign, at most 2 decimals)")
    .transform((v) => Math.round(Number(v) * 100)),
);

const planEdit = z.object({
  code: z.string().min(1).max(50),
  name: z.string().trim().min(1, "Give the plan a name").max(50, "Use at most 50 characters"),
  price,
  isPublic: z.boolean(),
  position: whole("position"),
  maxReports: whole("report limit"),
  maxInstancesPerMonth: whole("instances per month"),
  retentionDays: whole("retention").pipe(z.number().min(1, "Keep data at least 1 day")),
  maxMembers: whole("member limit").pipe(z.number().min(1, "A plan needs at least 1 member (the owner)")),
  maxDashboards: whole("dashboard limit").pipe(z.number().min(1, "A plan needs at least 1 dashboard (every account has one)")),
  maxShareLinks: whole("share link limit"),
  maxAlarms: whole("alarm limit"),
  apiRequestsPerMinute: whole("API requests per minute"),
});

export const planRouter = router({
  /** The public plans, in pricing order (the public /pricing page). */
  list: publicProcedure
    .input(z.void())
    .output(z.array(planOut))
    .query(({ ctx }) => planService.listPlans(ctx.db, { publicOnly: true })),

  /** The account's plan and usage against each limit (the usage banner, disabled create buttons): any member. */
  limits: authedProcedure
    .input(z.void())
    .output(z.object({ planCode: z.string(), planName: z.string(), graceUntil: z.date().nullable(), limits: z.array(limitOut) }))
    .query(async ({ ctx }) => {
      const { plan, graceUntil, limits } = await planService.planOverview(ctx.db, ctx.account.id, { baseUrl: ctx.baseUrl });
      return { planCode: plan.code, planName: plan.name, graceUntil, limits };
    }),

  /** Settings → Plan & usage: the plan, every limit with its usage, the plans to change to; owners may change. */
  overview: authedProcedure
    .input(z.void())
    .output(
      z.object({
        plan: planOut,
        graceUntil: z.date().nullable(),
        limits: z.array(limitOut),
        oldestInstanceDays: z.number().nullable(),
        busiestKeyRequests: z.number(),
        plans: z.array(planOut),
        canChange: z.boolean(),
      }),
    )
    .query(async ({ ctx }) => {
      const [overview, other, plans] = await Promise.all([
        planService.planOverview(ctx.db, ctx.account.id, { baseUrl: ctx.baseUrl }),
        planService.otherUsage(ctx.db, ctx.account.id),
        planService.listPlans(ctx.db, { publicOnly: true }),
      ]);
      // The plan in effect is listed even when it is not public (a private plan of this account).
      const all = plans.some((p) => p.code === overview.plan.code) ? plans : [...plans, overview.plan];
      return { ...overview, ...other, plans: all, canChange: ctx.role === "owner" };
    }),

  /** /admin/plans: every plan, public or not. */
  adminList: adminProcedure
    .input(z.void())
    .output(z.array(planOut))
    .query(({ ctx }) => planService.listPlans(ctx.db)),

  /** /admin/plans: edits a plan's name, price, limits and whether it is public. */
  adminUpdate: adminProcedure
    .input(planEdit)
    .output(planOut)
    .mutation(({ ctx, input }) => {
      const { code, price: priceCents, ...rest } = input;
      return planService.updatePlan(ctx.db, code, { ...rest, priceCents });
    }),
});
