import { type ActionFunctionArgs, data, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { ConfirmButton } from "~/components/confirm-button";
import { NewLinkBox, ShareStatus } from "~/components/dashboard/share-panel";
import { RelativeTime } from "~/components/relative-time";
import { requireAccount } from "~/utils/auth.server";
import { formAction, readForm } from "~/utils/errors.server";
import { formatCount } from "~/utils/format";
import shareStyles from "~/styles/share.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: shareStyles }];

export const meta: MetaFunction = () => [{ title: "Sharing · Settings · Tablewatch" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { account, role, user } = await requireAccount(context, request);
  const shares = await context.trpc.shares.listAll();
  return { account, role, canManage: role !== "viewer", shares, now: new Date(), timeZone: user.timeZone };
}

type Intent = "pause" | "resume" | "regenerate" | "revoke";

export async function action({ request, context }: ActionFunctionArgs) {
  const values = await readForm(request);
  const intent = values.intent as Intent;
  const id = values.id ?? "";
  const fail = (result: { response: ReturnType<typeof data> }) => data({ ...(result.response.data as object), intent }, result.response.init ?? undefined);
  switch (intent) {
    case "pause":
    case "resume": {
      const result = await formAction(() => (intent === "pause" ? context.trpc.shares.pause({ id }) : context.trpc.shares.resume({ id })));
      return result.ok ? { intent, done: `The link to “${result.value.dashboardName}” is ${intent === "pause" ? "paused" : "active again"}.` } : fail(result);
    }
    case "regenerate": {
      const result = await formAction(() => context.trpc.shares.regenerate({ id }));
      return result.ok ? { intent, url: result.value.url, done: null } : fail(result);
    }
    case "revoke": {
      const result = await formAction(() => context.trpc.shares.revoke({ id }));
      return result.ok ? { intent, done: `The link to “${values.dashboardName ?? "the dashboard"}” was revoked.` } : fail(result);
    }
    default:
      throw new Response("Unknown action", { status: 400 });
  }
}

function dayText(date: string | Date, timeZone: string): string {
  try {
    return new Intl.DateTimeFormat("en-US", { year: "numeric", month: "short", day: "numeric", timeZone }).format(new Date(date));
  } catch {
    return new Date(date).toISOString().slice(0, 10);
  }
}

export default function SharingSettings() {
  const { account, canManage, shares, now, timeZone } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const busyId = navigation.state !== "idle" ? navigation.formData?.get("id") : null;
  const done = actionData && "done" in actionData ? actionData.done : null;
  const url = actionData && "url" in actionData ? actionData.url : null;
  const errors = actionData && "errors" in actionData ? (actionData.errors as { message: string }) : null;
  const totalViews = shares.reduce((n, s) => n + s.viewCount, 0);
  const dashboards = new Set(shares.map((s) => s.dashboardId)).size;

  return (
    <div className="stack">
      <div className="section-head">
        <h2>Sharing</h2>
        <p>
          Public, read-only links to dashboards of <strong>{account.name}</strong>. Anyone who has a link sees that dashboard’s tiles updating
          live, without an account. Create links from a dashboard’s <strong>Share</strong> button.
        </p>
      </div>
      {done ? (
        <div className="alert success" role="status">
          {done}
        </div>
      ) : null}
      {errors ? (
        <div className="alert error" role="alert">
          {errors.message}
        </div>
      ) : null}
      {url ? <NewLinkBox url={url} regenerated /> : null}

      {shares.length ? (
        <div className="sharing-summary" aria-label="Summary">
          <div className="stat">
            <strong>{shares.length}</strong>
            <span>{shares.length === 1 ? "live link" : "live links"}</span>
          </div>
          <div className="stat">
            <strong>{dashboards}</strong>
            <span>{dashboards === 1 ? "dashboard shared" : "dashboards shared"}</span>
          </div>
          <div className="stat">
            <strong>{formatCount(totalViews)}</strong>
            <span>views in total</span>
          </div>
        </div>
      ) : null}

      <section className="card" aria-labelledby="links-title">
        <div className="card-head row">
          <h2 id="links-title">
            Live links <span className="count">{shares.length}</span>
          </h2>
          <span className="small muted">Views are counted without recording who viewed.</span>
        </div>
        {shares.length === 0 ? (
          <div className="card-empty">
            <p>
              <strong>No dashboard is shared.</strong> Open a dashboard and click <strong>Share</strong> to create a link for people without an
              account — a wall screen, a customer, a status page.
            </p>
            <Link className="button secondary small" to="/dashboard">
              Go to your dashboards
            </Link>
          </div>
        ) : (
          <div className="table-scroll">
            <table className="list-table sharing-table">
              <thead>
                <tr>
                  <th scope="col">Dashboard</th>
                  <th scope="col">Status</th>
                  <th scope="col">Expires</th>
                  <th scope="col">Time range</th>
                  <th scope="col" className="num">
                    Views
                  </th>
                  <th scope="col">Last viewed</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {shares.map((share) => (
                  <tr key={share.id} data-testid="sharing-row">
                    <td>
                      <Link className="share-dash" to={`/dashboards/${share.dashboardId}?share=1`}>
                        {share.dashboardName}
                      </Link>
                      <span className="share-created">
                        created <RelativeTime date={share.createdAt} now={now} />
                        {share.createdBy ? ` by ${share.createdBy}` : ""}
                      </span>
                    </td>
                    <td>
                      <ShareStatus status={share.status} />
                    </td>
                    <td>{share.expiresAt ? dayText(share.expiresAt, timeZone) : <span className="muted">never</span>}</td>
                    <td>{share.allowTimeRange ? "Adjustable" : "Fixed"}</td>
                    <td className="num">{formatCount(share.viewCount)}</td>
                    <td>
                      <RelativeTime date={share.lastViewedAt} now={now} />
                    </td>
                    <td className="actions">
                      {canManage ? (
                        <div className="share-row-actions">
                          <Form method="post">
                            <input type="hidden" name="id" value={share.id} />
                            <button className="button secondary small" type="submit" name="intent" value={share.paused ? "resume" : "pause"} disabled={busyId === share.id}>
                              {share.paused ? "Resume" : "Pause"}
                            </button>
                          </Form>
                          <ConfirmButton
                            label="Regenerate"
                            className="button secondary small"
                            title={`Regenerate the link to “${share.dashboardName}”?`}
                            confirmLabel="Regenerate link"
                            busyLabel="Regenerating…"
                            fields={{ intent: "regenerate", id: share.id }}
                          >
                            <p>The current address stops working at once; you get a new one to copy. Options and view counts stay.</p>
                          </ConfirmButton>
                          <ConfirmButton
                            label="Revoke"
                            title={`Revoke the link to “${share.dashboardName}”?`}
                            confirmLabel="Revoke link"
                            busyLabel="Revoking…"
                            fields={{ intent: "revoke", id: share.id, dashboardName: share.dashboardName }}
                          >
                            <p>Anyone opening it gets “This link is not available” from now on. This cannot be undone.</p>
                          </ConfirmButton>
                        </div>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {canManage ? null : <p className="small muted">Only editors, admins and owners can pause, regenerate or revoke links.</p>}
    </div>
  );
}
