import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import compression from "compression";
import express, { type NextFunction, type Request, type Response } from "express";
import helmet from "helmet";
import { accessLogMiddleware } from "./access-log/middleware";
import { publicApi } from "./api";
import { ingestHandler } from "./api/ingest";
import { sendError } from "./api/envelope";
import { sessionMiddleware } from "./auth/middleware";
import { blankSessionCookieHeader, sessionCookieHeader } from "./auth/lucia";
import type { Deps } from "./deps";
import { requestMeta } from "./http/request-meta";
import { originCheck } from "./security/origin";
import { createContext } from "./trpc";
import { createCaller } from "./trpc/root";
import { trpcMiddleware } from "./trpc/http";
import { devMailRouter } from "./mail/dev-mail";
import { accountExportHandler, EXPORT_PATH } from "./account/export-route";
import { shareHeaders } from "./share/http";
import { receiveWebhook } from "./billing/webhook";

export const rootDir = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");

export type BuildLoader = () => Promise<ServerBuild>;

/** The app's load context: what Remix loaders and actions get (see app/types/load-context.ts). */
export function loadContext(deps: Deps, req: Request, res: Response) {
  const ctx = createContext(deps, Object.assign(requestMeta(deps.config, req), res.locals.auth));
  return {
    /** In-process tRPC caller for this request: no HTTP hop. */
    trpc: createCaller(ctx),
    cspNonce: res.locals.cspNonce,
    user: res.locals.auth.user ? { id: res.locals.auth.user.id, name: res.locals.auth.user.name, isAdmin: res.locals.auth.user.isAdmin } : null,
    devTools: deps.config.devTools,
    sessionCookie: (session: { sessionId: string; remember: boolean }) =>
      sessionCookieHeader(deps.auth, session.sessionId, session.remember),
    blankSessionCookie: () => blankSessionCookieHeader(deps.auth),
  };
}

export function createApp(deps: Deps, loadBuild: BuildLoader) {
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", deps.config.trustProxy);

  // The ingest endpoint is the hottest path and answers only JSON: it is served from node's
  // request event before any Express layer (see server/api/ingest.ts), and logs itself. The
  // Express app is `(req, res, next) => app.handle(req, res, next)`, so this is the one place
  // in front of it that every server of this app (boot, tests) goes through.
  const serveIngest = ingestHandler(deps);
  const expressApp = app as unknown as { handle(req: IncomingMessage, res: ServerResponse, next?: unknown): void };
  const handle = expressApp.handle.bind(app);
  expressApp.handle = (req, res, next) => {
    if (!serveIngest(req, res)) handle(req, res, next);
  };

  app.use(accessLogMiddleware(deps.accessLog, deps.config));

  app.use((req, res, next) => {
    res.locals.cspNonce = randomBytes(16).toString("base64");
    next();
  });
  // The payment processor's card-form script and the origin it sends card fields to (Settings →
  // Billing → Credit card details; ADR 24): SecurionPay's or the sandbox's, from the configuration.
  const paymentOrigins = processorOrigins(deps);
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          "default-src": ["'self'"],
          "script-src": ["'self'", (_req, res) => `'nonce-${(res as Response).locals.cspNonce}'`, ...paymentOrigins],
          "style-src": ["'self'", "'unsafe-inline'"],
          "img-src": ["'self'", "data:"],
          "connect-src": [...(deps.config.nodeEnv === "development" ? ["'self'", "ws:"] : ["'self'"]), ...paymentOrigins],
          "frame-src": paymentOrigins.length ? paymentOrigins : ["'none'"],
          "form-action": ["'self'"],
          "frame-ancestors": ["'none'"],
          "upgrade-insecure-requests": deps.config.secureCookies ? [] : null,
        },
      },
      // Full referrer within the site, none to other sites; keeps `Origin` on same-site form posts.
      referrerPolicy: { policy: "same-origin" },
      strictTransportSecurity: deps.config.secureCookies,
      crossOriginEmbedderPolicy: false,
    }),
  );
  app.use(shareHeaders);
  // Small API answers are not worth the CPU; pages and large JSON are.
  app.use(compression({ threshold: "8kb" }));

  app.use(
    "/assets",
    express.static(path.join(rootDir, "build/client/assets"), { immutable: true, maxAge: "1y", fallthrough: false }),
  );
  app.get("/favicon.ico", (_req, res) => res.redirect(301, "/favicon.svg"));

  app.use(publicApi(deps));

  // The payment processor's webhooks: no session or Origin (server to server); the raw body, as
  // the event is verified with the processor (server/billing/webhook.ts).
  app.post("/billing/webhook", express.raw({ type: () => true, limit: "256kb" }), async (req, res, next) => {
    try {
      const outcome = await receiveWebhook(deps, Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0), req.headers);
      res.status(outcome.status).json(outcome.body);
    } catch (error) {
      next(error);
    }
  });

  app.use(originCheck);
  app.use(sessionMiddleware(deps));
  app.use("/trpc", trpcMiddleware(deps));
  app.get(EXPORT_PATH, accountExportHandler(deps));
  if (deps.config.devTools) app.use("/dev/mail", devMailRouter(deps));

  let remix: { build: ServerBuild; handler: ReturnType<typeof createRequestHandler> } | undefined;
  app.all("*", async (req, res, next) => {
    try {
      const build = await loadBuild();
      if (remix?.build !== build) {
        const handler = createRequestHandler({
          build,
          mode: deps.config.nodeEnv === "production" ? "production" : "development",
          getLoadContext: (rq, rs) => loadContext(deps, rq, rs),
        });
        remix = { build, handler };
      }
      return remix.handler(req, res, next);
    } catch (error) {
      next(error);
    }
  });

  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const status = typeof error === "object" && error && "status" in error ? Number(error.status) : 500;
    if (status >= 500) console.error("unhandled error", req.method, req.originalUrl, error);
    if (res.headersSent) return res.end();
    const message =
      status === 413 ? "The request body is too large." : status < 500 ? "The request could not be read." : "Internal error";
    if (req.path.startsWith("/api/")) return sendError(res, status < 500 ? status : 500, message);
    res.status(status < 500 ? status : 500).type("text/plain").send(message);
  });
  return app;
}

/** The origins of the payment processor's card-form script and of where it sends the card. */
function processorOrigins(deps: Deps): string[] {
  const form = deps.payments.cardFormConfig();
  const origins = new Set<string>(form.origins.map((o) => new URL(o).origin));
  origins.add(new URL(form.scriptUrl).origin);
  return [...origins];
}
