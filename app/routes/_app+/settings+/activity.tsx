import { type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { RelativeTime } from "~/components/relative-time";
import { RoleBadge } from "~/components/role-badge";
import styles from "~/styles/team.css";
import { requireAccount } from "~/utils/auth.server";
import { loaderCall } from "~/utils/errors.server";

export const meta: MetaFunction = () => [{ title: "Activity · Settings · Tablewatch" }];
export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

const PAGE = 50;

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { account, role } = await requireAccount(context, request);
  const canSee = role === "owner" || role === "admin";
  const before = new URL(request.url).searchParams.get("before") ?? undefined;
  // Editors and viewers may not read the log (the procedure would answer FORBIDDEN): don't ask.
  const page = canSee ? await loaderCall(() => context.trpc.audit.list({ before, limit: PAGE })) : { entries: [], next: null };
  return { account, role, canSee, paged: Boolean(before), ...page, now: new Date() };
}

/** The noun of an action, for the small coloured tag in front of the sentence. */
function kindOf(action: string): { key: string; label: string } {
  const noun = action.split(".")[0] ?? "";
  if (noun === "member" || noun === "invitation") return { key: "team", label: "Team" };
  if (noun === "api_key") return { key: "keys", label: "API key" };
  if (noun === "alarm") return { key: "alarm", label: "Alarm" };
  if (noun === "dashboard" || noun === "share") return { key: "share", label: "Sharing" };
  if (noun === "account") return { key: "account", label: "Account" };
  if (noun === "user") return { key: "login", label: "Login" };
  return { key: "other", label: noun.replace(/_/g, " ") || "Other" };
}

export default function ActivityPage() {
  const { account, role, canSee, entries, next, paged, now } = useLoaderData<typeof loader>();

  if (!canSee) {
    return (
      <section className="card locked-state" aria-labelledby="locked-title">
        <div className="locked-icon" aria-hidden="true">
          <svg viewBox="0 0 24 24" width="22" height="22">
            <rect x="5" y="11" width="14" height="9" rx="2" fill="none" stroke="currentColor" strokeWidth="1.8" />
            <path d="M8 11V8a4 4 0 0 1 8 0v3" fill="none" stroke="currentColor" strokeWidth="1.8" />
          </svg>
        </div>
        <h2 id="locked-title">Only admins and owners can see the activity log</h2>
        <p>
          Your role in <strong>{account.name}</strong> is <RoleBadge role={role} />. The activity log records who invited or removed
          members, changed roles, created or revoked API keys, shared dashboards and changed alarms.
        </p>
      </section>
    );
  }

  return (
    <div className="stack activity-page">
      <div className="section-head">
        <h2>Activity</h2>
        <p>
          Who changed what in <strong>{account.name}</strong>, when, and from which IP address: members and invitations, API keys, shared
          dashboards and alarms. Newest first.
        </p>
      </div>
      <section className="card" aria-labelledby="activity-title">
        <div className="card-head row">
          <h2 id="activity-title">{paged ? "Older activity" : "Recent activity"}</h2>
          <span className="small muted">Times in UTC on hover.</span>
        </div>
        {entries.length === 0 ? (
          <div className="card-empty card-empty-lg">
            <h2>{paged ? "No older activity" : "Nothing yet"}</h2>
            <p>
              {paged ? (
                <>
                  That was all. <Link to="/settings/activity">Back to the newest</Link>.
                </>
              ) : (
                "Invitations, role changes, API keys, shared dashboards and alarm changes will show here as they happen."
              )}
            </p>
          </div>
        ) : (
          <div className="table-scroll">
            <table className="list-table activity-table">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Who</th>
                  <th scope="col">What</th>
                  <th scope="col">IP address</th>
                </tr>
              </thead>
              <tbody>
                {entries.map((e) => {
                  const kind = kindOf(e.action);
                  return (
                    <tr key={e.id} data-action={e.action}>
                      <td className="when">
                        <RelativeTime date={e.at} now={now} />
                      </td>
                      <td className="who">{e.actor}</td>
                      <td className="what">
                        <div className="what-line">
                          <span className={`kind kind-${kind.key}`}>{kind.label}</span>
                          <span>{e.summary}</span>
                        </div>
                      </td>
                      <td className="ip">
                        <code>{e.ip ?? "—"}</code>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
        {paged || next ? (
          <nav className="pager card-foot" aria-label="Activity pages">
            {paged ? (
              <Link className="button secondary small" to="/settings/activity">
                ← Newest
              </Link>
            ) : null}
            {next ? (
              <Link className="button secondary small" to={`/settings/activity?before=${encodeURIComponent(next)}`}>
                Older →
              </Link>
            ) : null}
          </nav>
        ) : null}
      </section>
    </div>
  );
}
