import type { IncomingMessage, ServerResponse } from "node:http";
import type { NextFunction, Request, Response } from "express";
import { type Db, preparedRows } from "../../db/client";
import type { Config } from "../config";
import { clientIp } from "../http/request-meta";

const MAX_URL = 2000;
const MAX_AGENT = 500;

type Entry = { time: Date; method: string; url: string; status: number; durationMs: number; ip: string; userAgent: string; accountId: string | null };

/** One prepared statement for a whole batch: the entries as one JSON array, read back as rows. */
const INSERT_BATCH = `insert into access_log (time, method, url, status, duration_ms, ip, user_agent, account_id)
  select time, method, url, status, "durationMs", ip, "userAgent", "accountId"
  from json_to_recordset($1::json) as e(time timestamptz, method text, url text, status int, "durationMs" int, ip text, "userAgent" text, "accountId" uuid)`;

/**
 * The account a request acted on, when known: noted by the API key check (apiKeyProcedure), or
 * read from the session (res.locals.auth) when the response is finished.
 */
const requestAccounts = new WeakMap<ServerResponse, string>();

/** Records the account of a request for its access-log row (the API key's account). */
export function noteAccount(res: ServerResponse, accountId: string): void {
  requestAccounts.set(res, accountId);
}

function accountOf(res: ServerResponse): string | null {
  const noted = requestAccounts.get(res);
  if (noted) return noted;
  const locals = (res as ServerResponse & { locals?: { auth?: { session?: { accountId?: string | null } | null } } }).locals;
  return locals?.auth?.session?.accountId ?? null;
}

export type AccessLogWriter = { add(entry: Entry): void; flush(): Promise<void>; stop(): Promise<void> };

/**
 * Rows for `access_log`, written in batches (every 250 ms, or at 500 rows) with one multi-row
 * insert, so logging adds no statement to each request's own path.
 */
export function createAccessLogWriter(db: Db, opts: { flushMs?: number } = {}): AccessLogWriter {
  let pending: Entry[] = [];
  let writing: Promise<void> = Promise.resolve();
  const flush = async () => {
    await writing;
    if (!pending.length) return;
    const batch = pending;
    pending = [];
    writing = preparedRows(db, INSERT_BATCH, [JSON.stringify(batch)]).then(
        () => undefined,
        (error: unknown) => console.error("access log write failed", error),
      );
    await writing;
  };
  const timer = setInterval(() => void flush(), opts.flushMs ?? 250);
  timer.unref();
  return {
    add(entry) {
      pending.push(entry);
      if (pending.length >= 500) void flush();
    },
    flush,
    async stop() {
      clearInterval(timer);
      await flush();
    },
  };
}

/**
 * Logs one request when its response is finished (time, method, URL, status, duration, IP,
 * User-Agent, account when known): a line on stdout when LOG_REQUESTS, and a row for `access_log` (batched).
 * `url` is the URL as requested (Express's `originalUrl`).
 */
export function requestLogger(writer: AccessLogWriter, config: Config) {
  return (req: IncomingMessage, res: ServerResponse, url: string) => {
    const time = new Date();
    const started = performance.now();
    res.once("finish", () => {
      const durationMs = Math.floor(performance.now() - started);
      const entry = {
        time,
        method: req.method ?? "",
        url: redactKey(url).slice(0, MAX_URL),
        status: res.statusCode,
        durationMs,
        ip: clientIp(config, req),
        userAgent: String(req.headers["user-agent"] ?? "").slice(0, MAX_AGENT),
        accountId: accountOf(res),
      };
      if (config.logRequests) {
        console.log(
          `${time.toISOString()} ${entry.method} ${entry.url} ${entry.status} ${durationMs}ms ${entry.ip} "${entry.userAgent}"`,
        );
      }
      writer.add(entry);
    });
  };
}

/** The access log as Express middleware (every request Express serves). */
export function accessLogMiddleware(writer: AccessLogWriter, config: Config) {
  const log = requestLogger(writer, config);
  return (req: Request, res: Response, next: NextFunction) => {
    log(req, res, req.originalUrl);
    next();
  };
}

/** A quick test for a parameter that redactKey would redact: `key=` or `token=`, any case, any letter percent-encoded. */
const MAY_HOLD_SECRET = /[?&](?:(?:k|%[46]b)(?:e|%[46]5)(?:y|%[57]9)|(?:t|%[57]4)(?:o|%[46]f)(?:k|%[46]b)(?:e|%[46]5)(?:n|%[46]e))=/i;

/**
 * API keys and one-time tokens in query strings are secrets: they never reach the log. The name
 * is compared decoded, as the app reads it (`?%6Bey=` is `?key=`). Public dashboard link tokens
 * (`tws_…`, in `/s/<token>` and in the visitor page's `/trpc/share.*` inputs) likewise.
 */
export function redactKey(url: string): string {
  if (url.includes("tws_")) url = url.replace(/tws_[A-Za-z0-9_-]+/g, "tws_[redacted]");
  if (!MAY_HOLD_SECRET.test(url)) return url;
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
