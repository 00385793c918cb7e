/** Header detection for text tables whose format does not know the header. */
import { MAX_HEADER_ROWS } from "./limits";
import { isLabel, isValueLike } from "./number";

const BODY_SAMPLE_ROWS = 1000;
const SIGNAL_SHARE = 0.8;

/** A row that looks like labels: at least one label and no value-like cell. */
function isLabelRow(row: string[]): boolean {
  let labels = 0;
  for (const c of row) {
    if (c === "") continue;
    if (isValueLike(c)) return false;
    if (isLabel(c)) labels++;
  }
  return labels > 0;
}

function isUpperLabel(s: string): boolean {
  return /\p{Lu}/u.test(s) && !/\p{Ll}/u.test(s);
}

/**
 * Whether rows [0, k) read as labels over the rows below: some column whose last header cell
 * is a label while the body below is (mostly) values, or is ALL-CAPS over lower-case text.
 */
function hasSignal(rows: string[][], k: number): boolean {
  const last = rows[k - 1];
  const end = Math.min(rows.length, k + BODY_SAMPLE_ROWS);
  for (let j = 0; j < last.length; j++) {
    const head = last[j];
    if (!isLabel(head)) continue;
    let nonEmpty = 0;
    let values = 0;
    let lower = 0;
    for (let i = k; i < end; i++) {
      const c = rows[i][j] ?? "";
      if (c === "") continue;
      nonEmpty++;
      if (isValueLike(c)) values++;
      if (/\p{Ll}/u.test(c)) lower++;
    }
    if (nonEmpty === 0) continue;
    if (values / nonEmpty >= SIGNAL_SHARE) return true;
    if (isUpperLabel(head) && lower / nonEmpty >= SIGNAL_SHARE) return true;
  }
  return false;
}

/**
 * The leading rows (at most `maxRows`) that look like labels, unlike the rows below.
 * One-row tables have no header. A header of k > 1 rows needs at least k rows below it.
 */
export function detectHeader(rows: string[][], maxRows = MAX_HEADER_ROWS): number[] {
  if (rows.length < 2) return [];
  let lead = 0;
  const maxLead = Math.min(maxRows, rows.length - 1);
  while (lead < maxLead && isLabelRow(rows[lead])) lead++;
  for (let k = lead; k >= 1; k--) {
    if (k > 1 && rows.length - k < k) continue;
    if (hasSignal(rows, k)) return Array.from({ length: k }, (_, i) => i);
  }
  return [];
}
