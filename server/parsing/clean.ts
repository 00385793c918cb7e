/** Pre-cleaning shared by the text formats. */

const FOOTERS: RegExp[] = [
  /^\(\d+ rows?\)$/i, // psql: (3 rows)
  /^\(\d+ rows? affected\)$/i, // SQL Server: (3 rows affected)
  /^(\d+|no) rows? selected\.?$/i, // Oracle SQL*Plus: 3 rows selected.
  /^\d+ rows? in set\b.{0,80}$/i, // MySQL: 3 rows in set (0.00 sec)
  /^empty set\b.{0,80}$/i, // MySQL: Empty set (0.00 sec)
];

/** Strips a byte-order mark and turns CRLF / CR line ends into LF. */
export function normalizeNewlines(input: string): string {
  let s = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  if (s.includes("\r")) s = s.split("\r\n").join("\n").split("\r").join("\n");
  return s;
}

function isSpaceCode(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0xfeff || (c >= 0x2000 && c <= 0x200a) || c === 0x3000;
}

/** A line with nothing but whitespace. */
export function isBlank(line: string): boolean {
  for (let i = 0; i < line.length; i++) if (!isSpaceCode(line.charCodeAt(i))) return false;
  return true;
}

export function isFooter(line: string): boolean {
  if (line.length > 100) return false;
  const t = line.trim();
  return FOOTERS.some((re) => re.test(t));
}

/** Cleaned text, ready for the text formats. */
export interface Prepared {
  /** The text with leading/trailing blank lines and a row-count footer removed. */
  text: string;
  /** The non-blank lines of `text`. */
  lines: string[];
}

/**
 * The text every text format starts from (input already newline-normalised): leading and
 * trailing blank lines removed, and a last line that is a row-count footer dropped.
 */
export function prepare(normalized: string): Prepared {
  const all = normalized.split("\n");
  let end = all.length;
  while (end > 0 && isBlank(all[end - 1])) end--;
  if (end > 0 && isFooter(all[end - 1])) {
    end--;
    while (end > 0 && isBlank(all[end - 1])) end--;
  }
  let start = 0;
  while (start < end && isBlank(all[start])) start++;
  const lines: string[] = [];
  let from = 0;
  for (let i = 0; i < start; i++) from += all[i].length + 1;
  let to = from;
  for (let i = start; i < end; i++) {
    const l = all[i];
    to += l.length + 1;
    if (!isBlank(l)) lines.push(l);
  }
  const text = end > start ? normalized.slice(from, to - 1) : "";
  return { text, lines };
}

/** The first `maxLines` lines of prepared text (for detection on large inputs). */
export function samplePrepared(p: Prepared, maxLines: number): { sample: Prepared; partial: boolean } {
  if (p.lines.length <= maxLines) return { sample: p, partial: false };
  let pos = 0;
  for (let n = 0; n < maxLines && pos >= 0; n++) {
    const nl = p.text.indexOf("\n", pos);
    pos = nl < 0 ? -1 : nl + 1;
  }
  const text = pos < 0 ? p.text : p.text.slice(0, pos - 1);
  return { sample: { text, lines: p.lines.slice(0, maxLines) }, partial: pos >= 0 };
}

/**
 * Pads rows to the widest row. Returns null when the result would exceed the column or
 * cell limits.
 */
export function padRows<T>(
  rows: T[][],
  fill: T,
  maxColumns: number,
  maxCells: number,
): { rows: T[][]; width: number } | null {
  let width = 0;
  for (const r of rows) if (r.length > width) width = r.length;
  if (width > maxColumns) return null;
  if (rows.length * width > maxCells) return null;
  for (const r of rows) while (r.length < width) r.push(fill);
  return { rows, width };
}
