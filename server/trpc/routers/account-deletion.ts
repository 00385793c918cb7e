import { z } from "zod";
import { cancelDeletion, deletionStatus, scheduleDeletion } from "../../account/deletion";
import { authedProcedure, memberProcedure, router } from "../../trpc";

const actor = (ctx: { user: { id: string; email: string }; ip: string }) => ({ userId: ctx.user.id, label: ctx.user.email, ip: ctx.ip });

/** Deleting the account (Settings → Account): every member sees the status, only owners act. */
export const accountDeletionRouter = router({
  status: authedProcedure
    .input(z.void())
    .output(z.object({ scheduledAt: z.date().nullable(), requestedBy: z.string().nullable(), due: z.boolean() }))
    .query(({ ctx }) => deletionStatus(ctx.db, ctx.account.id)),

  /** Schedules the deletion 14 days from now; `confirmName` must be the account's name. */
  schedule: memberProcedure("owner")
    .input(z.object({ confirmName: z.string().trim().min(1, "Type the account's name to confirm").max(200) }))
    .output(z.object({ scheduledAt: z.date() }))
    .mutation(({ ctx, input }) =>
      scheduleDeletion(ctx, { accountId: ctx.account.id, userId: ctx.user.id, confirmName: input.confirmName, actor: actor(ctx), baseUrl: ctx.baseUrl }),
    ),

  cancel: memberProcedure("owner")
    .input(z.void())
    .output(z.void())
    .mutation(({ ctx }) => cancelDeletion(ctx, { accountId: ctx.account.id, userId: ctx.user.id, actor: actor(ctx) })),
});
