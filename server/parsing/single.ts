/**
 * `single` and `markdown`: the whole input is one cell. A one-line input is trimmed; longer
 * text keeps its indentation (it is shown preformatted) but loses blank lines around it.
 */
import { fail, type TextParse } from "./types";

/** The one cell of newline-normalised input. */
export function singleCell(normalized: string): string {
  const s = normalized.trimEnd();
  // Skip leading blank lines (but keep the first line's indentation).
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 10) start = i + 1;
    else if (!(c === 32 || c === 9 || c === 11 || c === 12 || c === 0xa0)) break;
  }
  const body = s.slice(start);
  return body.includes("\n") ? body : body.trim();
}

/** `single` / `markdown` on newline-normalised input. */
export function parseSingle(normalized: string): TextParse {
  const cell = singleCell(normalized);
  if (cell === "") return fail("empty input");
  return { ok: true, rows: [[cell]], knownHeader: [], fit: 1 };
}
