/**
 * `csv`: RFC 4180 fields (quoted fields may hold delimiters, doubled quotes and newlines),
 * delimiter detected among `,` `;` tab `|` unless given; empty lines skipped; cells trimmed.
 */
import { padRows } from "./clean";
import { detectHeader } from "./header";
import { MAX_CELLS, MAX_COLUMNS } from "./limits";
import { fail, type TextParse } from "./types";

export const CSV_DELIMITERS = [",", "\t", ";", "|"] as const;

export interface CsvTokens {
  records: string[][];
  /** A quoted field was still open at the end of the input. */
  unterminated: boolean;
}

/**
 * Splits text into records and fields. Linear in the input; never throws. Stops early
 * (returning null) when a record gets wider than the column limit.
 */
export function tokenizeCsv(text: string, delimiter: string): CsvTokens | null {
  const records: string[][] = [];
  const n = text.length;
  const d0 = delimiter.charCodeAt(0);
  const dlen = delimiter.length;
  const isDelim = (i: number): boolean =>
    text.charCodeAt(i) === d0 && (dlen === 1 || text.startsWith(delimiter, i));
  const maxColumns = MAX_COLUMNS;
  let unterminated = false;
  let record: string[] = [];
  let blankRecord = true;
  let i = 0;
  while (i <= n) {
    // Start of a field: skip blanks (that are not the delimiter) before a possible quote.
    let j = i;
    while (j < n && (text[j] === " " || text[j] === "\t") && !isDelim(j)) j++;
    let value: string;
    if (j < n && text[j] === '"') {
      // Quoted field.
      let out = "";
      let k = j + 1;
      for (;;) {
        const q = text.indexOf('"', k);
        if (q < 0) {
          out += text.slice(k);
          k = n;
          unterminated = true;
          break;
        }
        out += text.slice(k, q);
        if (text[q + 1] === '"') {
          out += '"';
          k = q + 2;
        } else {
          k = q + 1;
          break;
        }
      }
      // Anything after the closing quote up to the delimiter is kept, leniently.
      let e = k;
      while (e < n && text[e] !== "\n" && !isDelim(e)) e++;
      value = out + text.slice(k, e).trim();
      blankRecord = false;
      i = e;
    } else {
      let e = j;
      while (e < n && text[e] !== "\n" && !isDelim(e)) e++;
      value = text.slice(j, e).trim();
      if (value !== "") blankRecord = false;
      i = e;
    }
    record.push(value);
    if (record.length > maxColumns) return null;
    if (i < n && text[i] !== "\n") {
      i += dlen; // a delimiter: next field
      blankRecord = false;
      continue;
    }
    // End of record.
    if (!blankRecord) records.push(record);
    record = [];
    blankRecord = true;
    i++;
  }
  return { records, unterminated };
}

/** Share of records having the most common field count, and that count. */
export function modalWidth(records: string[][]): { width: number; share: number } {
  const counts = new Map<number, number>();
  for (const r of records) counts.set(r.length, (counts.get(r.length) ?? 0) + 1);
  let width = 0;
  let best = 0;
  for (const [w, c] of counts) {
    if (c > best || (c === best && w > width)) {
      best = c;
      width = w;
    }
  }
  return { width, share: records.length > 0 ? best / records.length : 0 };
}

interface CsvChoice {
  delimiter: string;
  tokens: CsvTokens;
  width: number;
  share: number;
}

/** The delimiter among `,` tab `;` `|` giving the most consistent records of 2+ fields. */
function chooseDelimiter(text: string, partial: boolean): CsvChoice | null {
  let best: CsvChoice | null = null;
  for (const d of CSV_DELIMITERS) {
    if (!text.includes(d)) continue;
    const tokens = tokenizeCsv(text, d);
    if (tokens === null || tokens.records.length === 0) continue;
    if (partial) tokens.unterminated = false;
    const { width, share } = modalWidth(tokens.records);
    if (width < 2) continue;
    const fit = tokens.unterminated ? share / 2 : share;
    const bestFit = best === null ? -1 : best.tokens.unterminated ? best.share / 2 : best.share;
    if (fit > bestFit || (fit === bestFit && best !== null && width > best.width)) {
      best = { delimiter: d, tokens, width, share };
    }
  }
  return best;
}

/**
 * `csv` on cleaned text. `partial` says the text is a prefix of the input (detection's
 * sample), so a quoted field still open at its end is no sign of a bad fit.
 */
export function parseCsv(text: string, delimiter?: string, partial = false): TextParse {
  let choice: CsvChoice | null;
  if (delimiter) {
    const tokens = tokenizeCsv(text, delimiter);
    if (tokens === null) return fail(`more than ${MAX_COLUMNS} columns`);
    choice = { delimiter, tokens, ...modalWidth(tokens.records) };
  } else {
    choice = chooseDelimiter(text, partial);
    if (choice === null) {
      // No delimiter: one column per line.
      const tokens = tokenizeCsv(text, ",");
      if (tokens === null) return fail(`more than ${MAX_COLUMNS} columns`);
      choice = { delimiter: ",", tokens, ...modalWidth(tokens.records) };
    }
  }
  if (partial) choice.tokens.unterminated = false;
  const records = choice.tokens.records;
  if (records.length === 0) return fail("no CSV records");
  const padded = padRows(records, "", MAX_COLUMNS, MAX_CELLS);
  if (padded === null) return fail("too many cells");
  const fit = choice.width >= 2 ? (choice.tokens.unterminated ? choice.share / 2 : choice.share) : 0;
  return { ok: true, rows: padded.rows, knownHeader: null, fit };
}

/** CSV's header is one row at most. */
export function csvHeader(rows: string[][]): number[] {
  return detectHeader(rows, 1);
}
