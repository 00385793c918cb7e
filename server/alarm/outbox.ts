/**
 * The notification outbox (alarms.md "Delivery guarantees"): every notification is a row of
 * `notifications`, and senders deliver the due rows, Healthchecks-style.
 *
 * How "a crash at any point neither loses a notification nor sends one twice" holds:
 *
 * 1. **Recorded before sent.** `recordNotifications` runs inside the transaction that changes the
 *    alarm's state, so a state change and its notifications commit together or not at all.
 *    The idempotency key (unique per state change and channel/recipient) makes recording again
 *    (a re-evaluation after a crash) a no-op: `on conflict (idempotency_key) do nothing`.
 * 2. **Claimed atomically, with a lease.** `deliverDue` claims due rows in one statement
 *    (`for update skip locked` + `locked_until = now + lease`), so several workers (processes or
 *    hosts) can run at once: a row is claimed by one of them, and the others skip it.
 * 3. **Marked sent right after the channel accepted it.** A crash after the claim and before the
 *    send leaves the row pending and leased; once the lease runs out another worker (or this one
 *    after a restart) claims it again, and it is sent exactly once. A failed send sets the next
 *    attempt with backoff (30 s, 1 min, 2, 5, 15, 30 min, then hourly) and gives up (`failed`)
 *    only after 3 days.
 * 4. **The one duplicate window** is a crash after the SMTP server (or the webhook receiver)
 *    accepted the message and before the row is marked sent (a few milliseconds), or a send that
 *    timed out here yet was accepted there. The row is then sent again; because the email's
 *    Message-ID is derived from the idempotency key (`messageIdFor`) and the webhook's
 *    X-Tablewatch-Delivery is the row's id, the repeat is recognisable (mail clients and servers
 *    collapse equal Message-IDs; receivers can drop a delivery id they have seen).
 *
 * A batch never outlives its lease: before each send it checks that the send's timeout still
 * fits in the lease, and otherwise hands the rest of the batch back (locked_until = null), so no
 * other worker can claim a row this one is still sending.
 *
 * Time: all SQL uses the database's `now()` (one clock for every worker) unless the `now` option
 * is given (tests), in which case that clock is passed as a parameter everywhere instead.
 */
import { createHash } from "node:crypto";
import { type SQL, sql } from "drizzle-orm";
import { type Db, queryRows } from "../../db/client";
import { type NotificationChannel, notifications } from "../../db/schema/alarms";
import type { Mailer } from "../mail/mailer";
import { sendAlarmNotification } from "../mail/messages";
import { uuidv7 } from "../tokens";
import type { AlarmNotificationPayload } from "./types";
import { PermanentDeliveryError, postWebhook } from "./webhook";
import { createPoller, errorText, withTimeout } from "../jobs/poller";

/** One notification to record: to one email address, or to one webhook URL. */
export type NotificationRecord = {
  accountId: string;
  alarmId: string;
  /** Unique per state change and channel/recipient, e.g. `<alarm>:<tag key hash>:<seq>:email:<user id>`. */
  idempotencyKey: string;
  channel: NotificationChannel;
  /** The email address, or the webhook URL. */
  recipient: string;
  payload: AlarmNotificationPayload;
};

/**
 * Records notifications in the outbox; call it inside the transaction of the state change
 * (`db.transaction(async (tx) => recordNotifications(tx, rows))`). Keys already
 * recorded are skipped. Returns how many rows were new.
 */
export async function recordNotifications(tx: Db, rows: NotificationRecord[]): Promise<number> {
  if (rows.length === 0) return 0;
  const inserted = await tx
    .insert(notifications)
    .values(
      rows.map((r) => ({
        accountId: r.accountId,
        id: uuidv7(),
        alarmId: r.alarmId,
        idempotencyKey: r.idempotencyKey,
        channel: r.channel,
        recipient: r.recipient,
        payload: r.payload as unknown as Record<string, unknown>,
      })),
    )
    .onConflictDoNothing({ target: notifications.idempotencyKey })
    .returning({ id: notifications.id });
  return inserted.length;
}

/** The Message-ID of a notification email: the same for every attempt of one notification. */
export function messageIdFor(idempotencyKey: string): string {
  return `<${createHash("sha256").update(idempotencyKey).digest("hex").slice(0, 40)}@tablewatch>`;
}

const BACKOFF_SECONDS = [30, 60, 120, 300, 900, 1800];
/** Seconds until the next attempt after `attempts` failed ones: 30 s, 1 min, 2, 5, 15, 30 min, then hourly. */
export function backoffSeconds(attempts: number): number {
  return BACKOFF_SECONDS[Math.max(0, attempts - 1)] ?? 3600;
}
/** A notification still failing this long after it was recorded is given up (`failed`). */
export const GIVE_UP_AFTER_HOURS = 72;

export type DeliveryResult = {
  sent: number;
  failed: number;
  /** Rows claimed by this run (sent + failed + handed back unsent because the lease ran short). */
  claimed: number;
};

export type Outbox = {
  /** Claims up to `batchSize` due rows and sends them. Runs one at a time per outbox. */
  deliverDue(): Promise<DeliveryResult>;
  /** Polls every `intervalMs` (default 2000), at once again while whole batches come back. */
  start(intervalMs?: number): void;
  /** Runs a delivery now (when started), e.g. right after a state change recorded notifications. */
  poke(): void;
  /** Stops polling and waits for the delivery in flight. */
  stop(): Promise<void>;
};

export type OutboxOptions = {
  db: Db;
  mailer: Mailer;
  fetch?: typeof fetch;
  /** A clock for tests; SQL uses the database's now() when absent. */
  now?: () => Date;
  /** Rows claimed per run (default 20). */
  batchSize?: number;
  /** How long a claim is held before another worker may retry the row (default 120 s). */
  leaseSeconds?: number;
  /** The most one send may take (default 30 s, at most a quarter of the lease); webhooks 10 s at most. */
  sendTimeoutMs?: number;
  /** Failures and unexpected errors (default console.error). */
  log?: (message: string) => void;
};

type ClaimedRow = {
  accountId: string;
  id: string;
  alarmId: string | null;
  idempotencyKey: string;
  channel: NotificationChannel;
  recipient: string;
  payload: AlarmNotificationPayload | string;
  attempts: number;
};


export function createOutbox(opts: OutboxOptions): Outbox {
  const { db, mailer } = opts;
  const batchSize = opts.batchSize ?? 20;
  const leaseSeconds = opts.leaseSeconds ?? 120;
  const leaseMs = leaseSeconds * 1000;
  const sendTimeoutMs = opts.sendTimeoutMs ?? Math.min(30_000, leaseMs / 4);
  const log = opts.log ?? ((message: string) => console.error(message));
  if (sendTimeoutMs >= leaseMs * 0.9) throw new Error("The send timeout must be well below the lease");
  /** The current time as SQL: a parameter when a clock was given, the database's otherwise. */
  const clock = (): SQL => (opts.now ? sql`${opts.now().toISOString()}::timestamptz` : sql`now()`);

  async function claim(): Promise<ClaimedRow[]> {
    const t = clock();
    return queryRows<ClaimedRow>(
      db,
      sql`with due as materialized (
            select account_id, id from notifications
            where status = 'pending' and next_attempt_at <= ${t} and (locked_until is null or locked_until < ${t})
            order by next_attempt_at
            limit ${batchSize}::int
            for update skip locked
          )
          update notifications n
          set locked_until = ${t} + ${leaseSeconds}::int * interval '1 second', attempts = n.attempts + 1
          from due
          where n.account_id = due.account_id and n.id = due.id
          returning n.account_id as "accountId", n.id, n.alarm_id as "alarmId", n.idempotency_key as "idempotencyKey",
                    n.channel, n.recipient, n.payload, n.attempts`,
    );
  }

  async function send(row: ClaimedRow): Promise<void> {
    const payload = (typeof row.payload === "string" ? JSON.parse(row.payload) : row.payload) as AlarmNotificationPayload;
    if (row.channel === "email") {
      await withTimeout(sendAlarmNotification(mailer, row.recipient, payload, { messageId: messageIdFor(row.idempotencyKey) }), sendTimeoutMs, "Sending the email");
      return;
    }
    // The secret is read at send time: it is not copied into the outbox.
    const [alarm] = row.alarmId
      ? await queryRows<{ webhook_secret: string }>(
          db,
          sql`select webhook_secret from alarms where account_id = ${row.accountId}::uuid and id = ${row.alarmId}::uuid`,
        )
      : [];
    if (!alarm) throw new PermanentDeliveryError("The alarm no longer exists, so there is no secret to sign the webhook with");
    const timeoutMs = Math.min(10_000, sendTimeoutMs);
    await withTimeout(
      postWebhook(row.recipient, payload, alarm.webhook_secret, { deliveryId: row.id, fetch: opts.fetch, timeoutMs, now: opts.now }),
      timeoutMs + 1000,
      "Webhook",
    );
  }

  async function markSent(row: ClaimedRow): Promise<void> {
    await db.execute(
      sql`update notifications set status = 'sent', sent_at = ${clock()}, locked_until = null, last_error = null
          where account_id = ${row.accountId}::uuid and id = ${row.id}::uuid`,
    );
  }

  async function markFailed(row: ClaimedRow, error: unknown): Promise<void> {
    const t = clock();
    const message = errorText(error);
    const status =
      error instanceof PermanentDeliveryError
        ? sql`'failed'`
        : sql`case when created_at <= ${t} - ${GIVE_UP_AFTER_HOURS}::int * interval '1 hour' then 'failed' else 'pending' end`;
    const [updated] = await queryRows<{ status: string }>(
      db,
      sql`update notifications
          set status = ${status}, next_attempt_at = ${t} + ${backoffSeconds(row.attempts)}::int * interval '1 second',
              last_error = ${message}, locked_until = null
          where account_id = ${row.accountId}::uuid and id = ${row.id}::uuid
          returning status`,
    );
    const what = `${row.channel} notification ${row.id} (${row.idempotencyKey}) to ${row.recipient}`;
    if (updated?.status === "failed") log(`notification outbox: gave up on the ${what} after ${row.attempts} attempts: ${message}`);
    else log(`notification outbox: attempt ${row.attempts} of the ${what} failed, retrying in ${backoffSeconds(row.attempts)} s: ${message}`);
  }

  /** Hands claimed rows back unsent (the lease would not cover their sending). */
  async function release(rows: ClaimedRow[]): Promise<void> {
    if (rows.length === 0) return;
    const keys = sql.join(
      rows.map((r) => sql`(${r.accountId}::uuid, ${r.id}::uuid)`),
      sql`, `,
    );
    await db.execute(
      sql`update notifications set locked_until = null, attempts = greatest(attempts - 1, 0)
          where status = 'pending' and (account_id, id) in (${keys})`,
    );
  }

  async function runOnce(): Promise<DeliveryResult> {
    const claimedAt = performance.now();
    const rows = await claim();
    const result: DeliveryResult = { sent: 0, failed: 0, claimed: rows.length };
    for (const [i, row] of rows.entries()) {
      if (performance.now() - claimedAt + sendTimeoutMs > leaseMs * 0.9) {
        await release(rows.slice(i));
        break;
      }
      let failure: { error: unknown } | null = null;
      try {
        await send(row);
      } catch (error) {
        failure = { error };
      }
      // Not inside the try: if marking fails, the row stays leased and is retried when the lease
      // ends (recording a failure for a message that went out would send it twice).
      if (failure) {
        await markFailed(row, failure.error);
        result.failed++;
      } else {
        await markSent(row);
        result.sent++;
      }
    }
    return result;
  }

  const poller = createPoller(runOnce, {
    isFull: (result) => result.claimed >= batchSize,
    onError: (error) => log(`notification outbox: delivery failed: ${errorText(error)}`),
  });
  return {
    deliverDue: poller.runOnce,
    start: (intervalMs = 2000) => poller.start(intervalMs),
    poke: poller.poke,
    stop: poller.stop,
  };
}
