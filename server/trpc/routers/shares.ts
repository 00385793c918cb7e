import { z } from "zod";
import type { AuditActor } from "../../audit/service";
import * as shareService from "../../share/service";
import { authedProcedure, memberProcedure, router } from "../../trpc";
import { notePlanUsage } from "../../plan/mail";

const id = z.string().min(1).max(64);
const epochMs = z.number().int().min(0).max(8.64e15);

const shareSummary = z.object({
  id: z.string(),
  dashboardId: z.string(),
  dashboardName: z.string(),
  status: z.enum(["active", "paused", "expired"]),
  expiresAt: z.date().nullable(),
  allowTimeRange: z.boolean(),
  paused: z.boolean(),
  createdAt: z.date(),
  createdBy: z.string().nullable(),
  viewCount: z.number(),
  lastViewedAt: z.date().nullable(),
});
/** A new or regenerated link: the URL is shown this once (only the token's hash is kept). */
const withUrl = z.object({ share: shareSummary, url: z.string() });

type SessionCtx = { user: { id: string; email: string }; ip: string };
const actorOf = (ctx: SessionCtx): AuditActor => ({ userId: ctx.user.id, label: ctx.user.email, ip: ctx.ip });

/**
 * Public dashboard links, managed in the web app (session). Every member may list a dashboard's
 * or the account's links (they hold no secret); editors and above create, change, pause,
 * regenerate and revoke them. Visitors use `share` instead.
 */
export const sharesRouter = router({
  list: authedProcedure
    .input(z.object({ dashboardId: id }))
    .output(z.array(shareSummary))
    .query(({ ctx, input }) => shareService.listShares(ctx.db, { accountId: ctx.account.id, dashboardId: input.dashboardId })),

  listAll: authedProcedure
    .input(z.void())
    .output(z.array(shareSummary))
    .query(({ ctx }) => shareService.listAccountShares(ctx.db, { accountId: ctx.account.id })),

  create: memberProcedure("editor")
    .input(z.object({ dashboardId: id, expiresAt: epochMs.nullable().default(null), allowTimeRange: z.boolean().default(false) }))
    .output(withUrl)
    .mutation(async ({ ctx, input }) => {
      const { share, token } = await shareService.createShare(ctx.db, {
        accountId: ctx.account.id,
        dashboardId: input.dashboardId,
        expiresAt: input.expiresAt === null ? null : new Date(input.expiresAt),
        allowTimeRange: input.allowTimeRange,
        actor: actorOf(ctx),
      });
      notePlanUsage(ctx, ctx.account.id, "shareLinks"); // the 80 % / 100 % email, off the request
      return { share, url: shareService.shareUrl(ctx.baseUrl, token) };
    }),

  update: memberProcedure("editor")
    .input(z.object({ id, expiresAt: epochMs.nullable().optional(), allowTimeRange: z.boolean().optional() }))
    .output(shareSummary)
    .mutation(({ ctx, input }) =>
      shareService.updateShare(ctx.db, {
        accountId: ctx.account.id,
        id: input.id,
        expiresAt: input.expiresAt === undefined ? undefined : input.expiresAt === null ? null : new Date(input.expiresAt),
        allowTimeRange: input.allowTimeRange,
        actor: actorOf(ctx),
      }),
    ),

  pause: memberProcedure("editor")
    .input(z.object({ id }))
    .output(shareSummary)
    .mutation(({ ctx, input }) => shareService.setSharePaused(ctx.db, { accountId: ctx.account.id, id: input.id, paused: true, actor: actorOf(ctx) })),

  resume: memberProcedure("editor")
    .input(z.object({ id }))
    .output(shareSummary)
    .mutation(({ ctx, input }) => shareService.setSharePaused(ctx.db, { accountId: ctx.account.id, id: input.id, paused: false, actor: actorOf(ctx) })),

  regenerate: memberProcedure("editor")
    .input(z.object({ id }))
    .output(withUrl)
    .mutation(async ({ ctx, input }) => {
      const { share, token } = await shareService.regenerateShare(ctx.db, { accountId: ctx.account.id, id: input.id, actor: actorOf(ctx) });
      return { share, url: shareService.shareUrl(ctx.baseUrl, token) };
    }),

  revoke: memberProcedure("editor")
    .input(z.object({ id }))
    .output(z.void())
    .mutation(({ ctx, input }) => shareService.revokeShare(ctx.db, { accountId: ctx.account.id, id: input.id, actor: actorOf(ctx) })),
});
