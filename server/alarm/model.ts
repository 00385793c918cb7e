import { z } from "zod";
import { alarmKinds, alarmStates } from "../../db/schema/alarms";

/** Limits of an alarm's definition. */
export const MAX_CODE_CHARS = 20_000;
export const MAX_ALARMS_PER_REPORT = 50;
export const MAX_RECIPIENTS = 50;
export const MAX_WINDOWS = 14;
export const MAX_NO_DATA_MINUTES = 7 * 24 * 60;
export const MAX_SNOOZE_MINUTES = 30 * 24 * 60;

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "a time is HH:MM (00:00 to 23:59)");

export const maintenanceWindow = z
  .object({
    days: z.array(z.number().int().min(0).max(6)).min(1, "choose at least one day").max(7),
    start: hhmm,
    end: hhmm,
  })
  .refine((w) => w.start !== w.end, { message: "a window's start and end must differ", path: ["end"] });

export const timeZone = z
  .string()
  .max(100)
  .refine(
    (tz) => {
      try {
        new Intl.DateTimeFormat("en-US", { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    },
    { message: "an IANA time zone such as Europe/Tallinn" },
  );

/**
 * An alarm's definition, as written by the web form and by "Alarms as code" (alarms.md).
 * `recipients` are team members' emails; empty or absent means the account's owners and admins.
 */
export const alarmInput = z
  .object({
    name: z.string().trim().min(1, "give the alarm a name").max(200),
    report: z.string().trim().min(1, "choose a report").max(200),
    tags: z.array(z.string().trim().min(1).max(200)).max(10).default([]),
    kind: z.enum(alarmKinds),
    code: z.string().max(MAX_CODE_CHARS, `the check is at most ${MAX_CODE_CHARS} characters`).optional(),
    noDataMinutes: z.number().int().min(1).max(MAX_NO_DATA_MINUTES).nullish(),
    recipients: z.array(z.string().trim().toLowerCase().email("a recipient is an email address").max(320)).max(MAX_RECIPIENTS).optional(),
    notifyRecovery: z.boolean().default(true),
    renotifyMinutes: z.number().int().min(5).max(MAX_NO_DATA_MINUTES).nullish(),
    webhookUrl: z
      .string()
      .trim()
      .max(2000)
      .url("the webhook is an http(s) URL")
      .refine((u) => /^https?:\/\//i.test(u), "the webhook is an http(s) URL")
      .nullish(),
    enabled: z.boolean().default(true),
    maintenance: z.array(maintenanceWindow).max(MAX_WINDOWS).default([]),
    timeZone: timeZone.optional(),
  })
  .superRefine((a, ctx) => {
    if (a.kind === "check" && !a.code?.trim()) ctx.addIssue({ code: "custom", path: ["code"], message: "a check alarm needs code" });
    if (a.kind === "no_data" && !a.noDataMinutes) {
      ctx.addIssue({ code: "custom", path: ["noDataMinutes"], message: "a no-data alarm needs noDataMinutes" });
    }
  });

export type AlarmInput = z.input<typeof alarmInput>;
export type AlarmDefinition = z.output<typeof alarmInput>;

export const alarmStateName = z.enum(alarmStates);

export const tagState = z.object({ tags: z.array(z.string()), state: alarmStateName, since: z.date(), message: z.string().nullable() });

/** An alarm as the web app and the API show it. */
export const alarmView = z.object({
  id: z.string(),
  name: z.string(),
  report: z.string(),
  tags: z.array(z.string()),
  kind: z.enum(alarmKinds),
  code: z.string(),
  noDataMinutes: z.number().nullable(),
  recipients: z.array(z.string()),
  recipientsDefault: z.boolean(),
  notifyRecovery: z.boolean(),
  renotifyMinutes: z.number().nullable(),
  webhookUrl: z.string().nullable(),
  webhookSecret: z.string(),
  enabled: z.boolean(),
  snoozedUntil: z.date().nullable(),
  maintenance: z.array(z.object({ days: z.array(z.number()), start: z.string(), end: z.string() })),
  timeZone: z.string(),
  states: z.array(tagState),
  worst: alarmStateName.nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type AlarmView = z.infer<typeof alarmView>;

export const checkOutcome = z.object({
  result: z.enum(["ok", "alarm", "error"]),
  message: z.string().nullable(),
  rows: z.array(z.number()),
  logs: z.array(z.string()),
  ms: z.number(),
});

export const historyEntry = z.object({
  at: z.date(),
  tags: z.array(z.string()),
  from: alarmStateName,
  to: alarmStateName,
  message: z.string().nullable(),
  instanceId: z.string().nullable(),
});
export type HistoryEntry = z.infer<typeof historyEntry>;

/** The check examples offered in the editor (alarms.md). */
export const CHECK_EXAMPLES = [
  {
    title: "A disk more than 90 % full (df)",
    code: "for (const r of table(instance))\n  if (num(r['Use%']) > 90) return `${r['Mounted on']} is ${r['Use%']} full`;",
  },
  {
    title: "A new row appeared",
    code:
      "const seen = new Set(table(previous ?? instance).map(r => r.NAME));\n" +
      "const fresh = table(instance).filter(r => !seen.has(r.NAME));\n" +
      "if (fresh.length) return `new: ${fresh.map(r => r.NAME).join(', ')}`;",
  },
  {
    title: "Mark every offending row",
    code:
      "const rows = [];\n" +
      "table(instance).forEach((r, i) => { if (num(r['Use%']) > 90) rows.push(i + instance.header.length); });\n" +
      "if (rows.length) return { message: `${rows.length} disks over 90 %`, rows };",
  },
  {
    title: "A single number over a threshold",
    code: "const value = num(instance.rows[0][0]);\nconsole.log('value', value);\nif (value > 100) return `value is ${value}`;",
  },
] as const;
