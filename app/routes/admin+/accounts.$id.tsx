import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { DailyBars } from "~/components/admin/daily-bars";
import { RelativeTime } from "~/components/relative-time";
import { adminCall } from "~/utils/admin.server";
import { formatBytes, formatCount, formatUtc, utcDay } from "~/utils/format";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.account.name ?? "Account"} · Admin · Tablewatch` }];

export async function loader({ params, context }: LoaderFunctionArgs) {
  return adminCall(context, async (admin) => {
    try {
      const { account, recentErrors } = await admin.account({ id: params.id ?? "" });
      return { account, recentErrors, now: new Date() };
    } catch (error) {
      if (error instanceof Error && error.name === "TRPCError" && "code" in error && (error.code === "NOT_FOUND" || error.code === "BAD_REQUEST")) {
        throw new Response("No such account", { status: 404 });
      }
      throw error;
    }
  });
}

function Stat({ label, value, hint }: { label: string; value: string; hint?: string }) {
  return (
    <div className="stat">
      <dt>{label}</dt>
      <dd>{value}</dd>
      {hint ? <span className="stat-hint">{hint}</span> : null}
    </div>
  );
}

export default function AdminAccount() {
  const { account, recentErrors, now } = useLoaderData<typeof loader>();
  const days = account.apiRequestsPerDay.map((d) => d.day);
  return (
    <div className="stack">
      <nav className="breadcrumb" aria-label="Breadcrumb">
        <Link to="/admin/accounts">Accounts</Link>
        <span aria-hidden="true">/</span>
        <span aria-current="page">{account.name}</span>
      </nav>
      <div className="page-head">
        <div>
          <h1>
            {account.name} <span className={`badge plan plan-${account.plan}`}>{account.plan}</span>
            {account.deletionScheduledAt ? <span className="badge danger">Deletion on {utcDay(account.deletionScheduledAt)}</span> : null}
          </h1>
          <p className="page-sub mono">{account.id}</p>
        </div>
        <Link to={`/admin/access-log?account=${account.id}`} className="button secondary small">
          Access log of this account
        </Link>
      </div>

      <dl className="stats">
        <Stat label="Members" value={formatCount(account.members)} />
        <Stat label="Reports" value={formatCount(account.reports)} />
        <Stat label="Instances this month" value={formatCount(account.instancesThisMonth)} hint={`${formatBytes(account.bytesThisMonth)} pushed`} />
        <Stat label="Dashboards" value={formatCount(account.dashboards)} />
        <Stat label="Alarms" value={formatCount(account.alarms)} />
        <Stat label="Active API keys" value={formatCount(account.apiKeys)} />
        <Stat label="Created" value={utcDay(account.createdAt)} />
        <div className="stat">
          <dt>Last activity</dt>
          <dd>
            <RelativeTime date={account.lastActivityAt} now={now} never="none" />
          </dd>
        </div>
      </dl>

      <section className="card" aria-labelledby="usage-title">
        <div className="card-head row">
          <h2 id="usage-title">Usage, last 30 days</h2>
          <span className="small muted">UTC days</span>
        </div>
        <div className="card-body chart-pair">
          <DailyBars days={days} values={account.apiRequestsPerDay.map((d) => d.count)} label="API requests" />
          <DailyBars days={days} values={account.instancesPerDay.map((d) => d.count)} label="Instances pushed" color="#6172f3" />
        </div>
      </section>

      <div className="two-col">
        <section className="card" aria-labelledby="errors-title">
          <div className="card-head row">
            <h2 id="errors-title">
              Recent errors <span className="count">{recentErrors.length}</span>
            </h2>
            <Link to={`/admin/access-log?account=${account.id}&status=errors`} className="small">
              All in the access log
            </Link>
          </div>
          {recentErrors.length === 0 ? (
            <div className="card-empty">
              <p>No 4xx or 5xx answers for this account in the access log.</p>
            </div>
          ) : (
            <div className="table-scroll">
              <table className="list-table log-table">
                <thead>
                  <tr>
                    <th scope="col">Time (UTC)</th>
                    <th scope="col">Status</th>
                    <th scope="col">Request</th>
                    <th scope="col">IP</th>
                  </tr>
                </thead>
                <tbody>
                  {recentErrors.map((r) => (
                    <tr key={r.id}>
                      <td className="mono small">{formatUtc(r.time).replace(" UTC", "")}</td>
                      <td>
                        <span className={`status ${r.status >= 500 ? "s5" : "s4"}`}>{r.status}</span>
                      </td>
                      <td className="request">
                        <span className="method">{r.method}</span>{" "}
                        <span className="mono url" title={r.url}>
                          {r.url}
                        </span>
                      </td>
                      <td className="mono small">{r.ip}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>

        <section className="card" aria-labelledby="members-title">
          <div className="card-head row">
            <h2 id="members-title">
              Members <span className="count">{account.memberList.length}</span>
            </h2>
          </div>
          <ul className="member-list">
            {account.memberList.map((m) => (
              <li key={m.email}>
                <span className="avatar small" aria-hidden="true">
                  {m.name.slice(0, 1).toUpperCase()}
                </span>
                <div>
                  <div className="strong">{m.name}</div>
                  <div className="small muted">{m.email}</div>
                </div>
                <span className="badge role">{m.role}</span>
              </li>
            ))}
          </ul>
        </section>
      </div>
    </div>
  );
}
