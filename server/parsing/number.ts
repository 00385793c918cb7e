/** "Reading cells as numbers" (parsing.md) and the value classifications built on it. */

const MAX_NUMBER_TEXT = 64;

/*
 * sign? currency? sign? number exponent? unit?
 * number: 1,234,567(.89) | 1234(.5) | .5 ; unit: % | currency | a word (ms, kB, K, MB/s).
 */
const NUMBER_RE =
  /^([+\-\u2212]?)\s?([$€£¥₹]?)\s?([+\-\u2212]?)(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d*)?|\.\d+)(?:[eE]([+-]?\d{1,3}))?\s?(%|[$€£¥₹]|[A-Za-zµμ°Ω]{1,12}(?:\/[A-Za-zµμ°Ω]{1,12})?)?$/;

/**
 * A cell read as a number, or null. JSON numbers are taken as they are; text cells count
 * when, trimmed, they are a number with optional thousands separators, a leading sign or
 * currency sign, and an optional trailing `%` or unit word. Units are not scaled.
 * Booleans, nulls, objects and other text are not numbers.
 */
export function cellNumber(cell: unknown): number | null {
  if (typeof cell === "number") return Number.isFinite(cell) ? cell : null;
  if (typeof cell !== "string") return null;
  const t = cell.trim();
  if (t === "" || t.length > MAX_NUMBER_TEXT) return null;
  const m = NUMBER_RE.exec(t);
  if (!m) return null;
  const [, sign1, , sign2, digits, exp] = m;
  if (sign1 && sign2) return null;
  const sign = sign1 || sign2;
  const negative = sign === "-" || sign === "\u2212";
  const n = Number(digits.replace(/,/g, "") + (exp !== undefined ? "e" + exp : ""));
  if (!Number.isFinite(n)) return null;
  return negative ? -n : n;
}

const DIGITISH_RE = /^[\d\s.,:/\-+TZ]+$/; // dates, times, versions, IPs, ratios: 2026-11-01, 0:07, 1/1
const DURATION_RE = /^(?:\d+(?:\.\d+)?[a-zµ]{1,2}){1,6}$/i; // 5d2h, 3h12m, 41s
const BOOL_RE = /^(?:true|false|yes|no)$/i;

/** A cell that reads as a value (number, date/time, duration, boolean), not as a label. */
export function isValueLike(s: string): boolean {
  if (s === "" || s.length > MAX_NUMBER_TEXT) return false;
  if (cellNumber(s) !== null) return true;
  if (BOOL_RE.test(s)) return true;
  if (/\d/.test(s) && DIGITISH_RE.test(s)) return true;
  return DURATION_RE.test(s);
}

/** A cell that reads as a label: contains a letter and is not value-like. */
export function isLabel(s: string): boolean {
  return s !== "" && /\p{L}/u.test(s) && !isValueLike(s);
}
