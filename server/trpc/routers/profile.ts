import { z } from "zod";
import * as profileService from "../../profile/service";
import { authedProcedure, publicProcedure, router } from "../../trpc";
import { recordAudit } from "../../audit/service";
import { emailInput, newPasswordInput } from "./auth";

const passwordInput = z.string().min(1, "Enter your current password").max(200, "Your current password is not correct.");

/** Settings → Profile: the login's email and password. */
export const profileRouter = router({
  get: authedProcedure
    .input(z.void())
    .output(
      z.object({
        name: z.string(),
        email: z.string(),
        emailConfirmed: z.boolean(),
        pendingEmail: z.object({ email: z.string(), expiresAt: z.date() }).nullable(),
      }),
    )
    .query(async ({ ctx }) => ({
      name: ctx.user.name,
      email: ctx.user.email,
      emailConfirmed: ctx.user.emailConfirmedAt !== null,
      pendingEmail: await profileService.pendingEmailChange(ctx.db, ctx.user.id),
    })),

  /** Emails a link (24 hours) to the new address; the login's email changes when it is opened. */
  requestEmailChange: authedProcedure
    .input(z.object({ newEmail: emailInput, password: passwordInput }))
    .output(z.object({ pendingEmail: z.string(), expiresAt: z.date() }))
    .mutation(({ ctx, input }) =>
      profileService.requestEmailChange(ctx, { userId: ctx.user.id, newEmail: input.newEmail, password: input.password, baseUrl: ctx.baseUrl }),
    ),

  cancelEmailChange: authedProcedure
    .input(z.void())
    .output(z.void())
    .mutation(({ ctx }) => profileService.cancelEmailChange(ctx.db, ctx.user.id)),

  /** The emailed link (no login needed: the token proves the new address). */
  confirmEmailChange: publicProcedure
    .input(z.object({ token: z.string().min(10, "The link is incomplete").max(200, "The link is malformed") }))
    .output(z.object({ email: z.string() }))
    .mutation(({ ctx, input }) => profileService.confirmEmailChange(ctx.db, input)),

  /** A new password; every other session of the user ends, this one stays. */
  changePassword: authedProcedure
    .input(z.object({ currentPassword: passwordInput, newPassword: newPasswordInput }))
    .output(z.object({ endedSessions: z.number() }))
    .mutation(async ({ ctx, input }) => {
      const result = await profileService.changePassword(ctx.db, {
        userId: ctx.user.id,
        currentSessionId: ctx.session.id,
        currentPassword: input.currentPassword,
        newPassword: input.newPassword,
      });
      await recordAudit(ctx.db, {
        accountId: ctx.account.id,
        actor: { userId: ctx.user.id, label: ctx.user.email, ip: ctx.ip },
        action: "user.password_changed",
        details: { endedSessions: result.endedSessions },
      });
      return result;
    }),
});
