import { z } from "zod";
import { recordAudit } from "../../audit/service";
import * as twoFactor from "../../two-factor/service";
import { authedProcedure, publicProcedure, router } from "../../trpc";

const code = z.string().trim().min(1, "Enter the code").max(40, "That code is not right.");
const recoveryCodesOutput = z.object({ recoveryCodes: z.array(z.string()) });
const actor = (ctx: { user: { id: string; email: string }; ip: string }) => ({ userId: ctx.user.id, label: ctx.user.email, ip: ctx.ip });

/** Two-factor login (TOTP and recovery codes): Settings → Profile, and the login's second step. */
export const twoFactorRouter = router({
  status: authedProcedure
    .input(z.void())
    .output(z.object({ enabled: z.boolean(), enabledAt: z.date().nullable(), recoveryCodesLeft: z.number() }))
    .query(({ ctx }) => twoFactor.twoFactorStatus(ctx.db, ctx.user.id)),

  /** A new secret and its QR code for the authenticator app (not on until `enable`). */
  setup: authedProcedure
    .input(z.void())
    .output(z.object({ secret: z.string(), otpauthUrl: z.string(), qrCode: z.string() }))
    .mutation(({ ctx }) => twoFactor.setupTwoFactor(ctx.db, ctx.user.id)),

  /** Turns it on with a code from the app; the recovery codes are shown this once. */
  enable: authedProcedure
    .input(z.object({ code }))
    .output(recoveryCodesOutput)
    .mutation(async ({ ctx, input }) => {
      const result = await twoFactor.enableTwoFactor(ctx.db, { userId: ctx.user.id, code: input.code });
      await recordAudit(ctx.db, { accountId: ctx.account.id, actor: actor(ctx), action: "user.two_factor_enabled", target: ctx.user.email });
      return result;
    }),

  /** Turns it off; needs the password or a code. */
  disable: authedProcedure
    .input(
      z
        .object({ password: z.string().max(200).optional(), code: code.optional() })
        .refine((v) => Boolean(v.password || v.code), { message: "Enter your password or a code from your app", path: ["password"] }),
    )
    .output(z.void())
    .mutation(async ({ ctx, input }) => {
      await twoFactor.disableTwoFactor(ctx.db, { userId: ctx.user.id, ...input });
      await recordAudit(ctx.db, { accountId: ctx.account.id, actor: actor(ctx), action: "user.two_factor_disabled", target: ctx.user.email });
    }),

  regenerateRecoveryCodes: authedProcedure
    .input(z.object({ password: z.string().min(1, "Enter your current password").max(200) }))
    .output(recoveryCodesOutput)
    .mutation(async ({ ctx, input }) => {
      const result = await twoFactor.regenerateRecoveryCodes(ctx.db, { userId: ctx.user.id, password: input.password });
      await recordAudit(ctx.db, { accountId: ctx.account.id, actor: actor(ctx), action: "user.recovery_codes_regenerated", target: ctx.user.email });
      return result;
    }),

  /** The login's second step: the challenge from auth.login and a code make the session. */
  verifyLogin: publicProcedure
    .input(z.object({ challenge: z.string().min(10).max(200), code }))
    .output(z.object({ sessionId: z.string(), remember: z.boolean() }))
    .mutation(({ ctx, input }) => twoFactor.verifyLogin(ctx, { ...input, ip: ctx.ip, userAgent: ctx.userAgent })),
});
