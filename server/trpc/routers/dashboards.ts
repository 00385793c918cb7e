import { z } from "zod";
import * as dashboardService from "../../dashboard/service";
import { guessSpec } from "../../dashboard/guess";
import { dashboardModel, dashboardSettings, seriesSpec, tileLayout } from "../../dashboard/model";
import { tileData } from "../../dashboard/tile-data";
import { badRequest } from "../../errors";
import * as browse from "../../report/browse";
import { authedProcedure, memberProcedure, router } from "../../trpc";
import { notePlanUsage } from "../../plan/mail";

const id = z.string().min(1).max(64);
const name = z.string().trim().min(1, "Give the dashboard a name").max(100, "Use at most 100 characters");
const layoutChange = z.object({ id, layout: tileLayout });
/**
 * Only the settings given: dashboardSettings.partial() would still fill in the defaults of the
 * ones left out (zod 4 applies a default inside optional), resetting them on every update.
 */
const settingsPatch = z.object({
  removeStaleAfterSeconds: dashboardSettings.shape.removeStaleAfterSeconds.unwrap().optional(),
  syncYAxes: dashboardSettings.shape.syncYAxes.unwrap().optional(),
  syncXAxes: dashboardSettings.shape.syncXAxes.unwrap().optional(),
});

const tileView = z.object({
  id: z.string(),
  config: z.record(z.string(), z.unknown()),
  layout: tileLayout,
  masterId: z.string().nullable(),
  tagValue: z.string().nullable(),
});
const pointsSchema = z.array(z.tuple([z.number(), z.number()]));
const tileDataSchema = z.object({
  tileId: z.string(),
  title: z.string(),
  titleLink: z.string().nullable(),
  kind: z.string(),
  draw: z.string(),
  from: z.number().nullable(),
  to: z.number(),
  series: z.array(z.object({ name: z.string(), color: z.string(), points: pointsSchema })),
  table: z.object({ rows: z.array(z.array(z.unknown())), header: z.array(z.number()), created: z.number() }).nullable(),
  content: z.string().nullable(),
  previous: z.array(z.number().nullable()).nullable(),
  newest: z.number().nullable(),
});
const epochMs = z.number().min(0).max(8.64e15);

/** The web app's dashboards (session-authenticated; the public API is `dashboard`). Viewers read; editors change. */
export const dashboardsRouter = router({
  list: authedProcedure
    .input(z.void())
    .output(z.array(z.object({ id: z.string(), name: z.string(), position: z.number(), tileCount: z.number() })))
    .query(async ({ ctx }) => {
      await dashboardService.ensureDefaultDashboard(ctx.db, ctx.account.id);
      return dashboardService.listDashboards(ctx.db, ctx.account.id);
    }),

  get: authedProcedure
    .input(z.object({ id }))
    .output(z.object({ id: z.string(), name: z.string(), settings: dashboardSettings, layoutVersion: z.number(), tiles: z.array(tileView) }))
    .query(({ ctx, input }) => dashboardService.getDashboard(ctx.db, { accountId: ctx.account.id, id: input.id })),

  create: memberProcedure("editor")
    .input(z.object({ name }))
    .output(z.object({ id: z.string(), name: z.string(), position: z.number(), tileCount: z.number() }))
    .mutation(async ({ ctx, input }) => {
      const created = await dashboardService.createDashboard(ctx.db, { accountId: ctx.account.id, name: input.name });
      notePlanUsage(ctx, ctx.account.id, "dashboards"); // the 80 % / 100 % email, off the request
      return created;
    }),

  rename: memberProcedure("editor")
    .input(z.object({ id, name }))
    .output(z.void())
    .mutation(({ ctx, input }) => dashboardService.renameDashboard(ctx.db, { accountId: ctx.account.id, ...input })),

  delete: memberProcedure("editor")
    .input(z.object({ id }))
    .output(z.void())
    .mutation(({ ctx, input }) => dashboardService.deleteDashboard(ctx.db, { accountId: ctx.account.id, id: input.id })),

  reorder: memberProcedure("editor")
    .input(z.object({ ids: z.array(id).min(1).max(dashboardService.MAX_DASHBOARDS) }))
    .output(z.void())
    .mutation(({ ctx, input }) => dashboardService.reorderDashboards(ctx.db, { accountId: ctx.account.id, ids: input.ids })),

  updateSettings: memberProcedure("editor")
    .input(z.object({ id, settings: settingsPatch }))
    .output(dashboardSettings)
    .mutation(({ ctx, input }) => dashboardService.updateDashboardSettings(ctx.db, { accountId: ctx.account.id, ...input })),

  updateLayout: memberProcedure("editor")
    .input(z.object({ id, baseVersion: z.number().int().min(0), changes: z.array(layoutChange).max(500) }))
    .output(z.object({ version: z.number(), retried: z.boolean(), tiles: z.array(layoutChange) }))
    .mutation(({ ctx, input }) =>
      dashboardService.updateLayout(ctx.db, { accountId: ctx.account.id, dashboardId: input.id, baseVersion: input.baseVersion, changes: input.changes }),
    ),

  createTile: memberProcedure("editor")
    .input(z.object({ dashboardId: id, config: z.record(z.string(), z.unknown()) }))
    .output(tileView)
    .mutation(async ({ ctx, input }) => {
      const tile = await dashboardService.createTile(ctx.db, { accountId: ctx.account.id, dashboardId: input.dashboardId, config: input.config });
      ctx.automatic.invalidate(ctx.account.id);
      return tile;
    }),

  updateTile: memberProcedure("editor")
    .input(z.object({ tileId: id, config: z.record(z.string(), z.unknown()) }))
    .output(tileView)
    .mutation(async ({ ctx, input }) => {
      const tile = await dashboardService.updateTile(ctx.db, { accountId: ctx.account.id, ...input });
      ctx.automatic.invalidate(ctx.account.id);
      return tile;
    }),

  deleteTile: memberProcedure("editor")
    .input(z.object({ tileId: id }))
    .output(z.void())
    .mutation(({ ctx, input }) => dashboardService.deleteTile(ctx.db, { accountId: ctx.account.id, tileId: input.tileId })),

  moveTile: memberProcedure("editor")
    .input(z.object({ tileId: id, dashboardId: id }))
    .output(tileView)
    .mutation(({ ctx, input }) => dashboardService.moveTile(ctx.db, { accountId: ctx.account.id, ...input })),

  tile: authedProcedure
    .input(z.object({ tileId: id }))
    .output(tileView.extend({ dashboardId: z.string() }))
    .query(({ ctx, input }) => dashboardService.getTile(ctx.db, { accountId: ctx.account.id, tileId: input.tileId })),

  /** A tile's points; `after` (epoch ms) gives only newer ones, for live updates. */
  tileData: authedProcedure
    .input(z.object({ tileId: id, after: epochMs.optional(), from: epochMs.optional(), to: epochMs.optional() }))
    .output(tileDataSchema)
    .query(({ ctx, input }) =>
      tileData(ctx.db, {
        accountId: ctx.account.id,
        tileId: input.tileId,
        after: input.after !== undefined ? new Date(input.after) : undefined,
        from: input.from !== undefined ? new Date(input.from) : undefined,
        to: input.to !== undefined ? new Date(input.to) : undefined,
      }),
    ),

  /** The tile editor: the spec proposed for a clicked cell of the newest instance. */
  guessSeries: authedProcedure
    .input(z.object({ report: z.string().min(1).max(200), tags: z.array(z.string().max(200)).max(10).default([]), row: z.number().int().min(0), column: z.number().int().min(0) }))
    .output(seriesSpec)
    .query(async ({ ctx, input }) => {
      const view = await browse.viewInstance(ctx.db, { accountId: ctx.account.id, name: input.report, filter: { tags: input.tags } });
      if (!view.instance) return { column: input.column, filterColumn: -1, op: "equals" as const, value: "0" };
      try {
        return guessSpec({ rows: view.instance.rows, header: view.instance.header }, input.row, input.column);
      } catch (error) {
        if (error instanceof RangeError) throw badRequest("Click a cell of the table body (not the header) to chart it");
        throw error;
      }
    }),

  export: authedProcedure
    .input(z.object({ id }))
    .output(dashboardModel.extend({ id: z.string() }))
    .query(({ ctx, input }) => dashboardService.exportDashboard(ctx.db, { accountId: ctx.account.id, id: input.id })),

  import: memberProcedure("editor")
    .input(z.object({ model: dashboardModel }))
    .output(dashboardModel.extend({ id: z.string() }))
    .mutation(async ({ ctx, input }) => {
      const model = await dashboardService.importDashboard(ctx.db, { accountId: ctx.account.id, model: input.model });
      ctx.automatic.invalidate(ctx.account.id);
      notePlanUsage(ctx, ctx.account.id, "dashboards"); // the 80 % / 100 % email, off the request
      return model;
    }),
});
