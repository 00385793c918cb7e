import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useSearchParams } from "@remix-run/react";
import { StatePill } from "~/components/alarm/state";
import { CopyBlock } from "~/components/copy-block";
import { AgeDot, RelativeTime } from "~/components/relative-time";
import { requireAccount } from "~/utils/auth.server";
import { formatBytes, formatCount } from "~/utils/format";
import alarmStyles from "~/styles/alarms.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: alarmStyles }];

export const meta: MetaFunction = () => [{ title: "Reports · Tablewatch" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { account, role } = await requireAccount(context, request);
  const [reports, alarmStates] = await Promise.all([context.trpc.reports.overview(), context.trpc.alarms.reportStates()]);
  return { account, role, reports, alarmStates, origin: new URL(request.url).origin, now: new Date() };
}

function ReportsEmpty({ origin, accountName, canCreateKeys }: { origin: string; accountName: string; canCreateKeys: boolean }) {
  const df = `df | curl --user $TABLEWATCH_KEY: --data-binary @- ${origin}/api/v1/reports/diskfree`;
  const json = `curl --user $TABLEWATCH_KEY: -H 'Content-Type: application/json' \\\n  --data-binary '{"queue": "emails", "pending": 12}' ${origin}/api/v1/reports/queues`;
  return (
    <section className="empty-state" aria-labelledby="empty-title">
      <div>
        <h2 id="empty-title">No reports yet</h2>
        <p>
          A report is created the first time a machine pushes to it. Every push becomes a new <em>instance</em> — a table you can browse
          here, day by day.
        </p>
        <ol>
          <li>
            {canCreateKeys ? (
              <>
                <Link to="/settings/api-keys">Create an API key</Link> for <strong>{accountName}</strong> (scope “ingest” is enough).
              </>
            ) : (
              <>Ask an editor or owner of {accountName} for an API key.</>
            )}
          </li>
          <li>
            Put it in <code>$TABLEWATCH_KEY</code> and pipe any output into curl — from a shell, cron or CI.
          </li>
          <li>Come back here: the report appears with its first table.</li>
        </ol>
        <p className="small muted">
          JSON, CSV, psql, df, ps, a single number — all understood. See the <a href="/api/docs">API docs</a>.
        </p>
      </div>
      <div className="stack">
        <CopyBlock text={df} />
        <CopyBlock text={json} />
        {canCreateKeys ? (
          <div>
            <Link className="button" to="/settings/api-keys">
              Create an API key
            </Link>
          </div>
        ) : null}
      </div>
    </section>
  );
}

export default function ReportsPage() {
  const { account, role, reports, alarmStates, origin, now } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const deleted = params.get("deleted");
  const totalBytes = reports.reduce((sum, r) => sum + r.bytes, 0);
  const totalInstances = reports.reduce((sum, r) => sum + r.instanceCount, 0);
  return (
    <div className="stack">
      {deleted ? (
        <div className="alert success" role="status">
          The report “{deleted}” and all its instances were deleted.
        </div>
      ) : null}
      <div className="page-head">
        <div>
          <h1>Reports</h1>
          <p className="page-sub">
            {reports.length === 0
              ? "Tables pushed by your machines, grouped by report name."
              : `${formatCount(reports.length)} report${reports.length === 1 ? "" : "s"} · ${formatCount(totalInstances)} instance${totalInstances === 1 ? "" : "s"} · ${formatBytes(totalBytes)} stored`}
          </p>
        </div>
        {reports.length > 0 && role !== "viewer" ? (
          <Link className="button secondary" to="/settings/api-keys">
            API keys
          </Link>
        ) : null}
      </div>
      {reports.length === 0 ? (
        <ReportsEmpty origin={origin} accountName={account.name} canCreateKeys={role !== "viewer"} />
      ) : (
        <section className="card">
          <div className="table-scroll">
            <table className="list-table reports-table">
              <thead>
                <tr>
                  <th scope="col">Report</th>
                  <th scope="col">Last instance</th>
                  <th scope="col" className="num">
                    Instances
                  </th>
                  <th scope="col" className="num">
                    Stored
                  </th>
                  <th scope="col">Alarms</th>
                </tr>
              </thead>
              <tbody>
                {reports.map((report) => (
                  <tr key={report.name}>
                    <td>
                      <Link className="report-link" to={`/reports/${encodeURIComponent(report.name)}`}>
                        {report.name}
                      </Link>
                    </td>
                    <td>
                      <span className="age">
                        <AgeDot date={report.lastInstanceAt} now={now} />
                        <RelativeTime date={report.lastInstanceAt} now={now} />
                      </span>
                    </td>
                    <td className="num">{formatCount(report.instanceCount)}</td>
                    <td className="num">{formatBytes(report.bytes)}</td>
                    <td>
                      <span className="al-report-alarms">
                        {alarmStates[report.name] ? (
                          <Link className="al-pill-link" to={`/alarms?report=${encodeURIComponent(report.name)}`}>
                            <StatePill
                              state={alarmStates[report.name]!.state}
                              small
                              title={`${alarmStates[report.name]!.alarms} alarm${alarmStates[report.name]!.alarms === 1 ? "" : "s"} on ${report.name}`}
                            />
                          </Link>
                        ) : null}
                        {role !== "viewer" ? (
                          <Link className="al-add-link" to={`/alarms/new?report=${encodeURIComponent(report.name)}`}>
                            Add alarm
                          </Link>
                        ) : null}
                      </span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
      {reports.length > 0 ? (
        <details className="push-hint">
          <summary>Push another report</summary>
          <p className="small muted">Any name works; the report is created on its first push.</p>
          <CopyBlock text={`ps aux | curl --user $TABLEWATCH_KEY: --data-binary @- ${origin}/api/v1/reports/processes`} />
        </details>
      ) : null}
    </div>
  );
}
