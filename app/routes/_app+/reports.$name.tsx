import { type ActionFunctionArgs, data, type LinksFunction, type LoaderFunctionArgs, type MetaFunction, redirect } from "@remix-run/node";
import {
  Form,
  isRouteErrorResponse,
  Link,
  useActionData,
  useLoaderData,
  useLocation,
  useNavigate,
  useParams,
  useRouteError,
} from "@remix-run/react";
import { StatePill } from "~/components/alarm/state";
import { MonthCalendar } from "~/components/calendar";
import { ConfirmButton } from "~/components/confirm-button";
import { CopyBlock } from "~/components/copy-block";
import { DataTable } from "~/components/data-table";
import { RelativeTime } from "~/components/relative-time";
import { requireAccount } from "~/utils/auth.server";
import { formAction, loaderCall, readForm } from "~/utils/errors.server";
import { DAY_PATTERN, formatBytes, formatCount, formatRelative, isoUtc, MONTH_PATTERN, utcDay, utcMonth } from "~/utils/format";
import alarmStyles from "~/styles/alarms.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: alarmStyles }];

export const meta: MetaFunction = ({ params }) => [{ title: `${params.name ?? "Report"} · Reports · Tablewatch` }];

const MAX_TAGS = 10;
const INSTANCE_ID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

type ViewState = { id?: string; tags: string[]; day?: string; month?: string; tab?: "table" | "raw" };

/** The viewer's URL for a state; empty parts are left out. */
function viewerHref(name: string, state: ViewState): string {
  const params = new URLSearchParams();
  if (state.id) params.set("id", state.id);
  if (state.tags.length) params.set("tags", state.tags.join(","));
  if (state.day) params.set("day", state.day);
  if (state.month) params.set("month", state.month);
  if (state.tab === "raw") params.set("tab", "raw");
  const query = params.toString();
  return `/reports/${encodeURIComponent(name)}${query ? `?${query}` : ""}`;
}

/** A 404 that says what is missing, for the ErrorBoundary. */
async function orNotFound<T>(kind: "report" | "instance", run: () => Promise<T>): Promise<T> {
  try {
    return await loaderCall(run);
  } catch (error) {
    if (error instanceof Response && error.status === 404) {
      throw Response.json({ kind, message: await error.text() }, { status: 404 });
    }
    throw error;
  }
}

/** `YYYY-MM-DD` naming a real date (not 2026-02-31). */
function isCalendarDay(day: string): boolean {
  return DAY_PATTERN.test(day) && new Date(`${day}T00:00:00Z`).toISOString().slice(0, 10) === day;
}

function badRequest(message: string): Response {
  return new Response(message, { status: 400, headers: { "Content-Type": "text/plain; charset=utf-8" } });
}

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const name = params.name ?? "";
  const { role } = await requireAccount(context, request);
  const url = new URL(request.url);
  const id = url.searchParams.get("id")?.trim() || undefined;
  const tags = [
    ...new Set(
      (url.searchParams.get("tags") ?? "")
        .split(",")
        .map((tag) => tag.trim())
        .filter(Boolean),
    ),
  ];
  const day = url.searchParams.get("day")?.trim() || undefined;
  const monthParam = url.searchParams.get("month")?.trim();
  const tab: "table" | "raw" = url.searchParams.get("tab") === "raw" ? "raw" : "table";

  if (id && !INSTANCE_ID.test(id)) throw badRequest(`“${id.slice(0, 70)}” is not an instance id. Ids have 32 hexadecimal characters.`);
  if (day && !isCalendarDay(day)) throw badRequest(`“${day.slice(0, 40)}” is not a day. Use the form YYYY-MM-DD, e.g. 2026-01-31.`);
  if (tags.length > MAX_TAGS) throw badRequest(`Filter by at most ${MAX_TAGS} tags (${tags.length} given).`);
  if (tags.some((tag) => tag.length > 200)) throw badRequest("A tag has at most 200 characters.");

  // The tags call fails first when the report itself does not exist.
  const tagSuggestions = await orNotFound("report", () => context.trpc.reports.tags({ name }));
  const view = await orNotFound("instance", () => context.trpc.reports.view({ name, id, tags, day }));
  const now = new Date();
  const month =
    monthParam && MONTH_PATTERN.test(monthParam)
      ? monthParam
      : day
        ? day.slice(0, 7)
        : view.instance
          ? utcMonth(view.instance.created)
          : utcMonth(now);
  const [days, alarmStates] = await Promise.all([
    loaderCall(() => context.trpc.reports.days({ name, month, tags })),
    context.trpc.alarms.reportStates(),
  ]);
  return {
    ...view,
    filter: { id, tags, day, month: monthParam && MONTH_PATTERN.test(monthParam) ? monthParam : undefined, tab },
    month,
    days,
    tagSuggestions,
    alarms: alarmStates[name] ?? null,
    canEdit: role !== "viewer",
    origin: url.origin,
    now,
  };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const name = params.name ?? "";
  const values = await readForm(request);
  if (values.intent === "delete-instance") {
    const result = await formAction(() => context.trpc.reports.deleteInstance({ name, id: values.id ?? "" }));
    if (!result.ok) return data({ ...result.response.data, intent: "delete-instance" as const }, result.response.init ?? undefined);
    throw redirect(`${viewerHref(name, { tags: [] })}?deleted=instance`);
  }
  if (values.intent === "delete-report") {
    const result = await formAction(() => context.trpc.reports.deleteReport({ name }));
    if (!result.ok) return data({ ...result.response.data, intent: "delete-report" as const }, result.response.init ?? undefined);
    throw redirect(`/reports?deleted=${encodeURIComponent(name)}`);
  }
  throw new Response("Unknown action", { status: 400 });
}

type LoaderData = ReturnType<typeof useLoaderData<typeof loader>>;
type Instance = NonNullable<LoaderData["instance"]>;

/** Ids as the public API shows them: 32 hex characters. */
const publicId = (id: string) => id.replace(/-/g, "");

function Pager({ name, previousId, nextId, filter }: Pick<LoaderData, "previousId" | "nextId" | "filter"> & { name: string }) {
  const keep = { tags: filter.tags, day: filter.day, tab: filter.tab };
  return (
    <div className="pager" role="group" aria-label="Instances">
      {previousId ? (
        <Link
          className="button secondary small"
          to={viewerHref(name, { ...keep, id: publicId(previousId) })}
          title="Older instance"
          rel="prev"
        >
          <span aria-hidden="true">←</span> Previous
        </Link>
      ) : (
        <span className="button secondary small" aria-disabled="true" title="This is the oldest instance">
          <span aria-hidden="true">←</span> Previous
        </span>
      )}
      {nextId ? (
        <Link className="button secondary small" to={viewerHref(name, { ...keep, id: publicId(nextId) })} title="Newer instance" rel="next">
          Next <span aria-hidden="true">→</span>
        </Link>
      ) : (
        <span className="button secondary small" aria-disabled="true" title="This is the newest instance">
          Next <span aria-hidden="true">→</span>
        </span>
      )}
      {nextId ? (
        <Link className="button ghost small" to={viewerHref(name, keep)} title="The newest instance matching the filter">
          Newest
        </Link>
      ) : null}
    </div>
  );
}

function InstanceMeta({ name, instance, now }: { name: string; instance: Instance; now: Date }) {
  const width = instance.rows.reduce((max, row) => Math.max(max, row.length), 0);
  const dataRows = instance.rows.length - instance.header.filter((index) => index < instance.rows.length).length;
  return (
    <dl className="instance-meta">
      <div>
        <dt>Created</dt>
        <dd>
          <time dateTime={isoUtc(instance.created)} className="mono">
            {isoUtc(instance.created)}
          </time>{" "}
          <span className="muted">({formatRelative(instance.created, now)})</span>
        </dd>
      </div>
      <div>
        <dt>Tags</dt>
        <dd className="chips">
          {instance.tags.length === 0 ? <span className="muted">none</span> : null}
          {instance.tags.map((tag) => (
            <Link key={tag} className="chip" to={viewerHref(name, { tags: [tag] })} title={`Show only instances tagged ${tag}`}>
              {tag}
            </Link>
          ))}
        </dd>
      </div>
      <div>
        <dt>Format</dt>
        <dd>
          <code className="format-name">{instance.format}</code>
        </dd>
      </div>
      <div>
        <dt>Size</dt>
        <dd>
          {formatCount(dataRows)} row{dataRows === 1 ? "" : "s"} × {formatCount(width)} column{width === 1 ? "" : "s"} ·{" "}
          {formatBytes(instance.bytes)}
        </dd>
      </div>
      {instance.link ? (
        <div>
          <dt>Link</dt>
          <dd className="instance-link">
            <a href={instance.link} target="_blank" rel="noopener noreferrer" title={instance.link}>
              {instance.link.replace(/^https?:\/\//, "")}
              <span aria-hidden="true"> ↗</span>
              <span className="visually-hidden"> (opens in a new tab)</span>
            </a>
          </dd>
        </div>
      ) : null}
    </dl>
  );
}

function InstanceCard({ loaderData, name }: { loaderData: LoaderData; name: string }) {
  const { instance, previousId, nextId, filter, now, canEdit } = loaderData;
  if (!instance) return null;
  const shown = { id: publicId(instance.id), tags: filter.tags, day: filter.day, month: filter.month };
  return (
    <section className="card instance" aria-label="Instance">
      <div className="instance-bar">
        <Pager name={name} previousId={previousId} nextId={nextId} filter={filter} />
        <div className="segmented" role="tablist" aria-label="View">
          <Link
            role="tab"
            aria-selected={filter.tab === "table"}
            className={filter.tab === "table" ? "active" : undefined}
            to={viewerHref(name, { ...shown, tab: "table" })}
            preventScrollReset
          >
            Table
          </Link>
          <Link
            role="tab"
            aria-selected={filter.tab === "raw"}
            className={filter.tab === "raw" ? "active" : undefined}
            to={viewerHref(name, { ...shown, tab: "raw" })}
            preventScrollReset
          >
            Raw input
          </Link>
        </div>
      </div>
      <InstanceMeta name={name} instance={instance} now={now} />
      <div className="instance-body" role="tabpanel">
        {filter.tab === "raw" ? (
          <div className="raw">
            <div className="raw-head">
              <span>
                Parsed as <code className="format-name">{instance.format}</code>
              </span>
              <span className="muted small">{formatBytes(new TextEncoder().encode(instance.input).length)} as received</span>
            </div>
            <pre className="raw-input">{instance.input}</pre>
          </div>
        ) : (
          <DataTable rows={instance.rows} header={instance.header} numericColumns={instance.numericColumns} caption={`${name} at ${isoUtc(instance.created)}`} />
        )}
      </div>
      <div className="instance-foot">
        <span className="small muted">
          ID <code className="instance-id">{publicId(instance.id)}</code>
        </span>
        {canEdit ? (
          <ConfirmButton
            label="Delete instance"
            title="Delete this instance?"
            confirmLabel="Delete instance"
            fields={{ intent: "delete-instance", id: instance.id }}
          >
            <p>
              The table of <strong>{name}</strong> from <span className="mono">{isoUtc(instance.created)}</span> is deleted for good. The
              report and its other instances stay.
            </p>
          </ConfirmButton>
        ) : null}
      </div>
    </section>
  );
}

function NoInstance({ loaderData, name }: { loaderData: LoaderData; name: string }) {
  const { report, filter, origin } = loaderData;
  if (report.instanceCount === 0) {
    return (
      <section className="card card-empty-lg">
        <h2>This report has no instances</h2>
        <p className="muted">Push a new table to “{name}” and it shows up here:</p>
        <CopyBlock text={`df | curl --user $TABLEWATCH_KEY: --data-binary @- ${origin}/api/v1/reports/${encodeURIComponent(name)}`} />
      </section>
    );
  }
  return (
    <section className="card card-empty-lg">
      <h2>No instance matches this filter</h2>
      <p className="muted">
        {filter.day ? (
          <>
            Nothing was pushed on <strong>{filter.day}</strong> (UTC)
          </>
        ) : (
          <>No instance has</>
        )}
        {filter.tags.length ? (
          <>
            {filter.day ? " with" : ""} the tag{filter.tags.length === 1 ? "" : "s"}{" "}
            {filter.tags.map((tag) => (
              <span key={tag} className="chip static">
                {tag}
              </span>
            ))}
          </>
        ) : null}
        . Pick a highlighted day in the calendar, or:
      </p>
      <div>
        <Link className="button secondary" to={viewerHref(name, { tags: [] })}>
          Clear the filter
        </Link>
      </div>
    </section>
  );
}

function FilterForm({ loaderData, name }: { loaderData: LoaderData; name: string }) {
  const { filter, tagSuggestions } = loaderData;
  const location = useLocation();
  const navigate = useNavigate();
  const active = filter.tags.length > 0 || filter.day !== undefined;
  const suggestions = tagSuggestions.slice(0, 12);
  return (
    <section className="card side-card" aria-labelledby="filter-title">
      <h2 id="filter-title">Filter</h2>
      <Form
        method="get"
        key={location.search}
        onSubmit={(event) => {
          // Leave empty fields out of the address.
          event.preventDefault();
          const params = new URLSearchParams();
          for (const [key, value] of new FormData(event.currentTarget)) {
            if (typeof value === "string" && value.trim()) params.set(key, value.trim());
          }
          const query = params.toString();
          navigate(`${location.pathname}${query ? `?${query}` : ""}`);
        }}
      >
        <div className="field">
          <label htmlFor="filter-tags">Tags</label>
          <input
            id="filter-tags"
            name="tags"
            list="filter-tag-suggestions"
            defaultValue={filter.tags.join(", ")}
            placeholder="host:web1, env:prod"
            autoComplete="off"
            aria-describedby="filter-tags-hint"
          />
          <datalist id="filter-tag-suggestions">
            {tagSuggestions.map((tag) => (
              <option key={tag} value={tag} />
            ))}
          </datalist>
          <span className="hint" id="filter-tags-hint">
            Instances with all of these tags, comma-separated.
          </span>
        </div>
        <div className="field">
          <label htmlFor="filter-day">Day (UTC)</label>
          <input id="filter-day" name="day" type="date" defaultValue={filter.day ?? ""} />
        </div>
        {filter.tab === "raw" ? <input type="hidden" name="tab" value="raw" /> : null}
        <div className="filter-actions">
          <button className="button small" type="submit">
            Apply
          </button>
          {active ? (
            <Link className="button ghost small" to={viewerHref(name, { tags: [], tab: filter.tab })}>
              Clear
            </Link>
          ) : null}
        </div>
      </Form>
      {suggestions.length ? (
        <div className="suggested-tags">
          <span className="small muted">Recent tags</span>
          <div className="chips">
            {suggestions.map((tag) => {
              const on = filter.tags.includes(tag);
              const tags = on ? filter.tags.filter((t) => t !== tag) : [...filter.tags, tag];
              return (
                <Link
                  key={tag}
                  className={`chip${on ? " on" : ""}`}
                  to={viewerHref(name, { tags, day: filter.day, tab: filter.tab })}
                  aria-pressed={on}
                  title={on ? `Remove ${tag} from the filter` : `Add ${tag} to the filter`}
                >
                  {tag}
                </Link>
              );
            })}
          </div>
        </div>
      ) : null}
    </section>
  );
}

export default function ReportViewerPage() {
  const loaderData = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const location = useLocation();
  const { report, instance, filter, month, days, now, canEdit, alarms } = loaderData;
  const name = report.name;
  const deleted = new URLSearchParams(location.search).get("deleted") === "instance";
  return (
    <div className="stack viewer">
      <nav className="breadcrumb" aria-label="Breadcrumb">
        <Link to="/reports">Reports</Link>
        <span aria-hidden="true">/</span>
        <span aria-current="page">{name}</span>
      </nav>
      {deleted ? (
        <div className="alert success" role="status">
          The instance was deleted.{instance ? " This is now the newest one." : ""}
        </div>
      ) : null}
      {actionData && "errors" in actionData ? (
        <div className="alert error" role="alert">
          {actionData.errors.message}
        </div>
      ) : null}
      <div className="page-head">
        <div>
          <h1 className="report-title">{name}</h1>
          <p className="page-sub">
            {formatCount(report.instanceCount)} instance{report.instanceCount === 1 ? "" : "s"} · {formatBytes(report.bytes)} stored
            {report.lastInstanceAt ? (
              <>
                {" "}
                · last push <RelativeTime date={report.lastInstanceAt} now={now} />
              </>
            ) : null}
          </p>
        </div>
        <div className="al-report-alarms">
          {alarms ? (
            <Link className="al-pill-link" to={`/alarms?report=${encodeURIComponent(name)}`}>
              <StatePill state={alarms.state} title={`${alarms.alarms} alarm${alarms.alarms === 1 ? "" : "s"} on ${name}`} />
            </Link>
          ) : null}
          {canEdit ? (
            <Link className="button secondary" to={`/alarms/new?report=${encodeURIComponent(name)}`}>
              Add alarm
            </Link>
          ) : null}
          {canEdit ? (
            <ConfirmButton
              label="Delete report"
              title={`Delete the report “${name}”?`}
              confirmLabel="Delete report"
              fields={{ intent: "delete-report" }}
              className="button danger-outline"
            >
              <p>
                All {formatCount(report.instanceCount)} instance{report.instanceCount === 1 ? "" : "s"} ({formatBytes(report.bytes)}) are
                deleted for good. Machines that push to “{name}” again create a new, empty report.
              </p>
            </ConfirmButton>
          ) : null}
        </div>
      </div>
      <div className="viewer-grid">
        <div className="viewer-main">
          {instance ? <InstanceCard loaderData={loaderData} name={name} /> : <NoInstance loaderData={loaderData} name={name} />}
        </div>
        <aside className="viewer-side" aria-label="Filter and calendar">
          <FilterForm loaderData={loaderData} name={name} />
          <section className="card side-card" aria-labelledby="calendar-title">
            <h2 id="calendar-title">Calendar</h2>
            <MonthCalendar
              month={month}
              days={days}
              today={utcDay(now)}
              selected={filter.day}
              current={instance ? utcDay(instance.created) : undefined}
              dayHref={(day) => viewerHref(name, { tags: filter.tags, day, tab: filter.tab })}
              monthHref={(m) => viewerHref(name, { ...filter, month: m })}
            />
            <p className="calendar-legend small muted">
              <span className="legend-swatch has-data" aria-hidden="true" /> has data
              <span className="legend-swatch current" aria-hidden="true" /> shown
            </p>
          </section>
        </aside>
      </div>
    </div>
  );
}

export function ErrorBoundary() {
  const error = useRouteError();
  const params = useParams();
  const name = params.name ?? "";
  if (!isRouteErrorResponse(error)) {
    console.error(error);
    return (
      <section className="error-panel">
        <h1>Something went wrong</h1>
        <p>We could not show this report. Please try again in a moment.</p>
        <Link className="button" to="/reports">
          Back to reports
        </Link>
      </section>
    );
  }
  const detail = error.data as { kind?: "report" | "instance"; message?: string } | string | undefined;
  const kind = typeof detail === "object" ? detail?.kind : undefined;
  const message = typeof detail === "string" ? detail : (detail?.message ?? "");
  if (error.status === 404) {
    const missingInstance = kind === "instance";
    return (
      <section className="error-panel">
        <span className="error-code">404</span>
        <h1>{missingInstance ? "This instance does not exist" : "Report not found"}</h1>
        <p>
          {missingInstance ? (
            <>The instance may have been deleted, or the link is incomplete.</>
          ) : (
            <>
              There is no report <strong className="mono">{name}</strong> in this account. It may have been deleted, or the name is mistyped
              (names are case-sensitive).
            </>
          )}
        </p>
        <div className="error-actions">
          {missingInstance ? (
            <Link className="button" to={viewerHref(name, { tags: [] })}>
              Show the newest instance
            </Link>
          ) : null}
          <Link className={missingInstance ? "button secondary" : "button"} to="/reports">
            Back to reports
          </Link>
        </div>
      </section>
    );
  }
  return (
    <section className="error-panel">
      <span className="error-code">{error.status}</span>
      <h1>{error.status === 400 ? "This view cannot be shown" : "Something went wrong"}</h1>
      <p>{message || "The address has a value we do not understand."}</p>
      <div className="error-actions">
        <Link className="button" to={viewerHref(name, { tags: [] })}>
          Show the newest instance
        </Link>
        <Link className="button secondary" to="/reports">
          Back to reports
        </Link>
      </div>
    </section>
  );
}
