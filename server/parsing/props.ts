/**
 * `props`: one `key<delim>value` pair per line (`/proc/meminfo`, `.env`, `key: value`).
 * The delimiter is the most consistent of `=` `:` `;` `-`, preferring one surrounded by
 * spaces; a line without it falls back to first word / rest of line. Comment lines (`#`)
 * are skipped. No header: keys are not labels over the values.
 */
import { MAX_CELLS } from "./limits";
import { fail, type TextParse } from "./types";

export const PROPS_DELIMITERS = ["=", ":", ";", "-"] as const;

interface Variant {
  sep: string;
  spaced: boolean;
  order: number;
  lines: number;
  positionSum: number;
}

function isDigitAt(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return c >= 48 && c <= 57;
}

/**
 * Index of the first `sep` in `line` that separates a non-blank key, else -1. An occurrence
 * between two digits is part of a value (`12:30`, `2026-11-01`), not a separator.
 */
function keyedIndex(line: string, sep: string): number {
  let i = line.indexOf(sep);
  while (i >= 0 && isDigitAt(line, i - 1) && isDigitAt(line, i + sep.length)) i = line.indexOf(sep, i + 1);
  if (i <= 0) return -1;
  return line.slice(0, i).trim() === "" ? -1 : i;
}

function splitFirstWord(line: string): [string, string] {
  const t = line.trim();
  const m = /\s+/.exec(t);
  if (!m) return [t, ""];
  return [t.slice(0, m.index), t.slice(m.index + m[0].length).trim()];
}

function chooseVariant(lines: string[], delimiters: readonly string[]): Variant | null {
  const variants: Variant[] = [];
  delimiters.forEach((d, order) => {
    variants.push({ sep: ` ${d} `, spaced: true, order, lines: 0, positionSum: 0 });
    variants.push({ sep: d, spaced: false, order, lines: 0, positionSum: 0 });
  });
  for (const l of lines) {
    for (const v of variants) {
      const i = keyedIndex(l, v.sep);
      if (i < 0) continue;
      v.lines++;
      v.positionSum += i;
    }
  }
  let best: Variant | null = null;
  for (const v of variants) {
    if (v.lines === 0) continue;
    if (best === null) {
      best = v;
      continue;
    }
    if (v.lines !== best.lines) {
      if (v.lines > best.lines) best = v;
      continue;
    }
    if (v.spaced !== best.spaced) {
      if (v.spaced) best = v;
      continue;
    }
    const avg = v.positionSum / v.lines;
    const bestAvg = best.positionSum / best.lines;
    if (avg < bestAvg || (avg === bestAvg && v.order < best.order)) best = v;
  }
  return best;
}

function isComment(line: string): boolean {
  return line.charCodeAt(0) === 35 /* # */ || line.trimStart().startsWith("#");
}

/** `props` on the non-blank lines of cleaned text. `delimiter` forces the separator. */
export function parseProps(allLines: string[], delimiter?: string): TextParse {
  const lines = allLines.filter((l) => !isComment(l));
  if (lines.length === 0) return fail("no key/value lines");
  if (lines.length * 2 > MAX_CELLS) return fail("too many cells");
  const variant = chooseVariant(lines, delimiter ? [delimiter] : PROPS_DELIMITERS);
  const rows: string[][] = [];
  let matched = 0;
  let again = 0;
  for (const l of lines) {
    const i = variant ? keyedIndex(l, variant.sep) : -1;
    if (variant && i >= 0) {
      const key = l.slice(0, i).trim();
      const value = l.slice(i + variant.sep.length).trim();
      matched++;
      if (value.includes(variant.sep.trim())) again++;
      rows.push([key, value]);
    } else {
      rows.push(splitFirstWord(l));
    }
  }
  // Fit: how many lines had the delimiter, lowered when values hold it again (a CSV?).
  const fit = variant ? (matched / lines.length) * (1 - (0.5 * again) / lines.length) : 0;
  return { ok: true, rows, knownHeader: [], fit };
}
