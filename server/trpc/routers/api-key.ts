import { z } from "zod";
import { apiKeyScopes } from "../../../db/schema";
import * as apiKeyService from "../../api-key/service";
import { recordAudit, userActor } from "../../audit/service";
import { memberProcedure, router } from "../../trpc";

const keySummary = z.object({
  id: z.string(),
  name: z.string(),
  scope: z.enum(apiKeyScopes),
  prefix: z.string(),
  createdAt: z.date(),
  lastUsedAt: z.date().nullable(),
});

/**
 * Settings → API keys. Keys are the account's credentials: editors may see the list (names,
 * prefixes, use), admins and owners create and revoke them; viewers can neither see nor manage keys.
 */
export const apiKeyRouter = router({
  list: memberProcedure("editor")
    .input(z.void())
    .output(z.array(keySummary.extend({ requestsToday: z.number(), requests30Days: z.number() })))
    .query(async ({ ctx }) => {
      await ctx.usage.flush();
      return apiKeyService.listApiKeys(ctx.db, ctx.account.id);
    }),

  create: memberProcedure("admin")
    .input(
      z.object({
        name: z.string().trim().min(1, "Give the key a name, e.g. where it is used").max(100, "Use at most 100 characters"),
        scope: z.enum(apiKeyScopes, { message: "Choose ingest, read or full" }),
      }),
    )
    .output(z.object({ key: z.string(), apiKey: keySummary }))
    .mutation(async ({ ctx, input }) => {
      const created = await apiKeyService.createApiKey(ctx.db, { accountId: ctx.account.id, name: input.name, scope: input.scope, createdBy: ctx.user.id });
      const { name, scope, prefix } = created.apiKey;
      await recordAudit(ctx.db, { accountId: ctx.account.id, actor: userActor(ctx), action: "api_key.created", target: name, details: { name, scope, prefix } });
      return created;
    }),

  revoke: memberProcedure("admin")
    .input(z.object({ id: z.uuid({ message: "Unknown API key" }) }))
    .output(z.void())
    .mutation(async ({ ctx, input }) => {
      const { name, prefix } = await apiKeyService.revokeApiKey(ctx.db, { accountId: ctx.account.id, id: input.id });
      await recordAudit(ctx.db, { accountId: ctx.account.id, actor: userActor(ctx), action: "api_key.revoked", target: name, details: { name, prefix } });
    }),
});
