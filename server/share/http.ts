import type { NextFunction, Request, Response } from "express";

const VISITOR_PATH = /^\/(?:s\/|trpc\/share\.)/;

/**
 * Headers of everything a public link's visitor loads (the page `/s/<token>` and its
 * `/trpc/share.*` calls): the token is in the URL, so no Referer carries it away; search engines
 * neither index nor follow; nothing is cached (a revoked link must not come back from a cache).
 * Set after helmet, whose same-origin Referrer-Policy this replaces.
 */
export function shareHeaders(req: Request, res: Response, next: NextFunction) {
  if (VISITOR_PATH.test(req.path)) {
    res.setHeader("Referrer-Policy", "no-referrer");
    res.setHeader("X-Robots-Tag", "noindex, nofollow");
    res.setHeader("Cache-Control", "no-store");
  }
  next();
}
