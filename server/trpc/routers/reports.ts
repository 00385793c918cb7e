import { z } from "zod";
import * as browse from "../../report/browse";
import * as reportService from "../../report/service";
import { authedProcedure, memberProcedure, router } from "../../trpc";

const reportSummary = z.object({
  name: z.string(),
  lastInstanceAt: z.date().nullable(),
  instanceCount: z.number(),
  bytes: z.number(),
  createdAt: z.date(),
});

const tagsInput = z.array(z.string().max(200)).max(10).default([]);
const nameInput = z.string().min(1).max(200);

/** The web app's Reports pages (session-authenticated; the public API is `report`). */
export const reportsRouter = router({
  overview: authedProcedure
    .input(z.void())
    .output(z.array(reportSummary))
    .query(({ ctx }) => browse.reportSummaries(ctx.db, ctx.account.id)),

  view: authedProcedure
    .input(
      z.object({
        name: nameInput,
        id: z.string().max(64).optional(),
        tags: tagsInput,
        day: z.string().max(10).optional(),
      }),
    )
    .output(
      z.object({
        report: reportSummary,
        instance: z
          .object({
            id: z.string(),
            created: z.date(),
            tags: z.array(z.string()),
            rows: z.array(z.array(z.unknown())),
            header: z.array(z.number()),
            input: z.string(),
            format: z.string(),
            link: z.string().nullable(),
            bytes: z.number(),
            numericColumns: z.array(z.boolean()),
          })
          .nullable(),
        previousId: z.string().nullable(),
        nextId: z.string().nullable(),
      }),
    )
    .query(({ ctx, input }) =>
      browse.viewInstance(ctx.db, { accountId: ctx.account.id, name: input.name, id: input.id, filter: { tags: input.tags, day: input.day } }),
    ),

  days: authedProcedure
    .input(z.object({ name: nameInput, month: z.string().max(7), tags: tagsInput }))
    .output(z.array(z.string()))
    .query(({ ctx, input }) => browse.daysWithData(ctx.db, { accountId: ctx.account.id, ...input })),

  tags: authedProcedure
    .input(z.object({ name: nameInput }))
    .output(z.array(z.string()))
    .query(({ ctx, input }) => browse.recentTags(ctx.db, { accountId: ctx.account.id, name: input.name })),

  deleteInstance: memberProcedure("editor")
    .input(z.object({ name: nameInput, id: z.string().max(64) }))
    .output(z.object({ deleted: z.number() }))
    .mutation(({ ctx, input }) => reportService.deleteInstances(ctx.db, { accountId: ctx.account.id, name: input.name, id: input.id })),

  deleteReport: memberProcedure("editor")
    .input(z.object({ name: nameInput }))
    .output(z.void())
    .mutation(({ ctx, input }) => reportService.deleteReport(ctx.db, { accountId: ctx.account.id, name: input.name })),
});
