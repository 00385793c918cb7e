import express, { type Request, type Response, Router } from "express";
import swaggerUi from "swagger-ui-express";
import { createOpenApiExpressMiddleware, generateOpenApiDocument } from "trpc-to-openapi";
import type { Deps } from "../deps";
import { ServiceError } from "../errors";
import { appRouter } from "../trpc/root";
import { createContext } from "../trpc";
import { apiKeyFromRequest } from "./credentials";
import { envelopeErrors, sendError } from "./envelope";
import { requestMeta } from "../http/request-meta";
import { API_BASE } from "./paths";
import { ingestPathDoc } from "./ingest-doc";
import { noteAccount } from "../access-log/middleware";

export { API_BASE };

export function openApiDocument(baseUrl: string) {
  return generateOpenApiDocument(appRouter, {
    title: "Tablewatch API",
    version: "1.0.0",
    description:
      "Push whatever a machine prints and read it back as tables. Compatible with the Monique.io reports API. Every response is a JSON envelope `{success, details?, result?}`.\n\n" +
      "**Rate limits.** Each API key may make as many requests per minute as its account's plan allows (see /pricing), counted in fixed one-minute windows shared by every server. Every response to a request with a valid key carries `RateLimit-Limit` (requests per window), `RateLimit-Remaining` (left in this window) and `RateLimit-Reset` (seconds until the window resets). Over the limit the answer is `429` with `errorCode` `ERROR_RATE_LIMIT` and a `Retry-After` header (seconds).\n\n" +
      "**Plan limits.** Creating beyond a plan's limits (reports, instances per month, dashboards, share links, alarms) answers `429` with `errorCode` `ERROR_PLAN_LIMIT` and a message naming the limit, the plan and where to upgrade; no `Retry-After` (waiting does not help, except for instances per month, which start again each calendar month, UTC).",
    baseUrl: `${baseUrl}${API_BASE}`,
    docsUrl: `${baseUrl}/api/docs`,
    securitySchemes: {
      basicAuth: { type: "http", scheme: "basic", description: "The API key as the user name, password empty: `curl --user KEY:`" },
      bearerAuth: { type: "http", scheme: "bearer", description: "`Authorization: Bearer KEY`" },
      keyQuery: { type: "apiKey", in: "query", name: "key", description: "`?key=KEY`" },
    },
    paths: ingestPathDoc,
  });
}

/** Each documented path as a pattern with its method, to tell 405 (wrong method) from 404. */
function documentedRoutes(): { method: string; pattern: RegExp }[] {
  const doc = openApiDocument("");
  return Object.entries(doc.paths ?? {}).flatMap(([template, item]) => {
    const pattern = new RegExp(
      "^" + template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\\?\{[^}]+\\?\}/g, "[^/]+") + "$",
    );
    return Object.keys(item ?? {})
      .filter((m) => ["get", "post", "put", "patch", "delete"].includes(m))
      .map((m) => ({ method: m.toUpperCase(), pattern }));
  });
}

/** Separators, and what URL parsing would drop or re-read (controls, space, backslash). */
const keepEncoded = (c: string) => c <= " " || c === "\x7f" || "%/\\?#".includes(c);

/**
 * The adapter takes path parameters verbatim (`/reports/a%3Ab` would be report `a%3Ab`), while
 * the ingest route gets them decoded from Express, and hrefs encode names. So each path segment
 * is decoded here; characters that would change the path's meaning stay encoded.
 */
export function decodePathSegments(url: string): string {
  const q = url.indexOf("?");
  const [path, search] = q === -1 ? [url, ""] : [url.slice(0, q), url.slice(q)];
  const decoded = path.split("/").map((segment) => {
    let d: string;
    try {
      d = decodeURIComponent(segment);
    } catch {
      return segment;
    }
    if (d === "." || d === "..") return segment;
    return [...d].map((c) => (keepEncoded(c) ? encodeURIComponent(c) : c)).join("");
  });
  return decoded.join("/") + search;
}

/**
 * A POST without a body takes its parameters from the query string, so one line of curl works
 * (`curl -X POST --user KEY: ".../alarms/{id}/snooze?minutes=60"`): the adapter reads POST
 * input only from a JSON body.
 */
function queryAsBody(req: Request): void {
  if (req.method !== "POST" || req.headers["transfer-encoding"] || Number(req.headers["content-length"] ?? 0) > 0) return;
  const url = new URL(req.url, "http://localhost");
  const body: Record<string, string> = {};
  for (const [k, v] of url.searchParams) if (k !== "key") body[k] = v;
  req.headers["content-type"] = "application/json";
  (req as Request & { body: unknown }).body = body;
}

/** The public API: OpenAPI document, docs page, and the adapter over the same tRPC procedures. */
export function publicApi(deps: Deps): Router {
  const api = Router();
  const adapter = createOpenApiExpressMiddleware({
    router: appRouter,
    createContext: ({ req, res }) => {
      const url = new URL(req.url ?? "/", "http://localhost");
      return createContext(deps, {
        ...requestMeta(deps.config, req),
        apiKey: apiKeyFromRequest(req.headers, url.searchParams),
        noteAccount: (accountId) => noteAccount(res, accountId),
        // The RateLimit-* headers of the key's plan (server/plan/rate-limit.ts).
        setHeader: (name, value) => res.setHeader(name, value),
      });
    },
    responseMeta: ({ errors }) => {
      const cause = errors[0]?.cause;
      if (cause instanceof ServiceError && cause.retryAfter) return { headers: { "Retry-After": String(cause.retryAfter) } };
      return {};
    },
    onError: ({ error }) => {
      if (error.code === "INTERNAL_SERVER_ERROR") console.error("public API error", error.cause ?? error);
    },
    maxBodySize: 1024 * 1024,
  });

  api.get(`${API_BASE}/openapi.json`, (req: Request, res: Response) => {
    res.json(openApiDocument(requestMeta(deps.config, req).baseUrl));
  });
  // The adapter answers every path itself, so unknown paths and methods are told apart first.
  const routes = documentedRoutes();
  api.use(`${API_BASE}`, (req: Request, res: Response, next) => {
    const path = req.path.replace(/\/+$/, "") || "/";
    const matching = routes.filter((r) => r.pattern.test(path));
    const method = req.method === "HEAD" ? "GET" : req.method;
    if (matching.some((r) => r.method === method)) return next();
    if (matching.length) {
      const allowed = [...new Set(matching.map((r) => r.method))];
      res.setHeader("Allow", allowed.join(", "));
      return sendError(res, 405, `Method ${req.method} is not allowed here; use ${allowed.join(" or ")}.`);
    }
    sendError(res, 404, `No endpoint ${req.method} ${API_BASE}${path}. See /api/docs.`);
  });
  api.use(`${API_BASE}`, envelopeErrors, (req, res, next) => {
    req.url = decodePathSegments(req.url);
    queryAsBody(req);
    adapter(req, res).catch(next);
  });

  api.use(
    "/api/docs",
    swaggerUi.serveFiles(undefined, { swaggerUrl: `${API_BASE}/openapi.json` }),
    swaggerUi.setup(undefined, {
      customSiteTitle: "Tablewatch API",
      swaggerUrl: `${API_BASE}/openapi.json`,
      swaggerOptions: { url: `${API_BASE}/openapi.json` },
    }),
  );
  api.use("/api", express.json(), (req: Request, res: Response) => sendError(res, 404, "Not found. The API lives under /api/v1; docs at /api/docs."));
  return api;
}
