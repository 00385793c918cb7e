import { type ActionFunctionArgs, data, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { isRouteErrorResponse, Link, type ShouldRevalidateFunction, useActionData, useLoaderData, useNavigate, useRouteError } from "@remix-run/react";
import { useEffect } from "react";
import { AlarmForm } from "~/components/alarm/alarm-editor";
import { BadgeReveal, CheckReference } from "~/components/alarm/panels";
import { CopyBlock } from "~/components/copy-block";
import { LimitNote, usePlanLimit } from "~/components/plan/limits";
import styles from "~/styles/alarms.css";
import { alarmAction, definitionFromForm, readFormData, runTest, text } from "~/utils/alarm-form.server";
import { requireAccount } from "~/utils/auth.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

export const meta: MetaFunction = () => [{ title: "New alarm · Alarms · Tablewatch" }];

/** Test changes nothing the loader reads. */
export const shouldRevalidate: ShouldRevalidateFunction = ({ formData, defaultShouldRevalidate }) =>
  formData?.get("intent") === "test" ? false : defaultShouldRevalidate;

function refuseViewers(role: string) {
  if (role === "viewer") {
    throw new Response("Your role in this account is viewer: you can look at alarms, not create them.", {
      status: 403,
      headers: { "Content-Type": "text/plain; charset=utf-8" },
    });
  }
}

/**
 * `?report=` preselects the report (from the Reports pages). The alarm editor of /alarms/:id also
 * loads this route's data to list the recent instances of another report (the Test picker).
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const { role, user } = await requireAccount(context, request);
  refuseViewers(role);
  const url = new URL(request.url);
  const asked = url.searchParams.get("report")?.trim().slice(0, 200) || undefined;
  const overview = asked ? null : await context.trpc.reports.overview();
  // Without ?report=, the most recently pushed report (its instances feed the Test picker).
  const guess = overview?.length
    ? [...overview].sort((a, b) => (b.lastInstanceAt?.getTime() ?? 0) - (a.lastInstanceAt?.getTime() ?? 0))[0]!.name
    : undefined;
  const editor = await context.trpc.alarms.editorData({ report: asked ?? guess });
  const report = asked && editor.reports.includes(asked) ? asked : (guess ?? "");
  return { editor, report, asked: asked ?? null, prefs: { timeZone: user.timeZone, hour12: user.hour12 }, origin: url.origin };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { role } = await requireAccount(context, request);
  refuseViewers(role);
  const form = await readFormData(request);
  const intent = text(form, "intent");
  if (intent === "test") return runTest(context, form);
  if (intent === "save") {
    const parsed = definitionFromForm(form);
    if (!parsed.ok) return data({ intent, errors: parsed.errors }, { status: 400 });
    const result = await alarmAction(() => context.trpc.alarms.create(parsed.definition));
    if (!result.ok) return data({ ...(result.response.data as { errors: { message: string; fieldErrors: Record<string, string> } }), intent }, result.response.init ?? undefined);
    return { intent, created: { id: result.value.alarm.id, name: result.value.alarm.name, badgeToken: result.value.badgeToken } };
  }
  throw new Response("Unknown action", { status: 400 });
}

function NoReports({ origin }: { origin: string }) {
  return (
    <section className="card card-empty-lg al-no-reports">
      <h2>An alarm watches a report — push one first</h2>
      <p className="muted">
        A report is created by its first push. Send this machine’s disk usage, for example, then come back to alarm on it:
      </p>
      <CopyBlock text={`df | curl --user $TABLEWATCH_KEY: --data-binary @- ${origin}/api/v1/reports/diskfree`} />
      <div className="al-empty-actions">
        <Link className="button" to="/settings/api-keys">
          Create an API key
        </Link>
        <Link className="button secondary" to="/alarms">
          Back to alarms
        </Link>
      </div>
    </section>
  );
}

export default function NewAlarmPage() {
  const { editor, report, asked, prefs, origin } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigate = useNavigate();
  const created = actionData && "created" in actionData ? actionData.created : undefined;
  const errors = actionData && "errors" in actionData && actionData.intent === "save" ? actionData.errors : undefined;
  const limit = usePlanLimit("alarms");

  // Created: on to the alarm's page, carrying the badge link (shown there once, never in the URL).
  useEffect(() => {
    if (created) navigate(`/alarms/${created.id}`, { replace: true, state: { badgeToken: created.badgeToken } });
  }, [created, navigate]);

  if (created) {
    // Seen without JavaScript (or for a moment before the page changes).
    return (
      <div className="stack al-page">
        <BadgeReveal token={created.badgeToken} origin={origin} name={created.name} fresh="created" />
        <div>
          <Link className="button" to={`/alarms/${created.id}`}>
            Open the alarm
          </Link>
        </div>
      </div>
    );
  }

  return (
    <div className="stack al-page">
      <nav className="breadcrumb" aria-label="Breadcrumb">
        <Link to="/alarms">Alarms</Link>
        <span aria-hidden="true">/</span>
        <span aria-current="page">New alarm</span>
      </nav>
      <div className="page-head">
        <div>
          <h1>New alarm</h1>
          <p className="page-sub">Get an email — or a webhook — when a table your machines push says something is wrong.</p>
        </div>
      </div>
      <LimitNote limit={limit} id="alarm-limit" />
      {asked && asked !== report ? (
        <div className="alert error" role="alert">
          There is no report “{asked}”. Choose one of the account’s reports below.
        </div>
      ) : null}
      {editor.reports.length === 0 ? (
        <NoReports origin={origin} />
      ) : (
        <div className="al-layout new">
          <AlarmForm
            alarm={null}
            initialReport={report}
            editor={editor}
            errors={errors}
            canEdit
            timeZone={prefs.timeZone}
            hour12={prefs.hour12}
            cancelHref={asked ? `/reports/${encodeURIComponent(asked)}` : "/alarms"}
            submitLabel="Create alarm"
            blocked={
              limit?.level === "full" ? (
                <p className="small muted al-blocked" id="alarm-limit-short">
                  Creating is disabled: the {limit.planName} plan allows {limit.allows} (see the note above).
                </p>
              ) : undefined
            }
          />
          <aside className="al-side" aria-label="Reference">
            <CheckReference />
          </aside>
        </div>
      )}
    </div>
  );
}

export function ErrorBoundary() {
  const error = useRouteError();
  if (!isRouteErrorResponse(error)) console.error(error);
  const status = isRouteErrorResponse(error) ? error.status : 500;
  const message = isRouteErrorResponse(error) && typeof error.data === "string" ? error.data : "";
  return (
    <section className="error-panel">
      <span className="error-code">{status}</span>
      <h1>{status === 403 ? "You cannot create alarms" : "The alarm editor could not be opened"}</h1>
      <p>{message || "Please try again in a moment."}</p>
      <div className="error-actions">
        <Link className="button" to="/alarms">
          Back to alarms
        </Link>
      </div>
    </section>
  );
}
