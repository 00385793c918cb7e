/**
 * A Latest tile's bar (horizontal) or column (vertical) chart: one value per series, in plain
 * HTML and CSS (few bars, so no canvas; it renders fully on the server). Bars grow from 0;
 * negative values grow the other way from a zero line; 0/1 values get a 0..1 scale.
 */
import type { CSSProperties } from "react";
import { barScale, formatTicks, formatValue } from "./axes";

export type BarDatum = { name: string; color: string; value: number | null };

export type BarChartProps = {
  bars: BarDatum[];
  draw: "bar" | "column";
  /** Height in px; omitted: fill the parent's height. */
  height?: number;
};

const pct = (n: number) => `${Math.round(n * 10000) / 100}%`;

export function BarChart({ bars, draw, height }: BarChartProps) {
  const scale = barScale(bars.map((b) => b.value));
  const span = scale.max - scale.min || 1;
  /** Position of a value along the value axis, 0..1. */
  const at = (v: number) => Math.min(1, Math.max(0, (v - scale.min) / span));
  const zero = at(0);
  const style: CSSProperties | undefined = height === undefined ? undefined : { height };

  if (draw === "bar") {
    return (
      <div className={`tw-bars${height === undefined ? " fill" : ""}`} style={style}>
        {bars.map((b, i) => {
          const v = b.value;
          const lo = v === null ? zero : Math.min(at(v), zero);
          const hi = v === null ? zero : Math.max(at(v), zero);
          return (
            <div className="tw-bar-row" key={i}>
              <span className="tw-bar-label" title={b.name}>
                {b.name}
              </span>
              <span className="tw-bar-track">
                {scale.min < 0 ? <span className="tw-bar-zero" style={{ left: pct(zero) }} /> : null}
                {v === null ? null : (
                  <span
                    className="tw-bar"
                    style={{ left: pct(lo), width: `max(${pct(hi - lo)}, 2px)`, background: b.color }}
                  />
                )}
              </span>
              <span className={`tw-bar-value${v === null ? " cell-null" : ""}`}>{formatValue(v)}</span>
            </div>
          );
        })}
      </div>
    );
  }

  const tickLabels = formatTicks(scale.ticks);
  return (
    <div className={`tw-columns${height === undefined ? " fill" : ""}`} style={style}>
      <div className="tw-col-axis" aria-hidden="true">
        {/* The longest label, invisible, gives the axis its width (the others are positioned). */}
        <span className="tw-col-axis-size">{tickLabels.reduce((a, b) => (b.length > a.length ? b : a), "")}</span>
        {scale.ticks.map((t, i) => (
          <span key={i} style={{ bottom: pct(at(t)) }}>
            {tickLabels[i]}
          </span>
        ))}
      </div>
      <div className="tw-col-plot">
        {scale.ticks.map((t, i) => (
          <span key={i} className={`tw-col-grid${t === 0 ? " zero" : ""}`} style={{ bottom: pct(at(t)) }} />
        ))}
        {bars.map((b, i) => {
          const v = b.value;
          const lo = v === null ? zero : Math.min(at(v), zero);
          const hi = v === null ? zero : Math.max(at(v), zero);
          const negative = v !== null && v < 0;
          return (
            <div className="tw-col" key={i} title={`${b.name}: ${formatValue(v)}`}>
              {v === null ? null : (
                <span className="tw-col-bar" style={{ bottom: pct(lo), height: `max(${pct(hi - lo)}, 2px)`, background: b.color }} />
              )}
              <span
                className={`tw-col-value${v === null ? " cell-null" : ""}`}
                style={negative ? { top: `calc(${pct(1 - lo)} + 3px)` } : { bottom: `calc(${pct(hi)} + 3px)` }}
              >
                {formatValue(v)}
              </span>
            </div>
          );
        })}
      </div>
      <div className="tw-col-labels">
        {bars.map((b, i) => (
          <span key={i} title={b.name}>
            {b.name}
          </span>
        ))}
      </div>
    </div>
  );
}
