/**
 * The alarm editor's form, shared by /alarms/new and /alarms/:id: what to watch (report, tags),
 * the check (code editor and Test) or the no-data limit, who is notified, quiet times. The form
 * posts `intent=save` to its route; Test posts `intent=test` through a fetcher (nothing reloads).
 *
 * Fields work without JavaScript: the kind switch is CSS (:has), the code editor starts as a
 * textarea. Adding maintenance windows, Examples and Test need JavaScript.
 */
import { Form, Link, useFetcher, useNavigation } from "@remix-run/react";
import { useEffect, useRef, useState, type ReactNode } from "react";
import type { AlarmView } from "../../../server/alarm/model";
import { formatInstant } from "~/components/dashboard/axes";
import { Cell } from "~/components/data-table";
import { FieldError, type FormErrors } from "~/components/form";
import { CodeEditor, type CodeExample } from "./code-editor";
import { StatePill } from "./state";

export type EditorData = {
  reports: string[];
  members: { email: string; role: string }[];
  defaultRecipients: string[];
  instances: { id: string; created: Date; tags: string[] }[];
  examples: CodeExample[];
};

export type TestOutcome = {
  result: "ok" | "alarm" | "error";
  message: string | null;
  rows: number[];
  logs: string[];
  ms: number;
  instanceId: string;
  instanceCreated: Date;
};

export type TestReply =
  | {
      intent: "test";
      outcome: TestOutcome;
      instance: { rows: unknown[][]; header: number[]; numericColumns: boolean[]; tags: string[] } | null;
      report: string;
    }
  | { intent: "test"; errors: NonNullable<FormErrors> };

/** Monday first; the values are JavaScript's (0 = Sunday), as the server stores them. */
export const WEEKDAYS = [
  { value: 1, label: "Mon" },
  { value: 2, label: "Tue" },
  { value: 3, label: "Wed" },
  { value: 4, label: "Thu" },
  { value: 5, label: "Fri" },
  { value: 6, label: "Sat" },
  { value: 0, label: "Sun" },
];

/** Rows of the tested instance drawn in the result (the check sees them all). */
const MAX_TEST_ROWS = 200;

/** "Mon–Fri 02:00–04:00" */
export function windowText(w: { days: number[]; start: string; end: string }): string {
  const order = WEEKDAYS.map((d) => d.value);
  const sorted = [...w.days].sort((a, b) => order.indexOf(a) - order.indexOf(b));
  const positions = sorted.map((d) => order.indexOf(d));
  const run = positions.length > 2 && positions.every((p, i) => i === 0 || p === positions[i - 1]! + 1);
  const label = (d: number) => WEEKDAYS.find((x) => x.value === d)?.label ?? "?";
  const days =
    sorted.length === 7 ? "Every day" : run ? `${label(sorted[0]!)}–${label(sorted[sorted.length - 1]!)}` : sorted.map(label).join(", ");
  return `${days} ${w.start}–${w.end}`;
}

// ---------------------------------------------------------------- small pieces

// ---------------------------------------------------------------- Test

/** The tested instance's table, the rows the check returned marked. */
export function MarkedTable({
  rows,
  header,
  marked,
  numericColumns,
}: {
  rows: unknown[][];
  header: number[];
  marked: number[];
  numericColumns: boolean[];
}) {
  const headerRows = new Set(header);
  const markedRows = new Set(marked);
  const width = rows.reduce((max, row) => Math.max(max, row.length), 0);
  const columns = Array.from({ length: width }, (_, column) => column);
  let lead = 0;
  while (lead < rows.length && headerRows.has(lead)) lead++;
  const body = rows.map((row, index) => ({ row, index })).slice(lead, lead + MAX_TEST_ROWS);
  const hidden = rows.length - lead - body.length;
  const markedHidden = marked.filter((i) => i >= lead + MAX_TEST_ROWS).length;
  if (!rows.length) return <p className="muted small">This instance has no rows.</p>;
  return (
    <>
      <div className="data-table-wrap al-marked-wrap">
        <table className="data-table al-marked-table">
          <caption className="visually-hidden">The tested instance; rows the check marked are highlighted</caption>
          {lead ? (
            <thead>
              {rows.slice(0, lead).map((row, index) => (
                <tr key={index}>
                  <th scope="col" className="al-row-n">
                    <span className="visually-hidden">Row</span>
                  </th>
                  {columns.map((column) => (
                    <th key={column} scope="col" className={numericColumns[column] ? "num" : undefined}>
                      <Cell value={row[column]} />
                    </th>
                  ))}
                </tr>
              ))}
            </thead>
          ) : null}
          <tbody>
            {body.map(({ row, index }) => {
              const isMarked = markedRows.has(index);
              const isHeader = headerRows.has(index);
              return (
                <tr key={index} className={isMarked ? "marked" : isHeader ? "header-row" : undefined} data-row={index}>
                  <td className="al-row-n">
                    {isMarked ? (
                      <span className="al-mark" title="Marked by the check">
                        <span className="visually-hidden">Marked: </span>
                      </span>
                    ) : null}
                    {index}
                  </td>
                  {columns.map((column) =>
                    isHeader ? (
                      <th key={column} scope="col">
                        <Cell value={row[column]} />
                      </th>
                    ) : (
                      <td key={column} className={numericColumns[column] ? "num" : undefined}>
                        <Cell value={row[column]} />
                      </td>
                    ),
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {hidden > 0 ? (
        <p className="small muted al-table-note">
          The first {MAX_TEST_ROWS} rows are shown; {hidden} more {hidden === 1 ? "is" : "are"} not
          {markedHidden ? `, ${markedHidden} of them marked` : ""}.
        </p>
      ) : null}
    </>
  );
}

const RESULT_LABEL = { ok: "OK", alarm: "ALARM", error: "ERROR" } as const;

function TestResult({ reply, timeZone, hour12 }: { reply: Extract<TestReply, { outcome: TestOutcome }>; timeZone: string; hour12: boolean }) {
  const { outcome, instance, report } = reply;
  const message =
    outcome.message ?? (outcome.result === "ok" ? "The check passes on this instance." : outcome.result === "alarm" ? "The check returned true." : "");
  const created = new Date(outcome.instanceCreated);
  return (
    <div className={`al-test-result result-${outcome.result}`} data-testid="test-result">
      <div className="al-test-head">
        <StatePill state={outcome.result} title={`The check's result: ${RESULT_LABEL[outcome.result]}`} />
        <p className={`al-test-message${outcome.result === "error" ? " mono" : ""}`}>{message}</p>
      </div>
      <p className="al-test-meta small">
        <span>
          {outcome.ms < 1 ? "< 1" : Math.round(outcome.ms)} ms
        </span>
        <span aria-hidden="true">·</span>
        <span>
          on the instance of{" "}
          <Link to={`/reports/${encodeURIComponent(report)}?id=${encodeURIComponent(outcome.instanceId)}`}>
            {formatInstant(created.getTime(), timeZone, hour12, { seconds: true })}
          </Link>
        </span>
        {instance?.tags.length ? (
          <span className="chips">
            {instance.tags.map((tag) => (
              <span key={tag} className="chip">
                {tag}
              </span>
            ))}
          </span>
        ) : null}
        {outcome.rows.length ? (
          <>
            <span aria-hidden="true">·</span>
            <span className="al-marked-count">
              {outcome.rows.length} row{outcome.rows.length === 1 ? "" : "s"} marked
            </span>
          </>
        ) : null}
      </p>
      {outcome.logs.length ? (
        <div className="al-console">
          <span className="al-console-title">Console</span>
          <pre>{outcome.logs.join("\n")}</pre>
        </div>
      ) : null}
      {instance ? <MarkedTable rows={instance.rows} header={instance.header} marked={outcome.rows} numericColumns={instance.numericColumns} /> : null}
    </div>
  );
}

function TestPanel({
  instances,
  loadingInstances,
  hasTags,
  timeZone,
  hour12,
}: {
  instances: EditorData["instances"];
  loadingInstances: boolean;
  hasTags: boolean;
  timeZone: string;
  hour12: boolean;
}) {
  const fetcher = useFetcher<TestReply>();
  const button = useRef<HTMLButtonElement>(null);
  const busy = fetcher.state !== "idle";
  const reply = fetcher.data;
  const run = () => {
    const form = button.current?.form;
    if (!form) return;
    const values = new FormData(form);
    values.set("intent", "test");
    fetcher.submit(values, { method: "post" });
  };
  return (
    <section className="al-test" aria-labelledby="al-test-title">
      <div className="al-test-bar">
        <div className="al-test-title">
          <h3 id="al-test-title">Test</h3>
          <p className="small muted">Runs the code above, saved or not. Nothing is recorded or sent.</p>
        </div>
        <div className="al-test-controls">
          <label htmlFor="al-test-instance" className="small">
            On
          </label>
          <select id="al-test-instance" name="testInstance" disabled={loadingInstances} defaultValue="">
            <option value="">The latest instance{hasTags ? " matching the tags" : ""}</option>
            {instances.map((i) => (
              <option key={i.id} value={i.id}>
                {formatInstant(new Date(i.created).getTime(), timeZone, hour12, { seconds: true })}
                {i.tags.length ? ` · ${i.tags.join(", ")}` : ""}
              </option>
            ))}
          </select>
          <button ref={button} type="button" className="button" onClick={run} disabled={busy} aria-describedby="al-test-title">
            <svg width="12" height="12" viewBox="0 0 12 12" aria-hidden="true">
              <path d="M2.5 1.5v9l8-4.5z" fill="currentColor" />
            </svg>
            {busy ? "Testing…" : "Test"}
          </button>
        </div>
      </div>
      <div aria-live="polite">
        {reply && "errors" in reply ? (
          <div className="alert error al-test-error" role="alert">
            {Object.values(reply.errors.fieldErrors)[0] ?? reply.errors.message}
          </div>
        ) : null}
        {reply && "outcome" in reply ? <TestResult reply={reply} timeZone={timeZone} hour12={hour12} /> : null}
        {!reply && !busy ? (
          <p className="al-test-empty small muted">Press Test to see what the check says about real data: the result, its message, the rows it marks and what it logs.</p>
        ) : null}
      </div>
    </section>
  );
}

// ---------------------------------------------------------------- maintenance windows

type WindowRow = { key: number; days: number[]; start: string; end: string };

function MaintenanceEditor({
  windows,
  timeZone,
  error,
  timeZoneError,
  disabled,
}: {
  windows: { days: number[]; start: string; end: string }[];
  timeZone: string;
  error?: string;
  timeZoneError?: string;
  disabled: boolean;
}) {
  const nextKey = useRef(windows.length);
  const [rows, setRows] = useState<WindowRow[]>(() => windows.map((w, key) => ({ key, ...w })));
  const [zones, setZones] = useState<string[]>([]);
  useEffect(() => {
    // Only in the browser: the list differs between runtimes (no hydration mismatch).
    try {
      setZones(Intl.supportedValuesOf("timeZone"));
    } catch {
      setZones([]);
    }
  }, []);
  return (
    <div className="al-windows">
      {rows.length === 0 ? (
        <p className="al-windows-empty small muted">No maintenance windows: notifications can go out at any time.</p>
      ) : (
        <ul className="al-window-list">
          {rows.map((row, i) => (
            <li key={row.key} className="al-window">
              <fieldset className="al-window-days">
                <legend className="visually-hidden">Days of window {i + 1}</legend>
                {WEEKDAYS.map((day) => (
                  <label key={day.value} className="al-day">
                    <input type="checkbox" name={`mw.${i}.days`} value={day.value} defaultChecked={row.days.includes(day.value)} />
                    <span>{day.label}</span>
                  </label>
                ))}
              </fieldset>
              <div className="al-window-times">
                <label>
                  <span className="visually-hidden">Window {i + 1} starts at</span>
                  <input type="time" name={`mw.${i}.start`} defaultValue={row.start} required />
                </label>
                <span aria-hidden="true">–</span>
                <label>
                  <span className="visually-hidden">Window {i + 1} ends at</span>
                  <input type="time" name={`mw.${i}.end`} defaultValue={row.end} required />
                </label>
              </div>
              {disabled ? null : (
                <button
                  type="button"
                  className="al-remove"
                  aria-label={`Remove window ${i + 1}`}
                  title="Remove this window"
                  onClick={() => setRows(rows.filter((r) => r.key !== row.key))}
                >
                  <svg width="14" height="14" viewBox="0 0 14 14" aria-hidden="true">
                    <path d="M3 3l8 8M11 3l-8 8" stroke="currentColor" strokeWidth="1.7" strokeLinecap="round" />
                  </svg>
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {error ? <span className="error">{error}</span> : null}
      <div className="al-windows-foot">
        {disabled ? null : (
          <button
            type="button"
            className="button secondary small"
            onClick={() => setRows([...rows, { key: nextKey.current++, days: [1, 2, 3, 4, 5], start: "02:00", end: "04:00" }])}
          >
            <span aria-hidden="true">+</span> Add window
          </button>
        )}
        <div className="field al-tz">
          <label htmlFor="field-timeZone">Time zone</label>
          <input
            id="field-timeZone"
            name="timeZone"
            defaultValue={timeZone}
            list="al-time-zones"
            autoComplete="off"
            spellCheck={false}
            aria-invalid={timeZoneError ? true : undefined}
            aria-describedby={timeZoneError ? "field-timeZone-error" : undefined}
          />
          <datalist id="al-time-zones">
            {zones.map((z) => (
              <option key={z} value={z} />
            ))}
          </datalist>
          <FieldError id="field-timeZone-error" error={timeZoneError} />
        </div>
      </div>
    </div>
  );
}

// ---------------------------------------------------------------- the form

export function AlarmForm({
  alarm,
  initialReport,
  editor,
  errors,
  canEdit,
  timeZone,
  hour12,
  webhookTools,
  cancelHref,
  submitLabel,
  blocked,
}: {
  alarm: AlarmView | null;
  initialReport: string;
  editor: EditorData;
  errors?: NonNullable<FormErrors>;
  canEdit: boolean;
  /** The user's (for showing times) — new alarms' maintenance windows default to it too. */
  timeZone: string;
  hour12: boolean;
  /** The webhook's secret and "Send test" (saved alarms only). */
  webhookTools?: ReactNode;
  cancelHref: string;
  submitLabel: string;
  /** Why saving is not possible (a plan limit): the submit button is disabled and this is shown beside it. */
  blocked?: ReactNode;
}) {
  const navigation = useNavigation();
  const saving = navigation.state !== "idle" && navigation.formData?.get("intent") === "save";
  const fieldErrors = errors?.fieldErrors ?? {};
  const [code, setCode] = useState(alarm?.code ?? "");
  const [report, setReport] = useState(initialReport);
  const [tags, setTags] = useState(alarm?.tags.join(", ") ?? "");
  const [ticked, setTicked] = useState<string[]>(alarm && !alarm.recipientsDefault ? alarm.recipients : []);
  const instancesFetcher = useFetcher<{ editor: EditorData }>();
  const instances = report === initialReport || !instancesFetcher.data ? editor.instances : instancesFetcher.data.editor.instances;
  const reports = report && !editor.reports.includes(report) ? [report, ...editor.reports] : editor.reports;
  const kind = alarm?.kind ?? "check";
  const disabled = !canEdit;

  const chooseReport = (name: string) => {
    setReport(name);
    if (name && name !== initialReport && canEdit) instancesFetcher.load(`/alarms/new?report=${encodeURIComponent(name)}`);
  };

  const err = (name: string) =>
    fieldErrors[name]
      ? { "aria-invalid": true as const, "aria-describedby": `field-${name}-error` }
      : { "aria-describedby": `field-${name}-hint` };

  return (
    <Form method="post" id="alarm-form" className="al-form" noValidate>
      <input type="hidden" name="intent" value="save" />
      <fieldset className="al-fieldset" disabled={disabled}>
        <section className="card al-section" aria-labelledby="al-what-title">
          <div className="al-section-head">
            <h2 id="al-what-title">What to watch</h2>
            <p>One report; with tag patterns, only its instances that carry them.</p>
          </div>
          <div className="al-grid">
            <div className="field al-span-2">
              <label htmlFor="field-name">Name</label>
              <input id="field-name" name="name" defaultValue={alarm?.name ?? ""} maxLength={200} placeholder="e.g. Disk space" autoComplete="off" {...err("name")} />
              {fieldErrors.name ? <FieldError id="field-name-error" error={fieldErrors.name} /> : <span className="hint" id="field-name-hint">Shown in the notifications’ subject.</span>}
            </div>
            <div className="field">
              <label htmlFor="field-report">Report</label>
              <select id="field-report" name="report" value={report} onChange={(e) => chooseReport(e.target.value)} {...err("report")}>
                {report ? null : <option value="">Choose a report…</option>}
                {reports.map((name) => (
                  <option key={name} value={name}>
                    {name}
                  </option>
                ))}
              </select>
              {fieldErrors.report ? <FieldError id="field-report-error" error={fieldErrors.report} /> : <span className="hint" id="field-report-hint">Each new instance of it is checked.</span>}
            </div>
            <div className="field">
              <label htmlFor="field-tags">
                Tags <span className="al-optional">optional</span>
              </label>
              <input
                id="field-tags"
                name="tags"
                value={tags}
                onChange={(e) => setTags(e.target.value)}
                placeholder="host:*, env:prod"
                autoComplete="off"
                spellCheck={false}
                className="mono"
                {...err("tags")}
              />
              {fieldErrors.tags ? (
                <FieldError id="field-tags-error" error={fieldErrors.tags} />
              ) : (
                <span className="hint" id="field-tags-hint">
                  Comma-separated. <code>host:*</code> keeps a state per host.
                </span>
              )}
            </div>
          </div>
          <label className="al-check">
            <input type="checkbox" name="enabled" defaultChecked={alarm?.enabled ?? true} />
            <span>
              <strong>Enabled</strong>
              <span className="hint">Checks every new instance and sends notifications. Turned off, it does nothing.</span>
            </span>
          </label>
        </section>

        <section className="card al-section" aria-labelledby="al-when-title">
          <div className="al-section-head">
            <h2 id="al-when-title">When it fires</h2>
            <p>A check of each new instance, or silence: no instance for too long.</p>
          </div>
          <fieldset className="al-kinds">
            <legend className="visually-hidden">Kind</legend>
            <label className="al-kind">
              <input type="radio" name="kind" value="check" id="kind-check" defaultChecked={kind === "check"} />
              <span className="al-kind-label">Check (JavaScript)</span>
              <span className="al-kind-text">A few lines run on each new instance. Return a message to raise the alarm.</span>
            </label>
            <label className="al-kind">
              <input type="radio" name="kind" value="no_data" id="kind-no_data" defaultChecked={kind === "no_data"} />
              <span className="al-kind-label">No data for N minutes</span>
              <span className="al-kind-text">Fires when the cron job stops pushing; recovers with the next instance.</span>
            </label>
          </fieldset>

          <div className="al-kind-check">
            <div className="field al-code-field">
              <label id="field-code-label" htmlFor="field-code">
                Check
              </label>
              <CodeEditor
                id="field-code"
                name="code"
                labelId="field-code-label"
                value={code}
                onChange={setCode}
                readOnly={disabled}
                examples={editor.examples}
                invalid={Boolean(fieldErrors.code)}
                describedBy={fieldErrors.code ? "field-code-error" : "field-code-hint"}
                placeholder={"for (const r of table(instance))\n  if (num(r['Use%']) > 90) return `${r['Mounted on']} is ${r['Use%']} full`;"}
              />
              {fieldErrors.code ? (
                <FieldError id="field-code-error" error={fieldErrors.code} />
              ) : (
                <span className="hint" id="field-code-hint">
                  Uses <code>instance</code>, <code>previous</code>, <code>table(x)</code>, <code>num(v)</code> and <code>console.log</code>. Return nothing for OK;
                  <code>true</code>, a message, or <code>{"{ message, rows }"}</code> for an alarm. At most 100 ms and 32 MiB per run.
                </span>
              )}
            </div>
            {canEdit ? (
              <TestPanel
                instances={instances}
                loadingInstances={instancesFetcher.state !== "idle"}
                hasTags={tags.trim() !== ""}
                timeZone={timeZone}
                hour12={hour12}
              />
            ) : null}
          </div>

          <div className="al-kind-no-data">
            <div className="field al-inline-field">
              <label htmlFor="field-noDataMinutes">Fire after no instance for</label>
              <div className="al-input-unit">
                <input
                  id="field-noDataMinutes"
                  name="noDataMinutes"
                  type="number"
                  min={1}
                  max={10080}
                  step={1}
                  inputMode="numeric"
                  defaultValue={alarm?.noDataMinutes ?? 60}
                  {...err("noDataMinutes")}
                />
                <span>minutes</span>
              </div>
              {fieldErrors.noDataMinutes ? (
                <FieldError id="field-noDataMinutes-error" error={fieldErrors.noDataMinutes} />
              ) : (
                <span className="hint" id="field-noDataMinutes-hint">
                  Counted per tag set seen before. A job every 5 minutes: 15 allows two missed runs.
                </span>
              )}
            </div>
          </div>
        </section>

        <section className="card al-section" aria-labelledby="al-who-title">
          <div className="al-section-head">
            <h2 id="al-who-title">Who hears about it</h2>
            <p>Notifications go out when the state changes: to an alarm, an error or no data, and back to OK.</p>
          </div>
          <fieldset className="al-recipients" aria-describedby="al-recipients-hint">
            <legend>Email</legend>
            <p className="hint" id="al-recipients-hint">
              {ticked.length === 0 ? (
                <>
                  <strong>Default: owners and admins</strong>
                  {editor.defaultRecipients.length ? ` (${editor.defaultRecipients.join(", ")})` : ""}. Tick members to choose instead.
                </>
              ) : (
                <>
                  {ticked.length} member{ticked.length === 1 ? "" : "s"} chosen. Untick all for the default: owners and admins.
                </>
              )}
            </p>
            <div className="al-members">
              {editor.members.map((m) => (
                <label key={m.email} className="al-member">
                  <input
                    type="checkbox"
                    name="recipients"
                    value={m.email}
                    checked={ticked.includes(m.email)}
                    onChange={(e) => setTicked(e.target.checked ? [...ticked, m.email] : ticked.filter((t) => t !== m.email))}
                  />
                  <span className="al-member-email">{m.email}</span>
                  <span className="al-role">{m.role}</span>
                </label>
              ))}
            </div>
            <FieldError id="field-recipients-error" error={fieldErrors.recipients} />
          </fieldset>

          <div className="al-grid al-notify-grid">
            <label className="al-check">
              <input type="checkbox" name="notifyRecovery" defaultChecked={alarm?.notifyRecovery ?? true} />
              <span>
                <strong>Notify on recovery</strong>
                <span className="hint">A “RECOVERED” message when the state returns to OK.</span>
              </span>
            </label>
            <div className="field al-inline-field">
              <label htmlFor="field-renotifyHours">Re-notify while not OK, every</label>
              <div className="al-input-unit">
                <input
                  id="field-renotifyHours"
                  name="renotifyHours"
                  type="number"
                  min={0.1}
                  step="any"
                  inputMode="decimal"
                  placeholder="never"
                  defaultValue={alarm?.renotifyMinutes ? String(Math.round((alarm.renotifyMinutes / 60) * 100) / 100) : ""}
                  aria-invalid={fieldErrors.renotifyMinutes ? true : undefined}
                  aria-describedby={fieldErrors.renotifyMinutes ? "field-renotifyMinutes-error" : "field-renotifyHours-hint"}
                />
                <span>hours</span>
              </div>
              {fieldErrors.renotifyMinutes ? (
                <FieldError id="field-renotifyMinutes-error" error={fieldErrors.renotifyMinutes} />
              ) : (
                <span className="hint" id="field-renotifyHours-hint">
                  Empty: never.
                </span>
              )}
            </div>
          </div>

          <div className="al-webhook">
            <div className="field">
              <label htmlFor="field-webhookUrl">
                Webhook <span className="al-optional">optional</span>
              </label>
              <input
                id="field-webhookUrl"
                name="webhookUrl"
                type="url"
                defaultValue={alarm?.webhookUrl ?? ""}
                placeholder="https://example.com/hooks/tablewatch"
                autoComplete="off"
                spellCheck={false}
                className="mono"
                {...err("webhookUrl")}
              />
              {fieldErrors.webhookUrl ? (
                <FieldError id="field-webhookUrl-error" error={fieldErrors.webhookUrl} />
              ) : (
                <span className="hint" id="field-webhookUrl-hint">
                  Each notification is also POSTed there as JSON, signed with the alarm’s secret.
                </span>
              )}
            </div>
            {webhookTools}
          </div>
        </section>

        <section className="card al-section" aria-labelledby="al-quiet-title">
          <div className="al-section-head">
            <h2 id="al-quiet-title">Maintenance windows</h2>
            <p>Weekly times when notifications are held back (checks and history go on), e.g. during backups.</p>
          </div>
          <MaintenanceEditor
            windows={alarm?.maintenance ?? []}
            timeZone={alarm?.timeZone ?? timeZone}
            error={fieldErrors.maintenance}
            timeZoneError={fieldErrors.timeZone}
            disabled={disabled}
          />
        </section>
      </fieldset>

      {canEdit ? (
        <div className="al-actions">
          {errors ? (
            <div className="alert error" role="alert">
              {errors.message}
            </div>
          ) : null}
          <div className="al-actions-row">
            <p className="small muted">{alarm ? "Changes apply to the next instance." : "The alarm checks each instance pushed from now on."}</p>
            <div className="al-actions-buttons">
              <Link className="button secondary" to={cancelHref}>
                Cancel
              </Link>
              <button className="button" type="submit" disabled={saving || Boolean(blocked)}>
                {saving ? "Saving…" : submitLabel}
              </button>
            </div>
          </div>
          {blocked}
        </div>
      ) : null}
    </Form>
  );
}
