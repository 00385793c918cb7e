import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { isRouteErrorResponse, Link, useLoaderData, useRouteError } from "@remix-run/react";
import { formatPrice, formatRetention, PlanCards } from "~/components/plan/plan-cards";
import styles from "~/styles/plan.css";
import { requireAccount } from "~/utils/auth.server";

export const meta: MetaFunction = () => [{ title: "Plan & usage · Settings · Tablewatch" }];
export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { account, user } = await requireAccount(context, request);
  const overview = await context.trpc.plan.overview();
  return { account, timeZone: user.timeZone, ...overview, now: new Date() };
}

const n = (x: number) => x.toLocaleString("en-US");

function day(date: Date | string, timeZone: string): string {
  const options: Intl.DateTimeFormatOptions = { day: "numeric", month: "long", year: "numeric" };
  try {
    return new Intl.DateTimeFormat("en-GB", { ...options, timeZone }).format(new Date(date));
  } catch {
    return new Intl.DateTimeFormat("en-GB", { ...options, timeZone: "UTC" }).format(new Date(date));
  }
}

/** The first day of next month (UTC), when the instance count starts again. */
function nextMonth(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
}

const hints: Record<string, string> = {
  reports: "A report is created by the first push to a new name; pushes to existing reports do not count here.",
  members: "Members and pending invitations. Re-inviting a pending address does not count twice.",
  dashboards: "Every dashboard of the account, tiles not counted.",
  shareLinks: "Public dashboard links that are not revoked (paused and expired ones included).",
  alarms: "Check and no-data alarms, enabled or not.",
};

function Bar({ percent }: { percent: number }) {
  return (
    <div className="usage-bar" aria-hidden="true">
      <span style={{ width: `${Math.max(0, Math.min(100, percent))}%` }} />
    </div>
  );
}

export default function PlanSettings() {
  const { account, timeZone, plan, graceUntil, limits, oldestInstanceDays, busiestKeyRequests, plans, canChange, now } = useLoaderData<typeof loader>();
  const resets = day(nextMonth(new Date(now)), "UTC");
  const inGrace = graceUntil && new Date(graceUntil) > new Date(now);
  const retentionPercent = oldestInstanceDays === null ? 0 : Math.min(100, Math.floor((oldestInstanceDays * 100) / Math.max(1, plan.retentionDays)));
  const ratePercent = Math.min(100, Math.floor((busiestKeyRequests * 100) / Math.max(1, plan.apiRequestsPerMinute)));
  const rateLevel = busiestKeyRequests >= plan.apiRequestsPerMinute ? "full" : busiestKeyRequests * 100 >= plan.apiRequestsPerMinute * 80 ? "warn" : "ok";

  return (
    <div className="stack">
      <div className="section-head">
        <h2>Plan &amp; usage</h2>
        <p>
          What <strong>{account.name}</strong> may use on its plan, and how much of it is used now.
        </p>
      </div>

      <section className="card" aria-labelledby="plan-current-title">
        <div className="card-body">
          <div className="plan-summary">
            <div>
              <h3 id="plan-current-title">Current plan</h3>
              <div className="plan-summary-name">
                <strong>{plan.name}</strong>
                <span>{plan.priceCents === 0 ? "Free, no card needed" : `${formatPrice(plan.priceCents, plan.currency)} per month`}</span>
              </div>
              <p>
                {canChange
                  ? "You are an owner: you can change the plan below. Changes are billed in Settings → Billing."
                  : "Only owners can change the plan. Ask an owner of this account if you need more."}
              </p>
            </div>
            {canChange ? (
              <Link className="button secondary" to="#plans">
                Compare plans
              </Link>
            ) : null}
          </div>
          {inGrace ? (
            <div className="alert warn plan-grace" role="status" style={{ marginTop: 16 }}>
              The plan changed to one with lower limits. Until <strong>{day(graceUntil!, timeZone)}</strong> nothing is deleted: reports beyond the
              limit (the newest) are read-only and older history stays. After that day, history older than {formatRetention(plan.retentionDays)} and
              the reports beyond the limit are removed.
            </div>
          ) : null}
        </div>
      </section>

      <section className="card" aria-labelledby="usage-title">
        <div className="card-head">
          <h2 id="usage-title">Usage</h2>
          <p>Counted now. Instances are counted per calendar month (UTC) and start again on {resets}.</p>
        </div>
        <div className="card-body">
          <ul className="usage-list">
            {limits.map((l) => (
              <li key={l.key} className={`usage-item ${l.level}`} data-limit={l.key}>
                <div className="usage-item-head">
                  <strong>{l.label}</strong>
                  <span>
                    {n(l.used)} of {n(l.limit)}
                    {l.level === "full" ? " · limit reached" : l.level === "warn" ? ` · ${l.percent} %` : ""}
                  </span>
                </div>
                <Bar percent={l.percent} />
                <p className="usage-hint">{l.key === "instancesPerMonth" ? `Every push is one instance; starts again on ${resets}.` : hints[l.key]}</p>
              </li>
            ))}
            <li className={`usage-item ${retentionPercent >= 100 ? "full" : "ok"}`} data-limit="retention">
              <div className="usage-item-head">
                <strong>History kept</strong>
                <span>{formatRetention(plan.retentionDays)}</span>
              </div>
              <Bar percent={retentionPercent} />
              <p className="usage-hint">
                {oldestInstanceDays === null
                  ? "No instances yet."
                  : `The oldest instance is ${oldestInstanceDays === 0 ? "from today" : `${n(oldestInstanceDays)} day${oldestInstanceDays === 1 ? "" : "s"} old`}; older ones are removed daily.`}
              </p>
            </li>
            <li className={`usage-item ${rateLevel}`} data-limit="apiRequestsPerMinute">
              <div className="usage-item-head">
                <strong>API requests per minute</strong>
                <span>
                  {n(busiestKeyRequests)} of {n(plan.apiRequestsPerMinute)}
                </span>
              </div>
              <Bar percent={ratePercent} />
              <p className="usage-hint">Per API key, this minute (the busiest key). Beyond it the API answers 429 with Retry-After.</p>
            </li>
          </ul>
        </div>
      </section>

      <section aria-labelledby="plans" className="stack">
        <div className="section-head">
          <h2 id="plans">Plans</h2>
          <p>Every plan has every feature; they differ in how much you may use.</p>
        </div>
        <PlanCards
          plans={plans}
          currentCode={plan.code}
          action={(p) =>
            p.code === plan.code ? (
              <p className="plan-action-note">Your current plan</p>
            ) : canChange ? (
              <Link className={`button${p.priceCents > plan.priceCents ? "" : " secondary"}`} to={`/settings/billing?plan=${encodeURIComponent(p.code)}`}>
                {p.priceCents > plan.priceCents ? `Upgrade to ${p.name}` : `Change to ${p.name}`}
              </Link>
            ) : (
              <p className="plan-action-note">Ask an owner to change the plan</p>
            )
          }
        />
        <p className="plan-fine">
          Prices per month, VAT included where applicable. An upgrade applies at once; with a move to a smaller plan, what is over its limits stays
          readable for 30 days. See also the <Link to="/pricing">pricing page</Link>.
        </p>
      </section>
    </div>
  );
}

export function ErrorBoundary() {
  const error = useRouteError();
  if (!isRouteErrorResponse(error)) console.error(error);
  return (
    <section className="error-panel">
      <h1>The plan could not be shown</h1>
      <p>Please try again in a moment.</p>
      <Link className="button" to="/settings">
        Back to settings
      </Link>
    </section>
  );
}
