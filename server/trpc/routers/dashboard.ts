import { z } from "zod";
import { envelope, jsonBoolean, ok } from "../../api/envelope";
import { badRequest } from "../../errors";
import * as dashboardService from "../../dashboard/service";
import { dashboardModel, dashboardSettings, tileModel } from "../../dashboard/model";
import { tileData } from "../../dashboard/tile-data";
import { parseDatetime } from "../../report/params";
import { publicId } from "../../report/ids";
import * as shareService from "../../share/service";
import { apiKeyProcedure, router } from "../../trpc";
import { notePlanUsage } from "../../plan/mail";

const idParam = z.string().max(200).meta({ description: "Dashboard id (32 hex characters; any UUID spelling)" });

const storedTile = tileModel.extend({ id: z.string(), layout: tileModel.shape.layout.unwrap() });
const storedModel = z
  .object({ id: z.string(), name: z.string(), settings: dashboardSettings, tiles: z.array(storedTile) })
  .meta({
    id: "Dashboard",
    example: {
      id: "01936f3e8b7a7c2e9d4f5a6b7c8d9e0f",
      name: "Servers",
      settings: { removeStaleAfterSeconds: null, syncYAxes: false, syncXAxes: false },
      tiles: [
        {
          id: "01936f3e8b7a7c2e9d4f5a6b7c8d9e10",
          report: "diskfree",
          tags: ["host:web1"],
          kind: "range",
          draw: "line",
          rangeSeconds: 604800,
          title: "Disk use",
          series: [{ column: 4, filterColumn: 5, op: "equals", value: "/", name: "/", color: "#4E79A7" }],
          autoSeries: false,
          layout: { x: 0, y: 0, w: 4, h: 4 },
        },
      ],
    },
  });
const modelInput = dashboardModel.meta({ description: "The JSON model; tile ids are ignored on import" });

const dashboardPath = (baseUrl: string, id: string) => `${baseUrl}/api/v1/dashboards/${id}`;

/**
 * An invalid model's message, naming the tile and the field like the service's own
 * ("Tile 2 (Disk): layout: x + w must be at most 12"); other fields as `name: …`.
 */
function modelIssueMessage(issue: z.core.$ZodIssue | undefined, raw: unknown): string {
  if (!issue) return "Invalid dashboard model";
  const [first, index, ...rest] = issue.path;
  if (first === "tiles" && typeof index === "number") {
    const title = (raw as { tiles?: { title?: unknown }[] } | null)?.tiles?.[index]?.title;
    const label = `Tile ${index + 1}${typeof title === "string" && title ? ` (${title.slice(0, 100)})` : ""}`;
    return `${label}: ${rest.length ? `${rest.join(".")}: ` : ""}${issue.message}`;
  }
  return `${issue.path.length ? `${issue.path.join(".")}: ` : ""}${issue.message}`;
}

/**
 * The public API adapter answers every input validation error with only "Input validation
 * failed"; dashboards.md wants invalid models answered with a 400 naming the tile and the field.
 */
const modelProcedure = apiKeyProcedure("full").use(async ({ next, getRawInput }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof z.ZodError) {
    throw badRequest(modelIssueMessage(result.error.cause.issues[0], await getRawInput()));
  }
  return result;
});

/** Dashboards as code (dashboards.md): read keys may GET, full keys may do everything. */
export const dashboardRouter = router({
  list: apiKeyProcedure("read")
    .meta({ openapi: { method: "GET", path: "/dashboards", tags: ["Dashboards"], summary: "List dashboards", description: "The account's dashboards in tab order.", protect: true } })
    .input(z.object({}))
    .output(envelope(z.array(z.object({ id: z.string(), name: z.string(), href: z.string() }))))
    .query(async ({ ctx }) => {
      await dashboardService.ensureDefaultDashboard(ctx.db, ctx.accountId);
      const list = await dashboardService.listDashboards(ctx.db, ctx.accountId);
      return ok(list.map((d) => ({ id: d.id.replace(/-/g, ""), name: d.name, href: dashboardPath(ctx.baseUrl, d.id.replace(/-/g, "")) })));
    }),

  get: apiKeyProcedure("read")
    .meta({ openapi: { method: "GET", path: "/dashboards/{id}", tags: ["Dashboards"], summary: "Get a dashboard as its JSON model", protect: true } })
    .input(z.object({ id: idParam }))
    .output(envelope(storedModel))
    .query(async ({ ctx, input }) => ok(await dashboardService.exportDashboard(ctx.db, { accountId: ctx.accountId, id: input.id }))),

  create: modelProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/dashboards",
        tags: ["Dashboards"],
        summary: "Create a dashboard from a JSON model (import)",
        description: "Unknown reports, out-of-range columns and invalid layouts are answered with 400 naming the tile and the field. Needs a full key.",
        protect: true,
      },
    })
    .input(modelInput)
    .output(envelope(storedModel))
    .mutation(async ({ ctx, input }) => {
      const model = await dashboardService.importDashboard(ctx.db, { accountId: ctx.accountId, model: input });
      ctx.automatic.invalidate(ctx.accountId);
      notePlanUsage(ctx, ctx.accountId, "dashboards"); // the 80 % / 100 % email, off the request
      return ok(model);
    }),

  replace: modelProcedure
    .meta({
      openapi: {
        method: "PUT",
        path: "/dashboards/{id}",
        tags: ["Dashboards"],
        summary: "Replace a dashboard with a JSON model",
        description: "Replaces the name, settings and every tile. Needs a full key.",
        protect: true,
      },
    })
    .input(modelInput.omit({ id: true }).extend({ id: idParam }))
    .output(envelope(storedModel))
    .mutation(async ({ ctx, input }) => {
      const { id, ...model } = input;
      const replaced = await dashboardService.replaceDashboard(ctx.db, { accountId: ctx.accountId, id, model });
      ctx.automatic.invalidate(ctx.accountId);
      return ok(replaced);
    }),

  delete: apiKeyProcedure("full")
    .meta({ openapi: { method: "DELETE", path: "/dashboards/{id}", tags: ["Dashboards"], summary: "Delete a dashboard", description: "Needs a full key.", protect: true } })
    .input(z.object({ id: idParam }))
    .output(z.object({ success: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await dashboardService.deleteDashboard(ctx.db, { accountId: ctx.accountId, id: input.id });
      return { success: true as const };
    }),

  tileData: apiKeyProcedure("read")
    .meta({
      openapi: {
        method: "GET",
        path: "/dashboards/{id}/tiles/{tileId}/data",
        tags: ["Dashboards"],
        summary: "A tile's computed data",
        description: "The title and each series' points `[createdIso, value]`, oldest first, for the tile's range or for from/to.",
        protect: true,
      },
    })
    .input(
      z.object({
        id: idParam,
        tileId: z.string().max(200).meta({ description: "Tile id" }),
        from: z.string().optional().meta({ description: "Start of the range (ISO 8601); default: the tile's range before `to`", example: "2026-11-22T00:00:00Z" }),
        to: z.string().optional().meta({ description: "End of the range (ISO 8601); default: now", example: "2026-11-29T00:00:00Z" }),
      }),
    )
    .output(
      envelope(
        z.object({
          title: z.string().meta({ example: "diskfree (/, /home)" }),
          series: z.array(z.object({ name: z.string(), points: z.array(z.tuple([z.string(), z.number()])) })).meta({
            example: [{ name: "/", points: [["2026-11-29T12:00:00.000Z", 64]] }],
          }),
        }),
      ),
    )
    .query(async ({ ctx, input }) => {
      const tile = await dashboardService.getTile(ctx.db, { accountId: ctx.accountId, tileId: input.tileId });
      const dashboard = await dashboardService.getDashboard(ctx.db, { accountId: ctx.accountId, id: input.id });
      if (tile.dashboardId !== dashboard.id) return notOnDashboard();
      const data = await tileData(ctx.db, {
        accountId: ctx.accountId,
        tileId: input.tileId,
        from: input.from ? parseDatetime("from", input.from) : undefined,
        to: input.to ? parseDatetime("to", input.to) : undefined,
      });
      return ok({
        title: data.title,
        series: data.series.map((s) => ({ name: s.name, points: s.points.map(([t, v]) => [new Date(t).toISOString(), v] as [string, number]) })),
      });
    }),

  createShare: apiKeyProcedure("full")
    .meta({
      openapi: {
        method: "POST",
        path: "/dashboards/{id}/shares",
        tags: ["Dashboards"],
        summary: "Create a public link to a dashboard",
        description:
          "A read-only link anyone can open without an account. The URL (with its token) is returned this once: only a hash is stored. Needs a full key.",
        protect: true,
      },
    })
    .input(
      z.object({
        id: idParam,
        expiresAt: z.string().max(100).nullable().optional().meta({ description: "When the link stops working (ISO 8601); absent or null: never", example: "2027-01-31T00:00:00Z" }),
        allowTimeRange: jsonBoolean("allowTimeRange", "Whether visitors may change the time range (default false)").optional(),
      }),
    )
    .output(envelope(z.object({ id: z.string(), url: z.string() }).meta({ example: { id: "01936f3e8b7a7c2e9d4f5a6b7c8d9e11", url: "https://tablewatch.example/s/tws_…" } })))
    .mutation(async ({ ctx, input }) => {
      const { share, token } = await shareService.createShare(ctx.db, {
        accountId: ctx.accountId,
        dashboardId: input.id,
        expiresAt: input.expiresAt ? parseDatetime("expiresAt", input.expiresAt) : null,
        allowTimeRange: input.allowTimeRange ?? false,
        actor: await shareService.apiKeyActor(ctx.db, { accountId: ctx.accountId, keyId: ctx.apiKey.id, ip: ctx.ip }),
      });
      notePlanUsage(ctx, ctx.accountId, "shareLinks"); // the 80 % / 100 % email, off the request
      return ok({ id: publicId(share.id), url: shareService.shareUrl(ctx.baseUrl, token) });
    }),

  revokeShare: apiKeyProcedure("full")
    .meta({
      openapi: {
        method: "DELETE",
        path: "/dashboards/{id}/shares/{shareId}",
        tags: ["Dashboards"],
        summary: "Revoke a public link",
        description: "The link answers 404 from now on. Needs a full key.",
        protect: true,
      },
    })
    .input(z.object({ id: idParam, shareId: z.string().max(200).meta({ description: "Link id, as returned when it was created" }) }))
    .output(z.object({ success: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await shareService.revokeShare(ctx.db, {
        accountId: ctx.accountId,
        dashboardId: input.id,
        id: input.shareId,
        actor: await shareService.apiKeyActor(ctx.db, { accountId: ctx.accountId, keyId: ctx.apiKey.id, ip: ctx.ip }),
      });
      return { success: true as const };
    }),
});

function notOnDashboard(): never {
  throw dashboardService.tileNotFound();
}
