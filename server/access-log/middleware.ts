import type { NextFunction, Request, Response } from "express";
import type { Db } from "../../db/client";
import { accessLog } from "../../db/schema";
import type { Config } from "../config";
import { clientIp } from "../http/request-meta";

const MAX_URL = 2000;
const MAX_AGENT = 500;

/** One line per request (time, method, URL, status, duration, IP, User-Agent): stdout and table access_log. */
export function accessLogMiddleware(db: Db, config: Config) {
  return (req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    const time = new Date();
    res.on("finish", () => {
      const durationMs = Number((process.hrtime.bigint() - started) / 1_000_000n);
      const entry = {
        time,
        method: req.method,
        url: redactKey(req.originalUrl).slice(0, MAX_URL),
        status: res.statusCode,
        durationMs,
        ip: clientIp(config, req),
        userAgent: String(req.headers["user-agent"] ?? "").slice(0, MAX_AGENT),
      };
      if (config.logRequests) {
        console.log(
          `${time.toISOString()} ${entry.method} ${entry.url} ${entry.status} ${durationMs}ms ${entry.ip} "${entry.userAgent}"`,
        );
      }
      db.insert(accessLog)
        .values(entry)
        .catch((error: unknown) => console.error("access log write failed", error));
    });
    next();
  };
}

/**
 * API keys and one-time tokens in query strings are secrets: they never reach the log. The name
 * is compared decoded, as the app reads it (`?%6Bey=` is `?key=`).
 */
export function redactKey(url: string): string {
  return url.replace(/([?&])([^=&#]*)=[^&#]*/g, (param, separator: string, name: string) =>
    /^(key|token)$/i.test(decodeName(name)) ? `${separator}${name}=[redacted]` : param,
  );
}

function decodeName(name: string): string {
  try {
    return decodeURIComponent(name.replace(/\+/g, " "));
  } catch {
    return name;
  }
}
