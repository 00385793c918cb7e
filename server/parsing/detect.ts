/**
 * Detection for `any` on text that is not JSON: every text parser that can parse the input
 * produces a candidate, and the candidate whose cells look most like clean values wins.
 *
 *   score = weight(format) x fit x quality x shape
 *
 * - quality: mean goodness of the (sampled) cells. Numbers, dates, booleans and short words
 *   are good; a cell with a tab, a newline, frame characters or a wide run of spaces is bad.
 * - fit: how consistently the input matched the format (records of the same width for CSV
 *   and tokens, lines having the delimiter for props).
 * - shape: one cell per line is weak evidence.
 * - weight: drawn frames beat a consistent delimiter, which beats whitespace alignment.
 */
import { samplePrepared, type Prepared } from "./clean";
import { parseAsciiSpace } from "./asciispace";
import { parseAsciiTable } from "./asciitable";
import { parseCsv } from "./csv";
import { isValueLike } from "./number";
import { parseProps } from "./props";
import { parseSingle } from "./single";
import { parseTokens, splitTokens } from "./tokens";
import type { TextParse } from "./types";

export type TextFormat = "csv" | "asciitable" | "asciispace" | "props" | "tokens" | "single";

export const WEIGHTS: Record<TextFormat, number> = {
  asciitable: 1.4,
  csv: 1.25,
  props: 1.2,
  asciispace: 1.0,
  tokens: 0.9,
  single: 0.2,
};

/** Candidates need at least this fit. */
const MIN_FIT: Record<TextFormat, number> = {
  asciitable: 0,
  csv: 0.75,
  props: 0.8,
  asciispace: 0,
  tokens: 0,
  single: 0,
};

const SAMPLE_ROWS = 500;
const SAMPLE_CELLS = 20_000;
const FRAME_RE = /[|│┃║]|[-=]{3}|\+-|-\+|[\u2500-\u257f]/;

/** How much a cell looks like a clean value, 0 (bad) .. 1 (number, date, boolean). */
export function cellGoodness(s: string): number {
  if (s === "") return 0.5;
  if (s.length > 200) return 0;
  if (/[\t\n\r]/.test(s) || FRAME_RE.test(s) || s.includes("   ")) return 0;
  if (isValueLike(s)) return 1;
  let spaces = 0;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === 32) spaces++;
  if (spaces === 0) return s.length <= 40 ? 0.9 : 0.4;
  if (s.length <= 40 && spaces <= 4) return 0.7;
  return 0.3;
}

/** Mean cell goodness over the first rows (at most SAMPLE_ROWS rows / SAMPLE_CELLS cells). */
export function tableQuality(rows: string[][]): number {
  let sum = 0;
  let n = 0;
  const end = Math.min(rows.length, SAMPLE_ROWS);
  for (let i = 0; i < end && n < SAMPLE_CELLS; i++) {
    for (const c of rows[i]) {
      sum += cellGoodness(c);
      n++;
    }
  }
  return n === 0 ? 0 : sum / n;
}

export function scoreCandidate(format: TextFormat, parse: TextParse): number {
  if (!parse.ok || parse.rows.length === 0) return -1;
  if (parse.fit < MIN_FIT[format]) return -1;
  const width = parse.rows[0].length;
  const shape = width <= 1 && parse.rows.length > 1 ? 0.5 : 1;
  return WEIGHTS[format] * parse.fit * tableQuality(parse.rows) * shape;
}

export interface Detected {
  format: TextFormat;
  parse: TextParse & { ok: true };
}

/** Detection scores candidates on at most this many lines, then parses only the winner. */
const SAMPLE_LINES = 1000;

/** Runs one text format on prepared text (`normalized` is the whole input, for `single`). */
export function runText(format: TextFormat, prep: Prepared, normalized: string, partial = false): TextParse {
  switch (format) {
    case "asciitable":
      return parseAsciiTable(prep.lines);
    case "csv":
      return parseCsv(prep.text, undefined, partial);
    case "props":
      return parseProps(prep.lines);
    case "asciispace":
      return parseAsciiSpace(prep.lines);
    case "tokens":
      return parseTokens(prep.lines);
    case "single":
      return parseSingle(normalized);
  }
}

const CANDIDATES: TextFormat[] = ["asciitable", "csv", "props", "asciispace", "tokens", "single"];

/** Score of every candidate format on (a sample of) the prepared text. */
export function scoreAll(prep: Prepared, normalized: string): Array<{ format: TextFormat; score: number; parse: TextParse }> {
  const { sample, partial } = samplePrepared(prep, SAMPLE_LINES);
  return CANDIDATES.map((format) => {
    const parse = runText(format, sample, normalized, partial);
    return { format, score: scoreCandidate(format, parse), parse };
  });
}

/**
 * Picks the text format for prepared, non-JSON text and parses it. A single line with one
 * word is `single`; with several words, `tokens`. Otherwise candidates are scored on the
 * first lines and the best one that also parses the whole input wins.
 */
export function detectText(prep: Prepared, normalized: string, delimiter?: string): Detected | null {
  if (delimiter) {
    const csv = parseCsv(prep.text, delimiter);
    if (csv.ok && csv.rows.length > 0 && csv.rows[0].length >= 2) return { format: "csv", parse: csv };
  }
  if (prep.lines.length <= 1) {
    if (prep.lines.length === 1 && splitTokens(prep.lines[0]).length > 1) {
      const tokens = parseTokens(prep.lines);
      if (tokens.ok) return { format: "tokens", parse: tokens };
    }
    const single = parseSingle(normalized);
    return single.ok ? { format: "single", parse: single } : null;
  }
  const sampled = prep.lines.length > SAMPLE_LINES;
  const ranked = scoreAll(prep, normalized)
    .filter((c) => c.parse.ok && c.score >= 0)
    .sort((a, b) => b.score - a.score);
  for (const c of ranked) {
    const parse = sampled ? runText(c.format, prep, normalized) : c.parse;
    if (parse.ok && (!sampled || scoreCandidate(c.format, parse) >= 0)) return { format: c.format, parse };
  }
  const single = parseSingle(normalized);
  return single.ok ? { format: "single", parse: single } : null;
}
