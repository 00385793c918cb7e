/**
 * A notification outbox worker in a process of its own, for the crash tests in
 * tests/integration/alarm-delivery.test.ts: `node --import tsx tests/helpers/outbox-child.ts`
 * with OUTBOX_DATABASE_URL (PostgreSQL), OUTBOX_SMTP_URL and optionally OUTBOX_LEASE_SECONDS,
 * OUTBOX_SEND_TIMEOUT_MS, OUTBOX_BATCH_SIZE. Prints "ready" once polling, and a line per failure.
 */
import { openDatabase } from "../../db/client";
import { createOutbox } from "../../server/alarm/outbox";
import { createMailer } from "../../server/mail/mailer";

const databaseUrl = process.env.OUTBOX_DATABASE_URL;
const smtpUrl = process.env.OUTBOX_SMTP_URL;
if (!databaseUrl || !smtpUrl) throw new Error("OUTBOX_DATABASE_URL and OUTBOX_SMTP_URL are required");

const database = await openDatabase({ databaseUrl, max: 2 });
const mailer = createMailer({ db: database.db, smtpUrl, from: "Tablewatch <alarms@tablewatch.test>" });
const outbox = createOutbox({
  db: database.db,
  mailer,
  leaseSeconds: Number(process.env.OUTBOX_LEASE_SECONDS ?? 120),
  sendTimeoutMs: process.env.OUTBOX_SEND_TIMEOUT_MS ? Number(process.env.OUTBOX_SEND_TIMEOUT_MS) : undefined,
  batchSize: Number(process.env.OUTBOX_BATCH_SIZE ?? 20),
  log: (message) => console.log(message),
});
outbox.start(50);
console.log("ready");

const shutdown = async () => {
  await outbox.stop();
  mailer.close();
  await database.close();
  process.exit(0);
};
process.on("SIGTERM", () => void shutdown());
process.on("SIGINT", () => void shutdown());
