import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData, useNavigation } from "@remix-run/react";
import { RelativeTime } from "~/components/relative-time";
import { adminCall } from "~/utils/admin.server";
import { formatCount, utcDay } from "~/utils/format";

export const meta: MetaFunction = () => [{ title: "Accounts · Admin · Tablewatch" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const q = url.searchParams.get("q")?.trim() ?? "";
  const cursor = url.searchParams.get("cursor") || null;
  return adminCall(context, async (admin) => {
    const page = await admin.accounts({ q: q || undefined, cursor });
    return { q, page, paged: Boolean(cursor), now: new Date() };
  });
}

export default function AdminAccounts() {
  const { q, page, paged, now } = useLoaderData<typeof loader>();
  const busy = useNavigation().state === "loading";
  const base = q ? `?q=${encodeURIComponent(q)}` : "?";
  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <h1>Accounts</h1>
          <p className="page-sub">Every customer account with its plan, size and activity. Report contents are not shown here.</p>
        </div>
        <Form method="get" className="search-form" role="search">
          <label htmlFor="account-q" className="visually-hidden">
            Search accounts
          </label>
          <input id="account-q" name="q" type="search" defaultValue={q} placeholder="Name, member email or account id" />
          <button type="submit" className="button small" disabled={busy}>
            Search
          </button>
        </Form>
      </div>

      <section className="card" aria-labelledby="accounts-title">
        <div className="card-head row">
          <h2 id="accounts-title">
            {q ? <>Matching “{q}”</> : "Newest first"} <span className="count">{page.accounts.length}{page.nextCursor ? "+" : ""}</span>
          </h2>
          {q ? (
            <Link to="?" className="small">
              Show all
            </Link>
          ) : null}
        </div>
        {page.accounts.length === 0 ? (
          <div className="card-empty">
            <p>No account matches.</p>
          </div>
        ) : (
          <div className="table-scroll">
            <table className="list-table accounts-table">
              <thead>
                <tr>
                  <th scope="col">Account</th>
                  <th scope="col">Plan</th>
                  <th scope="col" className="num">
                    Members
                  </th>
                  <th scope="col" className="num">
                    Reports
                  </th>
                  <th scope="col" className="num">
                    Instances this month
                  </th>
                  <th scope="col">Created</th>
                  <th scope="col">Last activity</th>
                </tr>
              </thead>
              <tbody>
                {page.accounts.map((a) => (
                  <tr key={a.id}>
                    <td>
                      <Link to={`/admin/accounts/${a.id}`} className="strong">
                        {a.name}
                      </Link>
                      {a.deletionScheduledAt ? <span className="badge danger">Deletion scheduled</span> : null}
                      <div className="mono tiny muted">{a.id}</div>
                    </td>
                    <td>
                      <span className={`badge plan plan-${a.plan}`}>{a.plan}</span>
                    </td>
                    <td className="num">{formatCount(a.members)}</td>
                    <td className="num">{formatCount(a.reports)}</td>
                    <td className="num">{formatCount(a.instancesThisMonth)}</td>
                    <td>{utcDay(a.createdAt)}</td>
                    <td>
                      <RelativeTime date={a.lastActivityAt} now={now} never="no activity" />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {paged || page.nextCursor ? (
        <div className="pager-foot">
          {paged ? (
            <Link to={base} className="button secondary small">
              ← First page
            </Link>
          ) : (
            <span />
          )}
          {page.nextCursor ? (
            <Link to={`${base}${q ? "&" : ""}cursor=${encodeURIComponent(page.nextCursor)}`} className="button secondary small">
              More →
            </Link>
          ) : null}
        </div>
        ) : null}
      </section>
    </div>
  );
}
