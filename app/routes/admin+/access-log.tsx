import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData, useNavigation } from "@remix-run/react";
import { adminCall } from "~/utils/admin.server";
import { formatUtc } from "~/utils/format";

export const meta: MetaFunction = () => [{ title: "Access log · Admin · Tablewatch" }];

const FILTERS = ["from", "to", "ip", "account", "url", "status"] as const;

/** `2026-11-29T10:00` from a datetime-local input, read as UTC. */
function parseUtc(value: string | null): Date | undefined {
  if (!value) return undefined;
  const date = new Date(/Z$|[+-]\d\d:\d\d$/.test(value) ? value : `${value}${value.length === 16 ? ":00" : ""}Z`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const get = (name: string) => url.searchParams.get(name)?.trim() || "";
  const filters = Object.fromEntries(FILTERS.map((f) => [f, get(f)])) as Record<(typeof FILTERS)[number], string>;
  return adminCall(context, async (admin) => {
    try {
      const page = await admin.accessLog({
        from: parseUtc(filters.from),
        to: parseUtc(filters.to),
        ip: filters.ip || undefined,
        accountId: filters.account || undefined,
        urlPrefix: filters.url || undefined,
        status: filters.status || undefined,
        cursor: get("cursor") || null,
        limit: 50,
      });
      return { filters, page, error: null, paged: Boolean(get("cursor")) };
    } catch (error) {
      if (error instanceof Error && error.name === "TRPCError" && "code" in error && error.code === "BAD_REQUEST") {
        return { filters, page: { rows: [], nextCursor: null }, error: error.message, paged: false };
      }
      throw error;
    }
  });
}

function statusTone(status: number) {
  if (status >= 500) return "s5";
  if (status >= 400) return "s4";
  if (status >= 300) return "s3";
  return "s2";
}

export default function AdminAccessLog() {
  const { filters, page, error, paged } = useLoaderData<typeof loader>();
  const busy = useNavigation().state === "loading";
  const withFilter = (changes: Record<string, string>) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries({ ...filters, ...changes })) if (v) params.set(k, v);
    return `?${params}`;
  };
  const active = FILTERS.some((f) => filters[f]);
  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <h1>Access log</h1>
          <p className="page-sub">Every request, newest first: for investigating problems. Rows older than the retention (ACCESS_LOG_RETENTION_DAYS) are purged daily.</p>
        </div>
      </div>

      <Form method="get" className="card filter-bar" aria-label="Filters">
        <div className="field">
          <label htmlFor="f-from">From (UTC)</label>
          <input id="f-from" name="from" type="datetime-local" defaultValue={filters.from} />
        </div>
        <div className="field">
          <label htmlFor="f-to">To (UTC)</label>
          <input id="f-to" name="to" type="datetime-local" defaultValue={filters.to} />
        </div>
        <div className="field">
          <label htmlFor="f-ip">IP address</label>
          <input id="f-ip" name="ip" defaultValue={filters.ip} placeholder="203.0.113.7" autoComplete="off" />
        </div>
        <div className="field">
          <label htmlFor="f-account">Account id</label>
          <input id="f-account" name="account" defaultValue={filters.account} placeholder="0190f7a0-…" autoComplete="off" />
        </div>
        <div className="field wide">
          <label htmlFor="f-url">URL starts with</label>
          <input id="f-url" name="url" defaultValue={filters.url} placeholder="/api/v1/reports" autoComplete="off" />
        </div>
        <div className="field narrow">
          <label htmlFor="f-status">Status</label>
          <input id="f-status" name="status" defaultValue={filters.status} placeholder="5xx, 404…" list="status-options" autoComplete="off" />
          <datalist id="status-options">
            <option value="errors">400 and above</option>
            <option value="4xx" />
            <option value="5xx" />
            <option value="404" />
            <option value="429" />
          </datalist>
        </div>
        <div className="filter-actions">
          <button type="submit" className="button small" disabled={busy}>
            {busy ? "Searching…" : "Search"}
          </button>
          {active ? (
            <Link to="?" className="button ghost small">
              Clear
            </Link>
          ) : null}
        </div>
      </Form>

      {error ? (
        <div className="alert error" role="alert">
          {error}
        </div>
      ) : null}

      <section className="card" aria-labelledby="log-title">
        <div className="card-head row">
          <h2 id="log-title">
            Requests <span className="count">{page.rows.length}{page.nextCursor ? "+" : ""}</span>
          </h2>
          <span className="small muted">{paged ? "An older page" : "Newest first"} · times in UTC</span>
        </div>
        {page.rows.length === 0 ? (
          <div className="card-empty">
            <p>{active ? "No request matches these filters." : "No requests are logged yet."}</p>
          </div>
        ) : (
          <div className="table-scroll">
            <table className="list-table log-table">
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Status</th>
                  <th scope="col">Request</th>
                  <th scope="col" className="num">
                    ms
                  </th>
                  <th scope="col">IP</th>
                  <th scope="col">Account</th>
                  <th scope="col">User-Agent</th>
                </tr>
              </thead>
              <tbody>
                {page.rows.map((r) => (
                  <tr key={r.id}>
                    <td className="mono small">{formatUtc(r.time).replace(" UTC", "")}</td>
                    <td>
                      <Link to={withFilter({ status: String(r.status) })} className={`status ${statusTone(r.status)}`}>
                        {r.status}
                      </Link>
                    </td>
                    <td className="request">
                      <span className="method">{r.method}</span>{" "}
                      <span className="mono url" title={r.url}>
                        {r.url}
                      </span>
                    </td>
                    <td className="num">{r.durationMs}</td>
                    <td>
                      <Link to={withFilter({ ip: r.ip })} className="mono small">
                        {r.ip}
                      </Link>
                    </td>
                    <td>
                      {r.accountId ? (
                        <Link to={withFilter({ account: r.accountId })} title={r.accountId}>
                          {r.accountName ?? `${r.accountId.slice(0, 8)}…`}
                        </Link>
                      ) : (
                        <span className="muted">—</span>
                      )}
                    </td>
                    <td className="agent" title={r.userAgent}>
                      {r.userAgent || <span className="muted">—</span>}
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
            <Link to={withFilter({})} className="button secondary small">
              ← Newest
            </Link>
          ) : (
            <span />
          )}
          {page.nextCursor ? (
            <Link to={`${withFilter({})}&cursor=${encodeURIComponent(page.nextCursor)}`} className="button secondary small">
              Older →
            </Link>
          ) : null}
        </div>
        ) : null}
      </section>
    </div>
  );
}
