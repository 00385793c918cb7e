import { and, asc, eq, sql } from "drizzle-orm";
import { queryRows, type Db } from "../../db/client";
import { alarmHistory, alarms, alarmStatesTable, reportInstances, reports, type AlarmState } from "../../db/schema";
import { publicId } from "../report/ids";
import { sha256, uuidv7 } from "../tokens";
import { recordNotifications } from "./outbox";
import type { Sandbox } from "./sandbox";
import { checkInstance, previousInstance, recipientEmails } from "./service";
import { matchTags, renotifyDue, tagKey, transition, type NotifyRules } from "./state";
import type { AlarmNotificationPayload, NotificationReason } from "./types";

/**
 * Alarm evaluation off the ingest path (alarms.md "Delivery guarantees"):
 * - the statement that stores an instance also queues it in `alarm_evaluations` when its report
 *   has an enabled alarm (server/report/service.ts), so nothing committed is missed;
 * - workers claim queued instances with FOR UPDATE SKIP LOCKED and a lease, so several worker
 *   processes share the queue and a crashed worker's claims are taken over when the lease ends;
 * - each state change is applied in one transaction with its history row and its notifications
 *   (the outbox, server/alarm/outbox.ts), under a row lock on the tag set's state; re-running an
 *   evaluation is harmless (an instance already applied, or older than the last one, changes nothing);
 * - the minute tick (no data, re-notify) runs in one worker at a time (a transaction-level
 *   advisory lock) and is one query over the no-data alarms' states.
 */

export type EvaluationDeps = {
  db: Db;
  sandbox: Sandbox;
  appUrl: string;
  now?: () => Date;
};

type AlarmRow = typeof alarms.$inferSelect;
type InstanceRow = typeof reportInstances.$inferSelect;
type StateRow = typeof alarmStatesTable.$inferSelect;

const LEASE_SECONDS = 120;
const MAX_ATTEMPTS = 5;
const TABLE_ROWS_IN_MAIL = 20;
/** The minute tick's advisory lock key (any constant shared by all workers). */
const TICK_LOCK = 7_311_001;

const rulesOf = (a: AlarmRow): NotifyRules => ({
  notifyRecovery: a.notifyRecovery,
  renotifyMinutes: a.renotifyMinutes,
  snoozedUntil: a.snoozedUntil,
  maintenance: a.maintenance,
  timeZone: a.timeZone,
});

/** Claims up to `limit` queued instances and evaluates them; returns how many were claimed. */
export async function processEvaluations(deps: EvaluationDeps, limit = 20): Promise<number> {
  const claimed = await queryRows<{ account_id: string; instance_id: string; report_id: string; attempts: number }>(
    deps.db,
    sql`update alarm_evaluations set locked_until = now() + make_interval(secs => ${LEASE_SECONDS}), attempts = attempts + 1
        where (account_id, instance_id) in (
          select account_id, instance_id from alarm_evaluations
          where locked_until is null or locked_until < now()
          order by queued_at
          limit ${limit}
          for update skip locked)
        returning account_id, instance_id, report_id, attempts`,
  );
  for (const job of claimed) {
    try {
      await evaluateInstance(deps, job.account_id, job.instance_id);
      await done(deps.db, job.account_id, job.instance_id);
    } catch (error) {
      console.error(`alarm evaluation of instance ${job.instance_id} failed (attempt ${job.attempts})`, error);
      if (job.attempts >= MAX_ATTEMPTS) await done(deps.db, job.account_id, job.instance_id);
    }
  }
  return claimed.length;
}

async function done(db: Db, accountId: string, instanceId: string) {
  await db.execute(sql`delete from alarm_evaluations where account_id = ${accountId} and instance_id = ${instanceId}`);
}

/** Runs every enabled alarm of the instance's report on it and applies the outcomes. */
export async function evaluateInstance(deps: EvaluationDeps, accountId: string, instanceId: string): Promise<void> {
  const [row] = await deps.db
    .select()
    .from(reportInstances)
    .where(and(eq(reportInstances.accountId, accountId), eq(reportInstances.id, instanceId)));
  if (!row) return; // deleted meanwhile
  const [report] = await deps.db.select({ name: reports.name }).from(reports).where(and(eq(reports.accountId, accountId), eq(reports.id, row.reportId)));
  if (!report) return;
  const list = await deps.db
    .select()
    .from(alarms)
    .where(and(eq(alarms.accountId, accountId), eq(alarms.report, report.name), eq(alarms.enabled, true)))
    .orderBy(asc(alarms.id));
  for (const alarm of list) {
    const matched = matchTags(alarm.tags, row.tags);
    if (!matched) continue;
    if (alarm.kind === "no_data") {
      await applyOutcome(deps, { alarm, reportName: report.name, matched, instance: row, to: "ok", message: null, rows: [] });
      continue;
    }
    const previous = await previousInstance(deps.db, row, alarm.tags, matched);
    const outcome = await deps.sandbox.run(alarm.code, { instance: checkInstance(row), previous: previous ? checkInstance(previous) : null });
    const to: AlarmState = outcome.result === "ok" ? "ok" : outcome.result;
    await applyOutcome(deps, { alarm, reportName: report.name, matched, instance: row, to, message: outcome.message, rows: outcome.rows });
  }
}

type Outcome = {
  alarm: AlarmRow;
  reportName: string;
  matched: string[];
  instance: InstanceRow | null;
  to: AlarmState;
  message: string | null;
  rows: number[];
};

/** Locks the tag set's state (creating it in `ok`), returning it; inside a transaction. */
async function lockState(tx: Db, alarm: AlarmRow, key: string, tags: string[], now: Date): Promise<StateRow> {
  await tx
    .insert(alarmStatesTable)
    .values({ accountId: alarm.accountId, alarmId: alarm.id, tagKey: key, tags, state: "ok", since: now, lastSeenAt: now })
    .onConflictDoNothing();
  const [state] = await tx
    .select()
    .from(alarmStatesTable)
    .where(and(eq(alarmStatesTable.accountId, alarm.accountId), eq(alarmStatesTable.alarmId, alarm.id), eq(alarmStatesTable.tagKey, key)))
    .for("update");
  return state!;
}

/** Applies one outcome: state, history and notifications in one transaction. */
export async function applyOutcome(deps: EvaluationDeps, o: Outcome): Promise<void> {
  const now = deps.now?.() ?? new Date();
  const key = tagKey(o.matched);
  await deps.db.transaction(async (tx) => {
    const state = await lockState(tx as unknown as Db, o.alarm, key, o.matched, now);
    if (o.instance) {
      if (state.lastInstanceId === o.instance.id) return; // already applied
      if (state.lastInstanceCreated && o.instance.created < state.lastInstanceCreated) {
        // An older instance evaluated late: it still counts as data arriving.
        await tx.update(alarmStatesTable).set({ lastSeenAt: now }).where(stateWhere(o.alarm, key));
        return;
      }
    }
    const t = transition(state, o.to, rulesOf(o.alarm), now);
    const seq = t.changed ? state.seq + 1 : state.seq;
    await tx
      .update(alarmStatesTable)
      .set({
        state: t.to,
        message: o.message,
        rows: o.rows,
        ...(t.changed ? { since: now, seq, renotifyCount: 0 } : {}),
        ...(o.instance ? { lastInstanceId: o.instance.id, lastInstanceCreated: o.instance.created, lastSeenAt: now } : {}),
        ...(t.notify ? { lastNotifiedAt: now } : {}),
      })
      .where(stateWhere(o.alarm, key));
    if (t.changed) {
      await tx.insert(alarmHistory).values({
        accountId: o.alarm.accountId,
        id: uuidv7(),
        alarmId: o.alarm.id,
        at: now,
        tags: o.matched,
        fromState: t.from,
        toState: t.to,
        message: o.message,
        instanceId: o.instance?.id ?? null,
      });
    }
    if (t.notify) {
      await notify(tx as unknown as Db, deps, { ...o, from: t.from, reason: t.notify, at: now, keyPart: `${seq}` });
    }
  });
}

const stateWhere = (alarm: AlarmRow, key: string) =>
  and(eq(alarmStatesTable.accountId, alarm.accountId), eq(alarmStatesTable.alarmId, alarm.id), eq(alarmStatesTable.tagKey, key));

/** Records the notifications of one state change (or re-notification) in the outbox. */
async function notify(
  tx: Db,
  deps: EvaluationDeps,
  n: Outcome & { from: AlarmState; reason: NotificationReason; at: Date; keyPart: string },
): Promise<void> {
  const alarmUrl = `${deps.appUrl}/alarms/${publicId(n.alarm.id)}`;
  const payload: AlarmNotificationPayload = {
    reason: n.reason,
    state: n.to,
    previousState: n.from,
    alarm: { id: publicId(n.alarm.id), name: n.alarm.name, report: n.reportName, url: alarmUrl },
    tags: n.matched,
    message: n.message ?? defaultMessage(n.alarm, n.reason),
    at: n.at.toISOString(),
    instance: n.instance
      ? {
          id: publicId(n.instance.id),
          created: n.instance.created.toISOString(),
          url: `${deps.appUrl}/reports/${encodeURIComponent(n.reportName)}?id=${publicId(n.instance.id)}`,
          header: n.instance.header.filter((h) => h < TABLE_ROWS_IN_MAIL),
          rows: n.instance.rows.slice(0, TABLE_ROWS_IN_MAIL),
          totalRows: n.instance.rows.length,
          markedRows: n.rows.filter((r) => r < TABLE_ROWS_IN_MAIL),
        }
      : null,
    settingsUrl: alarmUrl,
  };
  const emails = await recipientEmails(tx, n.alarm.accountId, n.alarm.recipients);
  const key = (channel: string, recipient: string) =>
    sha256([n.alarm.id, tagKey(n.matched), n.keyPart, channel, recipient].join("\n"));
  const rows = emails.map((email) => ({
    accountId: n.alarm.accountId,
    alarmId: n.alarm.id,
    idempotencyKey: key("email", email),
    channel: "email" as "email" | "webhook",
    recipient: email,
    payload,
  }));
  if (n.alarm.webhookUrl) {
    rows.push({
      accountId: n.alarm.accountId,
      alarmId: n.alarm.id,
      idempotencyKey: key("webhook", n.alarm.webhookUrl),
      channel: "webhook" as const,
      recipient: n.alarm.webhookUrl,
      payload,
    });
  }
  if (rows.length) await recordNotifications(tx, rows);
}

function defaultMessage(alarm: AlarmRow, reason: NotificationReason): string | null {
  if (reason === "no_data") return `No instance for ${alarm.noDataMinutes} minutes`;
  if (reason === "recovery") return alarm.kind === "no_data" ? "Instances arrive again" : "The check passes again";
  return null;
}

/**
 * The minute tick, in one worker at a time: tag sets of no-data alarms that have been silent
 * too long go to `no_data`; states still not ok whose re-notify interval has passed are
 * notified again. Returns what it did.
 */
export async function minuteTick(deps: EvaluationDeps): Promise<{ silent: number; renotified: number } | null> {
  const now = deps.now?.() ?? new Date();
  return deps.db.transaction(async (tx) => {
    const [lock] = await queryRows<{ locked: boolean }>(tx as unknown as Db, sql`select pg_try_advisory_xact_lock(${TICK_LOCK}) as locked`);
    if (!lock?.locked) return null;
    // One query over the no-data alarms' tag sets (partial index alarms_no_data_idx).
    const silent = await queryRows<{ account_id: string; alarm_id: string; tag_key: string }>(
      tx as unknown as Db,
      sql`select s.account_id, s.alarm_id, s.tag_key
          from alarms a join alarm_states s on s.account_id = a.account_id and s.alarm_id = a.id
          where a.kind = 'no_data' and a.enabled and s.state <> 'no_data'
            and s.last_seen_at < ${now.toISOString()}::timestamptz - make_interval(mins => a.no_data_minutes)`,
    );
    const due = await queryRows<{ account_id: string; alarm_id: string; tag_key: string }>(
      tx as unknown as Db,
      sql`select s.account_id, s.alarm_id, s.tag_key
          from alarms a join alarm_states s on s.account_id = a.account_id and s.alarm_id = a.id
          where a.enabled and a.renotify_minutes is not null and s.state <> 'ok'
            and coalesce(s.last_notified_at, s.since) <= ${now.toISOString()}::timestamptz - make_interval(mins => a.renotify_minutes)`,
    );
    return { silent: silent.length, renotified: due.length, work: { silent, due } };
  }).then(async (result) => {
    if (!result) return null;
    // Each change in its own transaction (under the state's row lock), after the tick's lock is released.
    for (const s of result.work.silent) await goSilent(deps, s.account_id, s.alarm_id, s.tag_key, now);
    let renotified = 0;
    for (const s of result.work.due) if (await renotify(deps, s.account_id, s.alarm_id, s.tag_key, now)) renotified++;
    return { silent: result.silent, renotified };
  });
}

async function loadAlarm(db: Db, accountId: string, alarmId: string): Promise<AlarmRow | null> {
  const [alarm] = await db.select().from(alarms).where(and(eq(alarms.accountId, accountId), eq(alarms.id, alarmId)));
  return alarm ?? null;
}

async function goSilent(deps: EvaluationDeps, accountId: string, alarmId: string, key: string, now: Date): Promise<void> {
  const alarm = await loadAlarm(deps.db, accountId, alarmId);
  if (!alarm || alarm.kind !== "no_data" || !alarm.enabled) return;
  const [state] = await deps.db.select().from(alarmStatesTable).where(stateWhere(alarm, key));
  if (!state || state.state === "no_data" || !state.lastSeenAt) return;
  if (now.getTime() - state.lastSeenAt.getTime() < (alarm.noDataMinutes ?? 0) * 60_000) return;
  await applyOutcome(
    { ...deps, now: () => now },
    { alarm, reportName: alarm.report, matched: state.tags, instance: null, to: "no_data", message: `No instance for ${alarm.noDataMinutes} minutes`, rows: [] },
  );
}

async function renotify(deps: EvaluationDeps, accountId: string, alarmId: string, key: string, now: Date): Promise<boolean> {
  const alarm = await loadAlarm(deps.db, accountId, alarmId);
  if (!alarm) return false;
  return deps.db.transaction(async (tx) => {
    const state = await lockState(tx as unknown as Db, alarm, key, [], now);
    if (!renotifyDue(state, rulesOf(alarm), now)) return false;
    const count = state.renotifyCount + 1;
    await tx.update(alarmStatesTable).set({ lastNotifiedAt: now, renotifyCount: count }).where(stateWhere(alarm, key));
    let instance: InstanceRow | null = null;
    if (state.lastInstanceId) {
      [instance = null] = (await tx
        .select()
        .from(reportInstances)
        .where(and(eq(reportInstances.accountId, accountId), eq(reportInstances.id, state.lastInstanceId)))) as InstanceRow[];
    }
    await notify(tx as unknown as Db, deps, {
      alarm,
      reportName: alarm.report,
      matched: state.tags,
      instance,
      to: state.state,
      from: state.state,
      message: state.message,
      rows: state.rows ?? [],
      reason: "renotify",
      at: now,
      keyPart: `${state.seq}:r${count}`,
    });
    return true;
  });
}
