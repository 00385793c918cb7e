/**
 * Server side of the alarm editor (/alarms/new and /alarms/:id): reading the form into an alarm
 * definition (server/alarm/model.ts `alarmInput`), turning the service's "field: message" errors
 * into field errors, and the editor's Test.
 */
import { type AppLoadContext, data } from "@remix-run/node";
import { formAction, type FormErrors } from "~/utils/errors.server";

/** The form's fields that a service error can name ("code: a check alarm needs code"). */
const FIELDS = new Set([
  "name",
  "report",
  "tags",
  "kind",
  "code",
  "noDataMinutes",
  "recipients",
  "notifyRecovery",
  "renotifyMinutes",
  "webhookUrl",
  "enabled",
  "maintenance",
  "timeZone",
]);

/** The request's form data (all values of repeated fields); a body that is not a form answers 400. */
export async function readFormData(request: Request): Promise<FormData> {
  try {
    return await request.formData();
  } catch {
    throw new Response("The form could not be read.", { status: 400 });
  }
}

export const text = (form: FormData, key: string): string => {
  const value = form.get(key);
  return typeof value === "string" ? value : "";
};

const fail = (fieldErrors: Record<string, string>): { ok: false; errors: FormErrors } => ({
  ok: false,
  errors: { message: "Please correct the highlighted fields.", fieldErrors },
});

/** Comma-separated tag patterns ("host:*, env:prod"). */
export const splitTags = (value: string) =>
  [...new Set(value.split(",").map((tag) => tag.trim()).filter(Boolean))];

/**
 * The alarm definition the editor's form describes. Fields named `mw.<i>.days|start|end` are the
 * maintenance windows; a row left completely empty is ignored.
 */
export function definitionFromForm(form: FormData): { ok: true; definition: Record<string, unknown> } | { ok: false; errors: FormErrors } {
  const kind = text(form, "kind") === "no_data" ? "no_data" : "check";
  const fieldErrors: Record<string, string> = {};

  let noDataMinutes: number | null = null;
  if (kind === "no_data") {
    const raw = text(form, "noDataMinutes").trim();
    noDataMinutes = Number(raw);
    if (!raw || !Number.isInteger(noDataMinutes) || noDataMinutes < 1) fieldErrors.noDataMinutes = "Enter a whole number of minutes (1 or more).";
  }

  let renotifyMinutes: number | null = null;
  const renotify = text(form, "renotifyHours").trim();
  if (renotify) {
    const hours = Number(renotify.replace(",", "."));
    if (!Number.isFinite(hours) || hours <= 0) fieldErrors.renotifyMinutes = "Enter a number of hours, or leave it empty for never.";
    else renotifyMinutes = Math.round(hours * 60);
  }

  const windows: { days: number[]; start: string; end: string }[] = [];
  const indexes = new Set<number>();
  for (const key of form.keys()) {
    const match = /^mw\.(\d+)\./.exec(key);
    if (match) indexes.add(Number(match[1]));
  }
  for (const i of [...indexes].sort((a, b) => a - b)) {
    const days = form
      .getAll(`mw.${i}.days`)
      .map((d) => Number(d))
      .filter((d) => Number.isInteger(d) && d >= 0 && d <= 6);
    const start = text(form, `mw.${i}.start`).trim();
    const end = text(form, `mw.${i}.end`).trim();
    if (!days.length && !start && !end) continue;
    windows.push({ days: [...new Set(days)].sort(), start, end });
  }

  if (Object.keys(fieldErrors).length) return fail(fieldErrors);
  const webhookUrl = text(form, "webhookUrl").trim();
  const timeZone = text(form, "timeZone").trim();
  return {
    ok: true,
    definition: {
      name: text(form, "name"),
      report: text(form, "report"),
      tags: splitTags(text(form, "tags")),
      kind,
      code: text(form, "code"),
      noDataMinutes,
      recipients: form.getAll("recipients").filter((r): r is string => typeof r === "string"),
      notifyRecovery: form.get("notifyRecovery") === "on",
      renotifyMinutes,
      webhookUrl: webhookUrl || null,
      enabled: form.get("enabled") === "on",
      maintenance: windows,
      ...(timeZone ? { timeZone } : {}),
    },
  };
}

/**
 * Runs an alarm procedure for an action, like `formAction`, and moves a service message that names
 * a field ("report: there is no report named …", "maintenance.0.end: …") to that field.
 */
export async function alarmAction<T>(run: () => Promise<T>) {
  const result = await formAction(run);
  if (result.ok) return result;
  const body = result.response.data as { errors: FormErrors };
  const match = /^([A-Za-z]+)(?:\.[\w.]+)?: (.+)$/s.exec(body.errors.message);
  if (match && FIELDS.has(match[1]!) && !Object.keys(body.errors.fieldErrors).length) {
    const [, field, message] = match;
    const errors: FormErrors = {
      message: "Please correct the highlighted fields.",
      fieldErrors: { [field!]: message!.charAt(0).toUpperCase() + message!.slice(1) },
    };
    return { ok: false as const, response: data({ errors }, result.response.init ?? undefined) };
  }
  return result;
}

/**
 * The editor's Test: the unsaved code on the latest instance (matching the tag patterns) or the
 * chosen one, with that instance's table for showing the marked rows. Nothing is recorded.
 */
export async function runTest(context: AppLoadContext, form: FormData, alarmId?: string) {
  const report = text(form, "report").trim();
  const instanceId = text(form, "testInstance").trim() || undefined;
  const result = await alarmAction(() =>
    context.trpc.alarms.test({
      id: alarmId,
      report: report || undefined,
      tags: splitTags(text(form, "tags")).slice(0, 10),
      code: text(form, "code"),
      instanceId,
    }),
  );
  if (!result.ok) return data({ ...(result.response.data as { errors: FormErrors }), intent: "test" as const }, result.response.init ?? undefined);
  const outcome = result.value;
  let instance: { rows: unknown[][]; header: number[]; numericColumns: boolean[]; tags: string[] } | null = null;
  try {
    const view = await context.trpc.reports.view({ name: report, id: outcome.instanceId, tags: [] });
    if (view.instance) {
      const { rows, header, numericColumns, tags } = view.instance;
      instance = { rows, header, numericColumns, tags };
    }
  } catch {
    // The instance was deleted in between: the result stands without its table.
  }
  return { intent: "test" as const, outcome, instance, report };
}
