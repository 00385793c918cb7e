import { z } from "zod";
import * as authService from "../../auth/service";
import { authedProcedure, publicProcedure, router } from "../../trpc";

export const emailInput = z
  .string()
  .trim()
  .max(254, "Email is too long")
  .pipe(z.email({ message: "Enter a valid email address" }));
export const newPasswordInput = z
  .string()
  .min(8, "Use at least 8 characters for the password")
  .max(200, "Use at most 200 characters for the password");
const tokenInput = z.string().min(10, "The link is incomplete").max(200, "The link is malformed");

const sessionOutput = z.object({ sessionId: z.string(), remember: z.boolean() });
/** A session, or (two-factor login) the challenge that a code completes (twoFactor.verifyLogin). */
const loginOutput = z.union([sessionOutput, z.object({ twoFactorChallenge: z.string(), remember: z.boolean() })]);

export const authRouter = router({
  register: publicProcedure
    .input(
      z.object({
        name: z.string().trim().min(1, "Enter your name").max(100, "Use at most 100 characters for the name"),
        email: emailInput,
        password: newPasswordInput,
      }),
    )
    .output(sessionOutput)
    .mutation(({ ctx, input }) => authService.register(ctx, { ...input, baseUrl: ctx.baseUrl, userAgent: ctx.userAgent })),

  login: publicProcedure
    .input(
      z.object({
        email: z.string().trim().min(1, "Enter your email address").max(254, "Email is too long"),
        password: z.string().min(1, "Enter your password").max(200, "Wrong email or password."),
        remember: z.boolean().default(false),
      }),
    )
    .output(loginOutput)
    .mutation(({ ctx, input }) => authService.login(ctx, { ...input, ip: ctx.ip, userAgent: ctx.userAgent })),

  logout: publicProcedure
    .input(z.void())
    .output(z.void())
    .mutation(async ({ ctx }) => {
      if (ctx.session) await authService.logout(ctx, ctx.session.id);
    }),

  requestPasswordReset: publicProcedure
    .input(z.object({ email: emailInput }))
    .output(z.void())
    .mutation(({ ctx, input }) => authService.requestPasswordReset(ctx, { email: input.email, baseUrl: ctx.baseUrl })),

  checkResetToken: publicProcedure
    .input(z.object({ token: z.string().max(200) }))
    .output(z.object({ usable: z.boolean() }))
    .query(async ({ ctx, input }) => ({ usable: await authService.isResetTokenUsable(ctx, input.token) })),

  resetPassword: publicProcedure
    .input(z.object({ token: tokenInput, password: newPasswordInput }))
    .output(loginOutput)
    .mutation(({ ctx, input }) => authService.resetPassword(ctx, { ...input, userAgent: ctx.userAgent })),

  confirmEmail: publicProcedure
    .input(z.object({ token: tokenInput }))
    .output(z.object({ email: z.string() }))
    .mutation(({ ctx, input }) => authService.confirmEmail(ctx, input)),

  resendConfirmation: authedProcedure
    .input(z.void())
    .output(z.void())
    .mutation(({ ctx }) => authService.requestEmailConfirmation(ctx, { userId: ctx.user.id, baseUrl: ctx.baseUrl })),
});
