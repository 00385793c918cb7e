/**
 * A range tile's time chart (line, smoothed line, area, stacked area), drawn with uPlot.
 *
 * - Renders an empty, sized box and the legend on the server; uPlot is created only in an
 *   effect (it needs a canvas), so the server never touches `window` and hydration matches.
 * - Responsive: a ResizeObserver on the plot box resizes the chart (its root is positioned
 *   absolutely, so the chart cannot feed back into the box's size).
 * - New points (same series, same draw) go in with setData on the existing chart; the chart is
 *   recreated only when its structure changes (series, colours, draw, time zone, 12/24h).
 * - Series with different timestamps are merged into one X array with nulls and drawn with
 *   spanGaps; the cursor snaps each series to its nearest point.
 * - The page must include uPlot's stylesheet: `export const links = () => [...timeChartLinks]`
 *   (or `tileViewLinks` from tile-view.tsx) in the route module.
 */
import type { LinkDescriptor } from "@remix-run/node";
import { useEffect, useMemo, useRef, useState } from "react";
import uPlot from "uplot";
import uPlotCss from "uplot/dist/uPlot.min.css";
import {
  formatInstant,
  formatTicks,
  formatValue,
  isBinaryRange,
  safeTimeZone,
  timeParts,
  timeTickLabels,
  withAlpha,
  yAxisRange,
  type YRange,
  yScaleRange,
} from "./axes";

/** uPlot's stylesheet, for the `links` export of every route that shows a time chart. */
export const timeChartLinks: LinkDescriptor[] = [{ rel: "stylesheet", href: uPlotCss }];

export type ChartSeries = { name: string; color: string; points: [number, number][] };
export type TimeDraw = "line" | "spline" | "area" | "stacked";

export type TimeChartProps = {
  series: ChartSeries[];
  draw: TimeDraw;
  /** The window drawn, epoch ms (defaults: the data's first and last points). */
  from?: number | null;
  to?: number;
  /** IANA zone for the axis and tooltip (unknown zones fall back to UTC). */
  timeZone: string;
  hour12: boolean;
  /** Forced Y bounds (e.g. synchronised axes); win over the automatic rule. */
  yRange?: YRange;
  /** Plot height in px (axes included, legend excluded); omitted: fill the parent's height. */
  height?: number;
};

const FONT = '-apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';
const AXIS_FONT = `11px ${FONT}`;
const AXIS_INK = "#6b7785";
const GRID = "#eef0f2";
const MAX_TOOLTIP_ROWS = 10;

/* ---------- data ---------- */

type Prepared = {
  /** Seconds since the epoch (uPlot's default time unit). */
  xs: number[];
  /** Per series, the series' own values at xs (null where it has no point). */
  raw: (number | null)[][];
  /** What is drawn: raw, or for stacked the running sums of the (interpolated) values. */
  plotted: (number | null)[][];
  /** For stacked: each series' own value at every x inside its extent (for the tooltip). */
  own: (number | null)[][];
};

/** Merges the series' timestamps into one sorted X array; each series gets nulls where it has no point. */
export function alignSeries(series: ChartSeries[]): { xs: number[]; raw: (number | null)[][] } {
  const first = series[0]?.points ?? [];
  const shared = series.every((s) => s.points.length === first.length && s.points.every((p, i) => p[0] === first[i]![0]));
  const sorted = first.every((p, i) => i === 0 || p[0] > first[i - 1]![0]);
  if (shared && sorted) {
    return { xs: first.map((p) => p[0] / 1000), raw: series.map((s) => s.points.map((p) => (Number.isFinite(p[1]) ? p[1] : null))) };
  }
  const all: number[] = [];
  for (const s of series) for (const p of s.points) all.push(p[0]);
  all.sort((a, b) => a - b);
  const times: number[] = [];
  for (const t of all) if (times.length === 0 || times[times.length - 1] !== t) times.push(t);
  const index = new Map<number, number>();
  times.forEach((t, i) => index.set(t, i));
  const raw = series.map((s) => {
    const values: (number | null)[] = new Array(times.length).fill(null);
    for (const [t, v] of s.points) values[index.get(t)!] = Number.isFinite(v) ? v : null;
    return values;
  });
  return { xs: times.map((t) => t / 1000), raw };
}

/** Linear interpolation across the nulls between a series' first and last points. */
function interpolate(xs: number[], values: (number | null)[]): (number | null)[] {
  const out = values.slice();
  let prev = -1;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) continue;
    if (prev >= 0 && i - prev > 1) {
      const v0 = values[prev]!;
      const span = xs[i]! - xs[prev]!;
      for (let k = prev + 1; k < i; k++) out[k] = v0 + ((v - v0) * (xs[k]! - xs[prev]!)) / (span || 1);
    }
    prev = i;
  }
  return out;
}

function prepare(series: ChartSeries[], draw: TimeDraw, hidden: ReadonlySet<number> | null): Prepared {
  const { xs, raw } = alignSeries(series);
  if (draw !== "stacked") return { xs, raw, plotted: raw, own: raw };
  const own = raw.map((values) => interpolate(xs, values));
  const sums = new Array<number>(xs.length).fill(0);
  const plotted = own.map((values, s) => {
    if (hidden?.has(s)) return values.map(() => null);
    return values.map((v, i) => (v === null ? null : (sums[i]! += v)));
  });
  return { xs, raw, plotted, own };
}

/** The Y rule for what is visible: the series' values, or the stack's sums. */
function ruleFor(p: Prepared, draw: TimeDraw, hidden: ReadonlySet<number>): YRange {
  const source = draw === "stacked" ? p.plotted : p.raw;
  function* visible() {
    for (let s = 0; s < source.length; s++) if (!hidden.has(s)) yield* source[s]!;
  }
  return yAxisRange(visible());
}

/* ---------- uPlot options ---------- */

/** Numeric tick increments: 1, 2, 5 × 10^n (no 2.5: "1.25k" ticks read badly). */
const NUM_INCRS = (() => {
  const out: number[] = [];
  for (let e = -9; e <= 18; e++) for (const m of [1, 2, 5]) out.push(Number((m * 10 ** e).toPrecision(3)));
  return out;
})();

/** The width of the Y axis: its longest label, measured with the axis font. */
function yAxisSize(u: uPlot, values: string[] | null, axisIdx: number, cycleNum: number): number {
  const axis = u.axes[axisIdx] as uPlot.Axis & { _size?: number };
  if (cycleNum > 1 && axis._size) return axis._size;
  let width = 0;
  if (values?.length) {
    // uPlot caches the context's font: measure with ours, then put its own back.
    const previous = u.ctx.font;
    u.ctx.font = AXIS_FONT;
    for (const v of values) width = Math.max(width, u.ctx.measureText(v).width);
    u.ctx.font = previous;
  }
  return Math.ceil(width) + 14;
}

const gradientFill = (color: string) => (u: uPlot) => {
  const { top, height } = u.bbox;
  const g = u.ctx.createLinearGradient(0, top, 0, top + height);
  g.addColorStop(0, withAlpha(color, 0.34));
  g.addColorStop(1, withAlpha(color, 0.04));
  return g;
};

type Live = {
  prepared: Prepared;
  rule: YRange;
  yRange?: YRange;
  from: number | null;
  to: number | undefined;
  zone: string;
  hour12: boolean;
  hidden: ReadonlySet<number>;
  draw: TimeDraw;
  series: ChartSeries[];
  /** All values are 0 or 1 (drawn as steps). */
  binary: boolean;
  /** The user zoomed in (drag); double-click goes back to the tile's window. */
  zoomed: boolean;
};

/** Sets the X window to [from, to] (or the data's extent). */
function applyX(u: uPlot, live: Live) {
  const xs = live.prepared.xs;
  let min = live.from !== null ? live.from / 1000 : (xs[0] ?? Date.now() / 1000 - 3600);
  let max = live.to !== undefined ? live.to / 1000 : (xs[xs.length - 1] ?? Date.now() / 1000);
  if (!(max > min)) [min, max] = [min - 1800, min + 1800];
  u.setScale("x", { min, max });
}

function toAligned(p: Prepared): uPlot.AlignedData {
  return [p.xs, ...p.plotted] as uPlot.AlignedData;
}

function buildOptions(live: Live, size: { width: number; height: number }, tooltip: HTMLDivElement): uPlot.Options {
  const { draw, series, hidden, zone, hour12 } = live;
  const spline = uPlot.paths.spline?.();
  // 0/1 series (up/down, on/off) are steps: a slope between two checks would invent states.
  const stepped = live.binary && draw === "line" ? uPlot.paths.stepped?.({ align: 1 }) : undefined;
  const visibleIdx = series.map((_, i) => i).filter((i) => !hidden.has(i));
  const bands: uPlot.Band[] = [];
  if (draw === "stacked") {
    for (let k = 1; k < visibleIdx.length; k++) {
      const upper = visibleIdx[k]! + 1;
      bands.push({ series: [upper, visibleIdx[k - 1]! + 1], fill: withAlpha(series[upper - 1]!.color, 0.5) });
    }
  }
  return {
    ...size,
    padding: [14, 16, 0, 2],
    legend: { show: false },
    // Hovering near a line dims the others (not for filled charts, where it muddies the fills).
    focus: { alpha: 0.4 },
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1e3), zone),
    scales: {
      x: { time: true, auto: false },
      y: {
        range: (_u, dataMin, dataMax) => yScaleRange(dataMin, dataMax, live.rule, live.yRange),
      },
    },
    cursor: {
      y: false,
      focus: { prox: draw === "line" || draw === "spline" ? 16 : -1 },
      hover: { skip: [null, undefined] },
      points: { size: 8, width: 2 },
      drag: { x: true, y: false, setScale: true },
      // Double-click resets the zoom to the tile's window (handled below), not uPlot's data extent.
      bind: { dblclick: () => () => null },
    },
    bands,
    series: [
      {},
      ...series.map((s, i): uPlot.Series => ({
        label: s.name,
        stroke: s.color,
        width: draw === "stacked" ? 1.25 : 1.5,
        spanGaps: true,
        show: !(draw !== "stacked" && hidden.has(i)),
        paths: draw === "spline" && spline ? spline : stepped,
        fill:
          draw === "area"
            ? gradientFill(s.color)
            : draw === "stacked" && visibleIdx[0] === i
              ? withAlpha(s.color, 0.5)
              : undefined,
        points: { size: 5, width: 1.5, fill: "#fff" },
      })),
    ],
    axes: [
      {
        font: AXIS_FONT,
        stroke: AXIS_INK,
        size: 42,
        gap: 6,
        space: hour12 ? 84 : 62,
        grid: { show: false },
        ticks: { show: true, stroke: "#d9dee3", width: 1, size: 4 },
        values: (_u, splits, _axisIdx, _space, incr) => timeTickLabels(splits, incr, zone, hour12),
      },
      {
        font: AXIS_FONT,
        stroke: AXIS_INK,
        gap: 8,
        space: 30,
        size: yAxisSize,
        grid: { stroke: GRID, width: 1 },
        ticks: { show: false },
        // A 0/1 axis has two ticks, 0 and 1.
        incrs: () => (isBinaryRange({ min: live.yRange?.min ?? live.rule.min, max: live.yRange?.max ?? live.rule.max }) ? [1] : NUM_INCRS),
        values: (_u, splits) => formatTicks(splits),
      },
    ],
    hooks: {
      // A drag selection zooms in (cursor.drag.setScale); new data then keeps the view.
      setSelect: [
        (u) => {
          if (u.select.width > 0) live.zoomed = true;
        },
      ],
      setCursor: [(u) => updateTooltip(u, live, tooltip)],
      drawAxes: [drawZeroLine],
    },
  };
}

/** A darker grid line at 0 when the Y axis crosses it. */
function drawZeroLine(u: uPlot) {
  const y = u.scales.y;
  if (!y || y.min === undefined || y.max === undefined || !(y.min < 0 && y.max > 0)) return;
  const { left, width } = u.bbox;
  const py = Math.round(u.valToPos(0, "y", true)) + 0.5;
  u.ctx.save();
  u.ctx.strokeStyle = "#b0b8c3";
  u.ctx.lineWidth = 1;
  u.ctx.beginPath();
  u.ctx.moveTo(left, py);
  u.ctx.lineTo(left + width, py);
  u.ctx.stroke();
  u.ctx.restore();
}

/* ---------- tooltip (plain DOM: it follows the mouse without React renders) ---------- */

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function updateTooltip(u: uPlot, live: Live, tip: HTMLDivElement) {
  const { left, top, idx } = u.cursor;
  if (idx === null || idx === undefined || left === undefined || left < 0 || top === undefined) {
    tip.hidden = true;
    return;
  }
  const { prepared, series, hidden, draw, zone, hour12 } = live;
  const x = prepared.xs[idx];
  if (x === undefined) {
    tip.hidden = true;
    return;
  }
  const values = draw === "stacked" ? prepared.own : prepared.raw;
  const rows: { name: string; color: string; value: number | null }[] = [];
  series.forEach((s, i) => {
    if (hidden.has(i)) return;
    const j = u.cursor.idxs?.[i + 1] ?? idx;
    rows.push({ name: s.name, color: s.color, value: values[i]?.[j ?? idx] ?? null });
  });
  if (rows.length === 0) {
    tip.hidden = true;
    return;
  }
  // In the order drawn: top of the stack first; lines from the highest value down.
  if (draw === "stacked") rows.reverse();
  else rows.sort((a, b) => (b.value ?? -Infinity) - (a.value ?? -Infinity));
  const currentYear = timeParts(Date.now(), zone).year;
  const nodes: HTMLElement[] = [el("div", "tw-tip-time", formatInstant(x * 1000, zone, hour12, { seconds: true, weekday: true, currentYear }))];
  for (const row of rows.slice(0, MAX_TOOLTIP_ROWS)) {
    const line = el("div", "tw-tip-row");
    const swatch = el("span", "tw-swatch");
    swatch.style.background = row.color;
    line.append(swatch, el("span", "tw-tip-name", row.name), el("span", "tw-tip-value", formatValue(row.value)));
    nodes.push(line);
  }
  if (rows.length > MAX_TOOLTIP_ROWS) nodes.push(el("div", "tw-tip-more", `+${rows.length - MAX_TOOLTIP_ROWS} more`));
  if (draw === "stacked" && rows.length > 1) {
    const total = rows.reduce((sum, r) => sum + (r.value ?? 0), 0);
    const line = el("div", "tw-tip-row tw-tip-total");
    line.append(el("span", "tw-tip-name", "Total"), el("span", "tw-tip-value", formatValue(total)));
    nodes.push(line);
  }
  tip.replaceChildren(...nodes);
  tip.hidden = false;
  const plotLeft = u.over.offsetLeft;
  const plotTop = u.over.offsetTop;
  const width = tip.offsetWidth;
  const height = tip.offsetHeight;
  const boxWidth = u.over.offsetWidth + plotLeft;
  let tx = plotLeft + left + 16;
  if (tx + width > boxWidth) tx = plotLeft + left - width - 16;
  if (tx < 0) tx = Math.max(0, boxWidth - width);
  const ty = Math.max(0, Math.min(plotTop + top - height / 2, plotTop + u.over.offsetHeight - height));
  tip.style.transform = `translate(${Math.round(tx)}px, ${Math.round(ty)}px)`;
}

/* ---------- component ---------- */

export function TimeChart({ series, draw, from = null, to, timeZone, hour12, yRange, height }: TimeChartProps) {
  const zone = safeTimeZone(timeZone);
  const [hidden, setHidden] = useState<ReadonlySet<number>>(() => new Set());
  const stackedHidden = draw === "stacked" ? hidden : null;
  const prepared = useMemo(() => prepare(series, draw, stackedHidden), [series, draw, stackedHidden]);
  const rule = useMemo(() => ruleFor(prepared, draw, hidden), [prepared, draw, hidden]);
  const binary = useMemo(() => isBinaryRange(yAxisRange(prepared.raw.flat())), [prepared]);

  const boxRef = useRef<HTMLDivElement>(null);
  const tipRef = useRef<HTMLDivElement>(null);
  const chartRef = useRef<{ u: uPlot; prepared: Prepared } | null>(null);
  // What uPlot's callbacks read: updated on every render, so they never see stale props.
  const liveRef = useRef<Live | null>(null);
  const live: Live = Object.assign(liveRef.current ?? ({ zoomed: false } as Live), {
    prepared,
    rule,
    yRange,
    from,
    to,
    zone,
    hour12,
    hidden,
    draw,
    series,
    binary,
  });
  liveRef.current = live;

  // Structure: what the options depend on. Anything else is data, applied with setData.
  const structure = JSON.stringify([
    draw,
    zone,
    hour12,
    binary,
    series.map((s) => [s.name, s.color]),
    draw === "stacked" ? [...hidden].sort() : null,
  ]);

  useEffect(() => {
    const box = boxRef.current;
    const tip = tipRef.current;
    if (!box || !tip || typeof window === "undefined") return;
    const current = liveRef.current!;
    current.zoomed = false;
    const size = { width: Math.max(1, Math.floor(box.clientWidth)), height: Math.max(1, Math.floor(box.clientHeight)) };
    const u = new uPlot(buildOptions(current, size, tip), toAligned(current.prepared), box);
    chartRef.current = { u, prepared: current.prepared };
    applyX(u, current);

    const onDblClick = () => {
      current.zoomed = false;
      applyX(u, current);
    };
    const onLeave = () => {
      tip.hidden = true;
    };
    u.over.addEventListener("dblclick", onDblClick);
    u.over.addEventListener("mouseleave", onLeave);
    const observer = new ResizeObserver((entries) => {
      const rect = entries[0]?.contentRect;
      if (!rect) return;
      const width = Math.max(1, Math.floor(rect.width));
      const height = Math.max(1, Math.floor(rect.height));
      if (width !== u.width || height !== u.height) u.setSize({ width, height });
    });
    observer.observe(box);
    return () => {
      observer.disconnect();
      u.over.removeEventListener("dblclick", onDblClick);
      u.over.removeEventListener("mouseleave", onLeave);
      u.destroy();
      chartRef.current = null;
      tip.hidden = true;
    };
  }, [structure]);

  // New data (appended points, a new window, other forced bounds): in place.
  useEffect(() => {
    const chart = chartRef.current;
    const current = liveRef.current!;
    if (!chart) return;
    chart.prepared = prepared;
    // Re-ranges Y (unless zoomed in, where the view stays put).
    chart.u.setData(toAligned(prepared), !current.zoomed);
    if (!current.zoomed) applyX(chart.u, current);
  }, [prepared, from, to, yRange?.min, yRange?.max]);

  // Showing/hiding a series of an unstacked chart (stacked charts are rebuilt: the sums change).
  useEffect(() => {
    const chart = chartRef.current;
    if (!chart || draw === "stacked") return;
    series.forEach((_, i) => {
      const show = !hidden.has(i);
      if (chart.u.series[i + 1] && chart.u.series[i + 1]!.show !== show) chart.u.setSeries(i + 1, { show });
    });
  }, [hidden, draw, series]);

  const toggle = (i: number) =>
    setHidden((previous) => {
      const next = new Set(previous);
      if (next.has(i)) next.delete(i);
      else next.add(i);
      return next;
    });

  return (
    <div className={`tw-chart${height === undefined ? " fill" : ""}`}>
      <div className="tw-chart-plot" ref={boxRef} style={height === undefined ? undefined : { height }}>
        <div className="tw-tip" ref={tipRef} hidden role="tooltip" />
      </div>
      {series.length > 0 ? (
        <ul className="tw-legend" aria-label="Series">
          {series.map((s, i) => (
            <li key={i}>
              <button
                type="button"
                className={hidden.has(i) ? "off" : undefined}
                aria-pressed={!hidden.has(i)}
                title={hidden.has(i) ? `Show ${s.name}` : `Hide ${s.name}`}
                onClick={() => toggle(i)}
              >
                <span className="tw-swatch" style={{ background: s.color }} />
                <span className="tw-legend-name">{s.name}</span>
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
