/**
 * The parsing module: a pure function from (input, options) to a table.
 * See /shared/spec/parsing.md. Never throws; runs in roughly linear time.
 */
import { normalizeNewlines, prepare } from "./clean";
import { csvHeader, parseCsv } from "./csv";
import { detectText, scoreAll, type TextFormat } from "./detect";
import { detectHeader } from "./header";
import { MAX_TEXT_LINES } from "./limits";
import { jsonTable, parseJson, tryParseJson } from "./json";
import { parseAsciiSpace } from "./asciispace";
import { parseAsciiTable } from "./asciitable";
import { parseProps } from "./props";
import { parseSingle } from "./single";
import { parseTokens } from "./tokens";
import { fail, FORMATS, type Format, type ParseOptions, type ParseResult, type TextParse } from "./types";

export { cellNumber, isValueLike } from "./number";
export { FORMATS } from "./types";
export type { Format, ParseOptions, ParseResult, ParsedFormat, Table } from "./types";

export function isFormat(value: unknown): value is Format {
  return typeof value === "string" && (FORMATS as readonly string[]).includes(value);
}

/** The header of a text table: the one its format knows, else detected. */
function headerOf(format: TextFormat, parse: TextParse & { ok: true }): number[] {
  if (parse.knownHeader !== null) return parse.knownHeader;
  if (format === "csv") return csvHeader(parse.rows);
  return detectHeader(parse.rows);
}

function textResult(format: TextFormat | "markdown", parse: TextParse): ParseResult {
  if (!parse.ok) return parse;
  const header = format === "markdown" ? [] : headerOf(format, parse);
  return { ok: true, table: { rows: parse.rows, header }, format };
}

/** `header=` overrides detection: valid, distinct row indexes in ascending order. */
function applyHeaderOverride(result: ParseResult, header: number[] | null | undefined): ParseResult {
  if (!result.ok || header === null || header === undefined || !Array.isArray(header)) return result;
  const n = result.table.rows.length;
  const valid = [...new Set(header.filter((i) => Number.isInteger(i) && i >= 0 && i < n))].sort((a, b) => a - b);
  return { ...result, table: { ...result.table, header: valid } };
}

function parseAscii(lines: string[]): ParseResult {
  const table = parseAsciiTable(lines);
  if (table.ok) return textResult("asciitable", table);
  const space = parseAsciiSpace(lines);
  if (space.ok) return textResult("asciispace", space);
  return fail(`neither a drawn table (${table.reason}) nor aligned columns (${space.reason})`);
}

function parseUnsafe(input: string, options: ParseOptions): ParseResult {
  const format: Format = options.format ?? "any";
  if (!isFormat(format)) return fail(`unknown format ${String(format)}`);
  const delimiter = typeof options.delimiter === "string" && options.delimiter !== "" ? options.delimiter : undefined;
  if (delimiter !== undefined && (delimiter.length > 4 || /[\n\r"]/.test(delimiter))) {
    return fail("the delimiter must be 1 to 4 characters, not a newline or a quote");
  }
  const normalized = normalizeNewlines(input);
  if (normalized.trim() === "") return fail("empty input");

  switch (format) {
    case "json":
      return parseJson(normalized, true);
    case "jsonraw":
      return parseJson(normalized, false);
    case "single":
    case "markdown":
      return textResult(format, parseSingle(normalized));
    default:
      break;
  }
  if (format === "any") {
    // Valid JSON is JSON.
    const json = tryParseJson(normalized);
    if (json.ok) return jsonTable(json.value, true);
  }

  const prep = prepare(normalized);
  if (prep.lines.length === 0) return fail("nothing but a row-count footer");
  if (prep.lines.length > MAX_TEXT_LINES) return fail(`more than ${MAX_TEXT_LINES} lines`);
  switch (format) {
    case "csv":
      return textResult("csv", parseCsv(prep.text, delimiter));
    case "asciitable":
      return textResult("asciitable", parseAsciiTable(prep.lines));
    case "asciispace":
      return textResult("asciispace", parseAsciiSpace(prep.lines));
    case "ascii":
      return parseAscii(prep.lines);
    case "props":
      return textResult("props", parseProps(prep.lines, delimiter));
    case "tokens":
      return textResult("tokens", parseTokens(prep.lines, delimiter));
    default: {
      const detected = detectText(prep, normalized, delimiter);
      if (detected === null) return fail("no format fits the input");
      return textResult(detected.format, detected.parse);
    }
  }
}

/**
 * Turns input text into a table. `format` defaults to `any` (detect). Returns the table and
 * the format that produced it, or `{ ok: false, reason }` when the input cannot be parsed.
 * Never throws.
 */
export function parseInput(input: string, options: ParseOptions = {}): ParseResult {
  try {
    if (typeof input !== "string") return fail("input is not text");
    const opts = options ?? {};
    return applyHeaderOverride(parseUnsafe(input, opts), opts.header);
  } catch (err) {
    // Defensive: no input may make parsing throw (e.g. an engine limit on a huge input).
    return fail(`internal parser error: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** For tests and diagnostics: the detection score of each text format (-1: not a candidate). */
export function candidateScores(input: string): Record<TextFormat, number> {
  const normalized = normalizeNewlines(input);
  const scores = scoreAll(prepare(normalized), normalized);
  return Object.fromEntries(scores.map((s) => [s.format, s.score])) as Record<TextFormat, number>;
}
