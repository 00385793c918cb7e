import { type ActionFunctionArgs, data, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { isRouteErrorResponse, Link, useActionData, useFetcher, useLoaderData, useRouteError, useSearchParams } from "@remix-run/react";
import type { AlarmView } from "../../../server/alarm/model";
import { type AlarmState, StatePill, STATE_LABEL, stateCounts } from "~/components/alarm/state";
import { CopyBlock } from "~/components/copy-block";
import { blocks, LimitNote, usePlanLimit } from "~/components/plan/limits";
import { formatInstant } from "~/components/dashboard/axes";
import { RelativeTime } from "~/components/relative-time";
import styles from "~/styles/alarms.css";
import { requireAccount } from "~/utils/auth.server";
import { formAction, readForm } from "~/utils/errors.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

export const meta: MetaFunction = () => [{ title: "Alarms · Tablewatch" }];

/** The spec's example (alarms.md "The check's world"). */
const DISK_CHECK = "for (const r of table(instance))\n  if (num(r['Use%']) > 90) return `${r['Mounted on']} is ${r['Use%']} full`;";

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { role, user } = await requireAccount(context, request);
  const url = new URL(request.url);
  const report = url.searchParams.get("report")?.trim().slice(0, 200) || undefined;
  const [alarms, reports] = await Promise.all([context.trpc.alarms.list({ report }), context.trpc.reports.overview()]);
  return {
    alarms,
    report: report ?? null,
    reportNames: reports.map((r) => r.name),
    canEdit: role !== "viewer",
    prefs: { timeZone: user.timeZone, hour12: user.hour12 },
    origin: url.origin,
    now: new Date(),
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const values = await readForm(request);
  if (values.intent === "set-enabled") {
    const result = await formAction(() => context.trpc.alarms.setEnabled({ id: values.id ?? "", enabled: values.enabled === "true" }));
    if (!result.ok) return data({ ...result.response.data, intent: "set-enabled" as const }, result.response.init ?? undefined);
    return { intent: "set-enabled" as const, done: true };
  }
  throw new Response("Unknown action", { status: 400 });
}

/** An on/off switch posting `set-enabled`; shows the new position while it saves. */
function EnabledSwitch({ alarm, canEdit }: { alarm: AlarmView; canEdit: boolean }) {
  const fetcher = useFetcher<typeof action>();
  const pending = fetcher.formData?.get("enabled");
  const on = pending !== undefined && pending !== null ? pending === "true" : alarm.enabled;
  const label = `${alarm.name}: ${on ? "enabled" : "disabled"}`;
  if (!canEdit) return <span className={`al-switch static${on ? " on" : ""}`} role="img" aria-label={label} title={on ? "Enabled" : "Disabled"} />;
  return (
    <fetcher.Form method="post">
      <input type="hidden" name="intent" value="set-enabled" />
      <input type="hidden" name="id" value={alarm.id} />
      <input type="hidden" name="enabled" value={String(!on)} />
      <button
        type="submit"
        className={`al-switch${on ? " on" : ""}`}
        role="switch"
        aria-checked={on}
        aria-label={`Enabled: ${alarm.name}`}
        title={on ? "Enabled — click to turn off" : "Off — click to turn on"}
      />
    </fetcher.Form>
  );
}

/** The worst state's message and since when (the first tag set in that state). */
function WorstLine({ alarm, now }: { alarm: AlarmView; now: Date }) {
  const worst = alarm.enabled ? alarm.states.find((s) => s.state === alarm.worst) : undefined;
  if (!worst || worst.state === "ok") return null;
  return (
    <span className="al-worst-line" title={worst.message ?? undefined}>
      {worst.message ? <span className="al-worst-message">{worst.message}</span> : null}
      <span className="muted">
        {worst.tags.length ? `${worst.tags.join(", ")} · ` : ""}since <RelativeTime date={worst.since} now={now} />
      </span>
    </span>
  );
}

/** "3 tag sets: 1 alarm, 2 ok" */
function StatesSummary({ alarm }: { alarm: AlarmView }) {
  const counts = stateCounts(alarm.states);
  if (!alarm.tags.length) return <span className="muted">all instances</span>;
  if (!alarm.states.length) return <span className="muted">none seen yet</span>;
  return (
    <span className="al-counts" title={alarm.states.map((s) => `${s.tags.join(", ") || "all"}: ${STATE_LABEL[s.state]}`).join("\n")}>
      {alarm.states.length} tag set{alarm.states.length === 1 ? "" : "s"}
      {counts.length > 1 || counts[0]?.state !== "ok" ? (
        <>
          :{" "}
          {counts.map((c, i) => (
            <span key={c.state} className={`al-count-${c.state}`}>
              {i ? ", " : ""}
              {c.count} {STATE_LABEL[c.state].toLowerCase()}
            </span>
          ))}
        </>
      ) : null}
    </span>
  );
}

function worstOf(alarms: AlarmView[]): AlarmState | null {
  const order: AlarmState[] = ["alarm", "error", "no_data", "ok"];
  const states = alarms.filter((a) => a.enabled && a.worst).map((a) => a.worst!);
  return order.find((s) => states.includes(s)) ?? null;
}

function ReportGroup({
  report,
  alarms,
  canEdit,
  prefs,
  now,
}: {
  report: string;
  alarms: AlarmView[];
  canEdit: boolean;
  prefs: { timeZone: string; hour12: boolean };
  now: Date;
}) {
  const worst = worstOf(alarms);
  const limit = usePlanLimit("alarms");
  return (
    <section className="card al-group" aria-labelledby={`al-group-${report}`}>
      <div className="al-group-head">
        <h2 id={`al-group-${report}`}>
          <Link className="report-link" to={`/reports/${encodeURIComponent(report)}`} title="Open the report">
            {report}
          </Link>
          {worst && worst !== "ok" ? <StatePill state={worst} small /> : null}
        </h2>
        <span className="small muted">
          {alarms.length} alarm{alarms.length === 1 ? "" : "s"}
        </span>
        {canEdit && blocks(limit) ? (
          <button className="button ghost small" type="button" disabled title="Plan limit reached: see the note above" aria-describedby="alarms-limit">
            + Add alarm
          </button>
        ) : canEdit ? (
          <Link className="button ghost small" to={`/alarms/new?report=${encodeURIComponent(report)}`}>
            + Add alarm
          </Link>
        ) : null}
      </div>
      <div className="table-scroll">
        <table className="list-table al-table">
          <thead>
            <tr>
              <th scope="col">Alarm</th>
              <th scope="col">Kind</th>
              <th scope="col">State</th>
              <th scope="col">Tag sets</th>
              <th scope="col">Snoozed</th>
              <th scope="col" className="al-col-switch">
                Enabled
              </th>
            </tr>
          </thead>
          <tbody>
            {alarms.map((alarm) => (
              <tr key={alarm.id} className={alarm.enabled ? undefined : "al-off"} data-testid="alarm-row">
                <td>
                  <Link className="al-name" to={`/alarms/${alarm.id}`}>
                    {alarm.name}
                  </Link>
                  {alarm.tags.length ? <span className="al-tags mono">{alarm.tags.join(", ")}</span> : null}
                </td>
                <td>{alarm.kind === "check" ? "Check" : `No data ${alarm.noDataMinutes} min`}</td>
                <td className="al-state-cell">
                  <StatePill state={alarm.worst} off={!alarm.enabled} />
                  <WorstLine alarm={alarm} now={now} />
                </td>
                <td>
                  <StatesSummary alarm={alarm} />
                </td>
                <td>
                  {alarm.snoozedUntil ? (
                    <span className="al-snooze-text" title={formatInstant(new Date(alarm.snoozedUntil).getTime(), prefs.timeZone, prefs.hour12)}>
                      until {formatInstant(new Date(alarm.snoozedUntil).getTime(), prefs.timeZone, prefs.hour12, { currentYear: new Date(now).getUTCFullYear() })}{" "}
                      <span className="muted small">
                        (<RelativeTime date={alarm.snoozedUntil} now={now} />)
                      </span>
                    </span>
                  ) : (
                    <span className="muted">—</span>
                  )}
                </td>
                <td className="al-col-switch">
                  <EnabledSwitch alarm={alarm} canEdit={canEdit} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function AlarmsEmpty({ origin, reportNames, canEdit }: { origin: string; reportNames: string[]; canEdit: boolean }) {
  const report = reportNames.includes("diskfree") ? "diskfree" : (reportNames[0] ?? "diskfree");
  // A quoted heredoc: the check's quotes, backticks and ${…} reach the API as written.
  const body = JSON.stringify({ name: "Disk space", report, kind: "check", code: DISK_CHECK }, null, 2);
  const curl = `curl -X POST --user $TABLEWATCH_KEY: \\\n  -H 'Content-Type: application/json' --data-binary @- \\\n  "${origin}/api/v1/alarms" <<'EOF'\n${body}\nEOF`;
  return (
    <section className="empty-state al-empty" aria-labelledby="empty-title">
      <div>
        <h2 id="empty-title">No alarms yet</h2>
        <p>
          An alarm watches one report. On every new instance it runs a few lines of JavaScript over the table — or it waits for silence
          — and emails your team when the state changes: <strong>ALARM</strong> when something is wrong, <strong>RECOVERED</strong> when it
          is fine again.
        </p>
        <ul className="al-empty-points">
          <li>
            <StatePill state="alarm" small /> a check returned a message
          </li>
          <li>
            <StatePill state="no_data" small /> the cron job went quiet
          </li>
          <li>
            <StatePill state="error" small /> the check itself threw
          </li>
        </ul>
        <p className="small muted">Test checks on real data in the editor; snooze them for a deploy; get a webhook or a status badge.</p>
        {canEdit ? (
          reportNames.length ? (
            <Link className="button" to={`/alarms/new?report=${encodeURIComponent(report)}`}>
              Create your first alarm
            </Link>
          ) : (
            <p className="muted">
              Alarms watch reports: <Link to="/reports">push a report</Link> first.
            </p>
          )
        ) : (
          <p className="muted">Ask an editor of this account to create one.</p>
        )}
      </div>
      <div className="stack">
        <div className="al-example">
          <div className="al-example-head">
            <span>A disk more than 90 % full</span>
            <span className="muted">on the report of <code>df</code></span>
          </div>
          <pre className="al-example-code">
            <code>{DISK_CHECK}</code>
          </pre>
        </div>
        <p className="small muted al-empty-api">Or keep alarms as code, next to your cron jobs (a “full” API key):</p>
        <div className="al-api-curl">
          <CopyBlock text={curl} />
        </div>
      </div>
    </section>
  );
}

export default function AlarmsPage() {
  const { alarms, report, reportNames, canEdit, prefs, origin, now } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const [params] = useSearchParams();
  const limit = usePlanLimit("alarms");
  const deleted = params.get("deleted");
  const groups = new Map<string, AlarmView[]>();
  for (const alarm of alarms) groups.set(alarm.report, [...(groups.get(alarm.report) ?? []), alarm]);
  const firing = alarms.filter((a) => a.enabled && a.worst && a.worst !== "ok").length;
  return (
    <div className="stack al-page">
      {deleted ? (
        <div className="alert success" role="status">
          The alarm “{deleted}” was deleted.
        </div>
      ) : null}
      {actionData && "errors" in actionData ? (
        <div className="alert error" role="alert">
          {actionData.errors.message}
        </div>
      ) : null}
      <div className="page-head">
        <div>
          <h1>Alarms</h1>
          <p className="page-sub">
            {alarms.length === 0 && !report
              ? "Emails and webhooks when a report says something is wrong."
              : `${alarms.length} alarm${alarms.length === 1 ? "" : "s"}${report ? ` on ${report}` : ` on ${groups.size} report${groups.size === 1 ? "" : "s"}`}${firing ? ` · ${firing} not OK` : " · all OK"}`}
          </p>
        </div>
        {canEdit && (alarms.length > 0 || report) ? (
          blocks(limit) ? (
            <button className="button" type="button" disabled aria-describedby="alarms-limit">
              New alarm
            </button>
          ) : (
            <Link className="button" to={report ? `/alarms/new?report=${encodeURIComponent(report)}` : "/alarms/new"}>
              New alarm
            </Link>
          )
        ) : null}
      </div>
      {canEdit ? <LimitNote limit={limit} id="alarms-limit" className="page-limit-note" /> : null}
      {report ? (
        <div className="al-filter">
          Showing the alarms of <strong className="mono">{report}</strong>
          <Link className="button ghost small" to="/alarms">
            Show all alarms
          </Link>
        </div>
      ) : null}
      {alarms.length === 0 && !report ? (
        <AlarmsEmpty origin={origin} reportNames={reportNames} canEdit={canEdit} />
      ) : alarms.length === 0 ? (
        <section className="card card-empty-lg">
          <h2>No alarms on {report}</h2>
          <p className="muted">Nothing watches this report yet.</p>
          {canEdit ? (
            <div>
              <Link className="button" to={`/alarms/new?report=${encodeURIComponent(report ?? "")}`}>
                Add an alarm
              </Link>
            </div>
          ) : null}
        </section>
      ) : (
        [...groups].map(([name, list]) => <ReportGroup key={name} report={name} alarms={list} canEdit={canEdit} prefs={prefs} now={now} />)
      )}
    </div>
  );
}

export function ErrorBoundary() {
  const error = useRouteError();
  if (!isRouteErrorResponse(error)) console.error(error);
  return (
    <section className="error-panel">
      <h1>The alarms could not be shown</h1>
      <p>Please try again in a moment.</p>
      <Link className="button" to="/dashboard">
        Go to your dashboards
      </Link>
    </section>
  );
}
