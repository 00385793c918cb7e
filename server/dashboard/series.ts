/**
 * Data series (dashboards.md "Data series" and the palette/axis rules of "Tile kinds"):
 * evaluating a one-cell spec on a table, naming series and tiles, colours and the Y axis.
 * Pure: no I/O.
 */
import { cellNumber } from "../parsing/number";
import type { Table } from "../parsing/types";
import { PALETTE, type SeriesSpec } from "./model";

/** How many series names a generated tile title lists. */
export const TITLE_SERIES_NAMES = 5;

/**
 * A cell as text, for `equals`/`contains` and for filter values: strings as they are, numbers
 * and booleans with String(), null/missing as "", objects (JSON inputs) as JSON.
 */
export function cellText(cell: unknown): string {
  if (cell === null || cell === undefined) return "";
  if (typeof cell === "string") return cell;
  if (typeof cell === "number" || typeof cell === "boolean" || typeof cell === "bigint") return String(cell);
  return JSON.stringify(cell) ?? "";
}

/** The indexes of the non-header rows, in order (row index `n` of `F = -1` is the n-th of these). */
export function dataRowIndexes(table: Table): number[] {
  const header = new Set(table.header);
  const out: number[] = [];
  for (let i = 0; i < table.rows.length; i++) if (!header.has(i)) out.push(i);
  return out;
}

/** Whether a filter cell matches: `equals` compares as text, `contains` is a substring match. */
export function filterMatches(cell: unknown, op: SeriesSpec["op"], value: string): boolean {
  if (cell === undefined) return false; // beyond the row: no cell to compare
  const text = cellText(cell);
  return op === "equals" ? text === value : text.includes(value);
}

/**
 * The cell a spec selects ("SELECT column D WHERE column F <op> <value>"): column D of the first
 * non-header row whose cell in F matches; with F = -1, of the non-header row whose index
 * (counting non-header rows from 0) is the value. undefined when no row matches or D is
 * beyond the row.
 */
export function evaluateSpec(table: Table, spec: Pick<SeriesSpec, "column" | "filterColumn" | "op" | "value">): unknown | undefined {
  const rows = dataRowIndexes(table);
  let rowIndex: number | undefined;
  if (spec.filterColumn === -1) {
    if (!/^\d+$/.test(spec.value.trim())) return undefined;
    rowIndex = rows[Number(spec.value.trim())];
  } else {
    rowIndex = rows.find((i) => filterMatches(table.rows[i]?.[spec.filterColumn], spec.op, spec.value));
  }
  if (rowIndex === undefined) return undefined;
  const row = table.rows[rowIndex] ?? [];
  return spec.column < row.length ? row[spec.column] : undefined;
}

/** The selected cell read as a number (parsing.md "Reading cells as numbers"); null gives no point. */
export function specNumber(table: Table, spec: Pick<SeriesSpec, "column" | "filterColumn" | "op" | "value">): number | null {
  return cellNumber(evaluateSpec(table, spec));
}

/** The text of column `column` in the (first) header row, or "" when there is none. */
export function headerText(table: Table | null, column: number): string {
  const h = table?.header[0];
  if (table === null || h === undefined) return "";
  return cellText(table.rows[h]?.[column]).trim();
}

/**
 * A series' name: the explicit name, else the filter value, else `<header of D> (<row>)`.
 * For F = -1 the filter value is a row index, so the name is `<header of D> (<row>)`, with
 * `column D` when there is no header cell. A blank explicit name or filter value does not count.
 */
export function seriesName(spec: SeriesSpec, table: Table | null): string {
  const explicit = spec.name?.trim();
  if (explicit) return explicit;
  if (spec.filterColumn >= 0 && spec.value.trim() !== "") return spec.value;
  const column = headerText(table, spec.column) || `column ${spec.column}`;
  return spec.filterColumn === -1 ? `${column} (${spec.value})` : column;
}

/**
 * A tile's title: the explicit title, else the report name plus `(name1, name2…)` for up to five
 * series (`, …` when there are more) plus the tags in brackets:
 * `diskfree (/, /home) [host:web1]`.
 */
export function tileTitle(t: { title?: string | null; report: string; seriesNames: string[]; tags: string[] }): string {
  const explicit = t.title?.trim();
  if (explicit) return explicit;
  let title = t.report;
  if (t.seriesNames.length > 0) {
    const names = t.seriesNames.slice(0, TITLE_SERIES_NAMES).join(", ");
    title += ` (${names}${t.seriesNames.length > TITLE_SERIES_NAMES ? ", …" : ""})`;
  }
  if (t.tags.length > 0) title += ` [${t.tags.join(", ")}]`;
  return title;
}

/** A series' colour: its explicit colour, else the palette in series order (wrapping). */
export function seriesColor(index: number, spec: Pick<SeriesSpec, "color">): string {
  return spec.color ?? PALETTE[((index % PALETTE.length) + PALETTE.length) % PALETTE.length];
}
