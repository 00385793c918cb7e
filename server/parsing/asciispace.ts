/**
 * `asciispace`: columns aligned with spaces (`df`, `ps aux`, `free`, `kubectl get`,
 * `docker ps`).
 *
 * Column boundaries come from where characters line up across all lines, not from every
 * space:
 * 1. Positions that are blank in every line split the text into segments.
 * 2. Segments are merged back into the column on their left when they are the continuation
 *    of a phrase: a segment that is empty in the header line(s) but follows a single space
 *    after text in some line (`Up 2 hours (healthy)`, `ps`'s COMMAND arguments), or a segment
 *    that holds only header text, one space after the previous header word (`Mounted on`).
 * A line of dashes (`----  -----`) under the header is dropped; the rows above it are the
 * header and its dashes help line the columns up. Needs at least two columns.
 */
import { MAX_CELLS, MAX_COLUMNS } from "./limits";
import { fail, type TextParse } from "./types";

const TAB_WIDTH = 8;
const SPACE = 32;

function expandTabs(line: string): string {
  if (!line.includes("\t")) return line;
  let out = "";
  let col = 0;
  let start = 0;
  for (let i = 0; i < line.length; i++) {
    if (line[i] !== "\t") continue;
    out += line.slice(start, i);
    col += i - start;
    const pad = TAB_WIDTH - (col % TAB_WIDTH);
    out += " ".repeat(pad);
    col += pad;
    start = i + 1;
  }
  return out + line.slice(start);
}

function isBlankCode(code: number): boolean {
  return code === SPACE || code === 9 || code === 0xa0;
}

/** A dash underline: only `-`/`=` and spaces, at least 3 dashes. */
function isDashRule(line: string): boolean {
  let dashes = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === "-" || c === "=") dashes++;
    else if (c !== " ") return false;
  }
  return dashes >= 3;
}

/** Text with no run of two blanks inside it: prose, not aligned columns. */
function hasNoWideGap(line: string): boolean {
  return !/\S[ \t]{2,}\S/.test(line);
}

/**
 * `asciispace` on the non-blank lines of cleaned text. A leading title line (prose above an
 * aligned table, as `netstat` prints) is dropped when it would otherwise bridge the columns.
 */
export function parseAsciiSpace(textLines: string[]): TextParse {
  const whole = layout(textLines);
  if (textLines.length >= 3 && hasNoWideGap(textLines[0]) && !hasNoWideGap(textLines[1])) {
    const untitled = layout(textLines.slice(1));
    if (untitled.ok && (!whole.ok || untitled.rows[0].length > whole.rows[0].length)) return untitled;
  }
  return whole;
}

function layout(textLines: string[]): TextParse {
  if (textLines.length < 2) return fail("fewer than two lines");
  const lines = textLines.map(expandTabs);

  // Rule lines (dash underlines) and the header they mark.
  const isRule = lines.map(isDashRule);
  const firstRule = isRule.indexOf(true);
  const firstText = isRule.indexOf(false);
  if (firstText < 0) return fail("only rule lines");
  // Header lines: those above a dash underline, else the first line of text.
  const headerCount = firstRule > 0 ? firstRule : firstText + 1;
  const knownHeaderCount = firstRule > 0 && isRule.indexOf(false, firstRule) > 0 ? firstRule : 0;

  // 1. Occupancy: positions with a non-blank character in any line.
  let maxLen = 0;
  for (const l of lines) if (l.length > maxLen) maxLen = l.length;
  const occupied = new Uint8Array(maxLen + 1);
  for (const l of lines) {
    for (let p = 0; p < l.length; p++) if (!isBlankCode(l.charCodeAt(p))) occupied[p] = 1;
  }
  const segStart: number[] = [];
  const segEnd: number[] = [];
  for (let p = 0; p < maxLen; ) {
    if (!occupied[p]) {
      p++;
      continue;
    }
    segStart.push(p);
    while (p < maxLen && occupied[p]) p++;
    segEnd.push(p);
  }
  const nSegs = segStart.length;
  if (nSegs < 2) return fail("no aligned columns");

  // 2. Per segment: is there text in the header / in data lines, and does it continue a
  //    phrase (text one space after other text)?
  const inHeader = new Uint8Array(nSegs);
  const joinHeader = new Uint8Array(nSegs);
  const joinAny = new Uint8Array(nSegs);
  const inData = new Uint8Array(nSegs);
  let dataLines = 0;
  for (let li = 0; li < lines.length; li++) {
    if (isRule[li]) continue;
    const l = lines[li];
    const header = li < headerCount;
    if (!header) dataLines++;
    for (let s = 0; s < nSegs && segStart[s] < l.length; s++) {
      const stop = Math.min(segEnd[s], l.length);
      let q = segStart[s];
      while (q < stop && isBlankCode(l.charCodeAt(q))) q++;
      if (q >= stop) continue;
      const join = q >= 2 && l.charCodeAt(q - 1) === SPACE && !isBlankCode(l.charCodeAt(q - 2));
      if (header) {
        inHeader[s] = 1;
        if (join) joinHeader[s] = 1;
      } else inData[s] = 1;
      if (join) joinAny[s] = 1;
    }
  }

  // 3. Merge continuation segments into the column on their left.
  const starts: number[] = [segStart[0]];
  for (let s = 1; s < nSegs; s++) {
    const continuesData = !inHeader[s] && joinAny[s];
    const continuesHeader = inHeader[s] && !inData[s] && joinHeader[s] && dataLines > 0;
    const frameOnly = !inHeader[s] && !inData[s];
    if (continuesData || continuesHeader || frameOnly) continue;
    starts.push(segStart[s]);
    if (starts.length > MAX_COLUMNS) return fail(`more than ${MAX_COLUMNS} columns`);
  }
  const width = starts.length;
  if (width < 2) return fail("fewer than two columns");
  if (lines.length * width > MAX_CELLS) return fail("too many cells");

  // 4. Cut every line at the column starts.
  const rows: string[][] = [];
  for (let li = 0; li < lines.length; li++) {
    if (isRule[li]) continue;
    const l = lines[li];
    const row = new Array<string>(width);
    for (let c = 0; c < width; c++) {
      const from = c === 0 ? 0 : starts[c];
      if (from >= l.length) {
        row[c] = "";
        continue;
      }
      const to = c + 1 < width ? starts[c + 1] : l.length;
      row[c] = l.slice(from, to).trim();
    }
    rows.push(row);
  }
  const knownHeader = knownHeaderCount > 0 ? Array.from({ length: knownHeaderCount }, (_, i) => i) : null;
  return { ok: true, rows, knownHeader, fit: 1 };
}
