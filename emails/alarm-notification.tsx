import { Button, Link, Section, Text } from "@react-email/components";
import type { CSSProperties } from "react";
import type { AlarmState } from "../db/schema/alarms";
import type { AlarmNotificationPayload } from "../server/alarm/types";
import { buttonStyle, EmailLayout, mutedStyle, textStyle } from "./components/layout";

export type AlarmNotificationEmailProps = { payload: AlarmNotificationPayload };

/** The marker in front of an offending row, in HTML and in plain text (U+FE0E: never an emoji). */
export const MARK = "▶\uFE0E";
/** At most this many rows are shown (the payload carries no more). */
export const MAX_ROWS = 20;
const MAX_CELL = 60;
const MAX_SUBJECT = 150;

const STATE_LABEL: Record<AlarmState, string> = { ok: "OK", alarm: "ALARM", error: "ERROR", no_data: "NO DATA" };
const STATE_WORD: Record<AlarmState, string> = { ok: "ok", alarm: "in alarm", error: "in error", no_data: "without data" };

/** Banner colours per state: text, background, accent (left border). */
const TONE: Record<AlarmState, { color: string; background: string; accent: string }> = {
  alarm: { color: "#991b1b", background: "#fef2f2", accent: "#dc2626" },
  error: { color: "#9a3412", background: "#fff7ed", accent: "#ea580c" },
  no_data: { color: "#334155", background: "#f1f5f9", accent: "#64748b" },
  ok: { color: "#166534", background: "#f0fdf4", accent: "#16a34a" },
};

const oneLine = (s: string) => s.replace(/\s+/g, " ").trim();
const cut = (s: string, max: number) => {
  const chars = [...s];
  return chars.length > max ? `${chars.slice(0, max - 1).join("")}…` : s;
};

/** A cell as text: strings as they are, numbers and booleans printed, null/undefined empty. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return "";
  const text = typeof value === "string" ? value : typeof value === "object" ? JSON.stringify(value) : String(value);
  return cut(oneLine(text), MAX_CELL);
}

/** "Tue, 14 May 2024 09:30:12 UTC" (the ISO text itself when it does not parse). */
export function formatUtc(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toUTCString().replace(/GMT$/, "UTC");
}

/** The message, or a default when the alarm gave none. */
function messageOf(payload: AlarmNotificationPayload): string | null {
  if (payload.message && oneLine(payload.message)) return payload.message;
  if (payload.state === "no_data") return "no new instance arrived";
  if (payload.state === "alarm") return "the check returned true";
  return null;
}

/** E.g. "ALARM: Disk space — / is 95% full", "RECOVERED: Disk space", "STILL ALARM: Disk space — …". */
export function subject(payload: AlarmNotificationPayload): string {
  const prefix =
    payload.reason === "recovery"
      ? "RECOVERED"
      : payload.reason === "renotify"
        ? `STILL ${STATE_LABEL[payload.state]}`
        : STATE_LABEL[payload.state];
  const tags = payload.tags.length ? ` (${payload.tags.join(", ")})` : "";
  const message = payload.reason === "recovery" ? null : messageOf(payload);
  return cut(oneLine(`${prefix}: ${payload.alarm.name}${tags}${message ? ` — ${message}` : ""}`), MAX_SUBJECT);
}

/** The banner's headline. */
function headline(payload: AlarmNotificationPayload): string {
  const name = payload.alarm.name;
  switch (payload.reason) {
    case "alarm":
      return `${name} is in alarm`;
    case "error":
      return `${name}: the check failed with an error`;
    case "no_data":
      return `${name} has gone silent`;
    case "recovery":
      return `${name} is back to OK`;
    case "renotify":
      return `${name} is still ${STATE_WORD[payload.state]}`;
  }
}

/** One sentence under the headline: what happened and since when. */
function explanation(payload: AlarmNotificationPayload): string {
  const at = formatUtc(payload.at);
  switch (payload.reason) {
    case "alarm":
      return `The check found a problem in a new instance of ${payload.alarm.report} (${at}).`;
    case "error":
      return `The check could not run to the end on a new instance of ${payload.alarm.report} (${at}). Until it runs again without an error, this alarm cannot tell whether all is well.`;
    case "no_data":
      return `No new instance of ${payload.alarm.report} has arrived in time (noticed ${at}).`;
    case "recovery":
      return `It was ${STATE_WORD[payload.previousState]}; since ${at} all is well again.`;
    case "renotify":
      return `It has been ${STATE_WORD[payload.state]} since ${formatUtc(payload.at)}. This is a reminder; it repeats until the alarm recovers.`;
  }
}

const cellBase: CSSProperties = {
  borderBottom: "1px solid #eef0f2",
  color: "#1f2933",
  fontFamily: "SFMono-Regular, Menlo, Consolas, 'Liberation Mono', monospace",
  fontSize: "12px",
  lineHeight: "18px",
  padding: "4px 8px",
  textAlign: "left",
  verticalAlign: "top",
  whiteSpace: "nowrap",
};

/**
 * The instance's rows as an inline-styled table. Rendered to plain text as a fixed-width table
 * (html-to-text's dataTable format), with the marker in a leading column of its own.
 */
function InstanceTable({ instance }: { instance: NonNullable<AlarmNotificationPayload["instance"]> }) {
  const rows = instance.rows.slice(0, MAX_ROWS);
  const headers = new Set(instance.header);
  const marked = new Set(instance.markedRows);
  const columns = Math.max(1, ...rows.map((r) => r.length));
  return (
    <div style={{ border: "1px solid #e3e5e8", borderRadius: "6px", margin: "0 0 12px", overflowX: "auto" }}>
      <table
        data-text-format="dataTable"
        cellPadding={0}
        cellSpacing={0}
        border={0}
        width="100%"
        style={{ borderCollapse: "collapse", minWidth: "100%" }}
      >
        <tbody>
          {rows.map((row, i) => {
            const isMarked = marked.has(i);
            const isHeader = headers.has(i) && !isMarked;
            const background = isMarked ? "#fef2f2" : isHeader ? "#f8fafc" : "#ffffff";
            return (
              <tr key={i}>
                <td
                  style={{
                    ...cellBase,
                    background,
                    borderLeft: `4px solid ${isMarked ? "#dc2626" : background}`,
                    color: "#dc2626",
                    fontWeight: 700,
                    padding: "4px 4px 4px 6px",
                    width: "14px",
                  }}
                >
                  {isMarked ? MARK : ""}
                </td>
                {Array.from({ length: columns }, (_, c) => (
                  <td
                    key={c}
                    style={{
                      ...cellBase,
                      background,
                      color: isMarked ? "#991b1b" : cellBase.color,
                      fontWeight: isHeader || isMarked ? 700 : 400,
                    }}
                  >
                    {cellText(row[c])}
                  </td>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** Label/value lines as a two-column table (a fixed-width list in plain text). */
function Details({ items }: { items: [string, string][] }) {
  return (
    <table data-text-format="dataTable" cellPadding={0} cellSpacing={0} border={0} width="100%" style={{ borderCollapse: "collapse", margin: "0 0 20px" }}>
      <tbody>
        {items.map(([label, value]) => (
          <tr key={label}>
            <td style={{ color: "#52606d", fontSize: "13px", lineHeight: "20px", padding: "3px 16px 3px 0", verticalAlign: "top", whiteSpace: "nowrap", width: "90px" }}>
              {label}
            </td>
            <td style={{ color: "#1f2933", fontSize: "14px", lineHeight: "20px", padding: "3px 0", verticalAlign: "top", wordBreak: "break-word" }}>{value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const secondaryButtonStyle: CSSProperties = {
  ...buttonStyle,
  backgroundColor: "#ffffff",
  border: "1px solid #cbd2d9",
  color: "#1f2933",
  padding: "11px 19px",
};

/** An alarm notification: fired, error, no data, recovery or reminder (alarms.md "Each email shows"). */
export default function AlarmNotificationEmail({ payload }: AlarmNotificationEmailProps) {
  const tone = TONE[payload.state];
  const message = messageOf(payload);
  const instance = payload.instance;
  const details: [string, string][] = [
    ["Alarm", payload.alarm.name],
    ["Report", payload.alarm.report],
    ["Tags", payload.tags.length ? payload.tags.join(", ") : "none"],
    ["State", payload.previousState === payload.state ? STATE_LABEL[payload.state] : `${STATE_LABEL[payload.state]} (was ${STATE_LABEL[payload.previousState]})`],
  ];
  if (message && payload.reason !== "recovery") details.push(["Message", message]);
  details.push(["Since", formatUtc(payload.at)]);
  if (instance) details.push(["Instance", formatUtc(instance.created)]);
  const hidden = instance ? instance.totalRows - Math.min(instance.rows.length, MAX_ROWS) : 0;

  return (
    <EmailLayout
      preview={explanation(payload)}
      footer="Tablewatch alarm notification: sent once per change of state, and again only if the alarm asks for reminders."
    >
      <Text
        style={{
          ...textStyle,
          background: tone.background,
          borderLeft: `4px solid ${tone.accent}`,
          color: tone.color,
          fontSize: "17px",
          fontWeight: 700,
          padding: "12px 16px",
        }}
      >
        {headline(payload)}
      </Text>
      <Text style={textStyle}>{explanation(payload)}</Text>
      <Details items={details} />
      {instance ? (
        <>
          <Text style={{ ...textStyle, fontWeight: 600, margin: "0 0 8px" }}>
            {`The instance of ${formatUtc(instance.created)}${instance.markedRows.length ? ` (rows marked ${MARK} are the ones the check flagged)` : ""}:`}
          </Text>
          {instance.rows.length ? <InstanceTable instance={instance} /> : <Text style={mutedStyle}>The instance has no rows.</Text>}
          {hidden > 0 ? (
            <Text style={{ ...mutedStyle, margin: "0 0 20px" }}>
              {`${hidden} more ${hidden === 1 ? "row" : "rows"} not shown.`}
            </Text>
          ) : null}
        </>
      ) : null}
      {/* Skipped in plain text: the links below carry the same addresses there. */}
      <Section style={{ margin: "0 0 8px" }} data-skip-in-text="true">
        {instance ? (
          <Button href={instance.url} style={{ ...buttonStyle, margin: "0 12px 8px 0" }}>
            Open the instance
          </Button>
        ) : null}
        <Button href={payload.alarm.url} style={instance ? { ...secondaryButtonStyle, margin: "0 0 8px" } : { ...buttonStyle, margin: "0 0 8px" }}>
          Open the alarm
        </Button>
      </Section>
      {instance ? (
        <Text style={mutedStyle}>
          Instance: <Link href={instance.url}>{instance.url}</Link>
        </Text>
      ) : null}
      <Text style={mutedStyle}>
        Alarm: <Link href={payload.alarm.url}>{payload.alarm.url}</Link>
      </Text>
      <Text style={mutedStyle}>
        {`You receive this email as a recipient of the alarm “${payload.alarm.name}”. To change who gets it, or to turn off recoveries and reminders, go to the alarm’s settings: `}
        <Link href={payload.settingsUrl}>{payload.settingsUrl}</Link>
      </Text>
    </EmailLayout>
  );
}

const example = (reason: AlarmNotificationPayload["reason"]): AlarmNotificationPayload => ({
  reason,
  state: reason === "recovery" ? "ok" : reason === "renotify" ? "alarm" : reason,
  previousState: reason === "recovery" || reason === "renotify" ? "alarm" : "ok",
  alarm: { id: "0190f7a0-0000-7000-8000-000000000001", name: "Disk space", report: "df", url: "http://localhost:3000/alarms/0190f7a0-0000-7000-8000-000000000001" },
  tags: ["host:web1"],
  message: reason === "error" ? "TypeError: Cannot read properties of undefined (reading 'Use%')" : reason === "no_data" ? "no instance for 30 minutes" : "/ is 95% full",
  at: "2024-05-14T09:30:12.000Z",
  instance:
    reason === "no_data"
      ? null
      : {
          id: "0190f7a0-0000-7000-8000-0000000000aa",
          created: "2024-05-14T09:30:10.000Z",
          url: "http://localhost:3000/reports/df/instances/0190f7a0-0000-7000-8000-0000000000aa",
          header: [0],
          rows: [
            ["Filesystem", "Size", "Used", "Avail", "Use%", "Mounted on"],
            ["/dev/sda1", "50G", "47G", "2.5G", "95%", "/"],
            ["tmpfs", "3.9G", "0", "3.9G", "0%", "/dev/shm"],
            ["/dev/sdb1", "200G", "120G", "80G", "60%", "/data"],
          ],
          totalRows: 26,
          markedRows: reason === "alarm" || reason === "renotify" ? [1] : [],
        },
  settingsUrl: "http://localhost:3000/alarms/0190f7a0-0000-7000-8000-000000000001/settings",
});

AlarmNotificationEmail.PreviewProps = { payload: example("alarm") } satisfies AlarmNotificationEmailProps;

/** Example payloads for each reason (previews and tests). */
export const examplePayloads = {
  alarm: example("alarm"),
  error: example("error"),
  no_data: example("no_data"),
  recovery: example("recovery"),
  renotify: example("renotify"),
} satisfies Record<AlarmNotificationPayload["reason"], AlarmNotificationPayload>;
