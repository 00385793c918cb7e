import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useSearchParams } from "@remix-run/react";
import { useState } from "react";
import { CopyBlock } from "~/components/copy-block";
import { requireAccount } from "~/utils/auth.server";
import { trpc } from "~/utils/trpc";

export const meta: MetaFunction = () => [{ title: "Dashboards · Tablewatch" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const current = await requireAccount(context, request);
  return { ...current, origin: new URL(request.url).origin };
}

function ConfirmEmailBanner({ email }: { email: string }) {
  const [state, setState] = useState<"idle" | "sending" | "sent" | "failed">("idle");
  return (
    <div className="alert warn" role="status">
      <span>
        Please confirm <strong>{email}</strong> with the link we emailed you: alarm emails go only to confirmed addresses.
      </span>
      {state === "sent" ? (
        <span>A new link is on its way.</span>
      ) : (
        <button
          type="button"
          className="link-button"
          disabled={state === "sending"}
          onClick={() => {
            setState("sending");
            trpc.auth.resendConfirmation.mutate().then(
              () => setState("sent"),
              () => setState("failed"),
            );
          }}
        >
          {state === "failed" ? "Sending failed — try again" : state === "sending" ? "Sending…" : "Resend the email"}
        </button>
      )}
    </div>
  );
}

export default function DashboardPage() {
  const { account, user, origin } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const curl = `df | curl --user $TABLEWATCH_KEY: --data-binary @- ${origin}/api/v1/reports/diskfree`;
  return (
    <div className="stack">
      {params.get("welcome") === "1" ? (
        <div className="alert success">Welcome to Tablewatch, {user.name}! Your account “{account.name}” is ready.</div>
      ) : null}
      {params.get("reset") === "1" ? <div className="alert success">Your password was changed. Other sessions were logged out.</div> : null}
      {user.emailConfirmed ? null : <ConfirmEmailBanner email={user.email} />}
      <div className="page-head">
        <h1>Dashboards</h1>
      </div>
      <div className="tabs" role="tablist">
        <span className="tab active" role="tab" aria-selected="true">
          Default
        </span>
      </div>
      <section className="empty-state" aria-labelledby="empty-title">
        <div>
          <h2 id="empty-title">Your dashboard is empty — send it some data</h2>
          <p>Tablewatch turns whatever a command prints into a table you can chart and alarm on. Start from any machine:</p>
          <ol>
            <li>
              <Link to="/settings/api-keys">Create an API key</Link> for <strong>{account.name}</strong> in Settings.
            </li>
            <li>Put it in <code>$TABLEWATCH_KEY</code> and pipe any output into curl, e.g. from cron.</li>
            <li>Click a cell of the table that arrives to chart it here.</li>
          </ol>
          <p className="small muted">
            JSON, CSV, psql, df, ps, a single number — all understood. See the <a href="/api/docs">API docs</a>.
          </p>
        </div>
        <div className="stack">
          <CopyBlock text={curl} />
          <div className="ghost-grid" aria-hidden="true">
            <div className="ghost-tile" />
            <div className="ghost-tile" />
          </div>
        </div>
      </section>
    </div>
  );
}
