/**
 * One dashboard tile, drawn from the TileData the server computed: a card with the title (a
 * link to the newest instance's `link` when it is an http(s) URL), and the renderer its kind
 * and draw call for, or an empty state.
 *
 * Routes that show tiles must include the chart stylesheet:
 *   export const links: LinksFunction = () => [...tileViewLinks];
 *
 * The tile fills its parent's height (the dashboard grid sizes it); pass `chartHeight` to give
 * the body a fixed height instead.
 */
import { Link } from "@remix-run/react";
import { memo, type ReactNode } from "react";
import type { AlarmState } from "../../../db/schema/alarms";
import type { TileData } from "../../../server/dashboard/model";
import { durationText, formatInstant, timeParts, type YRange } from "./axes";
import { BarChart } from "./bar-chart";
import { BigValue } from "./big-value";
import { Content } from "./content";
import { InstanceTable, SeriesTable } from "./tile-table";
import { TimeChart, timeChartLinks } from "./time-chart";

/** Stylesheets the tiles need (uPlot's), for the route's `links`. */
export const tileViewLinks = timeChartLinks;

export type TileViewProps = {
  data: TileData;
  /** IANA time zone for axes, tooltips and times (unknown zones fall back to UTC). */
  timeZone: string;
  hour12: boolean;
  /** Forced Y bounds for range charts (synchronised axes). */
  yRange?: YRange;
  /** Fixed body height in px; omitted: the tile fills its parent. */
  chartHeight?: number;
  /** Buttons for the header (edit, menu…), right-aligned. */
  actions?: ReactNode;
  className?: string;
  /** The tile's report's alarms (worst state of the enabled ones): marked in the header unless OK. Needs app/styles/alarms.css. */
  alarm?: { report: string; state: AlarmState; alarms: number };
};

const ALARM_MARK: Record<Exclude<AlarmState, "ok">, string> = { alarm: "ALARM", error: "ERROR", no_data: "NO DATA" };

/** A red "ALARM" (orange "ERROR", grey "NO DATA") link to the report's alarms. */
function AlarmMark({ alarm }: { alarm: NonNullable<TileViewProps["alarm"]> }) {
  if (alarm.state === "ok") return null;
  const label = ALARM_MARK[alarm.state];
  return (
    <Link
      className={`al-tile-mark state-${alarm.state}`}
      to={`/alarms?report=${encodeURIComponent(alarm.report)}`}
      title={`${alarm.alarms} alarm${alarm.alarms === 1 ? "" : "s"} on ${alarm.report}; the worst is ${label}`}
    >
      <span className="state-dot" aria-hidden="true" />
      {label}
    </Link>
  );
}

/** Only http(s) links become title links: an instance's `link` is pushed by the customer. */
export function safeLink(link: string | null): string | null {
  if (!link) return null;
  try {
    const url = new URL(link);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

const lastValue = (points: [number, number][]) => (points.length ? points[points.length - 1]![1] : null);

function Empty({ children }: { children: ReactNode }) {
  return (
    <div className="tw-empty">
      <svg width="28" height="28" viewBox="0 0 24 24" fill="none" aria-hidden="true">
        <path d="M3 3v18h18" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" />
        <path d="M7 15l3-4 3 2 5-6" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" strokeLinejoin="round" strokeDasharray="2 3" />
      </svg>
      <p>{children}</p>
    </div>
  );
}

function Body({ data, timeZone, hour12, yRange, chartHeight }: TileViewProps) {
  const { kind, draw, series } = data;
  const hasPoints = series.some((s) => s.points.length > 0);

  if (kind === "content") {
    if (data.content === null) return <Empty>No instance yet</Empty>;
    return <Content content={data.content} format={draw === "markdown" ? "markdown" : "text"} />;
  }

  if (kind === "range") {
    if (!hasPoints) return <Empty>No data in this range</Empty>;
    if (draw === "table") return <SeriesTable series={series} timeZone={timeZone} hour12={hour12} />;
    return (
      <TimeChart
        series={series}
        draw={draw === "spline" || draw === "area" || draw === "stacked" ? draw : "line"}
        from={data.from}
        to={data.to}
        timeZone={timeZone}
        hour12={hour12}
        yRange={yRange}
        height={chartHeight}
      />
    );
  }

  // latest
  if (draw === "text") {
    if (!data.table) return <Empty>No instance yet</Empty>;
    return <InstanceTable rows={data.table.rows} header={data.table.header} />;
  }
  if (!hasPoints) return <Empty>{data.newest === null ? "No instance yet" : "No number in the newest instance"}</Empty>;
  if (draw === "value") {
    const many = series.length > 1;
    return (
      <div className={`tw-values${many ? " many" : ""}`}>
        {series.map((s, k) => (
          <BigValue
            key={k}
            value={lastValue(s.points)}
            previous={data.previous?.[k] ?? null}
            label={many ? s.name : undefined}
            color={many ? s.color : undefined}
          />
        ))}
      </div>
    );
  }
  return (
    <BarChart
      draw={draw === "column" ? "column" : "bar"}
      bars={series.map((s) => ({ name: s.name, color: s.color, value: lastValue(s.points) }))}
      height={chartHeight}
    />
  );
}

function Meta({ data, timeZone, hour12 }: Pick<TileViewProps, "data" | "timeZone" | "hour12">) {
  if (data.kind === "range" && data.from !== null) {
    return <span className="tw-tile-meta">Last {durationText(data.to - data.from)}</span>;
  }
  if (data.kind !== "range" && data.newest !== null) {
    // The reference year comes from the data, not the clock: the same text on server and client.
    const currentYear = timeParts(data.to, timeZone).year;
    return (
      <time className="tw-tile-meta" dateTime={new Date(data.newest).toISOString()} title="Time of the newest instance">
        {formatInstant(data.newest, timeZone, hour12, { currentYear })}
      </time>
    );
  }
  return null;
}

export const TileView = memo(function TileView(props: TileViewProps) {
  const { data, actions, className, chartHeight, alarm } = props;
  const href = safeLink(data.titleLink);
  const alarmClass = alarm && alarm.state !== "ok" ? ` al-tile-${alarm.state}` : "";
  return (
    <article className={`tw-tile tw-kind-${data.kind} tw-draw-${data.draw}${alarmClass}${className ? ` ${className}` : ""}`}>
      <header className="tw-tile-head">
        <h3 className="tw-tile-title" title={data.title}>
          {href ? (
            <a href={href} target="_blank" rel="noopener noreferrer">
              {data.title}
            </a>
          ) : (
            data.title
          )}
        </h3>
        {alarm ? <AlarmMark alarm={alarm} /> : null}
        <Meta data={data} timeZone={props.timeZone} hour12={props.hour12} />
        {actions ? <div className="tw-tile-actions">{actions}</div> : null}
      </header>
      <div className="tw-tile-body" style={chartHeight === undefined ? undefined : { flex: "none" }}>
        <Body {...props} />
      </div>
    </article>
  );
});
