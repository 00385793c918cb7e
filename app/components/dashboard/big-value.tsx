/**
 * A Latest tile's single big value, with the change from the previous instance: ▲/▼, absolute
 * and relative, green for up and red for down. The number scales with its box (CSS container
 * units), so it fits a 2×2 tile and a 6×6 one alike.
 */
import type { CSSProperties } from "react";
import { change, formatPercent, formatValue } from "./axes";

export type BigValueProps = {
  value: number | null;
  /** The previous instance's value (null: none, or not a number). */
  previous: number | null;
  /** The series name, shown under the number (for tiles with several values). */
  label?: string;
  /** The series colour, as a dot before the label. */
  color?: string;
};

export function BigValue({ value, previous, label, color }: BigValueProps) {
  const text = formatValue(value);
  const diff = change(value, previous);
  const direction = !diff || diff.delta === 0 ? "flat" : diff.delta > 0 ? "up" : "down";
  // The font shrinks for long numbers: see .tw-big-number in app.css.
  const style = { "--chars": Math.max(3, text.length) } as CSSProperties;
  return (
    <div className="tw-big">
      <div className={`tw-big-number${value === null ? " cell-null" : ""}`} style={style}>
        {text}
      </div>
      {label ? (
        <div className="tw-big-label">
          {color ? <span className="tw-swatch" style={{ background: color }} /> : null}
          <span>{label}</span>
        </div>
      ) : null}
      <div className={`tw-big-change ${direction}`}>
        {value === null ? (
          "No number in the newest instance"
        ) : previous === null ? (
          <span className="muted">No previous value</span>
        ) : diff && diff.delta !== 0 ? (
          <>
            <span aria-hidden="true">{diff.delta > 0 ? "▲" : "▼"}</span>{" "}
            <span className="visually-hidden">{diff.delta > 0 ? "Up" : "Down"}</span>
            {formatValue(Math.abs(diff.delta))}
            {diff.percent !== null ? <span className="tw-big-percent">({formatPercent(diff.percent)})</span> : null}
            <span className="tw-big-since"> since previous</span>
          </>
        ) : (
          <>No change since previous</>
        )}
      </div>
    </div>
  );
}
