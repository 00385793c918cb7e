import cluster from "node:cluster";
import fs from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { broadcastDevReady, type ServerBuild } from "@remix-run/node";
import { type Database, openDatabase } from "../db/client";
import { createApp, rootDir, type BuildLoader } from "./app";
import { createLucia } from "./auth/lucia";
import { listenForCommands } from "./cli/control";
import { acquireDataDirLock } from "./cli/lock";
import type { Config } from "./config";
import type { Deps } from "./deps";
import { createMailer } from "./mail/mailer";
import { createUsageCounter } from "./api-key/usage";
import { automaticTiles, sweepStaleTiles } from "./dashboard/automatic";
import { createAccessLogWriter } from "./access-log/middleware";
import { createSandbox } from "./alarm/sandbox";
import { startAlarmWorker } from "./alarm/worker";
import { accountPurgeTask } from "./account/purge";
import { startPolicyBroadcast } from "./policy/broadcast";
import { startDailyTasks } from "./maintenance/daily";
import { accessLogPurgeTask } from "./access-log/service";
import { rateLimitPurgeTask } from "./rate-limit/service";
import { planRetentionTask } from "./plan/service";
import { startBillingJobs } from "./billing/dunning";
import { createPaymentProvider } from "./billing/provider";
import { startConfiguredPaymentSandbox, type PaymentSandbox } from "./payment-sandbox";
import { createAccountingProvider } from "./invoice/accounting";

/** Opens the configured database (taking the data folder's lock for PGlite) and migrates it. */
export async function openAppDatabase(config: Config): Promise<Database & { release(): void }> {
  if (config.databaseUrl) {
    const database = await openDatabase({ databaseUrl: config.databaseUrl });
    await database.migrate();
    return { ...database, release: () => {} };
  }
  const release = config.dataDir.startsWith("memory://") ? () => {} : acquireDataDirLock(config.dataDir);
  try {
    const database = await openDatabase({ dataDir: config.dataDir });
    await database.migrate();
    return { ...database, release };
  } catch (error) {
    release();
    throw error;
  }
}

/** `paymentSandboxUrl`: the sandbox processor the app started (startApp), if any. */
export function buildDeps(database: Database, config: Config, opts: { paymentSandboxUrl?: string } = {}): Deps {
  const mailer = createMailer({ db: database.db, smtpUrl: config.smtpUrl, from: config.mailFrom });
  const sandbox = createSandbox();
  return {
    db: database.db,
    config,
    auth: createLucia(database.db, { secureCookies: config.secureCookies }),
    mailer,
    usage: createUsageCounter(database.db),
    payments: createPaymentProvider(config, { sandboxUrl: opts.paymentSandboxUrl }),
    paymentSandboxUrl:
      config.payment.provider === "sandbox" ? (opts.paymentSandboxUrl ?? config.payment.sandboxUrl ?? `http://localhost:${config.payment.sandboxPort}`) : null,
    accounting: createAccountingProvider(config),
    accessLog: createAccessLogWriter(database.db),
    automatic: automaticTiles(database.db, { onError: (error) => console.error("automatic tiles failed", error) }),
    sandbox,
    alarmWorker: config.alarmWorker ? startAlarmWorker({ db: database.db, mailer, sandbox, appUrl: config.appUrl }) : null,
    // Policy-change emails are sent where the alarm worker runs (ADR 21).
    policyBroadcast: config.alarmWorker
      ? startPolicyBroadcast({ db: database.db, mailer, appUrl: config.appUrl, perMinute: config.policyMailPerMinute })
      : null,
  };
}

const buildPath = path.join(rootDir, "build/index.js");

/** The Remix build: imported once, or re-imported after each rebuild under `remix dev`. */
export function remixBuildLoader(): BuildLoader {
  const dev = Boolean(process.env.REMIX_DEV_ORIGIN);
  let cached: { mtime: number; build: Promise<ServerBuild> } | undefined;
  return async () => {
    if (!fs.existsSync(buildPath)) throw new Error(`No Remix build at ${buildPath}: run "npm run build" first.`);
    const mtime = dev ? fs.statSync(buildPath).mtimeMs : 0;
    if (!cached || cached.mtime !== mtime) {
      const build = import(`${pathToFileURL(buildPath).href}?t=${mtime}`) as Promise<ServerBuild>;
      cached = { mtime, build };
      if (dev) void build.then((b) => broadcastDevReady(b));
    }
    return cached.build;
  };
}

export type RunningApp = { server: Server; deps: Deps; url: string; stop(): Promise<void> };

export async function startApp(config: Config, opts: { quiet?: boolean } = {}): Promise<RunningApp> {
  const database = await openAppDatabase(config);
  // The sandbox processor (ADR 22): started here, on its own port, unless PAYMENT_SANDBOX_URL names
  // one. Web processes of a cluster share one started apart (`npm run tw -- payment-sandbox`).
  let paymentSandbox: PaymentSandbox | null = null;
  if (config.payment.provider === "sandbox" && !config.payment.sandboxUrl && !cluster.isWorker) {
    try {
      paymentSandbox = await startConfiguredPaymentSandbox(config);
    } catch (error) {
      await database.close();
      database.release();
      throw error;
    }
  }
  if (paymentSandbox && config.nodeEnv === "production" && !opts.quiet) {
    console.warn(`Payments: PAYMENT_PROVIDER=sandbox in production; the sandbox processor listens on ${paymentSandbox.url} only and takes no real payments. Set PAYMENT_PROVIDER=securionpay to take payments.`);
  }
  if (config.payment.provider === "sandbox" && !config.payment.sandboxUrl && cluster.isWorker && !opts.quiet) {
    console.warn(`Payments: PAYMENT_SANDBOX_URL is unset, so the web processes expect a sandbox processor at http://localhost:${config.payment.sandboxPort} (npm run tw -- payment-sandbox).`);
  }
  const deps = buildDeps(database, config, { paymentSandboxUrl: paymentSandbox?.url });
  const app = createApp(deps, remixBuildLoader());
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(config.port, () => resolve(s));
    s.on("error", reject);
  });
  // Idle keep-alive connections stay open longer than a load balancer's idle timeout (60 s is the
  // common default), so the server never closes a connection a client is about to reuse.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  const port = (server.address() as AddressInfo).port;
  const control = database.kind === "pglite" && !config.dataDir.startsWith("memory://") ? listenForCommands(deps.db, config.dataDir, { appUrl: config.appUrl }) : null;
  if (!opts.quiet) {
    console.log(
      `Tablewatch is running at ${config.appUrl} (port ${port}, ${database.kind === "pglite" ? `embedded database in ${config.dataDir}` : "PostgreSQL"}, mail ${config.smtpUrl ? "via SMTP" : "caught at /dev/mail"}, payments ${deps.paymentSandboxUrl ? `via the sandbox processor at ${deps.paymentSandboxUrl}` : "via SecurionPay"})`,
    );
  }
  // Stale automatic copies (and tiles, where a dashboard asks) are swept every minute.
  const sweep = setInterval(() => {
    sweepStaleTiles(deps.db).catch((error) => console.error("stale tile sweep failed", error));
  }, 60_000);
  sweep.unref();
  // The access log past ACCESS_LOG_RETENTION_DAYS and the accounts whose deletion date has passed
  // are purged daily by the process running the alarm worker (server/maintenance/daily.ts).
  // Failed-payment retries, period ends and pending invoices, where the alarm worker runs (ADR 24).
  const billingJobs = config.alarmWorker ? startBillingJobs(deps) : null;
  const daily = config.alarmWorker
    ? startDailyTasks({ db: deps.db, kind: database.kind, tasks: [accessLogPurgeTask(config.accessLogRetentionDays), accountPurgeTask(), rateLimitPurgeTask(), planRetentionTask()] })
    : null;
  let stopped = false;
  return {
    server,
    deps,
    url: `http://localhost:${port}`,
    async stop() {
      if (stopped) return;
      stopped = true;
      control?.close();
      await paymentSandbox?.close();
      clearInterval(sweep);
      await daily?.stop();
      await billingJobs?.stop();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      setTimeout(() => server.closeAllConnections(), 2000).unref();
      await closed;
      await deps.alarmWorker?.stop();
      await deps.policyBroadcast?.stop();
      await deps.sandbox.close();
      deps.mailer.close();
      await deps.usage.stop();
      await deps.accessLog.stop();
      await deps.automatic.idle();
      await database.close();
      database.release();
    },
  };
}
