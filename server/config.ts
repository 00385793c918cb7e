import path from "node:path";
import { z } from "zod";

const emptyToUndefined = (v: unknown) => (v === "" ? undefined : v);

const url = (protocols: string[], what: string) =>
  z
    .string()
    .refine((v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    }, `must be a ${what} URL (${protocols.join(" or ")})`);

const envSchema = z.object({
  NODE_ENV: z.preprocess(emptyToUndefined, z.enum(["development", "production", "test"]).default("development")),
  PORT: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(65535).default(3000)),
  APP_URL: z.preprocess(emptyToUndefined, url(["http:", "https:"], "http(s)").optional()),
  DATABASE_URL: z.preprocess(emptyToUndefined, url(["postgres:", "postgresql:"], "PostgreSQL").optional()),
  DATA_DIR: z.preprocess(emptyToUndefined, z.string().default("./data")),
  SMTP_URL: z.preprocess(emptyToUndefined, url(["smtp:", "smtps:"], "SMTP").optional()),
  MAIL_FROM: z.preprocess(emptyToUndefined, z.string().min(3).default("Tablewatch <no-reply@tablewatch.localhost>")),
  TRUST_PROXY: z.preprocess(emptyToUndefined, z.enum(["true", "false", "1", "0"]).default("false")),
  INGEST_MAX_BYTES: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1024).max(64 * 1024 * 1024).default(1024 * 1024)),
  WEB_CONCURRENCY: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(64).default(1)),
  LOG_REQUESTS: z.preprocess(emptyToUndefined, z.enum(["true", "false", "1", "0"]).default("true")),
  ALARM_WORKER: z.preprocess(emptyToUndefined, z.enum(["true", "false", "1", "0"]).default("true")),
  WEBHOOK_ALLOW_PRIVATE: z.preprocess(emptyToUndefined, z.enum(["true", "false", "1", "0"]).optional()),
  ACCESS_LOG_RETENTION_DAYS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(3650).default(30)),
  POLICY_MAIL_PER_MINUTE: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(1_000_000).default(600)),
});

export type Config = {
  nodeEnv: "development" | "production" | "test";
  port: number;
  /** Public base URL for links in emails and API answers (default http://localhost:PORT). */
  appUrl: string;
  databaseUrl: string | undefined;
  dataDir: string;
  smtpUrl: string | undefined;
  mailFrom: string;
  trustProxy: boolean;
  logRequests: boolean;
  /** Web processes to run (PostgreSQL only). */
  webConcurrency: number;
  /** Largest body accepted by POST /api/v1/reports/{name} (413 beyond). */
  ingestMaxBytes: number;
  /** Cookies get `Secure` when the app is served over https. */
  secureCookies: boolean;
  /** /dev/mail and the caught mailbox exist only outside production. */
  devTools: boolean;
  /** Run the alarm worker (evaluations, outbox, minute tick) inside the web process. */
  alarmWorker: boolean;
  /** Whether alarm webhooks may point at localhost or private networks (default: outside production). */
  webhookAllowPrivate: boolean;
  /** Days the access log is kept; older rows are purged daily (server/access-log/service.ts). */
  accessLogRetentionDays: number;
  /** Policy-change emails sent per minute (all senders together; server/policy/broadcast.ts). */
  policyMailPerMinute: number;
};

export class ConfigError extends Error {}

/** Reads and validates the environment once at boot; names the bad variable on failure. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`Invalid configuration in environment variables:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  const yes = (v: string) => v === "true" || v === "1";
  return {
    nodeEnv: e.NODE_ENV,
    port: e.PORT,
    appUrl: (e.APP_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ""),
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATA_DIR.startsWith("memory://") ? e.DATA_DIR : path.resolve(e.DATA_DIR),
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    trustProxy: yes(e.TRUST_PROXY),
    logRequests: yes(e.LOG_REQUESTS),
    webConcurrency: e.WEB_CONCURRENCY,
    ingestMaxBytes: e.INGEST_MAX_BYTES,
    secureCookies: e.APP_URL?.startsWith("https:") ?? false,
    devTools: e.NODE_ENV !== "production",
    alarmWorker: yes(e.ALARM_WORKER),
    webhookAllowPrivate: e.WEBHOOK_ALLOW_PRIVATE ? yes(e.WEBHOOK_ALLOW_PRIVATE) : e.NODE_ENV !== "production",
    accessLogRetentionDays: e.ACCESS_LOG_RETENTION_DAYS,
    policyMailPerMinute: e.POLICY_MAIL_PER_MINUTE,
  };
}
