import { getTRPCErrorFromUnknown, TRPCError } from "@trpc/server";
import express, { type Request, type Response, Router } from "express";
import type { Deps } from "../deps";
import { badRequest, ServiceError } from "../errors";
import { requestMeta } from "../http/request-meta";
import { createContext, errorInfo } from "../trpc";
import { createCaller } from "../trpc/root";
import { apiKeyFromRequest } from "./credentials";
import { API_BASE } from "./paths";
import { errorEnvelope } from "./envelope";

const stringParam = (v: unknown) => (typeof v === "string" ? v : Array.isArray(v) && typeof v[0] === "string" ? v[0] : undefined);

/** The input: the raw body whatever its type, or form field `formKey` when the body is a form. */
async function readInput(raw: Buffer, contentType: string | undefined, formKey: string | undefined): Promise<string> {
  const text = raw.toString("utf8");
  if (!formKey) return text;
  const mime = contentType?.split(";")[0]?.trim().toLowerCase();
  let value: FormDataEntryValue | null = null;
  if (mime === "application/x-www-form-urlencoded") {
    value = new URLSearchParams(text).get(formKey);
  } else if (mime === "multipart/form-data") {
    try {
      const form = await new Response(new Uint8Array(raw), { headers: { "content-type": contentType! } }).formData();
      value = form.get(formKey);
    } catch {
      throw badRequest("The body is not a valid multipart form");
    }
  } else {
    throw badRequest(`formKey was given, but the body is not a form (Content-Type ${mime ?? "missing"})`);
  }
  if (value === null) throw badRequest(`Form field ${formKey.slice(0, 100)} not found`);
  return typeof value === "string" ? value : await value.text();
}

/**
 * POST /api/v1/reports/{name}: the thinnest route in front of the OpenAPI adapter, which accepts
 * JSON bodies only. It reads the raw body of any type and calls the same `report.ingest`
 * procedure; answers and errors are shaped exactly as the adapter's (errorInfo, envelope).
 */
export function ingestRoute(deps: Deps): Router {
  const route = Router();
  route.post(
    `${API_BASE}/reports/:name`,
    express.raw({ type: () => true, limit: deps.config.ingestMaxBytes }),
    async (req: Request, res: Response) => {
      res.setHeader("X-Content-Type-Options", "nosniff");
      res.setHeader("Cache-Control", "no-store");
      const q = req.query;
      const contentType = req.headers["content-type"];
      const caller = createCaller(
        createContext(deps, {
          ...requestMeta(deps.config, req),
          apiKey: apiKeyFromRequest(req.headers, new URL(req.originalUrl, "http://x").searchParams),
        }),
      );
      try {
        const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        const body = await readInput(raw, contentType, stringParam(q.formKey));
        const result = await caller.report.ingest({
          name: req.params.name ?? "",
          body,
          contentType,
          format: stringParam(q.format),
          tags: stringParam(q.tags),
          created: stringParam(q.created),
          delimiter: stringParam(q.delimiter),
          header: stringParam(q.header),
          autotags: stringParam(q.autotags),
          link: stringParam(q.link),
          formKey: stringParam(q.formKey),
        });
        res.status(200).json(result);
      } catch (cause) {
        // readInput runs outside the procedure: map its typed errors as the procedures do (not a 500).
        const error =
          cause instanceof ServiceError ? new TRPCError({ code: cause.kind, message: cause.message, cause }) : getTRPCErrorFromUnknown(cause);
        const { status, message, errorCode } = errorInfo(error);
        if (status >= 500) console.error("ingest failed", error.cause ?? error);
        if (error.cause && "retryAfter" in error.cause && error.cause.retryAfter) res.setHeader("Retry-After", String(error.cause.retryAfter));
        res.status(status).json(errorEnvelope(status, message, errorCode));
      }
    },
  );
  return route;
}
