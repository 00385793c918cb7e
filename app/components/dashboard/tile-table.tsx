/**
 * Text tables for tiles:
 * - `SeriesTable`, a Range tile drawn as "table": one row per instance time, newest first, one
 *   column per series (∅ where a series has no value at that time);
 * - `InstanceTable`, a Latest tile drawn as "text": the newest instance's table, as the report
 *   viewer shows it (booleans coloured, null as ∅).
 * Both render on the server; times are formatted in the given zone (same text on both sides).
 */
import { Cell, DataTable } from "~/components/data-table";
import { formatInstant, formatValue, timeParts } from "./axes";
import type { ChartSeries } from "./time-chart";

/** Rows shown at most; the rest is summarised in a note. */
export const MAX_TABLE_ROWS = 500;

export type SeriesTableProps = { series: ChartSeries[]; timeZone: string; hour12: boolean; maxRows?: number };

export function SeriesTable({ series, timeZone, hour12, maxRows = MAX_TABLE_ROWS }: SeriesTableProps) {
  const byTime = new Map<number, (number | null)[]>();
  series.forEach((s, k) => {
    for (const [t, v] of s.points) {
      let row = byTime.get(t);
      if (!row) byTime.set(t, (row = new Array<number | null>(series.length).fill(null)));
      row[k] = v;
    }
  });
  const times = [...byTime.keys()].sort((a, b) => b - a);
  const shown = times.slice(0, maxRows);
  const currentYear = shown.length ? timeParts(shown[0]!, timeZone).year : undefined;
  return (
    <div className="tw-table">
      <table className="data-table">
        <thead>
          <tr>
            <th scope="col">Time</th>
            {series.map((s, k) => (
              <th key={k} scope="col" className="num">
                <span className="tw-th-series">
                  <span className="tw-swatch" style={{ background: s.color }} />
                  {s.name}
                </span>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {shown.map((t) => (
            <tr key={t}>
              <td className="tw-time">
                <time dateTime={new Date(t).toISOString()}>{formatInstant(t, timeZone, hour12, { seconds: true, currentYear })}</time>
              </td>
              {byTime.get(t)!.map((v, k) => (
                <td key={k} className="num">
                  {v === null ? <Cell value={null} /> : formatValue(v)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {times.length > shown.length ? (
        <p className="tw-table-note">
          Showing the newest {shown.length.toLocaleString("en-US")} of {times.length.toLocaleString("en-US")} instances.
        </p>
      ) : null}
    </div>
  );
}

export type InstanceTableProps = { rows: unknown[][]; header: number[]; maxRows?: number };

export function InstanceTable({ rows, header, maxRows = 200 }: InstanceTableProps) {
  const shown = rows.length > maxRows ? rows.slice(0, maxRows) : rows;
  return (
    <div className="tw-table">
      <DataTable rows={shown} header={header.filter((h) => h < shown.length)} />
      {rows.length > shown.length ? (
        <p className="tw-table-note">
          Showing the first {shown.length.toLocaleString("en-US")} of {rows.length.toLocaleString("en-US")} rows.
        </p>
      ) : null}
    </div>
  );
}
