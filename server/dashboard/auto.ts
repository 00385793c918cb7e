/**
 * dashboards.md "Automatic tiles and series": the decisions behind master tiles (one copy per
 * tag value) and new series for new rows. Pure: no I/O; the services apply the decisions.
 */
import type { Table } from "../parsing/types";
import { MAX_MASTER_COPIES, MAX_SERIES, type SeriesSpec } from "./model";
import { cellText, dataRowIndexes, filterMatches } from "./series";

/**
 * The first tag matching a master's tag pattern (`host:*`, `host:web*`), or null. `*` matches
 * any rest of the tag, but the tag's value (after `name:`) must not be empty. A pattern without
 * `*` matches its tag exactly.
 */
export function matchTagPattern(pattern: string, tags: string[]): string | null {
  const star = pattern.endsWith("*");
  const prefix = star ? pattern.slice(0, -1) : pattern;
  const name = prefix.slice(0, prefix.indexOf(":") + 1);
  for (const tag of tags) {
    if (star ? tag.startsWith(prefix) : tag === prefix) {
      if (name !== "" && tag.length > name.length) return tag;
    }
  }
  return null;
}

/**
 * Whether an arriving instance calls for a new copy of a master tile, and with which tags:
 * the instance has a tag matching the pattern (`host:web7`) that neither the master nor an
 * existing copy stands for, and the master has fewer than MAX_MASTER_COPIES copies.
 * The copy's tags are the master's with its matching tag replaced by the new one (appended when
 * the master has none), so master `host:web1, pid:123` gives copy `host:web7, pid:123`.
 * The instance must also carry the master's other tags (`pid:123`): tile tags restrict the
 * instances drawn, so a copy without them would not even show the instance that created it.
 * `tagValue` is the matching tag itself (`host:web7`), the value stored on the copy.
 */
export function masterCopiesToCreate(input: {
  master: { tags: string[]; masterTagPattern: string };
  existingCopyValues: string[];
  instanceTags: string[];
  copyCount: number;
}): { tags: string[]; tagValue: string } | null {
  const { master, instanceTags } = input;
  const tagValue = matchTagPattern(master.masterTagPattern, instanceTags);
  if (tagValue === null || input.copyCount >= MAX_MASTER_COPIES) return null;
  const masterValue = matchTagPattern(master.masterTagPattern, master.tags);
  if (tagValue === masterValue || input.existingCopyValues.includes(tagValue)) return null;
  const others = master.tags.filter((t) => t !== masterValue);
  if (!others.every((t) => instanceTags.includes(t))) return null;
  const tags = masterValue === null ? [...master.tags, tagValue] : master.tags.map((t) => (t === masterValue ? tagValue : t));
  return { tags, tagValue };
}

export type AutoTile = { id: string; lastDataAt: Date | null; createdAt: Date };

/** Whether a tile has sent no data for longer than `staleAfterSeconds` (its creation counts as data). */
export function isStale(tile: Omit<AutoTile, "id">, now: Date, staleAfterSeconds: number): boolean {
  const last = (tile.lastDataAt ?? tile.createdAt).getTime();
  return now.getTime() - last > staleAfterSeconds * 1000;
}

/** "Copies of tag values that send no data for a configurable time are removed": the ids to remove. */
export function staleCopies(copies: AutoTile[], now: Date, staleAfterSeconds: number): string[] {
  return copies.filter((c) => isStale(c, now, staleAfterSeconds)).map((c) => c.id);
}

/**
 * "If the master itself goes stale, a copy becomes the master": the id of the copy to promote
 * (the one with the newest data; the oldest copy on a tie), or null when the master is fresh or
 * no copy is fresh.
 */
export function promoteMaster(master: AutoTile, copies: AutoTile[], now: Date, staleAfterSeconds: number): string | null {
  if (!isStale(master, now, staleAfterSeconds)) return null;
  const last = (c: AutoTile) => (c.lastDataAt ?? c.createdAt).getTime();
  const fresh = copies
    .filter((c) => !isStale(c, now, staleAfterSeconds))
    .sort((a, b) => last(b) - last(a) || a.createdAt.getTime() - b.createdAt.getTime());
  return fresh[0]?.id ?? null;
}

/**
 * "New series for new rows": with autoSeries on, one series per non-header row whose value in
 * the filtering column (of the first series) no series selects yet: same column D and F, op
 * equals, value = that cell's text, named after it. Blank cells get none. With F = -1 the new
 * rows' indexes are the values (names left to seriesName). At most MAX_SERIES series in all.
 * Returns only the series to add, in row order.
 */
export function newSeriesForRows(tile: { series: SeriesSpec[]; autoSeries: boolean }, table: Table): SeriesSpec[] {
  const pattern = tile.series[0];
  if (!tile.autoSeries || pattern === undefined) return [];
  const { column, filterColumn } = pattern;
  const same = tile.series.filter((s) => s.filterColumn === filterColumn);
  const seen = new Set<string>();
  const added: SeriesSpec[] = [];
  dataRowIndexes(table).forEach((rowIndex, position) => {
    const cell = filterColumn === -1 ? position : table.rows[rowIndex][filterColumn];
    const value = cellText(cell);
    if (value.trim() === "" || value.length > 1000 || seen.has(value)) return;
    seen.add(value);
    const covered = same.some((s) =>
      filterColumn === -1 ? s.value.trim() === value : filterMatches(cell, s.op, s.value),
    );
    if (covered || tile.series.length + added.length >= MAX_SERIES) return;
    added.push({ column, filterColumn, op: "equals", value, ...(filterColumn === -1 ? {} : { name: value.slice(0, 200) }) });
  });
  return added;
}
