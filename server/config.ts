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
  PAYMENT_PROVIDER: z.preprocess(emptyToUndefined, z.enum(["sandbox", "securionpay"]).default("sandbox")),
  PAYMENT_SANDBOX_URL: z.preprocess(emptyToUndefined, url(["http:", "https:"], "http(s)").optional()),
  PAYMENT_SANDBOX_PORT: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(65535).default(3001)),
  SECURIONPAY_SECRET_KEY: z.preprocess(emptyToUndefined, z.string().min(8).optional()),
  SECURIONPAY_PUBLIC_KEY: z.preprocess(emptyToUndefined, z.string().min(8).optional()),
  SECURIONPAY_API_URL: z.preprocess(emptyToUndefined, url(["http:", "https:"], "http(s)").default("https://api.securionpay.com")),
  SECURIONPAY_SCRIPT_URL: z.preprocess(emptyToUndefined, url(["http:", "https:"], "http(s)").default("https://securionpay.com/js/securionpay.js")),
  ACCOUNTING_PROVIDER: z.preprocess(emptyToUndefined, z.enum(["local", "infakt"]).default("local")),
  INFAKT_API_KEY: z.preprocess(emptyToUndefined, z.string().min(8).optional()),
  INFAKT_API_URL: z.preprocess(emptyToUndefined, url(["http:", "https:"], "http(s)").default("https://api.infakt.pl/api/v3")),
  SELLER_NAME: z.preprocess(emptyToUndefined, z.string().min(1).default("Tablewatch (example seller)")),
  SELLER_ADDRESS: z.preprocess(emptyToUndefined, z.string().min(1).default("ul. Przykładowa 1")),
  SELLER_POSTAL_CODE: z.preprocess(emptyToUndefined, z.string().min(1).default("00-001")),
  SELLER_CITY: z.preprocess(emptyToUndefined, z.string().min(1).default("Warszawa")),
  SELLER_COUNTRY: z.preprocess(emptyToUndefined, z.string().regex(/^[A-Z]{2}$/, "must be a two-letter country code").default("PL")),
  SELLER_VAT_ID: z.preprocess(emptyToUndefined, z.string().min(4).default("PL0000000000")),
}).superRefine((e, ctx) => {
  if (e.PAYMENT_PROVIDER === "securionpay") {
    for (const key of ["SECURIONPAY_SECRET_KEY", "SECURIONPAY_PUBLIC_KEY"] as const) {
      if (!e[key]) ctx.addIssue({ code: "custom", path: [key], message: "is required when PAYMENT_PROVIDER=securionpay" });
    }
  }
  if (e.ACCOUNTING_PROVIDER === "infakt" && !e.INFAKT_API_KEY) {
    ctx.addIssue({ code: "custom", path: ["INFAKT_API_KEY"], message: "is required when ACCOUNTING_PROVIDER=infakt" });
  }
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
  /** The payment processor (server/billing/provider): the local sandbox or SecurionPay. */
  payment: {
    provider: "sandbox" | "securionpay";
    /** A sandbox processor already running elsewhere; unset: the app starts one on sandboxPort. */
    sandboxUrl: string | undefined;
    /** Port of the sandbox the app starts (0: any free port). */
    sandboxPort: number;
    securionpay: { secretKey: string | undefined; publicKey: string | undefined; apiUrl: string; scriptUrl: string };
  };
  /** The accounting service that issues invoices (server/invoice/accounting), and the seller. */
  accounting: {
    provider: "local" | "infakt";
    infakt: { apiKey: string | undefined; apiUrl: string };
    seller: { name: string; addressLine1: string; postalCode: string; city: string; country: string; vatId: string };
  };
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
    payment: {
      provider: e.PAYMENT_PROVIDER,
      sandboxUrl: e.PAYMENT_SANDBOX_URL?.replace(/\/+$/, ""),
      sandboxPort: e.PAYMENT_SANDBOX_PORT,
      securionpay: {
        secretKey: e.SECURIONPAY_SECRET_KEY,
        publicKey: e.SECURIONPAY_PUBLIC_KEY,
        apiUrl: e.SECURIONPAY_API_URL.replace(/\/+$/, ""),
        scriptUrl: e.SECURIONPAY_SCRIPT_URL,
      },
    },
    accounting: {
      provider: e.ACCOUNTING_PROVIDER,
      infakt: { apiKey: e.INFAKT_API_KEY, apiUrl: e.INFAKT_API_URL.replace(/\/+$/, "") },
      seller: {
        name: e.SELLER_NAME,
        addressLine1: e.SELLER_ADDRESS,
        postalCode: e.SELLER_POSTAL_CODE,
        city: e.SELLER_CITY,
        country: e.SELLER_COUNTRY,
        vatId: e.SELLER_VAT_ID,
      },
    },
  };
}
