import { openAppDatabase } from "./boot";
import { runCommand, UsageError } from "./cli/commands";
import { sendCommand } from "./cli/control";
import { ConfigError, loadConfig, type Config } from "./config";
import { createMailer } from "./mail/mailer";
import { createSandbox } from "./alarm/sandbox";
import { startAlarmWorker } from "./alarm/worker";
import { accountPurgeTask } from "./account/purge";
import { startPolicyBroadcast } from "./policy/broadcast";
import { startDailyTasks } from "./maintenance/daily";
import { accessLogPurgeTask } from "./access-log/service";
import { rateLimitPurgeTask } from "./rate-limit/service";
import { planRetentionTask } from "./plan/service";
import { runPaymentSandboxCommand } from "./payment-sandbox/command";
import { startBillingJobs } from "./billing/dunning";
import { createPaymentProvider } from "./billing/provider";
import { createAccountingProvider } from "./invoice/accounting";

/**
 * `npm run tw -- worker`: an alarm worker alone (evaluations, the minute tick, the outbox), until
 * SIGINT/SIGTERM. Several can run against one PostgreSQL database. The embedded database belongs
 * to one process, so with PGlite the app's in-process worker is the worker.
 */
async function runWorker(config: Config): Promise<number> {
  let database;
  try {
    database = await openAppDatabase(config);
  } catch (error) {
    if (error instanceof Error && error.message.includes("in use by process")) {
      throw new Error(
        `${error.message}\nThe embedded database belongs to the running app, which already runs an alarm worker in-process. Separate workers need PostgreSQL (DATABASE_URL).`,
      );
    }
    throw error;
  }
  const mailer = createMailer({ db: database.db, smtpUrl: config.smtpUrl, from: config.mailFrom });
  const sandbox = createSandbox();
  const worker = startAlarmWorker({ db: database.db, mailer, sandbox, appUrl: config.appUrl });
  // Policy-change emails (ADR 21) and the daily purges (access log, deleted accounts) run here too.
  const broadcast = startPolicyBroadcast({ db: database.db, mailer, appUrl: config.appUrl, perMinute: config.policyMailPerMinute });
  const daily = startDailyTasks({ db: database.db, kind: database.kind, tasks: [accessLogPurgeTask(config.accessLogRetentionDays), accountPurgeTask(), rateLimitPurgeTask(), planRetentionTask()] });
  // Failed-payment retries, period ends and pending invoices (ADR 24).
  const billing = startBillingJobs({ db: database.db, mailer, config, payments: createPaymentProvider(config), accounting: createAccountingProvider(config) });
  console.log(`Tablewatch alarm worker running (${config.databaseUrl ? "PostgreSQL" : `embedded database in ${config.dataDir}`}, mail ${config.smtpUrl ? "via SMTP" : "caught at /dev/mail"}); Ctrl-C stops it.`);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await worker.stop();
  await broadcast.stop();
  await daily.stop();
  await billing.stop();
  await sandbox.close();
  mailer.close();
  await database.close();
  database.release();
  return 0;
}

/** `npm run tw -- <command>`: operator commands, run by the same code as the app. */
async function main(argv: string[]): Promise<number> {
  const config = loadConfig();
  if (argv[0] === "worker") return runWorker(config);
  if (argv[0] === "payment-sandbox") return runPaymentSandboxCommand(config, argv.slice(1));
  if (!config.databaseUrl) {
    // The app may hold the embedded database: hand it the command.
    const reply = await sendCommand(config.dataDir, argv);
    if (reply) {
      (reply.ok ? console.log : console.error)(reply.output);
      return reply.ok ? 0 : 1;
    }
  }
  const database = await openAppDatabase(config);
  try {
    console.log(await runCommand(database.db, argv, { appUrl: config.appUrl }));
    return 0;
  } finally {
    await database.close();
    database.release();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    console.error(error instanceof UsageError || error instanceof ConfigError || (error instanceof Error && error.message.includes("in use by process")) ? error.message : error);
    process.exit(error instanceof UsageError ? 2 : 1);
  },
);
