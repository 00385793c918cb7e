/**
 * The tile editor (dashboards.md "Data series", "Guessing the spec from a clicked cell", "Tile
 * kinds"), shared by /dashboards/:id/tiles/new and /dashboards/:id/tiles/:tileId.
 *
 * The page: pick a report (and tags) → its newest table appears → click cells to add series
 * (the server guesses the spec, via a fetcher to the route's action with intent "guess") →
 * choose kind, draw and title → save. Everything being edited lives in React state and is
 * posted as one hidden JSON field `config` (intent "save").
 *
 * The loader/action helpers at the bottom run on the server only (the routes call them from
 * their loader/action); they use nothing but `context.trpc`, so this module imports no server code.
 */
import type { AppLoadContext } from "@remix-run/node";
import { Form, isRouteErrorResponse, Link, type ShouldRevalidateFunction, useFetcher, useLocation, useNavigate, useNavigation, useRouteError } from "@remix-run/react";
import { type CSSProperties, type KeyboardEvent, type ReactNode, useEffect, useId, useMemo, useRef, useState } from "react";
import type {
  DRAWS_BY_KIND as ServerDrawsByKind,
  MAX_RANGE_SECONDS as ServerMaxRange,
  MAX_SERIES as ServerMaxSeries,
  PALETTE as ServerPalette,
  SeriesSpec,
  TileDraw,
  TileKind,
} from "../../../server/dashboard/model";
import { CopyBlock } from "~/components/copy-block";
import { Cell } from "~/components/data-table";
import { FormAlert, type FormErrors } from "~/components/form";
import { RelativeTime } from "~/components/relative-time";
import { formatCount } from "~/utils/format";

// Copies of server/dashboard/model.ts constants (the app may import server code only as types);
// the `typeof` annotations make the type checker fail when they drift apart.
const PALETTE: typeof ServerPalette = ["#4E79A7", "#F28E2B", "#59A14F", "#E15759", "#76B7B2", "#EDC948", "#B07AA1", "#FF9DA7", "#9C755F", "#BAB0AC"];
const DRAWS_BY_KIND: typeof ServerDrawsByKind = {
  range: ["line", "spline", "area", "stacked", "table"],
  latest: ["bar", "column", "value", "text"],
  content: ["text", "markdown"],
};
const MAX_SERIES: typeof ServerMaxSeries = 100;
const MAX_RANGE_SECONDS: typeof ServerMaxRange = 5 * 365 * 24 * 3600;
const MAX_TAGS = 10;
const TAG_PATTERN = /^[^,:*\s]{1,100}:[^,*]{0,100}\*$/;
/** Data rows of the newest instance sent to the page (a picker, not a viewer). */
const MAX_ROWS_SHOWN = 300;
/** How many series names the automatic title lists (server/dashboard/series.ts TITLE_SERIES_NAMES). */
const TITLE_SERIES_NAMES = 5;

const KINDS: { kind: TileKind; label: string; description: string }[] = [
  { kind: "range", label: "Range", description: "A chart over time: every instance of the last minutes, hours or days." },
  { kind: "latest", label: "Latest", description: "The newest instance only: bars, columns, one big number or a table." },
  { kind: "content", label: "Content", description: "The newest input itself, as text or Markdown. For single-value and Markdown reports." },
];

const UNITS = { minutes: 60, hours: 3600, days: 86_400 } as const;
type RangeUnit = keyof typeof UNITS;

function drawLabel(kind: TileKind, draw: TileDraw): string {
  switch (draw) {
    case "line":
      return "Line";
    case "spline":
      return "Smooth line";
    case "area":
      return "Area";
    case "stacked":
      return "Stacked area";
    case "table":
      return "Table";
    case "bar":
      return "Bars";
    case "column":
      return "Columns";
    case "value":
      return "Big value";
    case "text":
      return kind === "content" ? "Preformatted" : "Text";
    case "markdown":
      return "Markdown";
  }
}

/** Small pictures of the draws (decorative: the label says it). */
function DrawIcon({ draw }: { draw: TileDraw }) {
  const common = { fill: "none", stroke: "currentColor", strokeWidth: 1.8, strokeLinecap: "round" as const, strokeLinejoin: "round" as const };
  let body: ReactNode;
  switch (draw) {
    case "line":
      body = <polyline points="3,19 10,11 15,15 23,6 29,9" {...common} />;
      break;
    case "spline":
      body = <path d="M3 19 C 8 8, 12 8, 16 13 S 24 8, 29 6" {...common} />;
      break;
    case "area":
      body = (
        <>
          <path d="M3 19 L10 11 L15 14 L22 7 L29 9 L29 21 L3 21 Z" fill="currentColor" opacity="0.25" />
          <polyline points="3,19 10,11 15,14 22,7 29,9" {...common} />
        </>
      );
      break;
    case "stacked":
      body = (
        <>
          <path d="M3 21 L3 16 L10 14 L16 16 L22 12 L29 13 L29 21 Z" fill="currentColor" opacity="0.5" />
          <path d="M3 16 L3 11 L10 8 L16 10 L22 5 L29 7 L29 13 L22 12 L16 16 L10 14 Z" fill="currentColor" opacity="0.2" />
        </>
      );
      break;
    case "table":
    case "text":
      body =
        draw === "table" ? (
          <>
            <rect x="3" y="4" width="26" height="17" rx="2" {...common} />
            <path d="M3 9.5h26M3 15h26M12 4v17" {...common} strokeWidth={1.4} />
          </>
        ) : (
          <path d="M4 6h24M4 11h18M4 16h22M4 21h12" {...common} />
        );
      break;
    case "bar":
      body = <path d="M4 6h18M4 12h24M4 18h12" {...common} strokeWidth={4} strokeLinecap="butt" />;
      break;
    case "column":
      body = <path d="M8 21V10M16 21V4M24 21V14" {...common} strokeWidth={4.5} strokeLinecap="butt" />;
      break;
    case "value":
      body = (
        <text x="16" y="19" textAnchor="middle" fontSize="15" fontWeight="700" fill="currentColor" fontFamily="system-ui, sans-serif">
          42
        </text>
      );
      break;
    case "markdown":
      body = (
        <>
          <rect x="2.5" y="5" width="27" height="15" rx="2.5" {...common} strokeWidth={1.5} />
          <path d="M7 16V9l3 3.5L13 9v7M21 9v7m-3-3 3 3 3-3" {...common} strokeWidth={1.6} />
        </>
      );
      break;
  }
  return (
    <svg className="draw-icon" viewBox="0 0 32 24" width="32" height="24" aria-hidden="true" focusable="false">
      {body}
    </svg>
  );
}

// ---------------------------------------------------------------- the tables' semantics (mirrors server/dashboard/series.ts)

type PickTable = { rows: unknown[][]; header: number[] };

function cellText(cell: unknown): string {
  if (cell === null || cell === undefined) return "";
  if (typeof cell === "string") return cell;
  if (typeof cell === "number" || typeof cell === "boolean" || typeof cell === "bigint") return String(cell);
  return JSON.stringify(cell) ?? "";
}

function dataRowIndexes(table: PickTable): number[] {
  const header = new Set(table.header);
  const out: number[] = [];
  for (let i = 0; i < table.rows.length; i++) if (!header.has(i)) out.push(i);
  return out;
}

function headerText(table: PickTable | null, column: number): string {
  const h = table?.header[0];
  if (!table || h === undefined) return "";
  return cellText(table.rows[h]?.[column]).trim();
}

/** The row and column a spec selects in the table, or null (no matching row, or the column is beyond it). */
function selectedCell(table: PickTable, spec: Pick<SeriesSpec, "column" | "filterColumn" | "op" | "value">): { row: number; column: number } | null {
  const rows = dataRowIndexes(table);
  let rowIndex: number | undefined;
  if (spec.filterColumn === -1) {
    if (!/^\d+$/.test(spec.value.trim())) return null;
    rowIndex = rows[Number(spec.value.trim())];
  } else {
    rowIndex = rows.find((i) => {
      const cell = table.rows[i]?.[spec.filterColumn];
      if (cell === undefined) return false;
      const text = cellText(cell);
      return spec.op === "equals" ? text === spec.value : text.includes(spec.value);
    });
  }
  if (rowIndex === undefined) return null;
  const row = table.rows[rowIndex] ?? [];
  return spec.column < row.length ? { row: rowIndex, column: spec.column } : null;
}

/** The name the dashboard gives a series without an explicit name (server/dashboard/series.ts seriesName). */
function automaticName(spec: Pick<SeriesSpec, "column" | "filterColumn" | "value">, table: PickTable | null): string {
  if (spec.filterColumn >= 0 && spec.value.trim() !== "") return spec.value;
  const column = headerText(table, spec.column) || `column ${spec.column}`;
  return spec.filterColumn === -1 ? `${column} (${spec.value})` : column;
}

/** The automatic title (server/dashboard/series.ts tileTitle). */
function automaticTitle(report: string, seriesNames: string[], tags: string[]): string {
  let title = report || "Report";
  if (seriesNames.length > 0) {
    title += ` (${seriesNames.slice(0, TITLE_SERIES_NAMES).join(", ")}${seriesNames.length > TITLE_SERIES_NAMES ? ", …" : ""})`;
  }
  if (tags.length > 0) title += ` [${tags.join(", ")}]`;
  return title;
}

/** A comma-separated tag list: trimmed, blanks and repeats left out. */
export function parseTags(text: string): string[] {
  return [
    ...new Set(
      text
        .split(",")
        .map((tag) => tag.trim())
        .filter(Boolean),
    ),
  ];
}

// ---------------------------------------------------------------- loader data and action replies

export type EditorInstance = {
  id: string;
  created: Date;
  tags: string[];
  rows: unknown[][];
  header: number[];
  numericColumns: boolean[];
  format: string;
  /** Non-header rows of the whole instance (rows holds at most MAX_ROWS_SHOWN of them). */
  dataRowCount: number;
};

export type TileEditorData = {
  mode: "new" | "edit";
  dashboard: { id: string; name: string };
  tile: { id: string; config: Record<string, unknown>; masterId: string | null } | null;
  /** The account's reports, most recently updated first. */
  reports: { name: string; lastInstanceAt: Date | null }[];
  /** The report whose newest instance is shown ("" when none is chosen yet). */
  report: string;
  tags: string[];
  /** Why no table is shown for the chosen report (unknown name, bad tags…). */
  reportProblem: string | null;
  reportInstanceCount: number;
  tagSuggestions: string[];
  instance: EditorInstance | null;
  origin: string;
  now: Date;
};

export type GuessReply =
  | { intent: "guess"; nonce: string; row: number; column: number; guess: SeriesSpec }
  | { intent: "guess"; nonce: string; row: number; column: number; error: string };

export type SaveReply = { intent: "save"; errors: NonNullable<FormErrors> };

// ---------------------------------------------------------------- the editor's state

type SeriesDraft = {
  /** A stable React key. */
  key: number;
  column: number;
  filterColumn: number;
  op: "equals" | "contains";
  value: string;
  name: string;
  /** An explicit colour; null = the palette's colour for the series' place. */
  color: string | null;
};

type Draft = {
  kind: TileKind;
  draw: TileDraw;
  rangeAmount: string;
  rangeUnit: RangeUnit;
  title: string;
  masterTagPattern: string;
  autoSeries: boolean;
  series: SeriesDraft[];
};

let nextKey = 1;
const newKey = () => nextKey++;

function isKind(value: unknown): value is TileKind {
  return value === "range" || value === "latest" || value === "content";
}

function rangeParts(seconds: number): { rangeAmount: string; rangeUnit: RangeUnit } {
  if (seconds % UNITS.days === 0) return { rangeAmount: String(seconds / UNITS.days), rangeUnit: "days" };
  if (seconds % UNITS.hours === 0) return { rangeAmount: String(seconds / UNITS.hours), rangeUnit: "hours" };
  return { rangeAmount: String(Math.max(1, Math.round(seconds / UNITS.minutes))), rangeUnit: "minutes" };
}

function seriesFromConfig(value: unknown): SeriesDraft[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item): SeriesDraft[] => {
    if (typeof item !== "object" || item === null) return [];
    const s = item as Record<string, unknown>;
    if (typeof s.column !== "number" || typeof s.filterColumn !== "number") return [];
    return [
      {
        key: newKey(),
        column: s.column,
        filterColumn: s.filterColumn,
        op: s.op === "contains" ? "contains" : "equals",
        value: typeof s.value === "string" ? s.value : "",
        name: typeof s.name === "string" ? s.name : "",
        color: typeof s.color === "string" && /^#[0-9a-f]{6}$/i.test(s.color) ? s.color.toUpperCase() : null,
      },
    ];
  });
}

function initialDraft(data: TileEditorData): Draft {
  const config = data.tile?.config;
  if (!config) {
    const markdown = data.instance?.format === "markdown";
    return {
      kind: markdown ? "content" : "range",
      draw: markdown ? "markdown" : "line",
      rangeAmount: "7",
      rangeUnit: "days",
      title: "",
      masterTagPattern: "",
      autoSeries: false,
      series: [],
    };
  }
  const kind = isKind(config.kind) ? config.kind : "range";
  const draws = DRAWS_BY_KIND[kind] as readonly string[];
  const draw = (typeof config.draw === "string" && draws.includes(config.draw) ? config.draw : draws[0]) as TileDraw;
  const seconds = typeof config.rangeSeconds === "number" ? config.rangeSeconds : 7 * UNITS.days;
  return {
    kind,
    draw,
    ...rangeParts(seconds),
    title: typeof config.title === "string" ? config.title : "",
    masterTagPattern: typeof config.masterTagPattern === "string" ? config.masterTagPattern : "",
    autoSeries: config.autoSeries === true,
    // Series name columns of one report: another report's would point at the wrong cells.
    series: config.report === data.report ? seriesFromConfig(config.series) : [],
  };
}

function rangeSeconds(draft: Draft): number | null {
  if (!/^\d{1,7}$/.test(draft.rangeAmount.trim())) return null;
  return Number(draft.rangeAmount.trim()) * UNITS[draft.rangeUnit];
}

/** The tile configuration posted to the action (the shape of `tileConfig` in server/dashboard/model.ts). */
function buildConfig(draft: Draft, report: string, tags: string[]): Record<string, unknown> {
  const title = draft.title.trim();
  const pattern = draft.masterTagPattern.trim();
  return {
    report,
    tags,
    kind: draft.kind,
    draw: draft.draw,
    ...(draft.kind === "range" ? { rangeSeconds: rangeSeconds(draft) ?? 0 } : {}),
    ...(title ? { title } : {}),
    series:
      draft.kind === "content"
        ? []
        : draft.series.map((s) => ({
            column: s.column,
            filterColumn: s.filterColumn,
            op: s.op,
            value: s.value,
            ...(s.name.trim() ? { name: s.name.trim() } : {}),
            ...(s.color ? { color: s.color } : {}),
          })),
    ...(pattern ? { masterTagPattern: pattern } : {}),
    autoSeries: draft.autoSeries,
  };
}

type Problems = Partial<Record<"report" | "tags" | "series" | "range" | "pattern", string>> & { seriesItems?: Record<number, string> };

function checkDraft(draft: Draft, loadedReport: string, reportInput: string, tags: string[]): Problems {
  const problems: Problems = {};
  if (!loadedReport) problems.report = "Choose a report and press “Show table”.";
  else if (reportInput.trim() !== loadedReport) problems.report = `Press “Show table” to load “${reportInput.trim()}”, or change the name back to “${loadedReport}”.`;
  if (tags.length > MAX_TAGS) problems.tags = `Use at most ${MAX_TAGS} tags.`;
  else if (tags.some((tag) => tag.length > 200)) problems.tags = "A tag has at most 200 characters.";
  if (draft.kind !== "content") {
    if (draft.series.length === 0) problems.series = "Click a cell of the table to chart it, or add a series manually.";
    const items: Record<number, string> = {};
    for (const s of draft.series) {
      if (s.filterColumn === -1 && !/^\d+$/.test(s.value.trim())) items[s.key] = "A row number is 0 for the first row, 1 for the second, and so on.";
      else if (s.value.length > 1000) items[s.key] = "The value has at most 1000 characters.";
    }
    if (Object.keys(items).length) problems.seriesItems = items;
  }
  if (draft.kind === "range") {
    const seconds = rangeSeconds(draft);
    if (seconds === null || seconds === 0) problems.range = "Enter a whole number, e.g. 7 days.";
    else if (seconds < 60) problems.range = "The shortest range is 1 minute.";
    else if (seconds > MAX_RANGE_SECONDS) problems.range = "The longest range is 5 years (1825 days).";
  }
  const pattern = draft.masterTagPattern.trim();
  if (pattern && !TAG_PATTERN.test(pattern)) problems.pattern = "A tag pattern is a tag name, a colon and an asterisk: host:* or host:web*.";
  return problems;
}

const hasProblems = (p: Problems) => Object.keys(p).length > 0;

// ---------------------------------------------------------------- the page

export function TileEditor({ data, saveErrors }: { data: TileEditorData; saveErrors?: NonNullable<FormErrors> }) {
  const { mode, dashboard, tile } = data;
  const dashboardHref = `/dashboards/${encodeURIComponent(dashboard.id)}`;
  const heading = mode === "new" ? "Add a tile" : "Edit tile";

  return (
    <div className="stack tile-editor">
      <nav className="breadcrumb" aria-label="Breadcrumb">
        <Link to="/dashboard">Dashboards</Link>
        <span aria-hidden="true">/</span>
        <Link to={dashboardHref}>{dashboard.name}</Link>
        <span aria-hidden="true">/</span>
        <span aria-current="page">{mode === "new" ? "New tile" : "Edit tile"}</span>
      </nav>
      <div className="page-head">
        <div>
          <h1>{heading}</h1>
          <p className="page-sub">
            {mode === "new" ? (
              <>
                Chart cells of a report on <strong>{dashboard.name}</strong>: choose the report, click the cells to watch, pick how to draw
                them.
              </>
            ) : (
              <>
                Change what this tile of <strong>{dashboard.name}</strong> shows. Its place and size stay.
              </>
            )}
          </p>
        </div>
      </div>
      {tile?.masterId ? (
        <div className="alert warn" role="note">
          <span>
            This tile is an automatic copy of a master tile. Changes to the master replace what you save here; edit the master to change
            all its copies.
          </span>
        </div>
      ) : null}
      {data.reports.length === 0 ? <NoReports origin={data.origin} dashboardHref={dashboardHref} /> : <EditorForm data={data} saveErrors={saveErrors} />}
    </div>
  );
}

function NoReports({ origin, dashboardHref }: { origin: string; dashboardHref: string }) {
  return (
    <section className="card te-empty" aria-labelledby="te-empty-title">
      <div className="te-empty-art" aria-hidden="true">
        <svg viewBox="0 0 64 48" width="64" height="48">
          <rect x="2" y="4" width="60" height="40" rx="6" fill="#e6f4f2" stroke="#9fd7cf" strokeWidth="2" />
          <path d="M10 34l10-10 8 6 12-14 14 10" fill="none" stroke="#0f766e" strokeWidth="3" strokeLinecap="round" strokeLinejoin="round" />
        </svg>
      </div>
      <h2 id="te-empty-title">No reports yet — send a table first</h2>
      <p>
        A tile charts cells of a <strong>report</strong>: the tables a machine pushes to Tablewatch. Put an API key in{" "}
        <code>$TABLEWATCH_KEY</code> on any machine and pipe a command’s output into curl, e.g. the disk usage:
      </p>
      <CopyBlock text={`df | curl --user $TABLEWATCH_KEY: --data-binary @- ${origin}/api/v1/reports/diskfree`} />
      <p className="small muted">Then come back here: the table shows up, and you click the cells to chart.</p>
      <div className="te-empty-actions">
        <Link className="button" to="/settings/api-keys">
          Create an API key in Settings
        </Link>
        <Link className="button secondary" to={dashboardHref}>
          Back to the dashboard
        </Link>
      </div>
    </section>
  );
}

function EditorForm({ data, saveErrors }: { data: TileEditorData; saveErrors?: NonNullable<FormErrors> }) {
  const { mode, instance, report, dashboard } = data;
  const location = useLocation();
  const navigation = useNavigation();
  const [draft, setDraft] = useState<Draft>(() => initialDraft(data));
  const [reportInput, setReportInput] = useState(report);
  const [tagsInput, setTagsInput] = useState(data.tags.join(", "));
  const [attempted, setAttempted] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);

  // A newly loaded report or filter (the GET form navigated): follow it. Series of another
  // report point at its columns, so they go.
  const instanceId = instance?.id ?? null;
  const [shown, setShown] = useState({ report, search: location.search, instanceId });
  if (shown.instanceId !== instanceId && shown.search === location.search && shown.report === report) {
    // A newer instance arrived (the page reloaded its data): messages about the old table are stale.
    setShown({ ...shown, instanceId });
    setNotice(null);
  }
  if (shown.search !== location.search || shown.report !== report) {
    setShown({ report, search: location.search, instanceId });
    setReportInput(report);
    setTagsInput(data.tags.join(", "));
    if (shown.report !== report && draft.series.length > 0) {
      setDraft({ ...draft, series: [] });
      setNotice(`The series of “${shown.report}” were removed: “${report || "(none)"}” has other columns.`);
    }
  }

  const tags = parseTags(tagsInput);
  const problems = checkDraft(draft, report, reportInput, tags);
  const shownProblems: Problems = attempted ? problems : {};
  const config = buildConfig(draft, report, tags);
  const saving = navigation.state !== "idle" && navigation.formData?.get("intent") === "save";
  const alertRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (saveErrors) alertRef.current?.scrollIntoView({ block: "center", behavior: "smooth" });
  }, [saveErrors]);

  const update = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));

  return (
    <>
      <ReportStep
        data={data}
        reportInput={reportInput}
        setReportInput={setReportInput}
        tagsInput={tagsInput}
        setTagsInput={setTagsInput}
        problems={shownProblems}
      />
      <SeriesStep data={data} draft={draft} setDraft={setDraft} notice={notice} setNotice={setNotice} problems={shownProblems} />
      <Form
        method="post"
        className="stack te-form"
        noValidate
        preventScrollReset
        onSubmit={(event) => {
          setAttempted(true);
          if (hasProblems(problems)) {
            event.preventDefault();
            // Bring the first problem into view once it is rendered.
            requestAnimationFrame(() => {
              const first = document.querySelector<HTMLElement>(".tile-editor [aria-invalid='true'], .tile-editor .te-problem");
              first?.scrollIntoView({ block: "center", behavior: "smooth" });
              if (first && "focus" in first && first.tabIndex >= 0) first.focus({ preventScroll: true });
            });
          }
        }}
      >
        <input type="hidden" name="intent" value="save" />
        <input type="hidden" name="config" value={JSON.stringify(config)} />
        <DisplayStep data={data} draft={draft} update={update} problems={shownProblems} tags={tags} />
        <div className="te-actions" ref={alertRef}>
          <FormAlert errors={saveErrors} />
          {attempted && hasProblems(problems) ? (
            <div className="alert error te-problem" role="alert">
              Please fix the marked {Object.keys(problems).length === 1 ? "field" : "fields"} above before saving.
            </div>
          ) : null}
          <div className="te-actions-row">
            <p className="small muted">
              {instance && report ? (
                <>
                  {draft.kind === "content" ? "Shows" : "Charts"} <strong className="mono">{report}</strong>
                  {tags.length ? (
                    <>
                      {" "}
                      tagged <span className="mono">{tags.join(", ")}</span>
                    </>
                  ) : null}
                  {draft.kind !== "content" ? (
                    <>
                      {" "}
                      · {draft.series.length} series
                    </>
                  ) : null}
                </>
              ) : (
                "Choose a report to start."
              )}
            </p>
            <div className="te-actions-buttons">
              <Link className="button secondary" to={`/dashboards/${encodeURIComponent(dashboard.id)}`}>
                Cancel
              </Link>
              <button className="button" type="submit" disabled={saving}>
                {saving ? "Saving…" : mode === "new" ? "Add tile" : "Save tile"}
              </button>
            </div>
          </div>
        </div>
      </Form>
    </>
  );
}

function StepHead({ n, id, title, children }: { n: number; id: string; title: string; children?: ReactNode }) {
  return (
    <div className="te-step-head">
      <span className="te-step-n" aria-hidden="true">
        {n}
      </span>
      <div>
        <h2 id={id}>{title}</h2>
        {children ? <p>{children}</p> : null}
      </div>
    </div>
  );
}

// ---------------------------------------------------------------- step 1: report and tags

function ReportStep({
  data,
  reportInput,
  setReportInput,
  tagsInput,
  setTagsInput,
  problems,
}: {
  data: TileEditorData;
  reportInput: string;
  setReportInput: (value: string) => void;
  tagsInput: string;
  setTagsInput: (value: string) => void;
  problems: Problems;
}) {
  const { mode, reports, report, tagSuggestions, reportProblem } = data;
  const navigate = useNavigate();
  const location = useLocation();
  const form = useRef<HTMLFormElement>(null);
  const known = new Set(reports.map((r) => r.name));
  const recent = reports.slice(0, 6);

  /** Loads a report (and tags) into the page: the loader reads them from the address. */
  const load = (name: string, tagText: string) => {
    const params = new URLSearchParams();
    if (name.trim()) params.set("report", name.trim());
    const tags = parseTags(tagText).join(",");
    // Editing: an empty `tags=` says "no tags" (without it the tile's own tags apply).
    if (tags || (mode === "edit" && name.trim())) params.set("tags", tags);
    const query = params.toString();
    navigate(`${location.pathname}${query ? `?${query}` : ""}`, { preventScrollReset: true });
  };

  const reportError = problems.report ?? null;
  const tagSet = new Set(parseTags(tagsInput));
  return (
    <section className="card te-step" aria-labelledby="te-report-title">
      <StepHead n={1} id="te-report-title" title="Data">
        The tile draws from one report: the tables one command pushes. Tags narrow it to some machines.
      </StepHead>
      <Form
        method="get"
        ref={form}
        className="te-report-form"
        onSubmit={(event) => {
          event.preventDefault();
          load(reportInput, tagsInput);
        }}
      >
        <div className="field te-report-field">
          <label htmlFor="te-report">Report</label>
          <input
            id="te-report"
            name="report"
            list="te-report-names"
            value={reportInput}
            onChange={(event) => {
              setReportInput(event.target.value);
              // Picked from the suggestions: load it at once.
              const native = event.nativeEvent as InputEvent;
              if ((native.inputType === undefined || native.inputType === "insertReplacementText") && known.has(event.target.value)) {
                load(event.target.value, event.target.value === report ? tagsInput : "");
              }
            }}
            placeholder="e.g. diskfree"
            autoComplete="off"
            spellCheck={false}
            required
            aria-invalid={reportError ? true : undefined}
            aria-describedby={reportError ? "te-report-error" : "te-report-hint"}
          />
          <datalist id="te-report-names">
            {reports.map((r) => (
              <option key={r.name} value={r.name} />
            ))}
          </datalist>
          {reportError ? (
            <span className="error" id="te-report-error">
              {reportError}
            </span>
          ) : (
            <span className="hint" id="te-report-hint">
              Most recently updated first.
            </span>
          )}
        </div>
        <div className="field te-tags-field">
          <label htmlFor="te-tags">
            Tags <span className="te-optional">optional</span>
          </label>
          <input
            id="te-tags"
            name="tags"
            list="te-tag-names"
            value={tagsInput}
            onChange={(event) => setTagsInput(event.target.value)}
            placeholder="host:web1, env:prod"
            autoComplete="off"
            spellCheck={false}
            aria-invalid={problems.tags ? true : undefined}
            aria-describedby={problems.tags ? "te-tags-error" : "te-tags-hint"}
          />
          <datalist id="te-tag-names">
            {tagSuggestions.map((tag) => (
              <option key={tag} value={tag} />
            ))}
          </datalist>
          {problems.tags ? (
            <span className="error" id="te-tags-error">
              {problems.tags}
            </span>
          ) : (
            <span className="hint" id="te-tags-hint">
              Only instances with all of these tags, comma-separated.
            </span>
          )}
        </div>
        <div className="field te-load">
          <button className="button secondary" type="submit">
            Show table
          </button>
        </div>
      </Form>
      {tagSuggestions.length ? (
        <div className="te-suggestions">
          <span className="small muted">Recent tags</span>
          <div className="chips">
            {tagSuggestions.slice(0, 10).map((tag) => {
              const on = tagSet.has(tag);
              return (
                <button
                  key={tag}
                  type="button"
                  className={`chip te-chip${on ? " on" : ""}`}
                  aria-pressed={on}
                  title={on ? `Remove ${tag}` : `Only instances tagged ${tag}`}
                  onClick={() => {
                    const next = on ? [...tagSet].filter((t) => t !== tag) : [...tagSet, tag];
                    setTagsInput(next.join(", "));
                    load(report || reportInput, next.join(","));
                  }}
                >
                  {tag}
                </button>
              );
            })}
          </div>
        </div>
      ) : !report ? (
        <div className="te-suggestions">
          <span className="small muted">Recently updated</span>
          <div className="chips">
            {recent.map((r) => (
              <button key={r.name} type="button" className="chip te-chip" onClick={() => load(r.name, "")}>
                {r.name}
              </button>
            ))}
          </div>
        </div>
      ) : null}
      {reportProblem ? (
        <div className="alert error te-inline-alert" role="alert">
          {reportProblem}
        </div>
      ) : null}
    </section>
  );
}

// ---------------------------------------------------------------- step 2: the table and the series

function SeriesStep({
  data,
  draft,
  setDraft,
  notice,
  setNotice,
  problems,
}: {
  data: TileEditorData;
  draft: Draft;
  setDraft: (update: (d: Draft) => Draft) => void;
  notice: string | null;
  setNotice: (notice: string | null) => void;
  problems: Problems;
}) {
  const { instance, report, tags, now, origin, reportInstanceCount } = data;
  const fetcher = useFetcher<GuessReply>();
  const queue = useRef<{ row: number; column: number; nonce: string }[]>([]);
  const handled = useRef(new Set<string>());
  const [pending, setPending] = useState<{ row: number; column: number } | null>(null);
  const content = draft.kind === "content";

  const submitGuess = (row: number, column: number, nonce: string) => {
    setPending({ row, column });
    fetcher.submit({ intent: "guess", report, tags: tags.join(","), row: String(row), column: String(column), nonce }, { method: "post" });
  };

  // One guess at a time (a fetcher cancels its previous request): clicks made meanwhile wait.
  useEffect(() => {
    if (fetcher.state !== "idle") return;
    const reply = fetcher.data;
    if (reply && !handled.current.has(reply.nonce)) {
      handled.current.add(reply.nonce);
      if ("error" in reply) {
        setNotice(reply.error);
      } else {
        const guess = reply.guess;
        const same = draft.series.findIndex(
          (s) => s.column === guess.column && s.filterColumn === guess.filterColumn && s.op === guess.op && s.value === guess.value,
        );
        if (same >= 0) {
          setNotice(`That cell is already series ${same + 1}.`);
        } else if (draft.series.length >= MAX_SERIES) {
          setNotice(`A tile has at most ${MAX_SERIES} series.`);
        } else {
          const added: SeriesDraft = {
            key: newKey(),
            column: guess.column,
            filterColumn: guess.filterColumn,
            op: guess.op,
            value: guess.value,
            name: guess.name ?? "",
            color: guess.color ?? null,
          };
          setNotice(`Added series ${draft.series.length + 1}: ${describe(added, instance)}.`);
          setDraft((d) => ({ ...d, series: [...d.series, added] }));
        }
      }
    }
    const next = queue.current.shift();
    if (next) submitGuess(next.row, next.column, next.nonce);
    else setPending(null);
    // Runs when the fetcher settles; the queue and the handled replies are refs.
  }, [fetcher.state, fetcher.data]);

  const pick = (row: number, column: number) => {
    const nonce = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
    if (fetcher.state === "idle" && queue.current.length === 0) submitGuess(row, column, nonce);
    else queue.current.push({ row, column, nonce });
  };

  if (!report) {
    return (
      <section className="card te-step te-step-waiting" aria-labelledby="te-series-title">
        <StepHead n={2} id="te-series-title" title="Series">
          Choose a report above: its newest table appears here, and you click the cells to chart.
        </StepHead>
      </section>
    );
  }
  return (
    <section className="card te-step" aria-labelledby="te-series-title">
      <StepHead n={2} id="te-series-title" title="Series">
        {content ? (
          <>Content tiles show the newest input as it is: no series needed.</>
        ) : (
          <>
            Click a cell of the newest table to chart it: Tablewatch finds the same cell in every instance (the row is recognised by
            its label, e.g. the mount point).
          </>
        )}
      </StepHead>
      {instance ? (
        <>
          <InstanceLine instance={instance} now={now} />
          {instance.format === "markdown" && !content ? (
            <div className="alert warn te-inline-alert" role="note">
              <span>This is a Markdown report: a Content tile shows it rendered.</span>
              <button
                type="button"
                className="link-button"
                onClick={() => setDraft((d) => ({ ...d, kind: "content", draw: "markdown" }))}
              >
                Show it as Markdown
              </button>
            </div>
          ) : null}
          <PickTableView instance={instance} series={content ? [] : draft.series} pending={pending} onPick={pick} disabled={content} />
        </>
      ) : (
        <div className="te-no-instance">
          {reportInstanceCount === 0 ? (
            <>
              <p>
                <strong>{report}</strong> has no data yet. Push a table to it and reload this page:
              </p>
              <CopyBlock text={`df | curl --user $TABLEWATCH_KEY: --data-binary @- ${origin}/api/v1/reports/${encodeURIComponent(report)}`} />
            </>
          ) : data.reportProblem ? null : (
            <p>
              No instance of <strong>{report}</strong> has {tags.length === 1 ? "the tag" : "all the tags"}{" "}
              {tags.map((tag) => (
                <span key={tag} className="chip static">
                  {tag}
                </span>
              ))}
              . Check the spelling, or clear the tags.
            </p>
          )}
        </div>
      )}
      <p className="te-status small" role="status" aria-live="polite">
        {pending ? "Finding the best way to select this cell…" : notice}
      </p>
      {content ? null : (
        <SeriesList
          data={data}
          draft={draft}
          setDraft={setDraft}
          problems={problems}
          onRemoved={(text) => setNotice(text)}
        />
      )}
    </section>
  );
}

function describe(s: Pick<SeriesDraft, "column" | "filterColumn" | "op" | "value">, instance: EditorInstance | null): string {
  const column = headerText(instance, s.column) || `column ${s.column + 1}`;
  if (s.filterColumn === -1) return `${column} of row ${s.value}`;
  const filter = headerText(instance, s.filterColumn) || `column ${s.filterColumn + 1}`;
  return `${column} where ${filter} ${s.op} “${s.value}”`;
}

function InstanceLine({ instance, now }: { instance: EditorInstance; now: Date }) {
  const width = instance.rows.reduce((max, row) => Math.max(max, row.length), 0);
  return (
    <p className="te-instance-line small">
      <span>
        Newest instance, <RelativeTime date={instance.created} now={now} />
      </span>
      <span aria-hidden="true">·</span>
      <span>
        {formatCount(instance.dataRowCount)} row{instance.dataRowCount === 1 ? "" : "s"} × {formatCount(width)} column
        {width === 1 ? "" : "s"}
      </span>
      {instance.tags.length ? (
        <>
          <span aria-hidden="true">·</span>
          <span className="chips">
            {instance.tags.map((tag) => (
              <span key={tag} className="chip static">
                {tag}
              </span>
            ))}
          </span>
        </>
      ) : null}
      <span aria-hidden="true">·</span>
      <code className="format-name">{instance.format}</code>
    </p>
  );
}

/** The newest table; every data cell is a button that adds a series. Arrow keys move between cells. */
function PickTableView({
  instance,
  series,
  pending,
  onPick,
  disabled,
}: {
  instance: EditorInstance;
  series: SeriesDraft[];
  pending: { row: number; column: number } | null;
  onPick: (row: number, column: number) => void;
  disabled: boolean;
}) {
  const tableRef = useRef<HTMLTableElement>(null);
  const hintId = useId();
  const { rows, header, numericColumns } = instance;
  const headerRows = new Set(header);
  const width = rows.reduce((max, row) => Math.max(max, row.length), 0);
  const columns = Array.from({ length: width }, (_, c) => c);
  const dataRows = rows.map((_, i) => i).filter((i) => !headerRows.has(i));
  let lead = 0;
  while (lead < rows.length && headerRows.has(lead)) lead++;
  const [active, setActive] = useState<{ row: number; column: number }>({ row: dataRows[0] ?? 0, column: 0 });

  // Which cells the series select: the value cell (numbered) and the row's label cell.
  const marks = useMemo(() => {
    const values = new Map<string, { index: number; color: string }[]>();
    const filters = new Map<string, string>();
    series.forEach((s, index) => {
      const hit = selectedCell(instance, s);
      if (!hit) return;
      const color = s.color ?? PALETTE[index % PALETTE.length]!;
      const key = `${hit.row}:${hit.column}`;
      values.set(key, [...(values.get(key) ?? []), { index, color }]);
      if (s.filterColumn >= 0) filters.set(`${hit.row}:${s.filterColumn}`, color);
    });
    return { values, filters };
  }, [instance, series]);

  const focusCell = (row: number, column: number) => {
    setActive({ row, column });
    tableRef.current?.querySelector<HTMLButtonElement>(`button[data-row="${row}"][data-col="${column}"]`)?.focus();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTableElement>) => {
    const target = event.target as HTMLElement;
    const row = Number(target.dataset.row);
    const column = Number(target.dataset.col);
    if (!Number.isInteger(row) || !Number.isInteger(column)) return;
    const position = dataRows.indexOf(row);
    let next: [number, number] | null = null;
    if (event.key === "ArrowRight") next = [row, Math.min(width - 1, column + 1)];
    else if (event.key === "ArrowLeft") next = [row, Math.max(0, column - 1)];
    else if (event.key === "ArrowDown") next = [dataRows[Math.min(dataRows.length - 1, position + 1)]!, column];
    else if (event.key === "ArrowUp") next = [dataRows[Math.max(0, position - 1)]!, column];
    else if (event.key === "Home") next = [event.ctrlKey ? dataRows[0]! : row, 0];
    else if (event.key === "End") next = [event.ctrlKey ? dataRows[dataRows.length - 1]! : row, width - 1];
    if (next) {
      event.preventDefault();
      focusCell(next[0], next[1]);
    }
  };

  if (rows.length === 0) return <p className="muted">The newest instance has no rows.</p>;
  const headCells = (row: unknown[]) =>
    columns.map((column) => (
      <th key={column} scope="col" className={numericColumns[column] ? "num" : undefined}>
        <Cell value={row[column]} />
      </th>
    ));
  return (
    <div className={`te-table-wrap${disabled ? " disabled" : ""}`}>
      <p className="visually-hidden" id={hintId}>
        Press Enter on a cell to chart it. Use the arrow keys to move between cells.
      </p>
      <div className="data-table-wrap te-table-scroll">
        <table className="data-table te-pick-table" ref={tableRef} onKeyDown={onKeyDown} aria-describedby={hintId}>
          <caption className="visually-hidden">Newest table of the report: click a cell to chart it</caption>
          {lead ? (
            <thead>
              {rows.slice(0, lead).map((row, i) => (
                <tr key={i}>{headCells(row)}</tr>
              ))}
            </thead>
          ) : null}
          <tbody>
            {rows.slice(lead).map((row, offset) => {
              const index = lead + offset;
              if (headerRows.has(index)) {
                return (
                  <tr key={index} className="header-row">
                    {headCells(row)}
                  </tr>
                );
              }
              return (
                <tr key={index}>
                  {columns.map((column) => {
                    const key = `${index}:${column}`;
                    const picked = marks.values.get(key);
                    const filterColor = marks.filters.get(key);
                    const isPending = pending?.row === index && pending.column === column;
                    const value = row[column];
                    const style = picked
                      ? ({ "--mark": picked[0]!.color } as CSSProperties)
                      : filterColor
                        ? ({ "--mark": filterColor } as CSSProperties)
                        : undefined;
                    const className = [
                      numericColumns[column] ? "num" : undefined,
                      picked ? "te-picked" : filterColor ? "te-label" : undefined,
                      isPending ? "te-pending" : undefined,
                    ]
                      .filter(Boolean)
                      .join(" ");
                    return (
                      <td key={column} className={className || undefined} style={style}>
                        <button
                          type="button"
                          className="te-cell"
                          data-row={index}
                          data-col={column}
                          tabIndex={active.row === index && active.column === column ? 0 : -1}
                          disabled={disabled}
                          onFocus={() => setActive({ row: index, column })}
                          onClick={() => onPick(index, column)}
                          aria-label={`${cellText(value) || "empty"}${headerText(instance, column) ? `, ${headerText(instance, column)}` : ""}${
                            picked ? `, series ${picked.map((p) => p.index + 1).join(" and ")}` : ""
                          }`}
                        >
                          <Cell value={value} />
                          {picked ? (
                            <span className="te-badges" aria-hidden="true">
                              {picked.map((p) => (
                                <span key={p.index} className="te-badge" style={{ background: p.color }}>
                                  {p.index + 1}
                                </span>
                              ))}
                            </span>
                          ) : null}
                        </button>
                      </td>
                    );
                  })}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {instance.dataRowCount > dataRows.length ? (
        <p className="small muted te-table-note">
          Showing the first {formatCount(dataRows.length)} of {formatCount(instance.dataRowCount)} rows. Series further down can be added
          manually.
        </p>
      ) : null}
    </div>
  );
}

function SeriesList({
  data,
  draft,
  setDraft,
  problems,
  onRemoved,
}: {
  data: TileEditorData;
  draft: Draft;
  setDraft: (update: (d: Draft) => Draft) => void;
  problems: Problems;
  onRemoved: (text: string) => void;
}) {
  const { instance } = data;
  const width = instance ? instance.rows.reduce((max, row) => Math.max(max, row.length), 0) : 0;
  // Columns the series may point at: the table's, and any beyond it a saved series uses.
  const columnCount = Math.max(width, ...draft.series.map((s) => Math.max(s.column, s.filterColumn) + 1), 1);
  const columnLabel = (c: number) => headerText(instance, c) || `column ${c + 1}`;
  const columnOptions = Array.from({ length: columnCount }, (_, c) => (
    <option key={c} value={c}>
      {columnLabel(c)}
    </option>
  ));
  const change = (key: number, patch: Partial<SeriesDraft>) =>
    setDraft((d) => ({
      ...d,
      series: d.series.map((s) => {
        if (s.key !== key) return s;
        const next = { ...s, ...patch };
        // A name that repeated the value follows it.
        if (patch.value !== undefined && s.name === s.value) next.name = patch.value;
        if (next.filterColumn === -1) next.op = "equals";
        return next;
      }),
    }));
  const addManually = () =>
    setDraft((d) => {
      const numeric = instance?.numericColumns.findIndex(Boolean) ?? -1;
      const added: SeriesDraft = { key: newKey(), column: Math.max(0, numeric), filterColumn: -1, op: "equals", value: "0", name: "", color: null };
      return { ...d, series: [...d.series, added] };
    });

  return (
    <div className="te-series">
      <h3 className="te-subhead">
        Series <span className="count">{draft.series.length}</span>
      </h3>
      {draft.series.length === 0 ? (
        <p className={`te-series-empty${problems.series ? " te-problem" : ""}`} role={problems.series ? "alert" : undefined}>
          {problems.series ?? "No series yet. Click a number in the table above, e.g. a usage percentage."}
        </p>
      ) : (
        <ol className="te-series-list">
          {draft.series.map((s, index) => {
            const id = `te-series-${s.key}`;
            const color = s.color ?? PALETTE[index % PALETTE.length]!;
            const hit = instance ? selectedCell(instance, s) : null;
            const current = hit && instance ? cellText(instance.rows[hit.row]?.[hit.column]) : null;
            const problem = problems.seriesItems?.[s.key];
            const label = (text: string) => (
              <>
                <span className="visually-hidden">Series {index + 1} </span>
                {text}
              </>
            );
            return (
              <li key={s.key} className="te-series-item" style={{ "--mark": color } as CSSProperties}>
                <span className="te-series-n" aria-hidden="true">
                  {index + 1}
                </span>
                <div className="te-series-body">
                  <div className="te-sentence">
                    <label htmlFor={`${id}-column`}>{label("column")}</label>
                    <select id={`${id}-column`} value={s.column} onChange={(e) => change(s.key, { column: Number(e.target.value) })}>
                      {columnOptions}
                    </select>
                    <label htmlFor={`${id}-filter`}>{label("where")}</label>
                    <select
                      id={`${id}-filter`}
                      value={s.filterColumn}
                      onChange={(e) => {
                        const filterColumn = Number(e.target.value);
                        // Keep the same row: its label in the new filter column, or its row number.
                        const row = hit?.row;
                        let value = s.value;
                        if (row !== undefined && instance) {
                          value = filterColumn === -1 ? String(dataRowIndexes(instance).indexOf(row)) : cellText(instance.rows[row]?.[filterColumn]);
                        } else if (filterColumn === -1) value = "0";
                        change(s.key, { filterColumn, value, ...(s.name === s.value ? { name: filterColumn === -1 ? "" : value } : {}) });
                      }}
                    >
                      {columnOptions}
                      <option value={-1}>row number</option>
                    </select>
                    <label htmlFor={`${id}-op`} className="visually-hidden">
                      Series {index + 1} comparison
                    </label>
                    <select id={`${id}-op`} value={s.op} disabled={s.filterColumn === -1} onChange={(e) => change(s.key, { op: e.target.value as SeriesDraft["op"] })}>
                      <option value="equals">equals</option>
                      <option value="contains">contains</option>
                    </select>
                    <label htmlFor={`${id}-value`} className="visually-hidden">
                      Series {index + 1} {s.filterColumn === -1 ? "row number" : "value"}
                    </label>
                    <input
                      id={`${id}-value`}
                      className="te-value"
                      value={s.value}
                      inputMode={s.filterColumn === -1 ? "numeric" : undefined}
                      placeholder={s.filterColumn === -1 ? "0 = first row" : "text"}
                      maxLength={1000}
                      spellCheck={false}
                      onChange={(e) => change(s.key, { value: e.target.value })}
                      aria-invalid={problem ? true : undefined}
                      aria-describedby={problem ? `${id}-error` : undefined}
                    />
                    <label htmlFor={`${id}-name`}>{label("named")}</label>
                    <input
                      id={`${id}-name`}
                      className="te-name"
                      value={s.name}
                      placeholder={automaticName(s, instance)}
                      maxLength={200}
                      onChange={(e) => change(s.key, { name: e.target.value })}
                    />
                    <label htmlFor={`${id}-color`}>{label("colour")}</label>
                    <input
                      id={`${id}-color`}
                      type="color"
                      className="te-color"
                      value={color.toLowerCase()}
                      onChange={(e) => change(s.key, { color: e.target.value.toUpperCase() === PALETTE[index % PALETTE.length] ? null : e.target.value.toUpperCase() })}
                    />
                  </div>
                  <div className={`te-current small${hit ? "" : " missing"}`}>
                    {instance ? (
                      hit ? (
                        <>
                          Now: <strong className="mono">{current || "(empty)"}</strong>
                        </>
                      ) : (
                        <>No cell matches in the newest table: this series has no points until one does.</>
                      )
                    ) : null}
                  </div>
                  {problem ? (
                    <span className="error small" id={`${id}-error`}>
                      {problem}
                    </span>
                  ) : null}
                </div>
                <button
                  type="button"
                  className="te-remove"
                  aria-label={`Remove series ${index + 1}`}
                  title="Remove this series"
                  onClick={() => {
                    setDraft((d) => ({ ...d, series: d.series.filter((x) => x.key !== s.key) }));
                    onRemoved(`Removed series ${index + 1}.`);
                  }}
                >
                  <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
                    <path d="M4 4l8 8M12 4l-8 8" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" />
                  </svg>
                </button>
              </li>
            );
          })}
        </ol>
      )}
      <button type="button" className="button secondary small te-add" onClick={addManually} disabled={draft.series.length >= MAX_SERIES}>
        <span aria-hidden="true">+</span> Add manually
      </button>
    </div>
  );
}

// ---------------------------------------------------------------- step 3: kind, draw, title, advanced

function DisplayStep({
  data,
  draft,
  update,
  problems,
  tags,
}: {
  data: TileEditorData;
  draft: Draft;
  update: (patch: Partial<Draft>) => void;
  problems: Problems;
  tags: string[];
}) {
  const { instance, report } = data;
  const draws = DRAWS_BY_KIND[draft.kind] as readonly TileDraw[];
  const names = draft.kind === "content" ? [] : draft.series.map((s) => s.name.trim() || automaticName(s, instance));
  const tagName = tags.find((tag) => tag.includes(":"))?.split(":")[0];
  const patternExample = `${tagName ?? "host"}:*`;
  return (
    <section className="card te-step" aria-labelledby="te-display-title">
      <StepHead n={3} id="te-display-title" title="Display" />
      <fieldset className="te-fieldset">
        <legend>Kind</legend>
        <div className="te-kinds">
          {KINDS.map(({ kind, label, description }) => (
            <div key={kind} className={`te-kind${draft.kind === kind ? " on" : ""}`}>
              <input
                type="radio"
                id={`te-kind-${kind}`}
                name="te-kind"
                value={kind}
                checked={draft.kind === kind}
                aria-describedby={`te-kind-${kind}-text`}
                onChange={() => {
                  const allowed = DRAWS_BY_KIND[kind] as readonly TileDraw[];
                  update({ kind, draw: allowed.includes(draft.draw) ? draft.draw : allowed[0]! });
                }}
              />
              <label htmlFor={`te-kind-${kind}`} className="te-kind-label">
                {label}
              </label>
              <span className="te-kind-text" id={`te-kind-${kind}-text`}>
                {description}
              </span>
            </div>
          ))}
        </div>
      </fieldset>
      {draft.kind === "range" ? (
        <div className="field te-range">
          <span className="te-range-label" id="te-range-label">
            Time range
          </span>
          <div className="te-range-row" role="group" aria-labelledby="te-range-label">
            <label htmlFor="te-range-amount">the last</label>
            <input
              id="te-range-amount"
              inputMode="numeric"
              value={draft.rangeAmount}
              onChange={(e) => update({ rangeAmount: e.target.value })}
              aria-invalid={problems.range ? true : undefined}
              aria-describedby={problems.range ? "te-range-error" : undefined}
              size={5}
            />
            <label htmlFor="te-range-unit" className="visually-hidden">
              Unit
            </label>
            <select id="te-range-unit" value={draft.rangeUnit} onChange={(e) => update({ rangeUnit: e.target.value as RangeUnit })}>
              <option value="minutes">minutes</option>
              <option value="hours">hours</option>
              <option value="days">days</option>
            </select>
          </div>
          {problems.range ? (
            <span className="error" id="te-range-error">
              {problems.range}
            </span>
          ) : null}
        </div>
      ) : null}
      <fieldset className="te-fieldset">
        <legend>Draw as</legend>
        <div className="te-draws">
          {draws.map((draw) => (
            <label key={draw} className={`te-draw${draft.draw === draw ? " on" : ""}`}>
              <input type="radio" name="te-draw" value={draw} checked={draft.draw === draw} onChange={() => update({ draw })} />
              <DrawIcon draw={draw} />
              <span>{drawLabel(draft.kind, draw)}</span>
            </label>
          ))}
        </div>
      </fieldset>
      <div className="field te-title">
        <label htmlFor="te-title">
          Title <span className="te-optional">optional</span>
        </label>
        <input
          id="te-title"
          value={draft.title}
          onChange={(e) => update({ title: e.target.value })}
          placeholder={automaticTitle(report, names, tags)}
          maxLength={200}
          aria-describedby="te-title-hint"
        />
        <span className="hint" id="te-title-hint">
          Leave it empty for the automatic title shown in grey.
        </span>
      </div>
      <details className="te-advanced" open={Boolean(draft.masterTagPattern || draft.autoSeries) || Boolean(problems.pattern)}>
        <summary>Advanced</summary>
        <div className="te-advanced-body">
          <div className="field">
            <label htmlFor="te-master">Master for tag pattern</label>
            <input
              id="te-master"
              value={draft.masterTagPattern}
              onChange={(e) => update({ masterTagPattern: e.target.value })}
              placeholder={patternExample}
              spellCheck={false}
              autoComplete="off"
              maxLength={202}
              aria-invalid={problems.pattern ? true : undefined}
              aria-describedby={problems.pattern ? "te-master-error" : "te-master-hint"}
            />
            {problems.pattern ? (
              <span className="error" id="te-master-error">
                {problems.pattern}
              </span>
            ) : (
              <span className="hint" id="te-master-hint">
                One tile per tag value: when a new value matching {patternExample} arrives, a copy of this tile is added for it.
              </span>
            )}
          </div>
          <label className="checkbox te-checkbox">
            <input type="checkbox" checked={draft.autoSeries} onChange={(e) => update({ autoSeries: e.target.checked })} />
            <span>
              <strong>Add a series for each new row</strong>
              <span className="hint">
                When a new label appears in a series’ filter column (e.g. a new file system in df), a series for it is added.
              </span>
            </span>
          </label>
        </div>
      </details>
    </section>
  );
}

// ---------------------------------------------------------------- the routes' ErrorBoundary

export function TileEditorError({ dashboardId }: { dashboardId?: string }) {
  const error = useRouteError();
  const dashboardHref = dashboardId ? `/dashboards/${encodeURIComponent(dashboardId)}` : "/dashboard";
  if (!isRouteErrorResponse(error)) {
    console.error(error);
    return (
      <section className="error-panel">
        <h1>Something went wrong</h1>
        <p>We could not open the tile editor. Please try again in a moment.</p>
        <Link className="button" to={dashboardHref}>
          Back to the dashboard
        </Link>
      </section>
    );
  }
  const message = typeof error.data === "string" ? error.data : "";
  if (error.status === 403) {
    return (
      <section className="error-panel">
        <span className="error-code">403</span>
        <h1>Only editors can change tiles</h1>
        <p>{message || "Your role in this account lets you look at dashboards, not change them."} Ask an owner or admin for the editor role.</p>
        <div className="error-actions">
          <Link className="button" to={dashboardHref}>
            Back to the dashboard
          </Link>
        </div>
      </section>
    );
  }
  if (error.status === 404) {
    const tile = /tile/i.test(message);
    return (
      <section className="error-panel">
        <span className="error-code">404</span>
        <h1>{tile ? "This tile does not exist" : "This dashboard does not exist"}</h1>
        <p>{tile ? "It may have been deleted, or moved to another dashboard." : "It may have been deleted, or the link is incomplete."}</p>
        <div className="error-actions">
          <Link className="button" to={tile ? dashboardHref : "/dashboard"}>
            {tile ? "Back to the dashboard" : "Go to your dashboards"}
          </Link>
        </div>
      </section>
    );
  }
  return (
    <section className="error-panel">
      <span className="error-code">{error.status}</span>
      <h1>{error.status === 400 ? "This address cannot be opened" : "Something went wrong"}</h1>
      <p>{message || "Please try again in a moment."}</p>
      <div className="error-actions">
        <Link className="button" to={dashboardHref}>
          Back to the dashboard
        </Link>
      </div>
    </section>
  );
}

/** Guesses (fetcher posts) change nothing the loader reads: skip reloading it. */
export const tileEditorShouldRevalidate: ShouldRevalidateFunction = ({ formData, defaultShouldRevalidate }) =>
  formData?.get("intent") === "guess" ? false : defaultShouldRevalidate;

// ---------------------------------------------------------------- server side (called from the routes' loader and action)

function trpcCode(error: unknown): string | null {
  return error instanceof Error && error.name === "TRPCError" && "code" in error ? String(error.code) : null;
}

function textResponse(message: string, status: number): Response {
  return new Response(message, { status, headers: { "Content-Type": "text/plain; charset=utf-8" } });
}

/** The 403 for viewers, shown by TileEditorError. */
export function refuseViewers(role: string): void {
  if (role === "viewer") throw textResponse("Your role in this account is viewer: you can look at dashboards, not change them.", 403);
}

/**
 * The editor's data: the account's reports, and the chosen report's newest instance. The report
 * and tags come from `?report=…&tags=…`, else (editing) from the tile.
 */
export async function loadTileEditor(
  context: AppLoadContext,
  request: Request,
  base: { mode: "new" | "edit"; dashboard: { id: string; name: string }; tile: TileEditorData["tile"] },
): Promise<TileEditorData> {
  const url = new URL(request.url);
  const overview = await context.trpc.reports.overview();
  const reports = overview
    .map((r) => ({ name: r.name, lastInstanceAt: r.lastInstanceAt }))
    .sort((a, b) => (b.lastInstanceAt?.getTime() ?? -Infinity) - (a.lastInstanceAt?.getTime() ?? -Infinity) || a.name.localeCompare(b.name));
  const tileReport = typeof base.tile?.config.report === "string" ? base.tile.config.report : "";
  const tileTags = Array.isArray(base.tile?.config.tags) ? (base.tile.config.tags as unknown[]).filter((t): t is string => typeof t === "string") : [];
  const report = (url.searchParams.get("report") ?? tileReport).trim().slice(0, 200);
  const tagsParam = url.searchParams.get("tags");
  const tags = tagsParam !== null ? parseTags(tagsParam) : report === tileReport ? tileTags : [];

  const result: TileEditorData = {
    ...base,
    reports,
    report,
    tags,
    reportProblem: null,
    reportInstanceCount: 0,
    tagSuggestions: [],
    instance: null,
    origin: url.origin,
    now: new Date(),
  };
  if (!report) return result;
  if (tags.length > MAX_TAGS) return { ...result, reportProblem: `Filter by at most ${MAX_TAGS} tags (${tags.length} given).` };
  if (tags.some((tag) => tag.length > 200)) return { ...result, reportProblem: "A tag has at most 200 characters." };
  try {
    const [view, tagSuggestions] = await Promise.all([context.trpc.reports.view({ name: report, tags }), context.trpc.reports.tags({ name: report })]);
    result.reportInstanceCount = view.report.instanceCount;
    result.tagSuggestions = tagSuggestions;
    if (view.instance) {
      const { id, created, rows, header, numericColumns, format } = view.instance;
      const headerRows = new Set(header);
      let kept = 0;
      let end = 0;
      while (end < rows.length && (kept < MAX_ROWS_SHOWN || headerRows.has(end))) {
        if (!headerRows.has(end)) kept++;
        end++;
      }
      result.instance = {
        id,
        created,
        tags: view.instance.tags,
        rows: rows.slice(0, end),
        header: header.filter((h) => h < end),
        numericColumns,
        format,
        dataRowCount: rows.length - header.filter((h) => h < rows.length).length,
      };
    }
  } catch (error) {
    const code = trpcCode(error);
    if (code === "NOT_FOUND") {
      result.reportProblem = `There is no report “${report}” in this account. Names are case-sensitive; pick one from the list.`;
    } else if (code === "BAD_REQUEST") {
      result.reportProblem = error instanceof Error ? error.message : "The report cannot be shown.";
    } else {
      throw error;
    }
  }
  return result;
}

/** The action's "guess" intent: the spec proposed for a clicked cell. */
export async function guessAction(context: AppLoadContext, values: Record<string, string>): Promise<{ reply: GuessReply; status: number }> {
  const row = Number(values.row);
  const column = Number(values.column);
  const nonce = (values.nonce ?? "").slice(0, 100);
  const fail = (error: string, status = 400) => ({ reply: { intent: "guess" as const, nonce, row, column, error }, status });
  if (!Number.isInteger(row) || row < 0 || !Number.isInteger(column) || column < 0) return fail("That is not a cell of the table.");
  const report = values.report ?? "";
  const tags = parseTags(values.tags ?? "");
  if (!report) return fail("Choose a report first.");
  try {
    const guess = await context.trpc.dashboards.guessSeries({ report, tags, row, column });
    return { reply: { intent: "guess", nonce, row, column, guess }, status: 200 };
  } catch (error) {
    const code = trpcCode(error);
    if (code === null) throw error;
    // guessSpec refuses header cells and cells beyond the table (a RangeError, i.e. an internal error).
    if (code === "INTERNAL_SERVER_ERROR") {
      const cause = (error as Error & { cause?: unknown }).cause;
      if (!(cause instanceof RangeError)) throw error;
      return fail("That cell is not in the newest table any more: reload the page to see the new one.");
    }
    if (code === "NOT_FOUND") return fail(`There is no report “${report}” any more.`, 404);
    return fail(error instanceof Error ? error.message : "That cell cannot be charted.");
  }
}

/** The action's "save" intent: the posted `config` field as an object, or the 400 message. */
export function readConfig(raw: string | undefined): { ok: true; config: Record<string, unknown> } | { ok: false; message: string } {
  if (!raw) return { ok: false, message: "The tile’s settings were not sent. Please try again." };
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { ok: false, message: "The tile’s settings could not be read. Please reload the page and try again." };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, message: "The tile’s settings could not be read. Please reload the page and try again." };
  }
  return { ok: true, config: value as Record<string, unknown> };
}

/** Ids as the public API spells them: 32 hex characters (the address may use either spelling). */
export const sameId = (a: string, b: string) => a.replace(/-/g, "").toLowerCase() === b.replace(/-/g, "").toLowerCase();

