import { z } from "zod";
import * as alarmService from "../../alarm/service";
import { alarmView, checkOutcome, CHECK_EXAMPLES, historyEntry } from "../../alarm/model";
import { authedProcedure, memberProcedure, publicProcedure, router } from "../../trpc";
import { auditAlarm, userActor } from "../../audit/service";
import { notePlanUsage } from "../../plan/mail";

const idInput = z.object({ id: z.string().max(100) });
const definition = z.record(z.string(), z.unknown());

/** What a viewer may see: everything but the webhook's signing secret. */
const forRole = <T extends { webhookSecret: string }>(role: string, alarm: T): T => (role === "viewer" ? { ...alarm, webhookSecret: "" } : alarm);

/** The web app's Alarms pages (session-authenticated; the public API is `alarm`). Editors and above change alarms. */
export const alarmsRouter = router({
  list: authedProcedure
    .input(z.object({ report: z.string().max(200).optional() }).default({}))
    .output(z.array(alarmView))
    .query(async ({ ctx, input }) => (await alarmService.listAlarms(ctx.db, { accountId: ctx.account.id, report: input.report })).map((a) => forRole(ctx.role, a))),

  get: authedProcedure
    .input(idInput)
    .output(alarmView)
    .query(async ({ ctx, input }) => forRole(ctx.role, await alarmService.getAlarm(ctx.db, { accountId: ctx.account.id, id: input.id }))),

  /** What the editor needs besides the alarm: report names, members, examples. */
  editorData: authedProcedure
    .input(z.object({ report: z.string().max(200).optional() }).default({}))
    .output(
      z.object({
        reports: z.array(z.string()),
        members: z.array(z.object({ email: z.string(), role: z.string() })),
        defaultRecipients: z.array(z.string()),
        instances: z.array(z.object({ id: z.string(), created: z.date(), tags: z.array(z.string()) })),
        examples: z.array(z.object({ title: z.string(), code: z.string() })),
      }),
    )
    .query(async ({ ctx, input }) => {
      const data = await alarmService.editorData(ctx.db, { accountId: ctx.account.id, report: input.report });
      return { ...data, examples: CHECK_EXAMPLES.map((e) => ({ ...e })) };
    }),

  create: memberProcedure("editor")
    .input(definition)
    .output(z.object({ alarm: alarmView, badgeToken: z.string() }))
    .mutation(async ({ ctx, input }) => {
      const created = await alarmService.createAlarm(ctx.db, { accountId: ctx.account.id, definition: input, timeZone: ctx.user.timeZone, policy: { allowPrivateWebhooks: ctx.config.webhookAllowPrivate } });
      await auditAlarm(ctx.db, { accountId: ctx.account.id, actor: userActor(ctx), action: "alarm.created", alarm: created.alarm });
      notePlanUsage(ctx, ctx.account.id, "alarms"); // the 80 % / 100 % email, off the request
      return created;
    }),

  update: memberProcedure("editor")
    .input(z.object({ id: z.string().max(100), definition }))
    .output(alarmView)
    .mutation(async ({ ctx, input }) => {
      const alarm = await alarmService.replaceAlarm(ctx.db, { accountId: ctx.account.id, id: input.id, definition: input.definition, policy: { allowPrivateWebhooks: ctx.config.webhookAllowPrivate } });
      await auditAlarm(ctx.db, { accountId: ctx.account.id, actor: userActor(ctx), action: "alarm.changed", alarm });
      return alarm;
    }),

  delete: memberProcedure("editor")
    .input(idInput)
    .output(z.void())
    .mutation(async ({ ctx, input }) => {
      const alarm = await alarmService.getAlarm(ctx.db, { accountId: ctx.account.id, id: input.id });
      await alarmService.deleteAlarm(ctx.db, { accountId: ctx.account.id, id: input.id });
      await auditAlarm(ctx.db, { accountId: ctx.account.id, actor: userActor(ctx), action: "alarm.deleted", alarm });
    }),

  setEnabled: memberProcedure("editor")
    .input(z.object({ id: z.string().max(100), enabled: z.boolean() }))
    .output(alarmView)
    .mutation(async ({ ctx, input }) => {
      const alarm = await alarmService.setEnabled(ctx.db, { accountId: ctx.account.id, id: input.id, enabled: input.enabled });
      await auditAlarm(ctx.db, { accountId: ctx.account.id, actor: userActor(ctx), action: "alarm.changed", alarm, details: { change: input.enabled ? "enabled" : "disabled" } });
      return alarm;
    }),

  /** The editor's Test: the given (unsaved) code, or the saved alarm's, on the latest or a chosen instance. Records nothing. */
  test: memberProcedure("editor")
    .input(
      z.object({
        id: z.string().max(100).optional(),
        report: z.string().max(200).optional(),
        tags: z.array(z.string().max(200)).max(10).optional(),
        code: z.string().max(20_000).optional(),
        instanceId: z.string().max(100).optional(),
      }),
    )
    .output(checkOutcome.extend({ instanceId: z.string(), instanceCreated: z.date() }))
    .mutation(({ ctx, input }) => alarmService.testAlarm(ctx.db, ctx.sandbox, { accountId: ctx.account.id, ...input })),

  history: authedProcedure
    .input(z.object({ id: z.string().max(100), before: z.string().max(100).optional(), limit: z.number().int().min(1).max(200).optional() }))
    .output(z.object({ entries: z.array(historyEntry), next: z.string().nullable() }))
    .query(({ ctx, input }) => alarmService.alarmHistoryPage(ctx.db, { accountId: ctx.account.id, ...input })),

  snooze: memberProcedure("editor")
    .input(z.object({ id: z.string().max(100), minutes: z.number().int() }))
    .output(alarmView)
    .mutation(async ({ ctx, input }) => {
      const alarm = await alarmService.snoozeAlarm(ctx.db, { accountId: ctx.account.id, id: input.id, minutes: input.minutes });
      await auditAlarm(ctx.db, { accountId: ctx.account.id, actor: userActor(ctx), action: "alarm.changed", alarm, details: { change: "snoozed", minutes: input.minutes } });
      return alarm;
    }),

  endSnooze: memberProcedure("editor")
    .input(idInput)
    .output(alarmView)
    .mutation(async ({ ctx, input }) => {
      const alarm = await alarmService.endSnooze(ctx.db, { accountId: ctx.account.id, id: input.id });
      await auditAlarm(ctx.db, { accountId: ctx.account.id, actor: userActor(ctx), action: "alarm.changed", alarm, details: { change: "snooze_ended" } });
      return alarm;
    }),

  regenerateBadge: memberProcedure("editor")
    .input(idInput)
    .output(z.object({ badgeToken: z.string() }))
    .mutation(async ({ ctx, input }) => {
      const badgeToken = await alarmService.regenerateBadge(ctx.db, { accountId: ctx.account.id, id: input.id });
      const alarm = await alarmService.getAlarm(ctx.db, { accountId: ctx.account.id, id: input.id });
      await auditAlarm(ctx.db, { accountId: ctx.account.id, actor: userActor(ctx), action: "alarm.changed", alarm, details: { change: "badge_renewed" } });
      return { badgeToken };
    }),

  regenerateWebhookSecret: memberProcedure("editor")
    .input(idInput)
    .output(alarmView)
    .mutation(async ({ ctx, input }) => {
      const alarm = await alarmService.regenerateWebhookSecret(ctx.db, { accountId: ctx.account.id, id: input.id });
      await auditAlarm(ctx.db, { accountId: ctx.account.id, actor: userActor(ctx), action: "alarm.changed", alarm, details: { change: "webhook_secret_renewed" } });
      return alarm;
    }),

  /** Sends a sample notification to the alarm's webhook now and says how it answered. */
  sendTestWebhook: memberProcedure("editor")
    .input(idInput)
    .output(z.object({ ok: z.boolean(), message: z.string() }))
    .mutation(({ ctx, input }) => alarmService.sendTestWebhook(ctx.db, { accountId: ctx.account.id, id: input.id, appUrl: ctx.baseUrl })),

  /** The worst state per report name, for dashboard tiles and the Reports page. */
  reportStates: authedProcedure
    .input(z.void())
    .output(z.record(z.string(), z.object({ state: z.enum(["ok", "alarm", "error", "no_data"]), alarms: z.number() })))
    .query(({ ctx }) => alarmService.reportAlarmStates(ctx.db, ctx.account.id)),

  /** The public status badge (SVG) by its unguessable token; null when there is no such badge. */
  badge: publicProcedure
    .input(z.object({ token: z.string().max(200) }))
    .output(z.string().nullable())
    .query(({ ctx, input }) => alarmService.badgeSvgByToken(ctx.db, input.token)),
});
