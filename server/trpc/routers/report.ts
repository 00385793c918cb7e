import { z } from "zod";
import { envelope, ok } from "../../api/envelope";
import { badRequest } from "../../errors";
import { publicId } from "../../report/ids";
import * as reportService from "../../report/service";
import { crossesNoticeLevel, notePlanUsage } from "../../plan/mail";
import { apiKeyRateKey, countApiRequest, setRateLimitHeaders } from "../../plan/rate-limit";
import { apiKeyProcedure, router } from "../../trpc";

// ---------------------------------------------------------------- shapes

const q = (description: string, example?: string) => z.string().optional().meta({ description, example });

const nameParam = z.string().max(1000).meta({ description: "Report name: 1 to 200 letters, digits, _ - . :", example: "diskfree" });

export const instanceSchema = z
  .object({
    id: z.string().meta({ description: "32 hex characters (UUIDv7)", example: "01936f3e8b7a7c2e9d4f5a6b7c8d9e0f" }),
    tags: z.array(z.string()).meta({ example: ["host:web1"] }),
    created: z.string().meta({ description: "ISO 8601, UTC", example: "2026-11-29T12:00:00.000Z" }),
    rows: z.array(z.array(z.unknown())).optional().meta({ example: [["Filesystem", "Use%"], ["/dev/sda1", "64%"]] }),
    header: z.array(z.number().int()).optional().meta({ description: "Indexes of the header rows", example: [0] }),
    input: z.unknown().optional().meta({ description: "The original input: parsed JSON when it was JSON, else the text" }),
    link: z.string().nullable().meta({ description: "The URL attached with `link`, or null", example: null }),
    href: z.string().meta({ example: "https://tablewatch.example.com/api/v1/reports/diskfree/instances/01936f3e8b7a7c2e9d4f5a6b7c8d9e0f" }),
  })
  .meta({ id: "Instance" });

export type InstanceOutput = z.infer<typeof instanceSchema>;

export function instanceOutput(baseUrl: string, i: reportService.InstanceView): InstanceOutput {
  const id = publicId(i.id);
  return {
    id,
    tags: i.tags,
    created: i.created.toISOString(),
    ...(i.rows !== undefined ? { rows: i.rows, header: i.header } : {}),
    ...(i.input !== undefined ? { input: i.input } : {}),
    link: i.link,
    href: `${baseUrl}/api/v1/reports/${encodeURIComponent(i.reportName)}/instances/${id}`,
  };
}

const BOOL: Record<string, boolean> = { "1": true, true: true, yes: true, t: true, "0": false, false: false, no: false, f: false };
function parseBool(name: string, value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value === "") return fallback;
  const b = BOOL[value.toLowerCase()];
  if (b === undefined) throw badRequest(`Invalid ${name} ${value.slice(0, 20)}: use 1 or 0 (true/false, yes/no)`);
  return b;
}

function parseOrder(value: string | undefined): "asc" | "desc" {
  if (value === undefined || value === "" || value === "asc") return "asc";
  if (value === "desc") return "desc";
  throw badRequest(`Invalid order ${value.slice(0, 20)}: use asc or desc`);
}

/** The URL of the next page: this request's parameters with the cursor moved. */
function nextUrl(baseUrl: string, path: string, params: Record<string, string | undefined>): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) search.set(k, v);
  return `${baseUrl}/api/v1${path}?${search.toString()}`;
}

const filterParams = {
  from: q("Only instances created at or after this time (ISO 8601)", "2026-11-01T00:00:00Z"),
  to: q("Only instances created at or before this time (ISO 8601)", "2026-11-30T23:59:59Z"),
  tags: q("Comma-separated tags; only instances having all of them", "host:web1"),
};

export const ingestParams = z.object({
  format: q("Input format: any (default), json, jsonraw, csv, ascii, asciitable, asciispace, props, tokens, markdown, single", "any"),
  tags: q("Comma-separated tags, at most 10, each at most 200 characters", "host:web1,pid:123"),
  created: q("Explicit creation time (ISO 8601); not in the future", "2026-11-29T12:00:00Z"),
  delimiter: q("Cell delimiter for csv/tokens, 1 to 4 characters", ";"),
  header: q("Comma-separated row indexes that form the header; empty for no header", "0"),
  autotags: q("Comma-separated automatic tags; ip adds ip:<client address>", "ip"),
  link: q("A URL to attach to the instance (at most 5000 characters)", "https://ci.example.com/build/42"),
  formKey: q("When the body is a form, the field whose value is the input", "data"),
});

// ---------------------------------------------------------------- router

export const reportRouter = router({
  /** POST /api/v1/reports/{name}: served by the raw-body route in server/api/ingest.ts. */
  // No runtime output validation on the hottest path (it cost a fifth of the request's CPU):
  // the result is built by instanceOutput() and typed by instanceSchema, which documents it.
  // The push is counted against the key's rate limit by the statement that stores it (ADR 25).
  ingest: apiKeyProcedure("ingest", { rateLimit: "in-service" })
    .input(ingestParams.extend({ name: z.string().max(1000), body: z.string(), contentType: z.string().optional() }))
    .mutation(async ({ ctx, input }) => {
      const { name, body, contentType, ...params } = input;
      let counted = false;
      let instance;
      try {
        instance = await reportService.ingest(ctx.db, {
          accountId: ctx.accountId,
          name,
          body,
          contentType,
          ip: ctx.ip,
          params,
          rateKey: apiKeyRateKey(ctx.apiKey.id),
          onRate: (rate) => {
            counted = true;
            setRateLimitHeaders(ctx.setHeader, rate);
          },
        });
      } catch (error) {
        // Refused before the statement (bad input): the request still counts, and over the limit it is a 429.
        if (!counted) await countApiRequest(ctx, ctx.apiKey);
        throw error;
      }
      // Usage emails at 80 % and 100 %, off the request.
      const { outcome } = instance;
      if (outcome.reportCreated) notePlanUsage(ctx, ctx.accountId, "reports");
      if (outcome.instances !== null && crossesNoticeLevel(outcome.instances, outcome.maxInstances)) {
        notePlanUsage(ctx, ctx.accountId, "instancesPerMonth", { used: outcome.instances, limit: outcome.maxInstances });
      }
      // Committed: automatic tiles and series follow off the request (queued, never awaited here).
      ctx.automatic.enqueue({
        accountId: ctx.accountId,
        report: instance.reportName,
        tags: instance.tags,
        created: instance.created,
        table: { rows: instance.rows ?? [], header: instance.header ?? [] },
      });
      // The statement that stored it queued its alarm evaluation (if its report has alarms): look now.
      ctx.alarmWorker?.poke();
      return ok(instanceOutput(ctx.baseUrl, instance)) satisfies z.infer<ReturnType<typeof envelope<typeof instanceSchema>>>;
    }),

  list: apiKeyProcedure("read")
    .meta({
      openapi: {
        method: "GET",
        path: "/reports",
        tags: ["Reports"],
        summary: "List reports",
        description: "Reports of the key's account sorted by name. `details.next` is the URL of the next page (null on the last).",
        protect: true,
      },
    })
    .input(
      z.object({
        prefix: q("Only reports whose name starts with this", "disk"),
        lastName: q("Exclusive cursor: list names after this one", "diskfree"),
        limit: q("Page size, 1 to 100 (default 20)", "20"),
      }),
    )
    .output(envelope(z.array(z.object({ name: z.string().meta({ example: "diskfree" }), href: z.string() }))))
    .query(async ({ ctx, input }) => {
      const { names, full } = await reportService.listReportNames(ctx.db, { accountId: ctx.accountId, ...input });
      const last = names.at(-1);
      return ok(
        names.map((name) => ({ name, href: `${ctx.baseUrl}/api/v1/reports/${encodeURIComponent(name)}/instances` })),
        { next: full && last ? nextUrl(ctx.baseUrl, "/reports", { ...input, lastName: last }) : null },
      );
    }),

  instances: apiKeyProcedure("read")
    .meta({
      openapi: {
        method: "GET",
        path: "/reports/{name}/instances",
        tags: ["Reports"],
        summary: "List instances of a report",
        description:
          "Instances in creation order. `from`/`to` stay in force together with the cursors `fromId`/`lastId`. `details.next` carries `lastId`.",
        protect: true,
      },
    })
    .input(
      z.object({
        name: nameParam,
        ...filterParams,
        expand: q("Include rows and header (default 1)", "1"),
        expandInput: q("Include the original input (default 0)", "0"),
        order: q("asc (default) or desc", "desc"),
        fromId: q("Inclusive start: the id of an instance"),
        lastId: q("Exclusive cursor in the direction of order: the id of the last instance seen"),
        limit: q("Page size, 1 to 100 (default 20)", "20"),
      }),
    )
    .output(envelope(z.array(instanceSchema)))
    .query(async ({ ctx, input }) => {
      const { name, ...params } = input;
      const { instances, full } = await reportService.listInstances(ctx.db, {
        accountId: ctx.accountId,
        ...params,
        name,
        order: parseOrder(input.order),
        expand: parseBool("expand", input.expand, true),
        expandInput: parseBool("expandInput", input.expandInput, false),
      });
      const last = instances.at(-1);
      return ok(
        instances.map((i) => instanceOutput(ctx.baseUrl, i)),
        {
          next:
            full && last
              ? nextUrl(ctx.baseUrl, `/reports/${encodeURIComponent(name)}/instances`, { ...params, lastId: publicId(last.id) })
              : null,
        },
      );
    }),

  instance: apiKeyProcedure("read")
    .meta({
      openapi: {
        method: "GET",
        path: "/reports/{name}/instances/{id}",
        tags: ["Reports"],
        summary: "Get one instance",
        description: "One instance, always with rows, header and the original input.",
        protect: true,
      },
    })
    .input(z.object({ name: nameParam, id: z.string().max(200).meta({ description: "Instance id (any UUID spelling)" }) }))
    .output(envelope(instanceSchema))
    .query(async ({ ctx, input }) => {
      const instance = await reportService.getInstance(ctx.db, { accountId: ctx.accountId, ...input });
      return ok(instanceOutput(ctx.baseUrl, instance));
    }),

  delete: apiKeyProcedure("full")
    .meta({
      openapi: {
        method: "DELETE",
        path: "/reports/{name}",
        tags: ["Reports"],
        summary: "Delete a report",
        description: "Deletes the report, all its instances, its alarms and every tile showing it. Needs a full key.",
        protect: true,
      },
    })
    .input(z.object({ name: nameParam }))
    .output(z.object({ success: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await reportService.deleteReport(ctx.db, { accountId: ctx.accountId, name: input.name });
      return { success: true as const };
    }),

  deleteInstances: apiKeyProcedure("full")
    .meta({
      openapi: {
        method: "DELETE",
        path: "/reports/{name}/instances",
        tags: ["Reports"],
        summary: "Delete instances",
        description: "Deletes the instances matching from, to and tags (all of them when no filter is given). Needs a full key.",
        protect: true,
      },
    })
    .input(z.object({ name: nameParam, ...filterParams }))
    .output(envelope(z.object({ deleted: z.number().int().meta({ example: 42 }) })))
    .mutation(async ({ ctx, input }) => ok(await reportService.deleteInstances(ctx.db, { accountId: ctx.accountId, ...input }))),

  deleteInstance: apiKeyProcedure("full")
    .meta({
      openapi: {
        method: "DELETE",
        path: "/reports/{name}/instances/{id}",
        tags: ["Reports"],
        summary: "Delete one instance",
        description: "Deletes one instance; succeeds also when it did not exist (the report must exist). Needs a full key.",
        protect: true,
      },
    })
    .input(z.object({ name: nameParam, id: z.string().max(200) }))
    .output(z.object({ success: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await reportService.deleteInstances(ctx.db, { accountId: ctx.accountId, name: input.name, id: input.id });
      return { success: true as const };
    }),
});
