/**
 * `asciitable`: tables drawn with `|`, `+`, `-`, `=` (psql aligned output, MySQL boxes,
 * Markdown pipe tables; Unicode box drawing too). Frame lines are dropped; the rows above the
 * first rule that follows content (and precedes more content) are the header.
 */
import { padRows } from "./clean";
import { MAX_CELLS, MAX_COLUMNS } from "./limits";
import { fail, type TextParse } from "./types";

const MAX_TITLE_LINES = 2;

function isVertical(c: string): boolean {
  return c === "|" || c === "│" || c === "┃" || c === "║";
}

/** A frame line: only frame characters, with at least one horizontal stroke. */
export function isRuleLine(line: string): boolean {
  let horizontal = false;
  let any = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    const code = line.charCodeAt(i);
    if (c === " " || c === "\t") continue;
    any = true;
    if (c === "-" || c === "=") horizontal = true;
    else if (c === "+" || c === ":" || c === "|") continue;
    else if (code >= 0x2500 && code <= 0x257f) {
      if (!isVertical(c)) horizontal = true;
    } else return false;
  }
  return any && horizontal;
}

function hasVertical(line: string): boolean {
  for (let i = 0; i < line.length; i++) if (isVertical(line[i])) return true;
  return false;
}

/** Cells of a content line split on vertical bars; `\|` is a literal bar (Markdown). */
function splitBars(line: string): string[] {
  const cells: string[] = [];
  let cur = "";
  let start = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (!isVertical(c)) continue;
    if (c === "|" && i > 0 && line[i - 1] === "\\") {
      cur += line.slice(start, i - 1) + "|";
      start = i + 1;
      continue;
    }
    cells.push((cur + line.slice(start, i)).trim());
    cur = "";
    start = i + 1;
  }
  cells.push((cur + line.slice(start)).trim());
  return cells;
}

/** `asciitable` on the non-blank lines of cleaned text. */
export function parseAsciiTable(lines: string[]): TextParse {
  let rules = 0;
  let first = 0;
  // Up to two title lines (e.g. psql's "List of relations") before the drawing.
  while (first < lines.length && first < MAX_TITLE_LINES && !isRuleLine(lines[first]) && !hasVertical(lines[first])) first++;
  const kinds: Array<"rule" | "row"> = [];
  const body: string[] = [];
  for (let i = first; i < lines.length; i++) {
    const line = lines[i];
    if (isRuleLine(line)) {
      kinds.push("rule");
      rules++;
    } else if (hasVertical(line)) {
      kinds.push("row");
    } else {
      return fail("a line without column separators inside the table");
    }
    body.push(line);
  }
  const contentIdx = body.map((_, i) => i).filter((i) => kinds[i] === "row");
  if (rules === 0 || contentIdx.length === 0) return fail("no drawn table");

  const trimmed = contentIdx.map((i) => body[i].trim());
  const leftBorder = trimmed.every((t) => isVertical(t[0]));
  const rightBorder = trimmed.every((t) => isVertical(t[t.length - 1]));
  const rows: string[][] = [];
  for (const t of trimmed) {
    const cells = splitBars(t);
    if (leftBorder) cells.shift();
    if (rightBorder && cells.length > 0) cells.pop();
    if (cells.length > MAX_COLUMNS) return fail(`more than ${MAX_COLUMNS} columns`);
    rows.push(cells);
  }

  // Header: content rows above the first rule that follows content and precedes more content.
  let knownHeader: number[] | null = null;
  let seenRows = 0;
  for (let i = 0; i < body.length; i++) {
    if (kinds[i] === "row") {
      seenRows++;
      continue;
    }
    if (seenRows > 0) {
      if (seenRows < rows.length) knownHeader = Array.from({ length: seenRows }, (_, k) => k);
      break;
    }
  }
  const padded = padRows(rows, "", MAX_COLUMNS, MAX_CELLS);
  if (padded === null) return fail("too many cells");
  return { ok: true, rows: padded.rows, knownHeader, fit: 1 };
}
