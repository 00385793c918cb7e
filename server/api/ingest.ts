import type { IncomingMessage, ServerResponse } from "node:http";
import { getTRPCErrorFromUnknown, TRPCError } from "@trpc/server";
import express from "express";
import { noteAccount, requestLogger } from "../access-log/middleware";
import type { Deps } from "../deps";
import { badRequest, ServiceError } from "../errors";
import { clientIp } from "../http/request-meta";
import { type Context, createContext, errorInfo } from "../trpc";
import { createCaller } from "../trpc/root";
import { apiKeyFromRequest } from "./credentials";
import { API_BASE } from "./paths";
import { errorEnvelope } from "./envelope";

/** The ingest path as Express matched `POST ${API_BASE}/reports/:name`: case-insensitive, an optional trailing slash. */
const INGEST_PATH = new RegExp(`^${API_BASE.replace(/\//g, "\\/")}\\/reports\\/([^/]+?)\\/?$`, "i");

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
 * An uncompressed body, as express.raw reads it: 413 when the declared or the received length
 * exceeds `limit` (the rest is read off first, so that the answer reaches the client), 400 when
 * the request is cut short.
 */
function readPlainBody(req: IncomingMessage, limit: number): Promise<Buffer | { status: number }> {
  return new Promise((resolve) => {
    const declared = Number(req.headers["content-length"]);
    let tooLarge = declared > limit;
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (tooLarge) return;
      if (size > limit) {
        tooLarge = true;
        chunks.length = 0;
      } else {
        chunks.push(chunk);
      }
    };
    const onEnd = () => {
      cleanup();
      resolve(tooLarge ? { status: 413 } : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onAborted = () => {
      cleanup();
      resolve({ status: 400 });
    };
    const cleanup = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onAborted);
      req.off("aborted", onAborted);
      req.off("close", onAborted);
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onAborted);
    req.on("aborted", onAborted);
    req.on("close", onAborted);
  });
}

/** Sends a JSON answer as one write (headers and body together), as `res.json` would shape it. */
function sendJson(res: ServerResponse, status: number, body: unknown, extra?: Record<string, string>): void {
  const json = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(json),
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
    ...extra,
  });
  res.end(json);
}

/** Body errors (413, 415, 400) as the app's error handler answers them under /api. */
function sendBodyError(res: ServerResponse, error: unknown): void {
  const status = typeof error === "object" && error && "status" in error ? Number(error.status) : 500;
  if (status >= 500) console.error("ingest body failed", error);
  const message = status === 413 ? "The request body is too large." : status < 500 ? "The request could not be read." : "Internal error";
  const code = status < 500 ? status : 500;
  sendJson(res, code, errorEnvelope(code, message));
}

/**
 * POST /api/v1/reports/{name}, the hottest path: served straight from node's `request` event,
 * before Express (server/app.ts): the OpenAPI adapter accepts JSON bodies only, and Express's
 * layers (query parser, request decoration, res.json's ETag) were a fifth of this request's CPU.
 * It reads the raw body of any type (express.raw: limit → 413, gzip/deflate,
 * unknown encodings → 415), logs the request, and calls the same `report.ingest` procedure
 * through a server-side caller; answers and errors are shaped exactly as the adapter's
 * (errorInfo, envelope).
 *
 * Returns false, without touching the request, when it is not a POST to this path.
 */
export function ingestHandler(deps: Deps): (req: IncomingMessage, res: ServerResponse) => boolean {
  const limit = deps.config.ingestMaxBytes;
  const rawParser = express.raw({ type: () => true, limit }) as unknown as (
    req: IncomingMessage & { body?: unknown },
    res: ServerResponse,
    next: (error?: unknown) => void,
  ) => void;
  /** The body, or the error to answer: plain bodies are read here, compressed ones by express.raw. */
  const readBody = (req: IncomingMessage & { body?: unknown }, res: ServerResponse): Promise<Buffer | { status: number }> => {
    const encoding = req.headers["content-encoding"];
    if (encoding === undefined || encoding.toLowerCase() === "identity") return readPlainBody(req, limit);
    return new Promise((resolve) =>
      rawParser(req, res, (error) => resolve(error ? (error as { status: number }) : Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0))),
    );
  };
  const logRequest = requestLogger(deps.accessLog, deps.config);

  const serve = async (req: IncomingMessage, res: ServerResponse, encodedName: string, search: string) => {
    let name: string;
    try {
      name = decodeURIComponent(encodedName);
    } catch {
      // As Express answers a path parameter it cannot decode.
      return sendBodyError(res, { status: 400 });
    }
    const raw = await readBody(req, res);
    if (!Buffer.isBuffer(raw)) return sendBodyError(res, raw);

    const query = new URLSearchParams(search);
    const param = (key: string) => query.get(key) ?? undefined;
    const contentType = req.headers["content-type"];
    // RateLimit-* headers the procedure sets, sent with the answer (ADR 25).
    const headers: Record<string, string> = {};
    const ctx: Context = createContext(deps, {
      ip: clientIp(deps.config, req),
      userAgent: req.headers["user-agent"] ?? "",
      baseUrl: deps.config.appUrl,
      user: null,
      session: null,
      apiKey: apiKeyFromRequest(req.headers, query),
      noteAccount: (accountId) => noteAccount(res, accountId),
      setHeader: (header, value) => {
        headers[header] = value;
      },
    });
    try {
      const formKey = param("formKey");
      const body = await readInput(raw, contentType, formKey);
      const result = await createCaller(ctx).report.ingest({
        name,
        body,
        contentType,
        format: param("format"),
        tags: param("tags"),
        created: param("created"),
        delimiter: param("delimiter"),
        header: param("header"),
        autotags: param("autotags"),
        link: param("link"),
        formKey,
      });
      sendJson(res, 200, result, headers);
    } catch (cause) {
      // readInput runs outside the procedure: map its typed errors as the procedures do (not a 500).
      const error =
        cause instanceof ServiceError ? new TRPCError({ code: cause.kind, message: cause.message, cause }) : getTRPCErrorFromUnknown(cause);
      const { status, message, errorCode } = errorInfo(error);
      if (status >= 500) console.error("ingest failed", error.cause ?? error);
      const retryAfter = error.cause && "retryAfter" in error.cause && error.cause.retryAfter ? String(error.cause.retryAfter) : undefined;
      sendJson(res, status, errorEnvelope(status, message, errorCode), retryAfter ? { ...headers, "Retry-After": retryAfter } : headers);
    }
  };

  return (req, res) => {
    if (req.method !== "POST") return false;
    const url = req.url ?? "";
    let path: string;
    let search: string;
    if (url.startsWith("/")) {
      const q = url.indexOf("?");
      path = q === -1 ? url : url.slice(0, q);
      search = q === -1 ? "" : url.slice(q + 1);
    } else {
      // An absolute-form target (`POST http://host/api/…`, from proxies): Express routes it by its path too.
      try {
        const parsed = new URL(url);
        path = parsed.pathname;
        search = parsed.search.slice(1);
      } catch {
        return false;
      }
    }
    const match = INGEST_PATH.exec(path);
    if (!match) return false;
    logRequest(req, res, url);
    serve(req, res, match[1]!, search).catch((error: unknown) => {
      console.error("ingest failed", error);
      if (!res.headersSent) sendJson(res, 500, errorEnvelope(500, "Internal error"));
      else res.end();
    });
    return true;
  };
}
