import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useMemo } from "react";
import { type ChartSeries, TimeChart, timeChartLinks } from "~/components/dashboard/time-chart";
import { adminCall } from "~/utils/admin.server";
import { formatCount } from "~/utils/format";

export const links: LinksFunction = () => [...timeChartLinks];
export const meta: MetaFunction = () => [{ title: "Usage · Admin · Tablewatch" }];

const PERIODS = [7, 30, 90] as const;
const PALETTE = ["#4E79A7", "#F28E2B", "#59A14F", "#E15759", "#76B7B2", "#EDC948", "#B07AA1", "#FF9DA7", "#9C755F", "#BAB0AC"];
const TOP_KEYS_CHARTED = 8;

export async function loader({ request, context }: LoaderFunctionArgs) {
  const requested = Number(new URL(request.url).searchParams.get("days"));
  const days = (PERIODS as readonly number[]).includes(requested) ? requested : 30;
  return adminCall(context, async (admin) => ({ days, usage: await admin.usage({ days }) }));
}

const dayMs = (day: string) => Date.parse(`${day}T00:00:00Z`);

export default function AdminUsage() {
  const { days, usage } = useLoaderData<typeof loader>();
  const planSeries = useMemo<ChartSeries[]>(
    () =>
      usage.byPlan.map((p, i) => ({
        name: p.plan,
        color: PALETTE[i % PALETTE.length]!,
        points: usage.days.map((d, j) => [dayMs(d), p.perDay[j] ?? 0] as [number, number]),
      })),
    [usage],
  );
  const keySeries = useMemo<ChartSeries[]>(
    () =>
      usage.byKey.slice(0, TOP_KEYS_CHARTED).map((k, i) => ({
        name: `…${k.apiKeyId.slice(-8)} (${k.plan})`,
        color: PALETTE[i % PALETTE.length]!,
        points: usage.days.map((d, j) => [dayMs(d), k.perDay[j] ?? 0] as [number, number]),
      })),
    [usage],
  );
  const from = dayMs(usage.days[0]!);
  const to = dayMs(usage.days[usage.days.length - 1]!);
  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <h1>API usage</h1>
          <p className="page-sub">
            De-identified: requests per API key and UTC day, counted without addresses, paths or names. Keys appear by id only, with their
            account’s plan.
          </p>
        </div>
        <nav className="segmented" aria-label="Period">
          {PERIODS.map((p) => (
            <Link key={p} to={`?days=${p}`} className={p === days ? "active" : undefined} aria-current={p === days ? "page" : undefined}>
              {p} days
            </Link>
          ))}
        </nav>
      </div>

      <dl className="stats">
        <div className="stat">
          <dt>Requests, last {days} days</dt>
          <dd data-testid="usage-total">{formatCount(usage.totalRequests)}</dd>
        </div>
        <div className="stat">
          <dt>Keys in use</dt>
          <dd>{formatCount(usage.activeKeys)}</dd>
        </div>
        <div className="stat">
          <dt>Plans</dt>
          <dd>{usage.byPlan.length}</dd>
        </div>
        <div className="stat">
          <dt>Busiest day</dt>
          <dd>
            {formatCount(
              Math.max(0, ...usage.days.map((_, j) => usage.byPlan.reduce((sum, p) => sum + (p.perDay[j] ?? 0), 0))),
            )}
          </dd>
        </div>
      </dl>

      {usage.totalRequests === 0 ? (
        <section className="card card-empty-lg">
          <h2>No API requests in the last {days} days</h2>
          <p className="muted">Requests made with API keys are counted per key and day; they will show here.</p>
        </section>
      ) : (
        <>
          <section className="card" aria-labelledby="plan-title">
            <div className="card-head row">
              <h2 id="plan-title">Requests per day, by plan</h2>
              <span className="small muted">Stacked</span>
            </div>
            <div className="card-body usage-chart">
              <TimeChart series={planSeries} draw="stacked" from={from} to={to} timeZone="UTC" hour12={false} height={260} />
            </div>
          </section>

          <section className="card" aria-labelledby="key-title">
            <div className="card-head row">
              <h2 id="key-title">Requests per day, busiest keys</h2>
              <span className="small muted">Top {Math.min(TOP_KEYS_CHARTED, usage.byKey.length)} of {formatCount(usage.activeKeys)}</span>
            </div>
            <div className="card-body usage-chart">
              <TimeChart series={keySeries} draw="line" from={from} to={to} timeZone="UTC" hour12={false} height={260} />
            </div>
            <div className="table-scroll">
              <table className="list-table">
                <thead>
                  <tr>
                    <th scope="col">API key id</th>
                    <th scope="col">Plan</th>
                    <th scope="col" className="num">
                      Requests
                    </th>
                    <th scope="col" className="num">
                      Share
                    </th>
                    <th scope="col">Per day</th>
                  </tr>
                </thead>
                <tbody>
                  {usage.byKey.map((k) => {
                    const max = Math.max(1, ...k.perDay);
                    return (
                      <tr key={k.apiKeyId}>
                        <td className="mono small">{k.apiKeyId}</td>
                        <td>
                          <span className={`badge plan plan-${k.plan}`}>{k.plan}</span>
                        </td>
                        <td className="num">{formatCount(k.total)}</td>
                        <td className="num">{((k.total / Math.max(1, usage.totalRequests)) * 100).toFixed(1)} %</td>
                        <td>
                          <span className="spark" aria-hidden="true">
                            {k.perDay.map((v, j) => (
                              <i key={usage.days[j]} style={{ height: `${Math.max(v ? 8 : 0, (v / max) * 100)}%` }} title={`${usage.days[j]}: ${v}`} />
                            ))}
                          </span>
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          </section>
        </>
      )}
    </div>
  );
}
