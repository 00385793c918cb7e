import { and, asc, desc, eq, inArray, isNotNull, lt, or, sql } from "drizzle-orm";
import { pgTextArray, type Db } from "../../db/client";
import { alarmHistory, alarms, alarmStatesTable, memberships, reportInstances, reports, users, type AlarmState } from "../../db/schema";
import { badRequest, notFound } from "../errors";
import { checkPlanLimit } from "../plan/service";
import { parseId, publicId } from "../report/ids";
import { originalInput } from "../report/service";
import { randomToken, sha256, uuidv7 } from "../tokens";
import { alarmInput, MAX_ALARMS_PER_REPORT, MAX_SNOOZE_MINUTES, type AlarmView, type HistoryEntry } from "./model";
import type { Sandbox } from "./sandbox";
import { matchTags, worstState } from "./state";
import type { AlarmNotificationPayload, CheckInstance, CheckOutcome } from "./types";
import { isPrivateWebhookTarget, newWebhookSecret, postWebhook } from "./webhook";
import { badgeSvg } from "./badge";

type AlarmRow = typeof alarms.$inferSelect;

/** The badge token's prefix: recognisable in logs and secret scanners. */
export const BADGE_PREFIX = "twb_";

function alarmId(id: string): string {
  try {
    return parseId(id);
  } catch {
    throw notFound(`Alarm with id ${id.slice(0, 100)} not found`);
  }
}

async function findAlarm(db: Db, accountId: string, id: string): Promise<AlarmRow> {
  const [row] = await db.select().from(alarms).where(and(eq(alarms.accountId, accountId), eq(alarms.id, alarmId(id))));
  if (!row) throw notFound(`Alarm with id ${publicId(alarmId(id))} not found`);
  return row;
}

/** The account's owners and admins: an alarm's recipients when it names none. */
export async function defaultRecipients(db: Db, accountId: string): Promise<{ id: string; email: string }[]> {
  return db
    .select({ id: users.id, email: users.email })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.accountId, accountId), inArray(memberships.role, ["owner", "admin"])))
    .orderBy(asc(users.email));
}

/** Team members by email → user ids; an address that is not a member is refused. */
async function recipientIds(db: Db, accountId: string, emails: string[] | undefined): Promise<string[]> {
  if (!emails?.length) return [];
  const unique = [...new Set(emails.map((e) => e.toLowerCase()))];
  const found = await db
    .select({ id: users.id, email: users.email })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.accountId, accountId), inArray(sql`lower(${users.email})`, unique)));
  const byEmail = new Map(found.map((f) => [f.email.toLowerCase(), f.id]));
  const missing = unique.filter((e) => !byEmail.has(e));
  if (missing.length) throw badRequest(`recipients: ${missing.join(", ")} ${missing.length > 1 ? "are not members" : "is not a member"} of this account`);
  return unique.map((e) => byEmail.get(e)!);
}

/**
 * The emails an alarm notifies: its recipients that are still members (or the owners and
 * admins), whose address is confirmed — alarm mail never goes to an address nobody proved.
 */
export async function recipientEmails(db: Db, accountId: string, ids: string[]): Promise<string[]> {
  const rows = await db
    .select({ email: users.email })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(
      and(
        eq(memberships.accountId, accountId),
        ids.length ? inArray(memberships.userId, ids) : inArray(memberships.role, ["owner", "admin"]),
        isNotNull(users.emailConfirmedAt),
      ),
    )
    .orderBy(asc(users.email));
  return rows.map((r) => r.email);
}

async function requireReport(db: Db, accountId: string, name: string): Promise<void> {
  const [row] = await db.select({ id: reports.id }).from(reports).where(and(eq(reports.accountId, accountId), eq(reports.name, name)));
  if (!row) throw badRequest(`report: there is no report named ${name.slice(0, 200)} (push an instance first)`);
}

/** Parses an alarm definition with messages that name the field ("code: a check alarm needs code"). */
export function parseAlarmInput(raw: unknown) {
  const parsed = alarmInput.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw badRequest(`${issue.path.length ? `${issue.path.join(".")}: ` : ""}${issue.message}`);
  }
  return parsed.data;
}

/** How a definition is checked beyond its shape. */
export type DefinitionPolicy = { allowPrivateWebhooks: boolean };

async function definitionValues(db: Db, accountId: string, raw: unknown, defaultTimeZone: string, policy: DefinitionPolicy) {
  const a = parseAlarmInput(raw);
  if (a.webhookUrl && !policy.allowPrivateWebhooks && isPrivateWebhookTarget(a.webhookUrl)) {
    throw badRequest("webhookUrl: webhooks cannot point at localhost or a private network address");
  }
  await requireReport(db, accountId, a.report);
  return {
    name: a.name,
    report: a.report,
    tags: [...new Set(a.tags)],
    kind: a.kind,
    code: a.code ?? "",
    noDataMinutes: a.kind === "no_data" ? (a.noDataMinutes ?? null) : null,
    recipients: await recipientIds(db, accountId, a.recipients),
    notifyRecovery: a.notifyRecovery,
    renotifyMinutes: a.renotifyMinutes ?? null,
    webhookUrl: a.webhookUrl || null,
    enabled: a.enabled,
    maintenance: a.maintenance,
    timeZone: a.timeZone ?? defaultTimeZone,
  };
}

/** Creates an alarm; the badge link's token is returned once (only its hash is kept). */
export async function createAlarm(
  db: Db,
  input: { accountId: string; definition: unknown; timeZone?: string; policy: DefinitionPolicy },
): Promise<{ alarm: AlarmView; badgeToken: string }> {
  const values = await definitionValues(db, input.accountId, input.definition, input.timeZone ?? "UTC", input.policy);
  await checkPlanLimit(db, input.accountId, "alarms"); // 429 ERROR_PLAN_LIMIT beyond the plan's alarms (ADR 25)
  const [{ count }] = (await db
    .select({ count: sql<number>`count(*)::int` })
    .from(alarms)
    .where(and(eq(alarms.accountId, input.accountId), eq(alarms.report, values.report)))) as [{ count: number }];
  if (count >= MAX_ALARMS_PER_REPORT) throw badRequest(`A report can have at most ${MAX_ALARMS_PER_REPORT} alarms`);
  const badgeToken = BADGE_PREFIX + randomToken(16);
  const id = uuidv7();
  await db.insert(alarms).values({
    accountId: input.accountId,
    id,
    ...values,
    webhookSecret: newWebhookSecret(),
    badgeTokenHash: sha256(badgeToken),
  });
  await seedNoDataState(db, { accountId: input.accountId, id, kind: values.kind, tags: values.tags });
  return { alarm: await getAlarm(db, { accountId: input.accountId, id }), badgeToken };
}

/** Replaces an alarm's definition. Its states and history stay, unless the report or tags change (then states start over). */
export async function replaceAlarm(db: Db, input: { accountId: string; id: string; definition: unknown; policy: DefinitionPolicy }): Promise<AlarmView> {
  const current = await findAlarm(db, input.accountId, input.id);
  const values = await definitionValues(db, input.accountId, input.definition, current.timeZone, input.policy);
  await db.transaction(async (tx) => {
    await tx
      .update(alarms)
      .set({ ...values, updatedAt: new Date() })
      .where(and(eq(alarms.accountId, input.accountId), eq(alarms.id, current.id)));
    const sameScope = values.report === current.report && values.tags.join("\n") === current.tags.join("\n") && values.kind === current.kind;
    if (!sameScope) {
      await tx.delete(alarmStatesTable).where(and(eq(alarmStatesTable.accountId, input.accountId), eq(alarmStatesTable.alarmId, current.id)));
      await seedNoDataState(tx as unknown as Db, { accountId: input.accountId, id: current.id, kind: values.kind, tags: values.tags });
    }
  });
  return getAlarm(db, { accountId: input.accountId, id: current.id });
}

export async function deleteAlarm(db: Db, input: { accountId: string; id: string }): Promise<void> {
  const current = await findAlarm(db, input.accountId, input.id);
  await db.delete(alarms).where(and(eq(alarms.accountId, input.accountId), eq(alarms.id, current.id)));
}

/** Deletes every alarm of a report (when the report is deleted). */
export async function deleteAlarmsOfReport(db: Db, accountId: string, report: string): Promise<void> {
  await db.delete(alarms).where(and(eq(alarms.accountId, accountId), eq(alarms.report, report)));
}

/** Snoozes notifications for `minutes` (evaluation and history go on). */
export async function snoozeAlarm(db: Db, input: { accountId: string; id: string; minutes: number; now?: Date }): Promise<AlarmView> {
  if (!Number.isInteger(input.minutes) || input.minutes < 1 || input.minutes > MAX_SNOOZE_MINUTES) {
    throw badRequest(`minutes: snooze for 1 to ${MAX_SNOOZE_MINUTES} minutes (30 days)`);
  }
  const current = await findAlarm(db, input.accountId, input.id);
  const until = new Date((input.now ?? new Date()).getTime() + input.minutes * 60_000);
  await db.update(alarms).set({ snoozedUntil: until }).where(and(eq(alarms.accountId, input.accountId), eq(alarms.id, current.id)));
  return getAlarm(db, { accountId: input.accountId, id: current.id });
}

export async function endSnooze(db: Db, input: { accountId: string; id: string }): Promise<AlarmView> {
  const current = await findAlarm(db, input.accountId, input.id);
  await db.update(alarms).set({ snoozedUntil: null }).where(and(eq(alarms.accountId, input.accountId), eq(alarms.id, current.id)));
  return getAlarm(db, { accountId: input.accountId, id: current.id });
}

export async function setEnabled(db: Db, input: { accountId: string; id: string; enabled: boolean }): Promise<AlarmView> {
  const current = await findAlarm(db, input.accountId, input.id);
  await db.update(alarms).set({ enabled: input.enabled, updatedAt: new Date() }).where(and(eq(alarms.accountId, input.accountId), eq(alarms.id, current.id)));
  return getAlarm(db, { accountId: input.accountId, id: current.id });
}

/** A new badge link; the old one stops working at once. */
export async function regenerateBadge(db: Db, input: { accountId: string; id: string }): Promise<string> {
  const current = await findAlarm(db, input.accountId, input.id);
  const badgeToken = BADGE_PREFIX + randomToken(16);
  await db.update(alarms).set({ badgeTokenHash: sha256(badgeToken) }).where(and(eq(alarms.accountId, input.accountId), eq(alarms.id, current.id)));
  return badgeToken;
}

/** A new webhook signing secret; the old one stops verifying at once. */
export async function regenerateWebhookSecret(db: Db, input: { accountId: string; id: string }): Promise<AlarmView> {
  const current = await findAlarm(db, input.accountId, input.id);
  await db.update(alarms).set({ webhookSecret: newWebhookSecret() }).where(and(eq(alarms.accountId, input.accountId), eq(alarms.id, current.id)));
  return getAlarm(db, { accountId: input.accountId, id: current.id });
}

/** The badge's label and worst current state, by its token (public, no account needed). */
export async function badgeByToken(db: Db, token: string): Promise<{ name: string; state: AlarmState | "unknown" } | null> {
  if (!token.startsWith(BADGE_PREFIX) || token.length > 100) return null;
  const [row] = await db.select().from(alarms).where(eq(alarms.badgeTokenHash, sha256(token)));
  if (!row) return null;
  const states = await db
    .select({ state: alarmStatesTable.state })
    .from(alarmStatesTable)
    .where(and(eq(alarmStatesTable.accountId, row.accountId), eq(alarmStatesTable.alarmId, row.id)));
  return { name: row.name, state: worstState(states.map((s) => s.state)) ?? (row.enabled ? "ok" : "unknown") };
}

async function views(db: Db, accountId: string, rows: AlarmRow[]): Promise<AlarmView[]> {
  if (!rows.length) return [];
  const ids = rows.map((r) => r.id);
  const states = await db
    .select()
    .from(alarmStatesTable)
    .where(and(eq(alarmStatesTable.accountId, accountId), inArray(alarmStatesTable.alarmId, ids)))
    .orderBy(asc(alarmStatesTable.tagKey));
  const userIds = [...new Set(rows.flatMap((r) => r.recipients))];
  const emails = userIds.length
    ? await db
        .select({ id: users.id, email: users.email })
        .from(memberships)
        .innerJoin(users, eq(users.id, memberships.userId))
        .where(and(eq(memberships.accountId, accountId), inArray(memberships.userId, userIds)))
    : [];
  const emailOf = new Map(emails.map((e) => [e.id, e.email]));
  const defaults = rows.some((r) => !r.recipients.length) ? (await defaultRecipients(db, accountId)).map((r) => r.email) : [];
  return rows.map((r) => {
    const own = states.filter((s) => s.alarmId === r.id);
    const explicit = r.recipients.map((id) => emailOf.get(id)).filter((e): e is string => Boolean(e));
    return {
      id: publicId(r.id),
      name: r.name,
      report: r.report,
      tags: r.tags,
      kind: r.kind,
      code: r.code,
      noDataMinutes: r.noDataMinutes,
      recipients: r.recipients.length ? explicit : defaults,
      recipientsDefault: !r.recipients.length,
      notifyRecovery: r.notifyRecovery,
      renotifyMinutes: r.renotifyMinutes,
      webhookUrl: r.webhookUrl,
      webhookSecret: r.webhookSecret,
      enabled: r.enabled,
      snoozedUntil: r.snoozedUntil && r.snoozedUntil.getTime() > Date.now() ? r.snoozedUntil : null,
      maintenance: r.maintenance,
      timeZone: r.timeZone,
      states: own.map((s) => ({ tags: s.tags, state: s.state, since: s.since, message: s.message })),
      worst: worstState(own.map((s) => s.state)),
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
    };
  });
}

export async function getAlarm(db: Db, input: { accountId: string; id: string }): Promise<AlarmView> {
  const row = await findAlarm(db, input.accountId, input.id);
  return (await views(db, input.accountId, [row]))[0]!;
}

/** The account's alarms (optionally of one report), by report then name. */
export async function listAlarms(db: Db, input: { accountId: string; report?: string }): Promise<AlarmView[]> {
  const rows = await db
    .select()
    .from(alarms)
    .where(and(eq(alarms.accountId, input.accountId), input.report ? eq(alarms.report, input.report) : undefined))
    .orderBy(asc(alarms.report), asc(alarms.name), asc(alarms.id));
  return views(db, input.accountId, rows);
}

/** The worst state of the enabled alarms per report name (for dashboard tiles and the Reports page). */
export async function reportAlarmStates(db: Db, accountId: string): Promise<Record<string, { state: AlarmState; alarms: number }>> {
  // One row per enabled alarm and tag set (or per alarm without any state yet).
  const rows = await db
    .select({ report: alarms.report, id: alarms.id, state: alarmStatesTable.state })
    .from(alarms)
    .leftJoin(alarmStatesTable, and(eq(alarmStatesTable.accountId, alarms.accountId), eq(alarmStatesTable.alarmId, alarms.id)))
    .where(and(eq(alarms.accountId, accountId), eq(alarms.enabled, true)));
  const byReport = new Map<string, { ids: Set<string>; states: AlarmState[] }>();
  for (const r of rows) {
    let entry = byReport.get(r.report);
    if (!entry) byReport.set(r.report, (entry = { ids: new Set(), states: [] }));
    entry.ids.add(r.id);
    if (r.state) entry.states.push(r.state);
  }
  const result: Record<string, { state: AlarmState; alarms: number }> = {};
  for (const [report, entry] of byReport) result[report] = { state: worstState(entry.states) ?? "ok", alarms: entry.ids.size };
  return result;
}

/** State changes, newest first; `before` (an entry's cursor) pages back. */
export async function alarmHistoryPage(
  db: Db,
  input: { accountId: string; id: string; limit?: number; before?: string },
): Promise<{ entries: HistoryEntry[]; next: string | null }> {
  const alarm = await findAlarm(db, input.accountId, input.id);
  const limit = Math.min(Math.max(input.limit ?? 50, 1), 200);
  let cursor: { at: Date; id: string } | null = null;
  if (input.before) {
    const [at, id] = input.before.split("_");
    const time = new Date(Number(at));
    if (!id || Number.isNaN(time.getTime())) throw badRequest("before: not a history cursor");
    cursor = { at: time, id: parseId(id) };
  }
  const rows = await db
    .select()
    .from(alarmHistory)
    .where(
      and(
        eq(alarmHistory.accountId, input.accountId),
        eq(alarmHistory.alarmId, alarm.id),
        cursor ? or(lt(alarmHistory.at, cursor.at), and(eq(alarmHistory.at, cursor.at), lt(alarmHistory.id, cursor.id))) : undefined,
      ),
    )
    .orderBy(desc(alarmHistory.at), desc(alarmHistory.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    entries: page.map((h) => ({
      at: h.at,
      tags: h.tags,
      from: h.fromState,
      to: h.toState,
      message: h.message,
      instanceId: h.instanceId ? publicId(h.instanceId) : null,
    })),
    next: rows.length > limit && last ? `${last.at.getTime()}_${publicId(last.id)}` : null,
  };
}

type InstanceRow = typeof reportInstances.$inferSelect;

/** An instance as a check sees it. */
export function checkInstance(row: Pick<InstanceRow, "rows" | "header" | "input" | "format" | "tags" | "created" | "link">): CheckInstance {
  return {
    rows: row.rows,
    header: row.header,
    input: originalInput(row.input, row.format),
    tags: row.tags,
    created: row.created.toISOString(),
    link: row.link,
  };
}

/** The instance before `row` of the same report with the same tag set (matched by the alarm's patterns). */
export async function previousInstance(db: Db, row: InstanceRow, patterns: string[], matched: string[]): Promise<InstanceRow | null> {
  const candidates = await db
    .select()
    .from(reportInstances)
    .where(
      and(
        eq(reportInstances.accountId, row.accountId),
        eq(reportInstances.reportId, row.reportId),
        or(lt(reportInstances.created, row.created), and(eq(reportInstances.created, row.created), lt(reportInstances.id, row.id))),
        matched.length ? sql`${reportInstances.tags} @> ${pgTextArray(matched)}::text[]` : undefined,
      ),
    )
    .orderBy(desc(reportInstances.created), desc(reportInstances.id))
    .limit(patterns.length ? 20 : 1);
  const key = matched.join("\n");
  return candidates.find((c) => (matchTags(patterns, c.tags) ?? []).join("\n") === key) ?? null;
}

/**
 * Runs a check without recording or sending anything: on the given instance, or the report's
 * latest one (matching the alarm's tags). `code` overrides the saved code (the editor's Test).
 */
export async function testAlarm(
  db: Db,
  sandbox: Sandbox,
  input: { accountId: string; id?: string; report?: string; tags?: string[]; code?: string; instanceId?: string },
): Promise<CheckOutcome & { instanceId: string; instanceCreated: Date }> {
  let report = input.report;
  let patterns = input.tags ?? [];
  let code = input.code;
  if (input.id) {
    const alarm = await findAlarm(db, input.accountId, input.id);
    report ??= alarm.report;
    if (!input.tags) patterns = alarm.tags;
    code ??= alarm.code;
  }
  if (!report) throw badRequest("report: choose a report to test on");
  if (!code?.trim()) throw badRequest("code: there is no check to test (this is a no-data alarm or the code is empty)");
  const [rep] = await db.select().from(reports).where(and(eq(reports.accountId, input.accountId), eq(reports.name, report)));
  if (!rep) throw badRequest(`report: there is no report named ${report.slice(0, 200)}`);
  let row: InstanceRow | undefined;
  if (input.instanceId) {
    let id: string;
    try {
      id = parseId(input.instanceId);
    } catch {
      throw badRequest(`instance: ${input.instanceId.slice(0, 100)} is not an instance id`);
    }
    [row] = await db
      .select()
      .from(reportInstances)
      .where(and(eq(reportInstances.accountId, input.accountId), eq(reportInstances.reportId, rep.id), eq(reportInstances.id, id)));
    if (!row) throw notFound(`Report instance with id ${publicId(id)} not found`);
  } else {
    const latest = await db
      .select()
      .from(reportInstances)
      .where(and(eq(reportInstances.accountId, input.accountId), eq(reportInstances.reportId, rep.id)))
      .orderBy(desc(reportInstances.created), desc(reportInstances.id))
      .limit(patterns.length ? 50 : 1);
    row = latest.find((r) => matchTags(patterns, r.tags));
    if (!row) throw badRequest(`report: ${report} has no instance${patterns.length ? ` with the tags ${patterns.join(", ")}` : ""} to test on`);
  }
  const matched = matchTags(patterns, row.tags) ?? [];
  const previous = await previousInstance(db, row, patterns, matched);
  const outcome = await sandbox.run(code, { instance: checkInstance(row), previous: previous ? checkInstance(previous) : null });
  return { ...outcome, instanceId: publicId(row.id), instanceCreated: row.created };
}

/** Recent instances of a report (for the editor's "test on" picker). */
export async function recentInstances(db: Db, input: { accountId: string; report: string; limit?: number }) {
  const [rep] = await db.select().from(reports).where(and(eq(reports.accountId, input.accountId), eq(reports.name, input.report)));
  if (!rep) return [];
  const rows = await db
    .select({ id: reportInstances.id, created: reportInstances.created, tags: reportInstances.tags })
    .from(reportInstances)
    .where(and(eq(reportInstances.accountId, input.accountId), eq(reportInstances.reportId, rep.id)))
    .orderBy(desc(reportInstances.created), desc(reportInstances.id))
    .limit(Math.min(input.limit ?? 20, 50));
  return rows.map((r) => ({ id: publicId(r.id), created: r.created, tags: r.tags }));
}

/** Starts counting silence for a no-data alarm without tags from its creation. */
export async function seedNoDataState(db: Db, alarm: Pick<AlarmRow, "accountId" | "id" | "kind" | "tags">, now = new Date()): Promise<void> {
  if (alarm.kind !== "no_data" || alarm.tags.length) return;
  await db
    .insert(alarmStatesTable)
    .values({ accountId: alarm.accountId, alarmId: alarm.id, tagKey: "", tags: [], state: "ok", since: now, lastSeenAt: now })
    .onConflictDoNothing();
}

/** The badge SVG for a token, or null when no alarm has it. */
export async function badgeSvgByToken(db: Db, token: string): Promise<string | null> {
  const found = await badgeByToken(db, token);
  return found ? badgeSvg(found.name, found.state) : null;
}

/** The editor's choices: the account's reports, its members, the default recipients, recent instances of a report. */
export async function editorData(db: Db, input: { accountId: string; report?: string }) {
  const [reportRows, members, defaults, instances] = await Promise.all([
    db.select({ name: reports.name }).from(reports).where(eq(reports.accountId, input.accountId)).orderBy(asc(reports.name)),
    db
      .select({ email: users.email, role: memberships.role })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(eq(memberships.accountId, input.accountId))
      .orderBy(asc(users.email)),
    defaultRecipients(db, input.accountId),
    input.report ? recentInstances(db, { accountId: input.accountId, report: input.report }) : Promise.resolve([]),
  ]);
  return { reports: reportRows.map((r) => r.name), members, defaultRecipients: defaults.map((d) => d.email), instances };
}

/** Posts a sample notification to the alarm's webhook now; says how it went (nothing is recorded). */
export async function sendTestWebhook(db: Db, input: { accountId: string; id: string; appUrl: string }): Promise<{ ok: boolean; message: string }> {
  const alarm = await findAlarm(db, input.accountId, input.id);
  if (!alarm.webhookUrl) throw badRequest("webhookUrl: this alarm has no webhook; add its URL and save first");
  const url = `${input.appUrl}/alarms/${publicId(alarm.id)}`;
  const payload: AlarmNotificationPayload = {
    reason: "alarm",
    state: "alarm",
    previousState: "ok",
    alarm: { id: publicId(alarm.id), name: alarm.name, report: alarm.report, url },
    tags: [],
    message: "This is a test notification from Tablewatch",
    at: new Date().toISOString(),
    instance: null,
    settingsUrl: url,
  };
  try {
    await postWebhook(alarm.webhookUrl, payload, alarm.webhookSecret, { deliveryId: `test-${uuidv7()}`, timeoutMs: 5000 });
    return { ok: true, message: `Delivered: ${alarm.webhookUrl} answered with a 2xx status` };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}
