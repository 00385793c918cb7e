/**
 * The operators' side (/admin): policies and their broadcasts, the access log, accounts, API
 * usage, email templates. Every procedure is an adminProcedure (users.is_admin): UNAUTHORIZED
 * without a session, FORBIDDEN for everyone else (tests/integration/admin.test.ts checks each).
 */
import { z } from "zod";
import { policyDocuments } from "../../../db/schema";
import { getAccountDetail, listAccounts, usageReport } from "../../admin/service";
import { searchAccessLog } from "../../access-log/service";
import { emailTemplates, renderTemplateSamples } from "../../mail/templates";
import * as policy from "../../policy/service";
import { adminProcedure, router } from "../../trpc";

const documentInput = z.enum(policyDocuments, { message: "Choose privacy or terms" });
const cursorInput = z.string().max(500).nullish();
const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .optional()
    .transform((v) => (v ? v : undefined));

export const adminRouter = router({
  /** /admin/policies: every version with its broadcast's progress, the current text and drafts. */
  policies: adminProcedure.input(z.void()).query(async ({ ctx }) => {
    const [versions, privacy, terms, privacyDraft, termsDraft] = await Promise.all([
      policy.listVersions(ctx.db),
      policy.currentPolicy(ctx.db, "privacy"),
      policy.currentPolicy(ctx.db, "terms"),
      policy.getDraft(ctx.db, "privacy"),
      policy.getDraft(ctx.db, "terms"),
    ]);
    const users = await policy.countUsers(ctx.db);
    return { versions, current: { privacy, terms }, drafts: { privacy: privacyDraft, terms: termsDraft }, users };
  }),

  /** One published version's text. */
  policyVersion: adminProcedure
    .input(z.object({ document: documentInput, version: z.number().int().min(1) }))
    .query(({ ctx, input }) => policy.getVersion(ctx.db, input.document, input.version)),

  saveDraft: adminProcedure
    .input(z.object({ document: documentInput, body: z.string().max(policy.MAX_POLICY_BYTES), summary: z.string().max(policy.MAX_SUMMARY_CHARS) }))
    .mutation(({ ctx, input }) => policy.saveDraft(ctx.db, { ...input, by: ctx.user.email })),

  discardDraft: adminProcedure
    .input(z.object({ document: documentInput }))
    .mutation(({ ctx, input }) => policy.discardDraft(ctx.db, input.document)),

  /** Publishes a new version and queues the policy-change email to every user. */
  publish: adminProcedure
    .input(
      z.object({
        document: documentInput,
        body: z.string().trim().min(1, "The document is empty").max(policy.MAX_POLICY_BYTES),
        summary: z.string().trim().min(1, "Write a short summary of what changed").max(policy.MAX_SUMMARY_CHARS),
        expectedVersion: z.number().int().min(0),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const published = await policy.publishPolicy(ctx.db, { ...input, by: ctx.user.email });
      ctx.policyBroadcast?.poke();
      return published;
    }),

  /** A broadcast's live progress and its failures (the admin page polls this). */
  broadcast: adminProcedure
    .input(z.object({ versionId: z.uuid() }))
    .query(async ({ ctx, input }) => {
      const progress = (await policy.broadcastProgress(ctx.db, [input.versionId])).get(input.versionId)!;
      return { progress, failures: await policy.listFailures(ctx.db, input.versionId) };
    }),

  retryFailed: adminProcedure
    .input(z.object({ versionId: z.uuid() }))
    .mutation(async ({ ctx, input }) => {
      const retried = await policy.retryFailed(ctx.db, input.versionId);
      ctx.policyBroadcast?.poke();
      return { retried };
    }),

  /** /admin/access-log: one page, newest first. */
  accessLog: adminProcedure
    .input(
      z.object({
        from: z.coerce.date().optional(),
        to: z.coerce.date().optional(),
        ip: optionalText(100),
        accountId: z.uuid({ message: "An account id looks like 0190f7a0-…" }).optional(),
        urlPrefix: optionalText(2000),
        status: optionalText(10),
        cursor: cursorInput,
        limit: z.number().int().min(1).max(500).optional(),
      }),
    )
    .query(async ({ ctx, input }) => {
      await ctx.accessLog.flush();
      return searchAccessLog(ctx.db, input);
    }),

  /** /admin/accounts: accounts with their counts, newest first. */
  accounts: adminProcedure
    .input(z.object({ q: optionalText(200), cursor: cursorInput }))
    .query(({ ctx, input }) => listAccounts(ctx.db, input)),

  /** /admin/accounts/<id>: counts, members, usage per day and recent errors; no report contents. */
  account: adminProcedure.input(z.object({ id: z.uuid({ message: "Unknown account" }) })).query(async ({ ctx, input }) => {
    await Promise.all([ctx.usage.flush(), ctx.accessLog.flush()]);
    const [account, errors] = await Promise.all([
      getAccountDetail(ctx.db, input.id),
      searchAccessLog(ctx.db, { accountId: input.id, status: "errors", limit: 50 }),
    ]);
    return { account, recentErrors: errors.rows };
  }),

  /** /admin/usage: de-identified API requests per day, per plan and per key id. */
  usage: adminProcedure.input(z.object({ days: z.number().int().min(1).max(90).default(30) })).query(async ({ ctx, input }) => {
    await ctx.usage.flush();
    return usageReport(ctx.db, { days: input.days });
  }),

  /** /admin/emails: every template rendered with its sample data (HTML and text). */
  emails: adminProcedure.input(z.void()).query(() =>
    Promise.all(
      emailTemplates.map(async (t) => ({ file: t.file, title: t.title, samples: await renderTemplateSamples(t) })),
    ),
  ),
});
