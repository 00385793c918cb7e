/**
 * The notification outbox (server/alarm/outbox.ts) against a real database (PGlite, or
 * PostgreSQL with TEST_DATABASE_URL), a local SMTP sink and a local webhook receiver:
 * alarms.md "Delivery guarantees" — recorded before sent, retried with backoff until it
 * succeeds, and neither lost nor sent twice when a worker dies.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { after, before, beforeEach, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { eq, inArray, sql } from "drizzle-orm";
import { type Database, type Db, openDatabase, queryRows } from "../../db/client";
import { accounts, alarms, notifications } from "../../db/schema";
import { createOutbox, messageIdFor, type NotificationRecord, recordNotifications } from "../../server/alarm/outbox";
import type { AlarmNotificationPayload } from "../../server/alarm/types";
import { newWebhookSecret, verifyWebhook } from "../../server/alarm/webhook";
import { createMailer, type Mailer } from "../../server/mail/mailer";
import { uuidv7 } from "../../server/tokens";
import { databaseKind, openTestDatabase } from "../helpers/app";
import { decodeHeader, headerOf, mimeParts, type SmtpSink, smtpError, startSmtpSink, waitFor } from "../helpers/smtp";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

let t: Awaited<ReturnType<typeof openTestDatabase>>;
let db: Db;
before(async () => {
  t = await openTestDatabase();
  db = t.db;
});
after(() => t?.close());
// deliverDue claims every due row of the database: each test starts with an empty outbox.
beforeEach(async () => {
  await db.delete(notifications);
});

/** A test clock for the outbox (SQL then compares with it instead of now()). */
function testClock() {
  let ms = Date.now() + 1000;
  return { now: () => new Date(ms), advance: (seconds: number) => (ms += seconds * 1000) };
}

type TestAlarm = { accountId: string; alarmId: string; secret: string };

async function createAlarm(name = "Disk space"): Promise<TestAlarm> {
  const accountId = uuidv7();
  const alarmId = uuidv7();
  const secret = newWebhookSecret();
  await db.insert(accounts).values({ id: accountId, name: `Account ${accountId.slice(-6)}` });
  await db.insert(alarms).values({
    accountId,
    id: alarmId,
    name,
    report: "df",
    kind: "check",
    code: "return true",
    webhookSecret: secret,
    badgeTokenHash: randomBytes(16).toString("hex"),
  });
  return { accountId, alarmId, secret };
}

function payloadFor(alarm: TestAlarm, message: string): AlarmNotificationPayload {
  return {
    reason: "alarm",
    state: "alarm",
    previousState: "ok",
    alarm: { id: alarm.alarmId, name: "Disk space", report: "df", url: `http://tw.test/alarms/${alarm.alarmId}` },
    tags: ["host:web1"],
    message,
    at: new Date().toISOString(),
    instance: {
      id: uuidv7(),
      created: new Date().toISOString(),
      url: "http://tw.test/reports/df/instances/1",
      header: [0],
      rows: [
        ["Filesystem", "Use%", "Mounted on"],
        ["/dev/sda1", "95%", "/"],
      ],
      totalRows: 2,
      markedRows: [1],
    },
    settingsUrl: `http://tw.test/alarms/${alarm.alarmId}/settings`,
  };
}

/** Records `n` email notifications (one state change, n recipients) in a transaction; returns their keys. */
async function recordEmails(alarm: TestAlarm, n: number, prefix = randomBytes(4).toString("hex")): Promise<string[]> {
  const rows: NotificationRecord[] = Array.from({ length: n }, (_, i) => ({
    accountId: alarm.accountId,
    alarmId: alarm.alarmId,
    idempotencyKey: `${alarm.alarmId}::${prefix}:email:user${i}`,
    channel: "email",
    recipient: `user${i}@example.test`,
    payload: payloadFor(alarm, `/ is 95% full (${prefix} #${i})`),
  }));
  const inserted = await db.transaction((tx) => recordNotifications(tx, rows));
  assert.equal(inserted, n);
  return rows.map((r) => r.idempotencyKey);
}

const rowsOf = (keys: string[]) => db.select().from(notifications).where(inArray(notifications.idempotencyKey, keys));

/** Asserts that every key's Message-ID arrived exactly once, and nothing else did. */
function assertEachOnce(sink: SmtpSink, keys: string[]) {
  const ids = sink.messages.map((m) => m.messageId);
  const duplicates = ids.filter((id, i) => ids.indexOf(id) !== i);
  assert.deepEqual(duplicates, [], "no message arrives twice");
  assert.deepEqual(new Set(ids), new Set(keys.map(messageIdFor)));
  assert.equal(ids.length, keys.length);
}

const mailerFor = (sink: SmtpSink): Mailer => createMailer({ db, smtpUrl: sink.url, from: "Tablewatch <alarms@tablewatch.test>" });
const quiet = () => {};

describe(`notification outbox (${databaseKind})`, () => {
  it("sends each recorded email once, marks it sent, and sends nothing on the next run", async () => {
    const sink = await startSmtpSink();
    const mailer = mailerFor(sink);
    try {
      const alarm = await createAlarm();
      const keys = await recordEmails(alarm, 3);
      // Recording the same state change again (a re-evaluation after a crash) adds nothing.
      const again = (await rowsOf(keys)).map((r) => ({ ...r, payload: r.payload as unknown as AlarmNotificationPayload, alarmId: r.alarmId! }));
      assert.equal(await db.transaction((tx) => recordNotifications(tx, again)), 0);

      const outbox = createOutbox({ db, mailer, log: quiet });
      assert.deepEqual(await outbox.deliverDue(), { sent: 3, failed: 0, claimed: 3 });
      assertEachOnce(sink, keys);
      for (const row of await rowsOf(keys)) {
        assert.equal(row.status, "sent");
        assert.equal(row.attempts, 1);
        assert.equal(row.lockedUntil, null);
        assert.ok(row.sentAt instanceof Date);
      }
      assert.deepEqual(await outbox.deliverDue(), { sent: 0, failed: 0, claimed: 0 });
      assert.equal(sink.messages.length, 3);

      const message = sink.messages.find((m) => m.to.includes("user1@example.test"))!;
      const { parts } = mimeParts(message.raw);
      assert.match(decodeHeader(headerOf(message.raw, "Subject") ?? ""), /^ALARM: Disk space \(host:web1\) — \/ is 95% full \(\w+ #1\)$/);
      assert.equal(headerOf(message.raw, "Auto-Submitted"), "auto-generated");
      assert.equal(headerOf(message.raw, "X-Tablewatch-Alarm"), alarm.alarmId);
      assert.match(parts["text/plain"] ?? "", /▶\uFE0E\s+\/dev\/sda1\s+95%\s+\//);
      assert.match(parts["text/html"] ?? "", /\/ is 95% full/);
    } finally {
      mailer.close();
      await sink.close();
    }
  });

  it("keeps retrying with backoff while SMTP is down, and sends everything once when it is back", async () => {
    let mode: "down" | "busy" | "up" = "down";
    const sink = await startSmtpSink({
      onConnect: () => (mode === "down" ? smtpError(421, "Service not available") : null),
      beforeReply: () => (mode === "busy" ? smtpError(451, "Try again later") : undefined),
    });
    const mailer = mailerFor(sink);
    const clock = testClock();
    const logged: string[] = [];
    try {
      const alarm = await createAlarm();
      const keys = await recordEmails(alarm, 5);
      const outbox = createOutbox({ db, mailer, now: clock.now, log: (m) => logged.push(m) });

      assert.deepEqual(await outbox.deliverDue(), { sent: 0, failed: 5, claimed: 5 });
      for (const row of await rowsOf(keys)) {
        assert.equal(row.status, "pending");
        assert.equal(row.attempts, 1);
        assert.equal(row.lockedUntil, null);
        assert.ok(row.lastError);
        assert.equal(row.nextAttemptAt.getTime(), clock.now().getTime() + 30_000, "first retry after 30 s");
      }
      assert.match(logged[0] ?? "", /attempt 1 of the email notification .* failed, retrying in 30 s/);
      // Not due yet.
      clock.advance(20);
      assert.equal((await outbox.deliverDue()).claimed, 0);

      mode = "busy";
      clock.advance(11);
      assert.deepEqual(await outbox.deliverDue(), { sent: 0, failed: 5, claimed: 5 });
      for (const row of await rowsOf(keys)) {
        assert.equal(row.attempts, 2);
        assert.match(row.lastError ?? "", /451/);
        assert.equal(row.nextAttemptAt.getTime(), clock.now().getTime() + 60_000, "then after a minute");
      }
      assert.equal(sink.messages.length, 0);
      assert.equal(sink.received.length, 5, "the refused messages reached the server and were refused");

      mode = "up";
      clock.advance(61);
      assert.deepEqual(await outbox.deliverDue(), { sent: 5, failed: 0, claimed: 5 });
      clock.advance(3600);
      assert.deepEqual(await outbox.deliverDue(), { sent: 0, failed: 0, claimed: 0 });
      assertEachOnce(sink, keys);
      for (const row of await rowsOf(keys)) {
        assert.equal(row.status, "sent");
        assert.equal(row.attempts, 3);
        assert.equal(row.lastError, null);
      }
    } finally {
      mailer.close();
      await sink.close();
    }
  });

  it("gives up after three days of failures", async () => {
    const sink = await startSmtpSink({ onConnect: () => smtpError(421, "Service not available") });
    const mailer = mailerFor(sink);
    const clock = testClock();
    const logged: string[] = [];
    try {
      const [key] = await recordEmails(await createAlarm(), 1);
      const outbox = createOutbox({ db, mailer, now: clock.now, log: (m) => logged.push(m) });
      assert.equal((await outbox.deliverDue()).failed, 1);
      clock.advance(71 * 3600);
      assert.equal((await outbox.deliverDue()).failed, 1);
      assert.equal((await rowsOf([key!]))[0]?.status, "pending", "still retrying after 71 hours");
      clock.advance(2 * 3600);
      assert.equal((await outbox.deliverDue()).failed, 1);
      const [row] = await rowsOf([key!]);
      assert.equal(row?.status, "failed");
      assert.equal(row?.attempts, 3);
      assert.match(logged.at(-1) ?? "", /gave up on the email notification/);
      clock.advance(24 * 3600);
      assert.equal((await outbox.deliverDue()).claimed, 0, "a failed notification is not retried");
    } finally {
      mailer.close();
      await sink.close();
    }
  });

  it("two outboxes working the same rows send each notification once", async () => {
    const sink = await startSmtpSink({ beforeReply: () => sleep(Math.random() * 10) });
    const mailer = mailerFor(sink);
    // On PostgreSQL the second outbox has a connection pool of its own, as another worker would.
    let second: Database | null = null;
    if (databaseKind === "postgres") second = await openDatabase({ databaseUrl: await databaseUrlOf(db), max: 2 });
    try {
      const keys = await recordEmails(await createAlarm(), 40);
      const a = createOutbox({ db, mailer, batchSize: 5, log: quiet });
      const b = createOutbox({ db: second?.db ?? db, mailer, batchSize: 5, log: quiet });
      const drain = async (outbox: typeof a) => {
        let sent = 0;
        for (;;) {
          const result = await outbox.deliverDue();
          sent += result.sent;
          if (result.claimed === 0) return sent;
        }
      };
      const [sentA, sentB] = await Promise.all([drain(a), drain(b)]);
      assert.equal(sentA + sentB, 40);
      assert.ok(sentA > 0 && sentB > 0, `both outboxes took part (${sentA} + ${sentB})`);
      assertEachOnce(sink, keys);
      assert.ok((await rowsOf(keys)).every((r) => r.status === "sent" && r.attempts === 1), "no row was claimed twice");
    } finally {
      await second?.close();
      mailer.close();
      await sink.close();
    }
  });

  it("a started outbox sends a fresh notification at once when poked, and stop() waits for it", async () => {
    const sink = await startSmtpSink();
    const mailer = mailerFor(sink);
    const outbox = createOutbox({ db, mailer, log: quiet });
    try {
      outbox.start(60_000);
      await sleep(100); // the first (empty) run
      const keys = await recordEmails(await createAlarm(), 2);
      const started = Date.now();
      outbox.poke();
      await waitFor(() => (sink.messages.length === 2 ? true : undefined), 2000, "the poked delivery");
      assert.ok(Date.now() - started < 1000, "within a second");
      await outbox.stop();
      assert.ok((await rowsOf(keys)).every((r) => r.status === "sent"));
      assertEachOnce(sink, keys);
    } finally {
      await outbox.stop();
      mailer.close();
      await sink.close();
    }
  });

  it("delivers a signed webhook, retrying after a 500 until it gets a 2xx, once", async () => {
    const requests: { headers: IncomingHttpHeaders; body: string }[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        requests.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
        if (requests.length === 1) res.writeHead(500).end("database\n  is down");
        else res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/tablewatch`;
    const clock = testClock();
    const mailer = createMailer({ db, from: "x@tablewatch.test" });
    try {
      const alarm = await createAlarm();
      const payload = payloadFor(alarm, "/ is 95% full");
      const key = `${alarm.alarmId}::1:webhook`;
      await db.transaction((tx) =>
        recordNotifications(tx, [{ accountId: alarm.accountId, alarmId: alarm.alarmId, idempotencyKey: key, channel: "webhook", recipient: url, payload }]),
      );
      const outbox = createOutbox({ db, mailer, now: clock.now, log: quiet });

      assert.deepEqual(await outbox.deliverDue(), { sent: 0, failed: 1, claimed: 1 });
      let [row] = await rowsOf([key]);
      assert.equal(row?.status, "pending");
      assert.equal(row?.lastError, "Webhook answered 500: database is down");

      clock.advance(31);
      assert.deepEqual(await outbox.deliverDue(), { sent: 1, failed: 0, claimed: 1 });
      clock.advance(3600);
      assert.deepEqual(await outbox.deliverDue(), { sent: 0, failed: 0, claimed: 0 });
      [row] = await rowsOf([key]);
      assert.equal(row?.status, "sent");
      assert.equal(row?.attempts, 2);

      assert.equal(requests.length, 2);
      for (const request of requests) {
        assert.equal(request.headers["content-type"], "application/json");
        assert.equal(request.headers["user-agent"], "Tablewatch-Webhook/1");
        assert.equal(request.headers["x-tablewatch-delivery"], row!.id, "the same delivery id on every attempt");
        // (The test clock has moved on by an hour since: a tolerance of a day accepts both attempts.)
        const verify = { now: clock.now(), toleranceSeconds: 86_400 };
        assert.ok(verifyWebhook(alarm.secret, request.headers, request.body, verify), "the signature verifies");
        assert.ok(!verifyWebhook(newWebhookSecret(), request.headers, request.body, verify), "not with another secret");
        assert.deepEqual(JSON.parse(request.body), payload);
      }
    } finally {
      mailer.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("gives up on a webhook at once when it cannot be signed or its URL is not http(s)", async () => {
    const mailer = createMailer({ db, from: "x@tablewatch.test" });
    try {
      const alarm = await createAlarm();
      const gone = await createAlarm();
      await db.transaction((tx) =>
        recordNotifications(tx, [
          { accountId: alarm.accountId, alarmId: alarm.alarmId, idempotencyKey: `${alarm.alarmId}:ftp`, channel: "webhook", recipient: "ftp://example.test/x", payload: payloadFor(alarm, "x") },
          { accountId: gone.accountId, alarmId: gone.alarmId, idempotencyKey: `${gone.alarmId}:gone`, channel: "webhook", recipient: "http://127.0.0.1:9/", payload: payloadFor(gone, "x") },
        ]),
      );
      await db.delete(alarms).where(eq(alarms.id, gone.alarmId));
      const outbox = createOutbox({ db, mailer, log: quiet });
      assert.deepEqual(await outbox.deliverDue(), { sent: 0, failed: 2, claimed: 2 });
      const rows = await rowsOf([`${alarm.alarmId}:ftp`, `${gone.alarmId}:gone`]);
      assert.ok(rows.every((r) => r.status === "failed"));
      assert.deepEqual(rows.map((r) => r.lastError).sort(), [
        "The alarm no longer exists, so there is no secret to sign the webhook with",
        "The webhook URL must start with http:// or https://",
      ]);
    } finally {
      mailer.close();
    }
  });

  /*
   * Killing the worker between "recorded" and "sent". The one moment a kill could cause a
   * duplicate is after the SMTP server accepted a message (250) and before the row is marked sent
   * — a window of a few milliseconds, which the design accepts (the Message-ID makes such a
   * duplicate recognisable). To test "a crash at any point" deterministically, the sink holds the
   * reply to the 6th message's DATA: the worker has then marked the first five sent (it marks each
   * before sending the next) and is waiting for the 6th to be accepted when it is SIGKILLed. The
   * sink does not accept a message whose connection closed before the reply (a real server would
   * not deliver it either), so the 6th row stays pending, leased; the next worker sends it once the
   * lease has run out, with the 24 others.
   */
  it(
    "a worker killed between recorded and sent: everything arrives, exactly once",
    { skip: databaseKind === "pglite" ? "PGlite is an embedded, single-process database: a second process cannot open it" : false, timeout: 30_000 },
    async () => {
      let hold = true;
      const sink = await startSmtpSink({
        async beforeReply(_message, { closed }) {
          if (hold && sink.messages.length >= 5) {
            await closed;
            return;
          }
          await sleep(50);
        },
      });
      const children: ChildProcess[] = [];
      try {
        const keys = await recordEmails(await createAlarm(), 30);
        const databaseUrl = await databaseUrlOf(db);
        const env = {
          ...process.env,
          OUTBOX_DATABASE_URL: databaseUrl,
          OUTBOX_SMTP_URL: sink.url,
          OUTBOX_LEASE_SECONDS: "4",
          OUTBOX_SEND_TIMEOUT_MS: "2500",
          OUTBOX_BATCH_SIZE: "10",
        };
        const startChild = () => {
          const child = spawn(process.execPath, ["--import", "tsx", "tests/helpers/outbox-child.ts"], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
          let output = "";
          child.stdout!.on("data", (c: Buffer) => (output += c.toString()));
          child.stderr!.on("data", (c: Buffer) => (output += c.toString()));
          const exited = new Promise<number | string | null>((resolve) => child.on("exit", (code, signal) => resolve(code ?? signal)));
          children.push(child);
          return { child, exited, output: () => output };
        };

        const first = startChild();
        await waitFor(() => (sink.received.length === 6 ? true : undefined), 15_000, "the 6th message, held");
        first.child.kill("SIGKILL");
        assert.equal(await first.exited, "SIGKILL");
        assert.equal(sink.messages.length, 5, "five accepted before the kill");
        const sentBeforeKill = (await rowsOf(keys)).filter((r) => r.status === "sent").length;
        assert.equal(sentBeforeKill, 5, `the five accepted are marked sent (worker output: ${first.output()})`);

        hold = false;
        const second = startChild();
        await waitFor(async () => ((await rowsOf(keys)).every((r) => r.status === "sent") ? true : undefined), 20_000, "all rows sent");
        second.child.kill("SIGTERM");
        assert.equal(await second.exited, 0, second.output());

        assertEachOnce(sink, keys);
        assert.equal(sink.received.length, 31, "the held message reached the server, unaccepted, and came again");
        const heldRow = (await rowsOf(keys)).find((r) => messageIdFor(r.idempotencyKey) === sink.received[5]!.messageId);
        assert.equal(heldRow?.attempts, 2, "the message held at the kill was claimed twice, accepted once");
      } finally {
        for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
        await sink.close();
      }
    },
  );
});

/** The URL of the (PostgreSQL) test database, for another connection pool or process. */
async function databaseUrlOf(db: Db): Promise<string> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  assert.ok(serverUrl, "TEST_DATABASE_URL is set");
  const [row] = await queryRows<{ name: string }>(db, sql`select current_database() as name`);
  const url = new URL(serverUrl);
  url.pathname = `/${row!.name}`;
  return url.toString();
}
