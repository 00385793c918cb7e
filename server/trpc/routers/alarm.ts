import { z } from "zod";
import { envelope, jsonBoolean, ok } from "../../api/envelope";
import * as alarmService from "../../alarm/service";
import { alarmStateName, alarmView, checkOutcome, type AlarmView } from "../../alarm/model";
import { alarmKinds } from "../../../db/schema/alarms";
import { apiKeyProcedure, router } from "../../trpc";
import { apiKeyActor, auditAlarm } from "../../audit/service";
import { notePlanUsage } from "../../plan/mail";

const idParam = z.string().max(100).meta({ description: "Alarm id (32 hex characters; any UUID spelling)" });
const tags = z.array(z.string()).meta({ description: "Tag patterns; `host:*` keeps a state per host" });

const stateOut = z.object({ tags: z.array(z.string()), state: alarmStateName, since: z.string() });
const listItem = z.object({ id: z.string(), name: z.string(), report: z.string(), kind: z.enum(alarmKinds), enabled: z.boolean(), states: z.array(stateOut), href: z.string() });
/** The web view of an alarm, as JSON: dates as ISO strings, with its API href. */
const alarmOut = alarmView
  .omit({ recipientsDefault: true, worst: true, createdAt: true, updatedAt: true })
  .extend({ snoozedUntil: z.string().nullable(), states: z.array(stateOut), href: z.string() })
  .meta({ id: "Alarm" });

/** The definition as sent by a client; checked by the service (so errors name the field). */
const definitionIn = z
  .object({
    name: z.string(),
    report: z.string(),
    tags: tags.optional(),
    kind: z.enum(alarmKinds),
    code: z.string().optional(),
    noDataMinutes: z.number().nullish(),
    recipients: z.array(z.string()).optional().meta({ description: "Team members' emails; default: the account's owners and admins" }),
    notifyRecovery: jsonBoolean("notifyRecovery", "Notify when the state returns to ok (default true)").optional(),
    renotifyMinutes: z.number().nullish(),
    webhookUrl: z.string().nullish(),
    enabled: jsonBoolean("enabled", "Whether the alarm runs (default true)").optional(),
    maintenance: z.array(z.object({ days: z.array(z.number()), start: z.string(), end: z.string() })).optional(),
    timeZone: z.string().optional(),
  })
  .meta({
    example: {
      name: "Disk space",
      report: "diskfree",
      tags: ["host:*"],
      kind: "check",
      code: "for (const r of table(instance))\n  if (num(r['Use%']) > 90) return `${r['Mounted on']} is ${r['Use%']} full`;",
    },
  });

const href = (baseUrl: string, id: string) => `${baseUrl}/api/v1/alarms/${id}`;
const states = (a: AlarmView) => a.states.map((s) => ({ tags: s.tags, state: s.state, since: s.since.toISOString() }));
const out = (baseUrl: string, a: AlarmView) => ({
  id: a.id,
  name: a.name,
  report: a.report,
  tags: a.tags,
  kind: a.kind,
  code: a.code,
  noDataMinutes: a.noDataMinutes,
  recipients: a.recipients,
  notifyRecovery: a.notifyRecovery,
  renotifyMinutes: a.renotifyMinutes,
  webhookUrl: a.webhookUrl,
  webhookSecret: a.webhookSecret,
  enabled: a.enabled,
  snoozedUntil: a.snoozedUntil?.toISOString() ?? null,
  maintenance: a.maintenance,
  timeZone: a.timeZone,
  states: states(a),
  href: href(baseUrl, a.id),
});

const openapi = (method: "GET" | "POST" | "PUT" | "DELETE", path: `/${string}`, summary: string, description?: string) => ({
  openapi: { method, path, tags: ["Alarms"], summary, description, protect: true },
});

/** Alarms as code (alarms.md): read keys may GET, full keys may do everything, ingest keys may only snooze. */
export const alarmRouter = router({
  list: apiKeyProcedure("read")
    .meta(openapi("GET", "/alarms", "List alarms", "Each alarm with its current state per tag set."))
    .input(z.object({}))
    .output(envelope(z.array(listItem)))
    .query(async ({ ctx }) => {
      const list = await alarmService.listAlarms(ctx.db, { accountId: ctx.accountId });
      return ok(list.map((a) => ({ id: a.id, name: a.name, report: a.report, kind: a.kind, enabled: a.enabled, states: states(a), href: href(ctx.baseUrl, a.id) })));
    }),

  create: apiKeyProcedure("full")
    .meta(openapi("POST", "/alarms", "Create an alarm", "The report must exist. Answers with the alarm and its status badge's URL (shown only here). Needs a full key."))
    .input(definitionIn)
    .output(envelope(alarmOut.extend({ badgeUrl: z.string() })))
    .mutation(async ({ ctx, input }) => {
      const { alarm, badgeToken } = await alarmService.createAlarm(ctx.db, { accountId: ctx.accountId, definition: input, policy: { allowPrivateWebhooks: ctx.config.webhookAllowPrivate } });
      await auditAlarm(ctx.db, { accountId: ctx.accountId, actor: apiKeyActor(ctx), action: "alarm.created", alarm });
      notePlanUsage(ctx, ctx.accountId, "alarms"); // the 80 % / 100 % email, off the request
      return ok({ ...out(ctx.baseUrl, alarm), badgeUrl: `${ctx.baseUrl}/badge/${badgeToken}.svg` });
    }),

  get: apiKeyProcedure("read")
    .meta(openapi("GET", "/alarms/{id}", "Get an alarm"))
    .input(z.object({ id: idParam }))
    .output(envelope(alarmOut))
    .query(async ({ ctx, input }) => ok(out(ctx.baseUrl, await alarmService.getAlarm(ctx.db, { accountId: ctx.accountId, id: input.id })))),

  replace: apiKeyProcedure("full")
    .meta(openapi("PUT", "/alarms/{id}", "Replace an alarm", "Replaces the whole definition; states and history stay unless the report, tags or kind change. Needs a full key."))
    .input(definitionIn.extend({ id: idParam }))
    .output(envelope(alarmOut))
    .mutation(async ({ ctx, input }) => {
      const { id, ...definition } = input;
      const alarm = await alarmService.replaceAlarm(ctx.db, { accountId: ctx.accountId, id, definition, policy: { allowPrivateWebhooks: ctx.config.webhookAllowPrivate } });
      await auditAlarm(ctx.db, { accountId: ctx.accountId, actor: apiKeyActor(ctx), action: "alarm.changed", alarm });
      return ok(out(ctx.baseUrl, alarm));
    }),

  delete: apiKeyProcedure("full")
    .meta(openapi("DELETE", "/alarms/{id}", "Delete an alarm", "With its states and history. Needs a full key."))
    .input(z.object({ id: idParam }))
    .output(envelope(z.null()))
    .mutation(async ({ ctx, input }) => {
      const alarm = await alarmService.getAlarm(ctx.db, { accountId: ctx.accountId, id: input.id });
      await alarmService.deleteAlarm(ctx.db, { accountId: ctx.accountId, id: input.id });
      await auditAlarm(ctx.db, { accountId: ctx.accountId, actor: apiKeyActor(ctx), action: "alarm.deleted", alarm });
      return ok(null);
    }),

  test: apiKeyProcedure("full")
    .meta(openapi("POST", "/alarms/{id}/test", "Test an alarm's check", "Runs the check on the latest instance (or `instance`) and returns the result. Records and sends nothing. Needs a full key."))
    .input(z.object({ id: idParam, instance: z.string().max(100).optional().meta({ description: "Instance id to test on (default: the latest)" }) }))
    .output(envelope(checkOutcome.extend({ instanceId: z.string() })))
    .mutation(async ({ ctx, input }) => {
      const { instanceCreated: _created, ...result } = await alarmService.testAlarm(ctx.db, ctx.sandbox, { accountId: ctx.accountId, id: input.id, instanceId: input.instance });
      return ok(result);
    }),

  history: apiKeyProcedure("read")
    .meta(openapi("GET", "/alarms/{id}/history", "An alarm's state changes", "Newest first; `details.next` is the `before` value of the next page."))
    .input(z.object({ id: idParam, before: z.string().max(100).optional(), limit: z.coerce.number().int().min(1).max(200).optional() }))
    .output(
      envelope(
        z.array(z.object({ at: z.string(), tags: z.array(z.string()), from: alarmStateName, to: alarmStateName, message: z.string().nullable(), instanceId: z.string().nullable() })),
      ),
    )
    .query(async ({ ctx, input }) => {
      const page = await alarmService.alarmHistoryPage(ctx.db, { accountId: ctx.accountId, ...input });
      return ok(
        page.entries.map((e) => ({ ...e, at: e.at.toISOString() })),
        { next: page.next },
      );
    }),

  snooze: apiKeyProcedure("ingest")
    .meta(openapi("POST", "/alarms/{id}/snooze", "Snooze an alarm", "Holds back notifications for `minutes` (evaluation and history go on). Ingest and full keys may snooze."))
    .input(z.object({ id: idParam, minutes: z.coerce.number().meta({ description: "1 to 43200 (30 days)" }) }))
    .output(envelope(alarmOut))
    .mutation(async ({ ctx, input }) => {
      const alarm = await alarmService.snoozeAlarm(ctx.db, { accountId: ctx.accountId, id: input.id, minutes: input.minutes });
      await auditAlarm(ctx.db, { accountId: ctx.accountId, actor: apiKeyActor(ctx), action: "alarm.changed", alarm, details: { change: "snoozed", minutes: input.minutes } });
      return ok(out(ctx.baseUrl, alarm));
    }),

  endSnooze: apiKeyProcedure("ingest")
    .meta(openapi("DELETE", "/alarms/{id}/snooze", "End an alarm's snooze"))
    .input(z.object({ id: idParam }))
    .output(envelope(alarmOut))
    .mutation(async ({ ctx, input }) => {
      const alarm = await alarmService.endSnooze(ctx.db, { accountId: ctx.accountId, id: input.id });
      await auditAlarm(ctx.db, { accountId: ctx.accountId, actor: apiKeyActor(ctx), action: "alarm.changed", alarm, details: { change: "snooze_ended" } });
      return ok(out(ctx.baseUrl, alarm));
    }),
});
