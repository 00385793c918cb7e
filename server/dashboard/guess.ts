/**
 * dashboards.md "Guessing the spec from a clicked cell": propose a series spec for a cell the
 * user clicked in the latest instance's table. Pure: no I/O.
 */
import { cellNumber } from "../parsing/number";
import type { Table } from "../parsing/types";
import type { SeriesSpec } from "./model";
import { cellText, dataRowIndexes, headerText } from "./series";

/** The longest filter value and name a spec may hold (the limits of `seriesSpec` in model.ts). */
const MAX_VALUE_LENGTH = 1000;
const MAX_NAME_LENGTH = 200;

const MONTH = "(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\\.?";
const CLOCK = "\\d{1,2}:\\d{2}(?::\\d{2}(?:\\.\\d+)?)?";
/**
 * Dates and other points/spans of time, which score 0.5 as labels: ISO dates and date-times,
 * d/m/yyyy and yyyy/m/d, clock times (`09:14`, `0:07`), month-name dates (`Nov28`,
 * `Nov 28 2024`, `28 Nov`), compact durations (`5d2h`) and relative times (`2 hours ago`).
 */
const DATE_RES = [
  new RegExp(`^\\d{4}-\\d{1,2}-\\d{1,2}(?:[T ]${CLOCK}(?:Z|[+-]\\d{2}:?\\d{2})?)?$`, "i"),
  /^(?:\d{1,2}[/.]\d{1,2}[/.]\d{4}|\d{4}[/.]\d{1,2}[/.]\d{1,2})$/,
  /^\d{1,3}:\d{2}(?::\d{2}(?:\.\d+)?)?$/,
  new RegExp(`^(?:[a-z]{3},?\\s+)?(?:${MONTH}\\s?\\d{1,2}(?:,?\\s+\\d{4})?|\\d{1,2}\\s?${MONTH}(?:\\s?\\d{4})?)(?:\\s+${CLOCK})?$`, "i"),
  /^(?:\d+(?:\.\d+)?[a-zµ]{1,2}){2,6}$/i,
  /^(?:\d+|an?|about an?)\s+(?:sec|second|min|minute|hour|day|week|month|year)s?\s+ago$/i,
];
const SIZE_WORD_RE = /(?:^|[^a-z])(?:kb|mb|gb|tb|bytes)(?![a-z])/i;

/** Whether a text reads as a date or time (scored 0.5 as a label). */
export function isDateText(text: string): boolean {
  return DATE_RES.some((re) => re.test(text));
}

/**
 * A cell's score as a label: 0 for a number, blank or non-text cell; 0.5 for a date; otherwise 1,
 * minus 0.1 per digit group (run of digits) inside it (at most 5 counted), minus 0.3 for a size
 * word (kb, mb, gb, tb, bytes), never below 0.1.
 */
export function labelScore(cell: unknown): number {
  if (typeof cell !== "string") return 0;
  const text = cell.trim();
  if (text === "" || cellNumber(text) !== null) return 0;
  if (isDateText(text)) return 0.5;
  const digitGroups = Math.min(5, text.match(/\d+/g)?.length ?? 0);
  const score = 1 - 0.1 * digitGroups - (SIZE_WORD_RE.test(text) ? 0.3 : 0);
  return Math.max(0.1, Math.round(score * 100) / 100);
}

/**
 * A column's score as the label column for the clicked row, or null when it does not qualify:
 * at least half its cells are labels, the clicked row's value is unique in it, it does not hold
 * one value repeated (and the value fits a spec). Score = unique values × label fraction × mean
 * label score (the mean of its cells' scores, so non-label cells weigh twice: a column of counts
 * with a few annotated cells such as kubectl's `2 (3h ago)` loses to the pod names).
 */
export function labelColumnScore(cells: unknown[], clicked: number): number | null {
  const scores = cells.map(labelScore);
  const labelFraction = scores.filter((s) => s > 0).length / cells.length;
  const texts = cells.map(cellText);
  const value = texts[clicked];
  const distinct = new Set(texts).size;
  const unique = texts.filter((t) => t === value).length === 1;
  if (labelFraction < 0.5 || !unique || distinct < 2 || value.length > MAX_VALUE_LENGTH) return null;
  const meanLabelScore = scores.reduce((a, b) => a + b, 0) / scores.length;
  return distinct * labelFraction * meanLabelScore;
}

/**
 * The spec proposed for a clicked cell (`row` indexes `table.rows`, `column` the cell in it).
 * The best qualifying other column becomes F with `equals <the clicked row's value>`, named after
 * that value; on a tie the column of shorter texts wins (docker's NAMES over its COMMAND), then
 * the leftmost. With none, F = -1 with the row's index among the non-header rows (named by
 * `seriesName` at display time).
 * One-row tables (one non-header row) always use F = -1, row 0: a filter on the only row's
 * values would only stop matching when they change. They are named after the header cell of
 * the column; a 1×1 table (no header cell) gets the name `value`.
 * Throws a RangeError when the cell is in a header row or outside the table.
 */
export function guessSpec(table: Table, row: number, column: number): SeriesSpec {
  const data = dataRowIndexes(table);
  const position = data.indexOf(row);
  if (position < 0 || !Number.isInteger(column) || column < 0) throw new RangeError(`row ${row}, column ${column} is not a data cell`);
  const width = data.reduce((w, i) => Math.max(w, table.rows[i].length), 0);
  if (column >= width) throw new RangeError(`row ${row}, column ${column} is not a data cell`);

  if (data.length === 1) {
    const name = headerText(table, column) || (width === 1 ? "value" : "");
    return { column, filterColumn: -1, op: "equals", value: "0", ...(name ? { name: name.slice(0, MAX_NAME_LENGTH) } : {}) };
  }

  let best: { filterColumn: number; score: number; length: number } | null = null;
  for (let c = 0; c < width; c++) {
    if (c === column) continue;
    const cells = data.map((i) => table.rows[i][c]);
    const score = labelColumnScore(cells, position);
    if (score === null) continue;
    const length = cells.reduce((n: number, cell) => n + cellText(cell).length, 0) / cells.length;
    const better = best === null || score > best.score + 1e-9 || (score > best.score - 1e-9 && length < best.length);
    if (better) best = { filterColumn: c, score, length };
  }
  if (best === null) return { column, filterColumn: -1, op: "equals", value: String(position) };
  const value = cellText(table.rows[row][best.filterColumn]);
  const name = value.trim().slice(0, MAX_NAME_LENGTH);
  return { column, filterColumn: best.filterColumn, op: "equals", value, ...(name ? { name } : {}) };
}
