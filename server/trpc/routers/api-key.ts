import { z } from "zod";
import { apiKeyScopes } from "../../../db/schema";
import * as apiKeyService from "../../api-key/service";
import { memberProcedure, router } from "../../trpc";

const keySummary = z.object({
  id: z.string(),
  name: z.string(),
  scope: z.enum(apiKeyScopes),
  prefix: z.string(),
  createdAt: z.date(),
  lastUsedAt: z.date().nullable(),
});

/** Settings → API keys. Editors and above; viewers can neither see nor manage keys. */
export const apiKeyRouter = router({
  list: memberProcedure("editor")
    .input(z.void())
    .output(z.array(keySummary.extend({ requestsToday: z.number(), requests30Days: z.number() })))
    .query(async ({ ctx }) => {
      await ctx.usage.flush();
      return apiKeyService.listApiKeys(ctx.db, ctx.account.id);
    }),

  create: memberProcedure("editor")
    .input(
      z.object({
        name: z.string().trim().min(1, "Give the key a name, e.g. where it is used").max(100, "Use at most 100 characters"),
        scope: z.enum(apiKeyScopes, { message: "Choose ingest, read or full" }),
      }),
    )
    .output(z.object({ key: z.string(), apiKey: keySummary }))
    .mutation(({ ctx, input }) =>
      apiKeyService.createApiKey(ctx.db, { accountId: ctx.account.id, name: input.name, scope: input.scope, createdBy: ctx.user.id }),
    ),

  revoke: memberProcedure("editor")
    .input(z.object({ id: z.uuid({ message: "Unknown API key" }) }))
    .output(z.void())
    .mutation(({ ctx, input }) => apiKeyService.revokeApiKey(ctx.db, { accountId: ctx.account.id, id: input.id })),
});
