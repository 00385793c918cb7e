import type { NextFunction, Request, Response } from "express";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * CSRF defence for cookie-authenticated requests, on top of SameSite=Lax: a state-changing
 * request must come from a page of this site (its Origin, or else its Referer, names the host
 * it was sent to). The key-authenticated public API under /api/v1 carries no cookies and is exempt.
 */
export function originCheck(req: Request, res: Response, next: NextFunction) {
  if (SAFE_METHODS.has(req.method) || req.path.startsWith("/api/v1/")) return next();
  const host = req.headers["x-forwarded-host"] && req.app.get("trust proxy") ? String(req.headers["x-forwarded-host"]) : req.headers.host;
  const source = req.headers.origin ?? req.headers.referer;
  let sourceHost: string | null = null;
  try {
    sourceHost = source && source !== "null" ? new URL(source).host : null;
  } catch {
    sourceHost = null;
  }
  if (host && sourceHost === host) return next();
  res
    .status(403)
    .type("text/plain")
    .send("This request was refused because it did not come from a Tablewatch page (cross-site request). Reload the page and try again.");
}
