/** Size limits. JSON's are from the spec; the others keep every format linear and bounded. */

/** At most this many columns in any table (spec: JSON; applied to every format). */
export const MAX_COLUMNS = 1000;
/** At most this many data rows from JSON, after unnesting (spec). */
export const MAX_JSON_ROWS = 10_000;
/**
 * At most this many cells (rows x widest row) in any table. Not in the spec: it bounds the
 * blow-up from padding ragged rows and from unnesting JSON, which can otherwise turn a small
 * input into tens of millions of cells. A 1 MiB input has at most ~0.5 M real cells.
 */
export const MAX_CELLS = 2_000_000;
/**
 * At most this many non-blank lines for the table-making text formats. Not in the spec: a
 * 1 MiB input of 1-byte lines would otherwise become half a million row arrays, and building
 * them (mostly garbage collection) takes most of a second. 100,000 lines keeps every 1 MiB
 * input well under that. `single` and `markdown` have no line limit.
 */
export const MAX_TEXT_LINES = 100_000;
/** JSON nested deeper than this cannot be parsed (also protects JSON.stringify downstream). */
export const MAX_JSON_DEPTH = 100;
/** Header detection looks at most at this many leading rows. */
export const MAX_HEADER_ROWS = 5;
