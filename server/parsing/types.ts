/** Public types of the parsing module (see /shared/spec/parsing.md). */

export type Format =
  | "any"
  | "json"
  | "jsonraw"
  | "csv"
  | "ascii"
  | "asciitable"
  | "asciispace"
  | "props"
  | "tokens"
  | "markdown"
  | "single";

/** The concrete format that produced a table (`any` and `ascii` resolve to one of these). */
export type ParsedFormat = Exclude<Format, "any" | "ascii">;

export const FORMATS: readonly Format[] = [
  "any",
  "json",
  "jsonraw",
  "csv",
  "ascii",
  "asciitable",
  "asciispace",
  "props",
  "tokens",
  "markdown",
  "single",
];

export interface ParseOptions {
  /** Input format; `any` (the default) detects it. */
  format?: Format;
  /** Explicit cell delimiter for csv/tokens (also honoured by props), 1 to 4 characters. */
  delimiter?: string;
  /** Header row indexes: `null`/absent = detect, `[]` = force no header. */
  header?: number[] | null;
}

export interface Table {
  rows: unknown[][];
  header: number[];
}

export type ParseResult =
  | { ok: true; table: Table; format: ParsedFormat }
  | { ok: false; reason: string };

/**
 * What a text parser returns before header detection and scoring.
 * `knownHeader` is set when the format itself knows the header (frames, props);
 * `fit` (0..1) says how consistently the input matched the format (used by detection).
 */
export type TextParse =
  | { ok: true; rows: string[][]; knownHeader: number[] | null; fit: number }
  | { ok: false; reason: string };

export function fail(reason: string): { ok: false; reason: string } {
  return { ok: false, reason };
}
