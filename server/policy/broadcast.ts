/**
 * The policy-change broadcast sender: delivers the rows of `policy_deliveries` queued when a
 * policy version is published (server/policy/service.ts), the same way the alarm outbox delivers
 * notifications (server/alarm/outbox.ts, ADR 15). ADR 21 has the reasoning.
 *
 * - **Never twice per user and version**: a row per (version, user) — the primary key — is the
 *   only thing that leads to an email, and it is marked sent right after the SMTP server accepted
 *   the message. The one duplicate window is a crash between those two (milliseconds); the
 *   repeat then carries the same Message-ID (derived from version and user).
 * - **Resumable**: rows are claimed with `FOR UPDATE SKIP LOCKED` and a lease; a crashed
 *   sender's rows are taken over when the lease runs out; a restart goes on where it stopped.
 * - **At a configurable rate** (POLICY_MAIL_PER_MINUTE, for all senders together): claims are
 *   serialised by a transaction-scoped advisory lock, and each claims at most what the rate
 *   leaves in the current window, counting the attempts already made in it (`attempted_at`).
 * - **Failures**: a permanent refusal (SMTP 5xx) fails the row at once; other errors retry after
 *   1 and 5 minutes, then fail. Failed rows are listed on /admin/policies and "Retry failed" puts
 *   them back in the queue.
 */
import { createHash } from "node:crypto";
import { sql } from "drizzle-orm";
import { type Db, queryRows } from "../../db/client";
import type { Mailer } from "../mail/mailer";
import { renderPolicyChange, sendPolicyChange } from "../mail/messages";
import type { PolicyDocument } from "../../db/schema";
import { formatPolicyDate, policyInfo } from "./service";
import { createPoller, errorText, withTimeout } from "../jobs/poller";

/** Attempts before a row that keeps failing transiently is given up (`failed`). */
export const MAX_ATTEMPTS = 3;
const RETRY_SECONDS = [60, 300];

/** Any constant shared by every sender: serialises claims so the rate holds across processes. */
const CLAIM_LOCK = 0x7477_7062; // "twpb"

export type BroadcastResult = { claimed: number; sent: number; failed: number };

export type PolicyBroadcast = {
  /** Claims one batch (within the rate) and sends it. One run at a time per sender. */
  runOnce(): Promise<BroadcastResult>;
  /** Polls every `intervalMs` (default 1000), straight on while whole batches come back. */
  start(intervalMs?: number): void;
  /** Looks at the queue now (a version was just published in this process). */
  poke(): void;
  stop(): Promise<void>;
};

export type PolicyBroadcastOptions = {
  db: Db;
  mailer: Mailer;
  /** For the links in the emails. */
  appUrl: string;
  /** Emails per minute, all senders together (POLICY_MAIL_PER_MINUTE). */
  perMinute: number;
  /** Most rows claimed at once (default 100). */
  batchSize?: number;
  /** Emails sent at the same time by this sender (default 4). */
  concurrency?: number;
  /** How long a claim is held before another sender may take the row over (default 120 s). */
  leaseSeconds?: number;
  /** The most one send may take (default 30 s, at most a quarter of the lease). */
  sendTimeoutMs?: number;
  /** Seconds before the 2nd, 3rd… attempt after a temporary failure (default 60, 300). */
  retrySeconds?: number[];
  log?: (message: string) => void;
};

/** The rate as "at most `budget` attempts per `windowSeconds`": whole seconds, at least one email. */
export function rateWindow(perMinute: number): { windowSeconds: number; budget: number } {
  const windowSeconds = Math.max(1, Math.ceil(60 / perMinute));
  return { windowSeconds, budget: Math.max(1, Math.floor((perMinute * windowSeconds) / 60)) };
}

/** The Message-ID of a policy-change email: the same for every attempt to the same user. */
export function policyMessageId(versionId: string, userId: string): string {
  return `<policy-${createHash("sha256").update(`${versionId}:${userId}`).digest("hex").slice(0, 40)}@tablewatch>`;
}

type Claimed = { versionId: string; userId: string; email: string; attempts: number };
type RenderedVersion = { subject: string; html: string; text: string };

/** SMTP 5xx: the server will not take this message, however often it is tried. */
const isPermanent = (error: unknown) => {
  const code = typeof error === "object" && error && "responseCode" in error ? Number(error.responseCode) : 0;
  return code >= 500 && code < 600;
};

export function createPolicyBroadcast(opts: PolicyBroadcastOptions): PolicyBroadcast {
  const { db, mailer } = opts;
  const batchSize = opts.batchSize ?? 100;
  const concurrency = Math.max(1, opts.concurrency ?? 4);
  const leaseSeconds = opts.leaseSeconds ?? 120;
  const leaseMs = leaseSeconds * 1000;
  const sendTimeoutMs = opts.sendTimeoutMs ?? Math.min(30_000, leaseMs / 4);
  const log = opts.log ?? ((message: string) => console.error(message));
  const { windowSeconds, budget } = rateWindow(opts.perMinute);
  if (sendTimeoutMs >= leaseMs * 0.9) throw new Error("The send timeout must be well below the lease");

  const rendered = new Map<string, Promise<RenderedVersion>>();
  function renderVersion(versionId: string): Promise<RenderedVersion> {
    let r = rendered.get(versionId);
    if (!r) {
      r = (async () => {
        const [v] = await queryRows<{ document: PolicyDocument; summary: string; published_at: string | Date }>(
          db,
          sql`select document, summary, published_at from policy_versions where id = ${versionId}::uuid`,
        );
        if (!v) throw new Error(`Policy version ${versionId} does not exist`);
        const info = policyInfo[v.document];
        return renderPolicyChange({
          documentTitle: info.title,
          summary: v.summary,
          url: `${opts.appUrl}${info.path}`,
          lastModified: formatPolicyDate(new Date(v.published_at)),
        });
      })();
      r.catch(() => rendered.delete(versionId));
      rendered.set(versionId, r);
    }
    return r;
  }

  async function claim(): Promise<Claimed[]> {
    return db.transaction(async (tx) => {
      const t = tx as unknown as Db;
      await queryRows(t, sql`select pg_advisory_xact_lock(${CLAIM_LOCK})`);
      const [used] = await queryRows<{ n: number }>(
        t,
        sql`select count(*)::int as n from policy_deliveries where attempted_at > now() - ${windowSeconds}::int * interval '1 second'`,
      );
      const room = Math.min(batchSize, budget - Number(used?.n ?? 0));
      if (room <= 0) return [];
      return queryRows<Claimed>(
        t,
        sql`with due as materialized (
              select version_id, user_id from policy_deliveries
              where status = 'pending' and next_attempt_at <= now() and (locked_until is null or locked_until < now())
              order by next_attempt_at
              limit ${room}::int
              for update skip locked
            )
            update policy_deliveries d
            set locked_until = now() + ${leaseSeconds}::int * interval '1 second', attempts = d.attempts + 1, attempted_at = now()
            from due join users u on u.id = due.user_id
            where d.version_id = due.version_id and d.user_id = due.user_id
            returning d.version_id as "versionId", d.user_id as "userId", u.email, d.attempts`,
      );
    });
  }

  /**
   * Marks accepted messages sent, group-committed: a mark waits only for the statement in flight,
   * and the marks that arrived meanwhile go together in the next one. So the window between the
   * SMTP server's acceptance and the mark stays one statement long, with far fewer statements
   * than messages when several lanes send at once.
   */
  let marks: { row: Claimed; done: (error?: unknown) => void }[] = [];
  let marking: Promise<void> | null = null;
  async function drainMarks(): Promise<void> {
    while (marks.length) {
      const group = marks;
      marks = [];
      const keys = sql.join(
        group.map(({ row }) => sql`(${row.versionId}::uuid, ${row.userId})`),
        sql`, `,
      );
      try {
        await db.execute(
          sql`update policy_deliveries set status = 'sent', sent_at = now(), locked_until = null, last_error = null
              where (version_id, user_id) in (${keys})`,
        );
        for (const m of group) m.done();
      } catch (error) {
        for (const m of group) m.done(error);
      }
    }
    marking = null;
  }
  function markSent(row: Claimed): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      marks.push({ row, done: (error) => (error === undefined ? resolve() : reject(error)) });
      marking ??= drainMarks();
    });
  }

  async function markFailed(row: Claimed, error: unknown): Promise<"failed" | "retry"> {
    const giveUp = isPermanent(error) || row.attempts >= MAX_ATTEMPTS;
    const retries = opts.retrySeconds ?? RETRY_SECONDS;
    const retryIn = retries[Math.min(row.attempts - 1, retries.length - 1)] ?? 300;
    await db.execute(
      sql`update policy_deliveries
          set status = ${giveUp ? "failed" : "pending"}, last_error = ${errorText(error)}, locked_until = null,
              next_attempt_at = now() + ${retryIn}::int * interval '1 second'
          where version_id = ${row.versionId}::uuid and user_id = ${row.userId}`,
    );
    log(`policy broadcast: attempt ${row.attempts} to ${row.email} failed${giveUp ? "" : `, retrying in ${retryIn} s`}: ${errorText(error)}`);
    return giveUp ? "failed" : "retry";
  }

  /** Hands claimed rows back unsent (the lease would not cover their sending). */
  async function release(rows: Claimed[]): Promise<void> {
    for (const row of rows) {
      await db.execute(
        sql`update policy_deliveries set locked_until = null, attempts = greatest(attempts - 1, 0), attempted_at = null
            where version_id = ${row.versionId}::uuid and user_id = ${row.userId} and status = 'pending'`,
      );
    }
  }

  async function deliver(row: Claimed, result: BroadcastResult): Promise<void> {
    let failure: { error: unknown } | null = null;
    try {
      const message = await renderVersion(row.versionId);
      await withTimeout(sendPolicyChange(mailer, row.email, message, { messageId: policyMessageId(row.versionId, row.userId) }), sendTimeoutMs, "Sending the email");
    } catch (error) {
      failure = { error };
    }
    // Not inside the try: if marking fails, the row stays leased and is retried when the lease
    // ends (recording a failure for a message that went out would send it twice).
    if (failure) {
      if ((await markFailed(row, failure.error)) === "failed") result.failed++;
    } else {
      await markSent(row);
      result.sent++;
    }
  }

  async function runBatch(): Promise<BroadcastResult> {
    const claimedAt = performance.now();
    const rows = await claim();
    const result: BroadcastResult = { claimed: rows.length, sent: 0, failed: 0 };
    let next = 0;
    const unsent: Claimed[] = [];
    const lane = async () => {
      while (next < rows.length) {
        const row = rows[next++]!;
        if (performance.now() - claimedAt + sendTimeoutMs > leaseMs * 0.9) {
          unsent.push(row);
          continue;
        }
        await deliver(row, result);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, rows.length) }, lane));
    await release(unsent);
    return result;
  }

  const poller = createPoller(runBatch, {
    isFull: (result) => result.claimed >= Math.min(batchSize, budget),
    onError: (error) => log(`policy broadcast: sending failed: ${errorText(error)}`),
  });
  return {
    runOnce: poller.runOnce,
    start: (intervalMs = 1000) => poller.start(intervalMs),
    poke: poller.poke,
    stop: poller.stop,
  };
}

/**
 * The sender as the worker process runs it (server/boot.ts with ALARM_WORKER=true, and
 * `npm run tw -- worker`): polling every 2 s, poked by a publish in the same process.
 */
export function startPolicyBroadcast(opts: { db: Db; mailer: Mailer; appUrl: string; perMinute: number }): PolicyBroadcast {
  const broadcast = createPolicyBroadcast(opts);
  broadcast.start(2000);
  return broadcast;
}
