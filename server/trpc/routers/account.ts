import { z } from "zod";
import { getAccount, isTimeZone, updatePreferences } from "../../account/service";
import { apiKeyProcedure, authedProcedure, router } from "../../trpc";
import { envelope, ok } from "../../api/envelope";

const accountOutput = z.object({
  name: z.string().meta({ example: "Acme Ops" }),
  plan: z.string().meta({ example: "free" }),
});

export const accountRouter = router({
  /** The session's current account and the user's role in it (web app). */
  current: authedProcedure
    .input(z.void())
    .output(
      z.object({
        account: z.object({ id: z.string(), name: z.string(), plan: z.string() }),
        role: z.enum(["owner", "admin", "editor", "viewer"]),
        user: z.object({
          id: z.string(),
          name: z.string(),
          email: z.string(),
          emailConfirmed: z.boolean(),
          timeZone: z.string(),
          hour12: z.boolean(),
        }),
      }),
    )
    .query(({ ctx }) => ({
      account: ctx.account,
      role: ctx.role,
      user: {
        id: ctx.user.id,
        name: ctx.user.name,
        email: ctx.user.email,
        emailConfirmed: ctx.user.emailConfirmedAt !== null,
        timeZone: ctx.user.timeZone ?? "UTC",
        hour12: ctx.user.hour12 ?? false,
      },
    })),

  /** Settings → Preferences: how times are shown to this user (charts' time axis). */
  updatePreferences: authedProcedure
    .input(
      z.object({
        timeZone: z.string().max(100).refine(isTimeZone, "Choose a time zone from the list"),
        hour12: z.boolean(),
      }),
    )
    .output(z.void())
    .mutation(({ ctx, input }) => updatePreferences(ctx.db, { userId: ctx.user.id, ...input })),

  /** Public API: the account the API key belongs to. */
  get: apiKeyProcedure("read")
    .meta({
      openapi: {
        method: "GET",
        path: "/account",
        tags: ["Account"],
        summary: "Get the key's account",
        description: "Returns the name and plan of the account the API key belongs to. Needs a key with the read or full scope.",
        protect: true,
      },
    })
    .input(z.object({}))
    .output(envelope(accountOutput))
    .query(async ({ ctx }) => {
      const { name, plan } = await getAccount(ctx.db, ctx.accountId);
      return ok({ name, plan });
    }),
});
