/**
 * A policy broadcast sender in a process of its own, for the crash test in
 * tests/integration/policies.test.ts: `node --import tsx tests/helpers/broadcast-child.ts` with
 * BROADCAST_DATABASE_URL (PostgreSQL), BROADCAST_SMTP_URL, BROADCAST_APP_URL and optionally
 * BROADCAST_PER_MINUTE, BROADCAST_LEASE_SECONDS, BROADCAST_SEND_TIMEOUT_MS, BROADCAST_BATCH_SIZE,
 * BROADCAST_CONCURRENCY, BROADCAST_RETRY_SECONDS. Prints "ready" once polling, and a line per failure.
 */
import { openDatabase } from "../../db/client";
import { createMailer } from "../../server/mail/mailer";
import { createPolicyBroadcast } from "../../server/policy/broadcast";

const env = process.env;
const databaseUrl = env.BROADCAST_DATABASE_URL;
const smtpUrl = env.BROADCAST_SMTP_URL;
if (!databaseUrl || !smtpUrl) throw new Error("BROADCAST_DATABASE_URL and BROADCAST_SMTP_URL are required");

const database = await openDatabase({ databaseUrl, max: 4 });
const mailer = createMailer({ db: database.db, smtpUrl, from: "Tablewatch <policy@tablewatch.test>" });
const broadcast = createPolicyBroadcast({
  db: database.db,
  mailer,
  appUrl: env.BROADCAST_APP_URL ?? "http://localhost:3000",
  perMinute: Number(env.BROADCAST_PER_MINUTE ?? 600),
  leaseSeconds: Number(env.BROADCAST_LEASE_SECONDS ?? 120),
  sendTimeoutMs: env.BROADCAST_SEND_TIMEOUT_MS ? Number(env.BROADCAST_SEND_TIMEOUT_MS) : undefined,
  batchSize: Number(env.BROADCAST_BATCH_SIZE ?? 100),
  concurrency: Number(env.BROADCAST_CONCURRENCY ?? 4),
  retrySeconds: env.BROADCAST_RETRY_SECONDS ? env.BROADCAST_RETRY_SECONDS.split(",").map(Number) : undefined,
  log: (message) => console.log(message),
});
broadcast.start(50);
console.log("ready");

const shutdown = async () => {
  await broadcast.stop();
  mailer.close();
  await database.close();
  process.exit(0);
};
process.on("SIGTERM", () => void shutdown());
process.on("SIGINT", () => void shutdown());
