import { z } from "zod";
import { tileLayout } from "../../dashboard/model";
import { visitorDashboard } from "../../share/visitor";
import { publicProcedure, router } from "../../trpc";

/** A token as it appears in a link; anything else is simply "not available" (never a hint). */
const token = z.string().max(200);
const epochMs = z.number().int().min(0).max(8.64e15);
const pointsSchema = z.array(z.tuple([z.number(), z.number()]));

const visitorTile = z.object({
  id: z.string(),
  masterId: z.string().nullable(),
  layout: tileLayout,
  data: z.object({
    tileId: z.string(),
    title: z.string(),
    titleLink: z.null(),
    kind: z.enum(["range", "latest", "content"]),
    draw: z.enum(["line", "spline", "area", "stacked", "table", "bar", "column", "value", "text", "markdown"]),
    from: z.number().nullable(),
    to: z.number(),
    series: z.array(z.object({ name: z.string(), color: z.string(), points: pointsSchema })),
    table: z.object({ rows: z.array(z.array(z.unknown())), header: z.array(z.number()), created: z.number() }).nullable(),
    content: z.string().nullable(),
    previous: z.array(z.number().nullable()).nullable(),
    newest: z.number().nullable(),
  }),
});
const visitorDashboardSchema = z.object({
  name: z.string(),
  allowTimeRange: z.boolean(),
  settings: z.object({ syncYAxes: z.boolean(), syncXAxes: z.boolean() }),
  range: z.object({ from: z.number().nullable(), to: z.number().nullable() }),
  tiles: z.array(visitorTile),
});
/** Tile id → newest point shown (epoch ms), for live updates. */
const afterMap = z
  .record(z.string().max(64), epochMs)
  .refine((m) => Object.keys(m).length <= 500, "at most 500 tiles")
  .optional();

/**
 * What a public link's visitor (no account) may call: only with the link's token, checked on
 * every call (revoked, paused, expired or unknown: NOT_FOUND "This link is not available"), rate
 * limited per IP and link (TOO_MANY_REQUESTS), and only about that link's dashboard. The owner's
 * side is `shares`.
 */
export const shareRouter = router({
  /** A page view (counted): the dashboard's name, options, layout and every tile's data. */
  view: publicProcedure
    .input(z.object({ token, from: epochMs.optional(), to: epochMs.optional() }))
    .output(visitorDashboardSchema)
    .query(({ ctx, input }) => visitorDashboard(ctx.db, { token: input.token, ip: ctx.ip, countView: true, from: input.from, to: input.to })),

  /** Live updates (not counted): every tile of the dashboard, range tiles only newer than `after[tileId]`. */
  tiles: publicProcedure
    .input(z.object({ token, after: afterMap, from: epochMs.optional(), to: epochMs.optional() }))
    .output(visitorDashboardSchema)
    .query(({ ctx, input }) => visitorDashboard(ctx.db, { token: input.token, ip: ctx.ip, after: input.after, from: input.from, to: input.to })),
});
