import { type ActionFunctionArgs, data, type LinksFunction, type LoaderFunctionArgs, type MetaFunction, redirect } from "@remix-run/node";
import {
  isRouteErrorResponse,
  Link,
  type ShouldRevalidateFunction,
  useActionData,
  useFetcher,
  useLoaderData,
  useLocation,
  useRouteError,
} from "@remix-run/react";
import { useEffect, useState } from "react";
import type { AlarmView } from "../../../server/alarm/model";
import { AlarmForm, windowText } from "~/components/alarm/alarm-editor";
import { BadgeReveal, HistoryCard, type Prefs, SnoozeCard, StatesCard, when } from "~/components/alarm/panels";
import { StatePill } from "~/components/alarm/state";
import { ConfirmAction, ConfirmButton } from "~/components/confirm-button";
import { CopyBlock } from "~/components/copy-block";
import styles from "~/styles/alarms.css";
import { alarmAction, definitionFromForm, readFormData, runTest, text } from "~/utils/alarm-form.server";
import { requireAccount } from "~/utils/auth.server";
import { loaderCall } from "~/utils/errors.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.alarm.name ?? "Alarm"} · Alarms · Tablewatch` }];

/** Test and the webhook test change nothing the loader reads. */
export const shouldRevalidate: ShouldRevalidateFunction = ({ formData, defaultShouldRevalidate }) =>
  ["test", "send-test-webhook"].includes(String(formData?.get("intent"))) ? false : defaultShouldRevalidate;

const HISTORY_PAGE = 20;

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { role, user } = await requireAccount(context, request);
  const id = params.id ?? "";
  const alarm = await loaderCall(() => context.trpc.alarms.get({ id }));
  const url = new URL(request.url);
  const before = url.searchParams.get("before")?.slice(0, 100) || undefined;
  const [editor, history] = await Promise.all([
    context.trpc.alarms.editorData({ report: alarm.report }),
    loaderCall(() => context.trpc.alarms.history({ id, before, limit: HISTORY_PAGE })),
  ]);
  return {
    alarm,
    editor,
    history,
    before,
    canEdit: role !== "viewer",
    prefs: { timeZone: user.timeZone, hour12: user.hour12, now: new Date() } satisfies Prefs,
    origin: url.origin,
  };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const id = params.id ?? "";
  const form = await readFormData(request);
  const intent = text(form, "intent");
  const fail = (result: { response: { data: unknown; init: ResponseInit | null } }) =>
    data({ ...(result.response.data as { errors: { message: string; fieldErrors: Record<string, string> } }), intent }, result.response.init ?? undefined);
  switch (intent) {
    case "save": {
      const parsed = definitionFromForm(form);
      if (!parsed.ok) return data({ intent, errors: parsed.errors }, { status: 400 });
      const result = await alarmAction(() => context.trpc.alarms.update({ id, definition: parsed.definition }));
      return result.ok ? { intent, saved: true as const } : fail(result);
    }
    case "test":
      return runTest(context, form, id);
    case "delete": {
      const result = await alarmAction(() => context.trpc.alarms.delete({ id }));
      if (!result.ok) return fail(result);
      throw redirect(`/alarms?deleted=${encodeURIComponent(text(form, "name"))}`);
    }
    case "snooze": {
      const choice = text(form, "minutes");
      const minutes = Number(choice === "custom" ? text(form, "customMinutes").trim() : choice);
      if (!Number.isInteger(minutes) || minutes < 1) {
        return data({ intent, errors: { message: "Enter a whole number of minutes to snooze for.", fieldErrors: { minutes: "Enter a whole number of minutes." } } }, { status: 400 });
      }
      const result = await alarmAction(() => context.trpc.alarms.snooze({ id, minutes }));
      return result.ok ? { intent, done: true as const } : fail(result);
    }
    case "end-snooze": {
      const result = await alarmAction(() => context.trpc.alarms.endSnooze({ id }));
      return result.ok ? { intent, done: true as const } : fail(result);
    }
    case "regenerate-badge": {
      const result = await alarmAction(() => context.trpc.alarms.regenerateBadge({ id }));
      return result.ok ? { intent, badgeToken: result.value.badgeToken } : fail(result);
    }
    case "regenerate-secret": {
      const result = await alarmAction(() => context.trpc.alarms.regenerateWebhookSecret({ id }));
      return result.ok ? { intent, done: true as const } : fail(result);
    }
    case "send-test-webhook": {
      const result = await alarmAction(() => context.trpc.alarms.sendTestWebhook({ id }));
      return result.ok ? { intent, webhook: result.value } : fail(result);
    }
    default:
      throw new Response("Unknown action", { status: 400 });
  }
}

type WebhookReply = { intent: string; webhook?: { ok: boolean; message: string }; errors?: { message: string } };

function WebhookTools({ alarm }: { alarm: AlarmView }) {
  const secret = useFetcher<WebhookReply>();
  const test = useFetcher<WebhookReply>();
  const reply = test.data;
  if (!alarm.webhookSecret) return null;
  return (
    <div className="al-webhook-tools">
      <div className="al-webhook-test">
        <button
          type="button"
          className="button secondary small"
          disabled={!alarm.webhookUrl || test.state !== "idle"}
          onClick={() => test.submit({ intent: "send-test-webhook" }, { method: "post" })}
        >
          {test.state !== "idle" ? "Sending…" : "Send test"}
        </button>
        <span className="small muted" aria-live="polite">
          {reply?.webhook ? (
            <span className={reply.webhook.ok ? "al-ok-text" : "al-error-text"}>{reply.webhook.message}</span>
          ) : reply?.errors ? (
            <span className="al-error-text">{reply.errors.message}</span>
          ) : alarm.webhookUrl ? (
            "Posts a sample notification to the saved URL now."
          ) : (
            "Save a webhook URL first, then send a test."
          )}
        </span>
      </div>
      <div className="al-secret">
        <div className="al-secret-head">
          <span className="al-secret-label">Signing secret</span>
          <ConfirmAction
            label={secret.state !== "idle" ? "Creating…" : "New secret"}
            title="Create a new signing secret?"
            confirmLabel="Create new secret"
            busy={secret.state !== "idle"}
            onConfirm={() => secret.submit({ intent: "regenerate-secret" }, { method: "post" })}
          >
            <p>Deliveries are signed with the new secret at once: receivers that verify signatures reject them until you update the secret there.</p>
          </ConfirmAction>
        </div>
        <CopyBlock text={alarm.webhookSecret} label="Copy secret" />
        <details className="al-verify">
          <summary>How to verify the signature</summary>
          <p className="small">
            Each POST carries <code>X-Tablewatch-Timestamp</code> (Unix seconds) and <code>X-Tablewatch-Signature: sha256=…</code>: the hex
            HMAC-SHA256 of <code>{"<timestamp>.<body>"}</code>, keyed with the whole secret above. Compute it over the raw body, compare in
            constant time, and refuse timestamps more than 5 minutes old. <code>X-Tablewatch-Delivery</code> is the same on retries.
          </p>
          <pre className="al-snippet">{`// Node.js
const expected = crypto.createHmac("sha256", SECRET)
  .update(\`\${req.headers["x-tablewatch-timestamp"]}.\${rawBody}\`)
  .digest("hex");
const ok = crypto.timingSafeEqual(
  Buffer.from(\`sha256=\${expected}\`),
  Buffer.from(req.headers["x-tablewatch-signature"]));`}</pre>
        </details>
      </div>
    </div>
  );
}

function BadgeCard({ alarm, canEdit }: { alarm: AlarmView; canEdit: boolean }) {
  return (
    <section className="card al-side-card" aria-labelledby="al-badge-title">
      <h2 id="al-badge-title">Status badge</h2>
      <p className="small muted">
        A public image of the alarm’s worst state for a README or a wiki. Its link is shown once, when it is made.
      </p>
      {canEdit ? (
        <ConfirmButton
          label="New badge link"
          title="Make a new badge link?"
          confirmLabel="Make new link"
          busyLabel="Making…"
          className="button secondary small"
          fields={{ intent: "regenerate-badge" }}
        >
          <p>
            The current link of “{alarm.name}” stops working at once: pages embedding it show a broken image until you replace it with the
            new one.
          </p>
        </ConfirmButton>
      ) : null}
    </section>
  );
}

function AlarmPage() {
  const { alarm, editor, history, before, canEdit, prefs, origin } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const location = useLocation();
  // The badge token comes once, from creating the alarm (/alarms/new navigates here with it).
  const [createdToken] = useState(() => (location.state as { badgeToken?: string } | null)?.badgeToken ?? null);
  // …and only then: a reload or a later visit to this entry does not show it again.
  useEffect(() => {
    const state = window.history.state as { usr?: { badgeToken?: string } } | null;
    if (state?.usr?.badgeToken) window.history.replaceState({ ...state, usr: null }, "");
  }, []);
  const reply = actionData as
    | { intent: string; errors?: { message: string; fieldErrors: Record<string, string> }; saved?: true; badgeToken?: string }
    | undefined;
  const saveErrors = reply?.intent === "save" ? reply.errors : undefined;
  const otherError = reply && reply.intent !== "save" && reply.intent !== "snooze" ? reply.errors : undefined;
  const newToken = reply?.intent === "regenerate-badge" && reply.badgeToken ? reply.badgeToken : null;
  const kindText = alarm.kind === "check" ? "Check" : `No data for ${alarm.noDataMinutes} minutes`;

  return (
    <div className="stack al-page">
      <nav className="breadcrumb" aria-label="Breadcrumb">
        <Link to="/alarms">Alarms</Link>
        <span aria-hidden="true">/</span>
        <Link to={`/alarms?report=${encodeURIComponent(alarm.report)}`} className="mono">
          {alarm.report}
        </Link>
        <span aria-hidden="true">/</span>
        <span aria-current="page">{alarm.name}</span>
      </nav>
      {newToken ? <BadgeReveal token={newToken} origin={origin} name={alarm.name} fresh="regenerated" /> : null}
      {createdToken && !newToken ? <BadgeReveal token={createdToken} origin={origin} name={alarm.name} fresh="created" /> : null}
      {reply?.saved ? (
        <div className="alert success" role="status">
          Saved. The next instance of <strong>{alarm.report}</strong> is checked with these settings.
        </div>
      ) : null}
      {otherError ? (
        <div className="alert error" role="alert">
          {otherError.message}
        </div>
      ) : null}
      <div className="page-head">
        <div>
          <h1 className="al-title">
            {alarm.name} <StatePill state={alarm.worst} off={!alarm.enabled} />
          </h1>
          <p className="page-sub">
            {kindText} on{" "}
            <Link className="mono" to={`/reports/${encodeURIComponent(alarm.report)}`}>
              {alarm.report}
            </Link>
            {alarm.tags.length ? <> · tags {alarm.tags.join(", ")}</> : null}
            {alarm.snoozedUntil ? <> · snoozed until {when(alarm.snoozedUntil, prefs)}</> : null}
            {alarm.maintenance.length ? <> · quiet {alarm.maintenance.map(windowText).join("; ")}</> : null}
          </p>
        </div>
        {canEdit ? (
          <ConfirmButton
            label="Delete alarm"
            title={`Delete the alarm “${alarm.name}”?`}
            confirmLabel="Delete alarm"
            fields={{ intent: "delete", name: alarm.name }}
            className="button danger-outline"
          >
            <p>Its states and history are deleted with it, and its badge link stops working. The report and its data stay.</p>
          </ConfirmButton>
        ) : null}
      </div>
      {canEdit ? null : (
        <div className="alert al-readonly" role="note">
          Your role is <strong>viewer</strong>: you can look at this alarm but not change, test or snooze it.
        </div>
      )}
      <div className="al-layout">
        <div className="al-main">
          <AlarmForm
            key={alarm.updatedAt.toString()}
            alarm={alarm}
            initialReport={alarm.report}
            editor={editor}
            errors={saveErrors}
            canEdit={canEdit}
            timeZone={prefs.timeZone}
            hour12={prefs.hour12}
            webhookTools={canEdit ? <WebhookTools alarm={alarm} /> : null}
            cancelHref="/alarms"
            submitLabel="Save changes"
          />
        </div>
        <aside className="al-side" aria-label="State, snooze and badge">
          <StatesCard alarm={alarm} prefs={prefs} />
          <SnoozeCard
            alarm={alarm}
            canEdit={canEdit}
            origin={origin}
            prefs={prefs}
            error={reply?.intent === "snooze" ? (reply.errors?.fieldErrors.minutes ?? reply.errors?.message) : undefined}
          />
          <BadgeCard alarm={alarm} canEdit={canEdit} />
        </aside>
      </div>
      <HistoryCard alarm={alarm} history={history} before={before} prefs={prefs} />
    </div>
  );
}

export default function AlarmRoute() {
  const { alarm } = useLoaderData<typeof loader>();
  return <AlarmPage key={alarm.id} />;
}

export function ErrorBoundary() {
  const error = useRouteError();
  if (!isRouteErrorResponse(error)) console.error(error);
  const status = isRouteErrorResponse(error) ? error.status : 500;
  const message = isRouteErrorResponse(error) && typeof error.data === "string" ? error.data : "";
  return (
    <section className="error-panel">
      <span className="error-code">{status}</span>
      <h1>{status === 404 ? "This alarm does not exist" : "This alarm could not be shown"}</h1>
      <p>{status === 404 ? "It may have been deleted, or the link is incomplete." : message || "Please try again in a moment."}</p>
      <div className="error-actions">
        <Link className="button" to="/alarms">
          Back to alarms
        </Link>
      </div>
    </section>
  );
}
