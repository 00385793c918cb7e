import { type ActionFunctionArgs, data, type LinksFunction, type LoaderFunctionArgs, type MetaFunction, redirect } from "@remix-run/node";
import { Form, isRouteErrorResponse, Link, useActionData, useLoaderData, useNavigation, useRevalidator, useRouteError, useSearchParams } from "@remix-run/react";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { TileLayout } from "../../../server/dashboard/model";
import { ConfirmButton } from "~/components/confirm-button";
import { ConfirmEmailBanner } from "~/components/confirm-email-banner";
import { CopyBlock } from "~/components/copy-block";
import { FormAlert } from "~/components/form";
import { DashboardGrid } from "~/components/dashboard/grid";
import { type LiveTile, useLiveTiles } from "~/components/dashboard/live";
import { syncTiles } from "~/components/dashboard/sync";
import { SharePanel, sharePanelLinks } from "~/components/dashboard/share-panel";
import { TileView, tileViewLinks } from "~/components/dashboard/tile-view";
import { blocks, LimitNote, usePlanLimit } from "~/components/plan/limits";
import { requireAccount } from "~/utils/auth.server";
import { formAction, loaderCall, readForm } from "~/utils/errors.server";
import { trpc } from "~/utils/trpc";
import gridStyles from "react-grid-layout/css/styles.css";
import resizableStyles from "react-resizable/css/styles.css";
import dashboardStyles from "~/styles/dashboard.css";
import alarmStyles from "~/styles/alarms.css";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: gridStyles },
  { rel: "stylesheet", href: resizableStyles },
  ...tileViewLinks,
  { rel: "stylesheet", href: dashboardStyles },
  { rel: "stylesheet", href: alarmStyles },
  ...sharePanelLinks,
];

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.dashboard.name ?? "Dashboard"} · Tablewatch` }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { account, role, user } = await requireAccount(context, request);
  const [dashboards, dashboard, reports, alarmStates] = await Promise.all([
    context.trpc.dashboards.list(),
    loaderCall(() => context.trpc.dashboards.get({ id: params.id ?? "" })),
    context.trpc.reports.overview(),
    // Tiles of a report with a firing alarm are marked (refreshed on navigation, not by live polling).
    context.trpc.alarms.reportStates(),
  ]);
  const tiles = await Promise.all(dashboard.tiles.map((t) => context.trpc.dashboards.tileData({ tileId: t.id })));
  return {
    account,
    user: { name: user.name, email: user.email, emailConfirmed: user.emailConfirmed },
    role,
    canEdit: role !== "viewer",
    prefs: { timeZone: user.timeZone, hour12: user.hour12 },
    dashboards,
    dashboard,
    tiles: tiles as LiveTile[],
    hasReports: reports.length > 0,
    alarmStates,
    origin: new URL(request.url).origin,
  };
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const values = await readForm(request);
  const id = params.id ?? "";
  const intent = values.intent;
  const fail = (result: { response: ReturnType<typeof data> }) => data({ ...(result.response.data as object), intent }, result.response.init ?? undefined);
  switch (intent) {
    case "create-dashboard": {
      const result = await formAction(() => context.trpc.dashboards.create({ name: values.name ?? "" }));
      if (!result.ok) return fail(result);
      throw redirect(`/dashboards/${result.value.id}`);
    }
    case "rename": {
      const result = await formAction(() => context.trpc.dashboards.rename({ id, name: values.name ?? "" }));
      return result.ok ? { intent, done: true } : fail(result);
    }
    case "settings": {
      const amount = Number(values.staleAmount);
      const unit = Number(values.staleUnit);
      const result = await formAction(() =>
        context.trpc.dashboards.updateSettings({
          id,
          settings: {
            removeStaleAfterSeconds: values.removeStale === "on" && amount > 0 ? Math.round(amount * unit) : null,
            syncYAxes: values.syncYAxes === "on",
            syncXAxes: values.syncXAxes === "on",
          },
        }),
      );
      return result.ok ? { intent, done: true } : fail(result);
    }
    case "delete-dashboard": {
      const result = await formAction(() => context.trpc.dashboards.delete({ id }));
      if (!result.ok) return fail(result);
      throw redirect("/dashboard");
    }
    case "delete-tile": {
      const result = await formAction(() => context.trpc.dashboards.deleteTile({ tileId: values.tileId ?? "" }));
      return result.ok ? { intent, done: true } : fail(result);
    }
    case "move-tile": {
      const result = await formAction(() => context.trpc.dashboards.moveTile({ tileId: values.tileId ?? "", dashboardId: values.dashboardId ?? "" }));
      return result.ok ? { intent, done: true } : fail(result);
    }
    case "import": {
      let model: unknown;
      try {
        model = JSON.parse(values.model ?? "");
      } catch {
        return data({ intent, errors: { message: "The file is not valid JSON: export a dashboard to see the expected shape.", fieldErrors: {} } }, { status: 400 });
      }
      const result = await formAction(() => context.trpc.dashboards.import({ model: model as never }));
      if (!result.ok) return fail(result);
      throw redirect(`/dashboards/${result.value.id}?imported=1`);
    }
    default:
      throw new Response("Unknown action", { status: 400 });
  }
}

const STALE_UNITS = [
  { label: "minutes", seconds: 60 },
  { label: "hours", seconds: 3600 },
  { label: "days", seconds: 86400 },
];

function staleParts(seconds: number | null) {
  if (!seconds) return { amount: 1, unit: 86400 };
  const unit = [...STALE_UNITS].reverse().find((u) => seconds % u.seconds === 0) ?? STALE_UNITS[0]!;
  return { amount: seconds / unit.seconds, unit: unit.seconds };
}

function Tabs({ dashboards, currentId, canEdit }: { dashboards: { id: string; name: string }[]; currentId: string; canEdit: boolean }) {
  const [order, setOrder] = useState(dashboards);
  const dragged = useRef<string | null>(null);
  const limit = usePlanLimit("dashboards");
  useEffect(() => setOrder(dashboards), [dashboards]);
  const drop = (targetId: string) => {
    const from = dragged.current;
    dragged.current = null;
    if (!from || from === targetId) return;
    const next = order.filter((d) => d.id !== from);
    next.splice(
      next.findIndex((d) => d.id === targetId) + (order.findIndex((d) => d.id === from) < order.findIndex((d) => d.id === targetId) ? 1 : 0),
      0,
      order.find((d) => d.id === from)!,
    );
    setOrder(next);
    trpc.dashboards.reorder.mutate({ ids: next.map((d) => d.id) }).catch(() => setOrder(dashboards));
  };
  return (
    <div className="tabs dashboard-tabs" role="tablist" aria-label="Dashboards">
      {order.map((d) => (
        <Link
          key={d.id}
          to={`/dashboards/${d.id}`}
          className={`tab${d.id === currentId ? " active" : ""}`}
          role="tab"
          aria-selected={d.id === currentId}
          draggable={canEdit}
          onDragStart={() => (dragged.current = d.id)}
          onDragOver={(e) => e.preventDefault()}
          onDrop={() => drop(d.id)}
          title={canEdit ? "Drag to reorder" : undefined}
        >
          {d.name}
        </Link>
      ))}
      {canEdit ? (
        <details className="tab-add" key={currentId}>
          <summary className="tab" aria-label="New dashboard">
            + New
          </summary>
          <Form method="post" className="popover">
            <input type="hidden" name="intent" value="create-dashboard" />
            <label htmlFor="new-dashboard-name">Name</label>
            <input id="new-dashboard-name" name="name" required maxLength={100} placeholder="e.g. Servers" disabled={blocks(limit)} />
            <button className="button primary" type="submit" disabled={blocks(limit)} aria-describedby={blocks(limit) ? "new-dashboard-limit" : undefined}>
              Create dashboard
            </button>
            <LimitNote limit={limit} id="new-dashboard-limit" />
          </Form>
        </details>
      ) : null}
    </div>
  );
}

function EmptyDashboard({ dashboardId, canEdit, hasReports, origin }: { dashboardId: string; canEdit: boolean; hasReports: boolean; origin: string }) {
  const curl = `df | curl --user $TABLEWATCH_KEY: --data-binary @- ${origin}/api/v1/reports/diskfree`;
  return (
    <section className="empty-state" aria-labelledby="empty-title">
      <div>
        {hasReports ? (
          <>
            <h2 id="empty-title">This dashboard has no tiles yet</h2>
            <p>Pick a report, click the cells you care about, and Tablewatch charts them over time — updating by itself as new data arrives.</p>
            {canEdit ? (
              <Link className="button primary" to={`/dashboards/${dashboardId}/tiles/new`}>
                Add your first tile
              </Link>
            ) : (
              <p className="muted">Ask an editor of this account to add tiles.</p>
            )}
          </>
        ) : (
          <>
            <h2 id="empty-title">Your dashboard is empty — send it some data</h2>
            <p>Tablewatch turns whatever a command prints into a table you can chart and alarm on. Start from any machine:</p>
            <ol>
              <li>
                <Link to="/settings/api-keys">Create an API key</Link> in Settings.
              </li>
              <li>
                Put it in <code>$TABLEWATCH_KEY</code> and pipe any output into curl, e.g. from cron.
              </li>
              <li>Come back here and click a cell of the table that arrives to chart it.</li>
            </ol>
            <p className="small muted">
              JSON, CSV, psql, df, ps, a single number — all understood. See the <a href="/api/docs">API docs</a>.
            </p>
          </>
        )}
      </div>
      <div className="stack">
        <CopyBlock text={curl} />
      </div>
    </section>
  );
}

function SettingsPanel({ dashboard, canDelete }: { dashboard: ReturnType<typeof useLoaderData<typeof loader>>["dashboard"]; canDelete: boolean }) {
  const stale = staleParts(dashboard.settings.removeStaleAfterSeconds);
  return (
    <div className="dashboard-settings card stack" role="region" aria-label="Dashboard settings">
      <Form method="post" className="inline-form">
        <input type="hidden" name="intent" value="rename" />
        <label htmlFor="dashboard-name">Name</label>
        <input id="dashboard-name" name="name" defaultValue={dashboard.name} required maxLength={100} />
        <button className="button" type="submit">
          Rename
        </button>
      </Form>
      <Form method="post" className="stack">
        <input type="hidden" name="intent" value="settings" />
        <label className="check">
          <input type="checkbox" name="removeStale" defaultChecked={dashboard.settings.removeStaleAfterSeconds !== null} /> Remove tiles with no new data
          for{" "}
          <input className="narrow" type="number" name="staleAmount" min={1} max={3650} defaultValue={stale.amount} aria-label="Amount" />
          <select name="staleUnit" defaultValue={String(stale.unit)} aria-label="Unit">
            {STALE_UNITS.map((u) => (
              <option key={u.seconds} value={u.seconds}>
                {u.label}
              </option>
            ))}
          </select>
        </label>
        <label className="check">
          <input type="checkbox" name="syncYAxes" defaultChecked={dashboard.settings.syncYAxes} /> Same Y axis on the automatic copies of a master tile
        </label>
        <label className="check">
          <input type="checkbox" name="syncXAxes" defaultChecked={dashboard.settings.syncXAxes} /> Same time window on every range tile
        </label>
        <div>
          <button className="button" type="submit">
            Save settings
          </button>
        </div>
      </Form>
      {canDelete ? (
        <div>
          <ConfirmButton
            label="Delete dashboard…"
            title={`Delete the dashboard “${dashboard.name}”?`}
            confirmLabel="Delete dashboard"
            fields={{ intent: "delete-dashboard" }}
          >
            <p>
              Its {dashboard.tiles.length} {dashboard.tiles.length === 1 ? "tile goes" : "tiles go"} with it. Reports and their data stay.
            </p>
          </ConfirmButton>
        </div>
      ) : null}
    </div>
  );
}

function ImportForm() {
  const [text, setText] = useState("");
  const limit = usePlanLimit("dashboards");
  return (
    <Form method="post" className="dashboard-settings card stack" aria-label="Import a dashboard">
      <input type="hidden" name="intent" value="import" />
      <label htmlFor="import-file">Import a dashboard from its JSON model (exported here or written by hand)</label>
      <input
        id="import-file"
        type="file"
        accept="application/json,.json"
        onChange={(e) => {
          const file = e.currentTarget.files?.[0];
          if (file) file.text().then(setText, () => setText(""));
        }}
      />
      <textarea name="model" rows={6} value={text} onChange={(e) => setText(e.target.value)} placeholder='{"name": "Servers", "tiles": [...]}' required />
      <div>
        <button className="button primary" type="submit" disabled={!text.trim() || blocks(limit)} aria-describedby={blocks(limit) ? "import-limit" : undefined}>
          Import as a new dashboard
        </button>
        <LimitNote limit={limit} id="import-limit" />
      </div>
    </Form>
  );
}

export default function DashboardPage() {
  const { dashboards, dashboard, tiles: initial, canEdit, prefs, hasReports, alarmStates, origin, role, account, user } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const [params] = useSearchParams();
  const navigation = useNavigation();
  const revalidator = useRevalidator();
  const [editing, setEditing] = useState(false);
  const [panel, setPanel] = useState<"none" | "settings" | "import">("none");
  const [tv, setTv] = useState(false);
  const [layoutNote, setLayoutNote] = useState<string | null>(null);
  // Another dashboard (a tab, an import): its own panels, not open ones left from the last.
  useEffect(() => {
    setPanel("none");
    setEditing(false);
  }, [dashboard.id]);
  const version = useRef(dashboard.layoutVersion);
  useEffect(() => {
    version.current = dashboard.layoutVersion;
  }, [dashboard.layoutVersion]);

  const live = useLiveTiles(initial, { enabled: navigation.state === "idle" });
  const synced = useMemo(() => syncTiles(dashboard.tiles, live, dashboard.settings), [dashboard.tiles, live, dashboard.settings]);

  // Full screen: a TV view without the app's chrome that keeps updating.
  useEffect(() => {
    document.body.classList.toggle("tv-mode", tv);
    if (!tv) return;
    const onChange = () => {
      if (!document.fullscreenElement) setTv(false);
    };
    document.addEventListener("fullscreenchange", onChange);
    return () => {
      document.removeEventListener("fullscreenchange", onChange);
      document.body.classList.remove("tv-mode");
    };
  }, [tv]);
  const enterTv = () => {
    setEditing(false);
    setTv(true);
    document.documentElement.requestFullscreen?.().catch(() => {});
  };
  const exitTv = () => {
    setTv(false);
    if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
  };

  const saveLayout = useCallback(
    (changes: { id: string; layout: TileLayout }[]) => {
      if (!changes.length) return;
      trpc.dashboards.updateLayout.mutate({ id: dashboard.id, baseVersion: version.current, changes }).then(
        (result) => {
          version.current = result.version;
          setLayoutNote(result.retried ? "Someone else changed this dashboard meanwhile: both sets of changes were kept." : null);
          if (result.retried) revalidator.revalidate();
        },
        () => setLayoutNote("The layout could not be saved. Reload the page and try again."),
      );
    },
    [dashboard.id, revalidator],
  );

  const otherDashboards = useMemo(() => dashboards.filter((d) => d.id !== dashboard.id), [dashboards, dashboard.id]);
  const errors = actionData && "errors" in actionData ? (actionData.errors as { message: string; fieldErrors: Record<string, string> }) : undefined;

  return (
    <div className={`stack dashboard-page${tv ? " tv" : ""}`}>
      {params.get("welcome") === "1" ? <div className="alert success">
          Welcome to Tablewatch, {user.name}! Your account “{account.name}” is ready.
        </div> : null}
      {user.emailConfirmed ? null : <ConfirmEmailBanner email={user.email} />}
      {params.get("imported") === "1" ? <div className="alert success">Dashboard imported.</div> : null}
      {params.get("reset") === "1" ? <div className="alert success">Your password was changed. Other sessions were logged out.</div> : null}
      {layoutNote ? (
        <div className="alert warn" role="status">
          {layoutNote}
        </div>
      ) : null}
      <FormAlert errors={errors} />
      {tv ? null : <Tabs dashboards={dashboards} currentId={dashboard.id} canEdit={canEdit} />}
      <div className="dashboard-toolbar">
        <h1 className={tv ? "" : "sr-only"}>{dashboard.name}</h1>
        <div className="toolbar-actions">
          {tv ? (
            <button className="button ghost" type="button" onClick={exitTv}>
              Exit full screen
            </button>
          ) : (
            <>
              {canEdit ? (
                <Link className="button primary" to={`/dashboards/${dashboard.id}/tiles/new`}>
                  + Add tile
                </Link>
              ) : null}
              {canEdit && dashboard.tiles.length ? (
                <button className={`button${editing ? " active" : ""}`} type="button" aria-pressed={editing} onClick={() => setEditing(!editing)}>
                  {editing ? "Done editing" : "Edit layout"}
                </button>
              ) : null}
              <button className="button" type="button" onClick={enterTv} disabled={!dashboard.tiles.length}>
                Full screen
              </button>
              <SharePanel dashboardId={dashboard.id} dashboardName={dashboard.name} canManage={canEdit} />
              <a className="button ghost" href={`/dashboards/${dashboard.id}/export`} download>
                Export JSON
              </a>
              {canEdit ? (
                <>
                  <button className="button ghost" type="button" aria-expanded={panel === "import"} onClick={() => setPanel(panel === "import" ? "none" : "import")}>
                    Import
                  </button>
                  <button className="button ghost" type="button" aria-expanded={panel === "settings"} onClick={() => setPanel(panel === "settings" ? "none" : "settings")}>
                    Settings
                  </button>
                </>
              ) : null}
            </>
          )}
        </div>
      </div>
      {panel === "settings" && canEdit && !tv ? <SettingsPanel dashboard={dashboard} canDelete={role !== "viewer"} /> : null}
      {panel === "import" && canEdit && !tv ? <ImportForm /> : null}
      {editing ? <p className="edit-hint">Drag tiles by their title bar and resize them from the corner. Changes are saved as you go.</p> : null}
      {dashboard.tiles.length === 0 ? (
        <EmptyDashboard dashboardId={dashboard.id} canEdit={canEdit} hasReports={hasReports} origin={origin} />
      ) : (
        <DashboardGrid
          tiles={dashboard.tiles.map((t) => ({ id: t.id, layout: t.layout }))}
          editing={editing}
          onLayoutChange={saveLayout}
          renderTile={(tileId) => {
            const data = synced[tileId]?.data;
            const tile = dashboard.tiles.find((t) => t.id === tileId)!;
            const report = tile.config.report;
            const alarm = report ? alarmStates[report] : undefined;
            return (
              <div className="tile-slot" data-testid="tile" data-tile-id={tileId} data-points={data ? data.series.reduce((n, s) => n + s.points.length, 0) : 0}>
                {data ? (
                  <TileView
                    data={data}
                    yRange={synced[tileId]?.yRange}
                    timeZone={prefs.timeZone}
                    hour12={prefs.hour12}
                    className={params.get("added") === tileId ? "tile-added" : undefined}
                    alarm={alarm && report ? { report, ...alarm } : undefined}
                    actions={canEdit && !tv ? <TileMenu tileId={tileId} dashboardId={dashboard.id} others={otherDashboards} isCopy={!!tile.masterId} /> : undefined}
                  />
                ) : (
                  <p className="muted">This tile could not be loaded.</p>
                )}
              </div>
            );
          }}
        />
      )}
    </div>
  );
}

function TileMenu({ tileId, dashboardId, others, isCopy }: { tileId: string; dashboardId: string; others: { id: string; name: string }[]; isCopy: boolean }) {
  return (
    <details className="tile-menu">
      <summary aria-label="Tile actions">⋯</summary>
      <div className="popover">
        {isCopy ? <p className="small muted">An automatic copy: it follows its master tile.</p> : null}
        <Link to={`/dashboards/${dashboardId}/tiles/${tileId}`}>Edit tile</Link>
        {others.length ? (
          <Form method="post" className="stack">
            <input type="hidden" name="intent" value="move-tile" />
            <input type="hidden" name="tileId" value={tileId} />
            <label htmlFor={`move-${tileId}`}>Move to</label>
            <select id={`move-${tileId}`} name="dashboardId">
              {others.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.name}
                </option>
              ))}
            </select>
            <button className="button" type="submit">
              Move
            </button>
          </Form>
        ) : null}
        <ConfirmButton label="Delete tile…" title="Delete this tile?" confirmLabel="Delete tile" fields={{ intent: "delete-tile", tileId }}>
          <p>The tile leaves the dashboard; the report and its data stay.</p>
        </ConfirmButton>
      </div>
    </details>
  );
}

export function ErrorBoundary() {
  const error = useRouteError();
  const notFound = isRouteErrorResponse(error) && error.status === 404;
  return (
    <div className="stack">
      <h1>{notFound ? "Dashboard not found" : "This dashboard could not be shown"}</h1>
      <p className="muted">{notFound ? "It may have been deleted, or it belongs to another account." : "Please try again in a moment."}</p>
      <p>
        <Link className="button" to="/dashboard">
          Go to your dashboards
        </Link>
      </p>
    </div>
  );
}
