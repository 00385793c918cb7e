/**
 * `tokens`: each line is a row; each whitespace-separated word (or `delimiter`-separated
 * part) is a cell.
 */
import { padRows } from "./clean";
import { modalWidth } from "./csv";
import { MAX_CELLS, MAX_COLUMNS } from "./limits";
import { fail, type TextParse } from "./types";

function isWhite(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0x3000 || (c >= 0x2000 && c <= 0x200a);
}

/** The cells of one line. */
export function splitTokens(line: string, delimiter?: string): string[] {
  if (delimiter) return line.split(delimiter).map((c) => c.trim());
  const out: string[] = [];
  const n = line.length;
  let i = 0;
  while (i < n) {
    while (i < n && isWhite(line.charCodeAt(i))) i++;
    if (i >= n) break;
    const start = i;
    while (i < n && !isWhite(line.charCodeAt(i))) i++;
    out.push(line.slice(start, i));
  }
  return out;
}

/** `tokens` on the non-blank lines of cleaned text. */
export function parseTokens(lines: string[], delimiter?: string): TextParse {
  if (lines.length === 0) return fail("no lines");
  const rows: string[][] = [];
  const maxColumns = MAX_COLUMNS;
  const maxCells = MAX_CELLS;
  let cells = 0;
  for (const l of lines) {
    const row = splitTokens(l, delimiter);
    if (row.length > maxColumns) return fail(`more than ${maxColumns} columns`);
    cells += row.length;
    if (cells > maxCells) return fail("too many cells");
    rows.push(row);
  }
  const { share } = modalWidth(rows);
  const padded = padRows(rows, "", MAX_COLUMNS, MAX_CELLS);
  if (padded === null) return fail("too many cells");
  return { ok: true, rows: padded.rows, knownHeader: null, fit: share };
}
