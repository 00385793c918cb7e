/**
 * The per-process cache of Range tiles' instances (ADR 10): what a tile's default window drew,
 * so the next request for it (a reload, or the live poll's `after`) asks PostgreSQL only for
 * the instances inserted since. The refresh and merge are in tile-data.ts; this module is the
 * store: LRU-bounded by tiles and by estimated heap bytes, entries live TILE_CACHE_TTL_MS from
 * their cold computation, and invalidateTileCache() drops an account's entries (instances
 * deleted in this process). No I/O, no imports beyond types, so the report service may import it.
 */
import type { Point } from "./model";

/** One instance as a tile needs it. */
export type TileInstance = {
  /** Creation time, epoch microseconds (exact: below 2^53). */
  us: number;
  /** Only for instances the cache may meet again (generated within TILE_CACHE_MARGIN_MS of a query), else null: older than any id returned. */
  id: string | null;
  link: string | null;
  /** Each series' cell read as a number (null: no point). */
  values: (number | null)[];
  /** The instance's header row, for series named after their header cell (only when needed). */
  h?: unknown[] | null;
  /** Latest/text tiles: the table; content tiles: the raw input (never cached). */
  rows?: unknown[][];
  header?: number[];
  input?: string | null;
};

export type TileCacheEntry = {
  accountId: string;
  /** Every instance of the tile with `created >= fromUs` and an id the queries could see, oldest first by (us, id); none beyond the window's start, some possibly after its end (created up to CREATED_SKEW_MS ahead). */
  instances: TileInstance[];
  /** Each series' points of `instances`, as drawn. */
  points: Point[][];
  fromUs: number;
  /** Date.now() just before the last query that filled the entry was sent: instances it did not see were inserted (their uuidv7 generated) after about then. */
  queriedAt: number;
  /** Date.now() after which the entry is dropped (TTL from the cold computation). */
  expires: number;
};

/** After this, a tile is computed cold again: instances deleted by another process show within it. */
export const TILE_CACHE_TTL_MS = 60_000;
export const MAX_CACHED_TILES = 500;
/**
 * The heap budget over all entries, estimated per instance: INSTANCE_BYTES (the record: time,
 * id, link, its values array) plus POINT_BYTES per series (the value and its [t, v] point) plus
 * HEADER_CELL_BYTES per header cell, if kept. Measured (bench:tiles' data, Node 20): about 4 MB
 * for 10,000 instances of 3 series, so the budget holds about 24 such tiles (a week of a report
 * pushed once a minute), or the 500 tiles of about 500 instances each.
 */
export const MAX_CACHED_BYTES = 96 * 1024 * 1024;
const INSTANCE_BYTES = 180;
const POINT_BYTES = 75;
const HEADER_CELL_BYTES = 40;

/** An entry's estimated heap bytes, from its first instance (all have the same series; header rows are about alike). */
const entrySize = (e: TileCacheEntry) => {
  const first = e.instances[0];
  return first ? e.instances.length * (INSTANCE_BYTES + POINT_BYTES * first.values.length + HEADER_CELL_BYTES * (first.h?.length ?? 0)) : 0;
};

const entries = new Map<string, TileCacheEntry & { size: number }>();
let bytes = 0;
/** Bumped by every invalidation: a refresh that started before one does not store its result. */
let generation = 0;

/** Counters for tests and the bench. */
export const tileCacheStats = { hits: 0, misses: 0, stores: 0, evictions: 0, invalidations: 0 };

export function tileCacheGeneration(): number {
  return generation;
}

/** The live entry for `key` (marked recently used), or undefined (missing or expired). */
export function getCachedTile(key: string, now = Date.now()): TileCacheEntry | undefined {
  const entry = entries.get(key);
  if (!entry) return undefined;
  entries.delete(key);
  if (entry.expires <= now) {
    bytes -= entry.size;
    return undefined;
  }
  entries.set(key, entry);
  return entry;
}

/**
 * Stores an entry unless an invalidation happened since `startGeneration` (read before the
 * refresh's query) or it alone is over the budget; evicts the least recently used entries
 * beyond the bounds.
 */
export function setCachedTile(key: string, entry: TileCacheEntry, startGeneration: number): boolean {
  const old = entries.get(key);
  if (old) {
    entries.delete(key);
    bytes -= old.size;
  }
  if (startGeneration !== generation) return false;
  const size = entrySize(entry);
  if (size > MAX_CACHED_BYTES) return false;
  entries.set(key, { ...entry, size });
  bytes += size;
  tileCacheStats.stores++;
  for (const [k, e] of entries) {
    if (entries.size <= MAX_CACHED_TILES && bytes <= MAX_CACHED_BYTES) break;
    entries.delete(k);
    bytes -= e.size;
    tileCacheStats.evictions++;
  }
  return true;
}

/** Drops every cached tile of the account (its instances were deleted, or its report). */
export function invalidateTileCache(accountId: string): void {
  generation++;
  tileCacheStats.invalidations++;
  for (const [k, e] of entries) {
    if (e.accountId === accountId) {
      entries.delete(k);
      bytes -= e.size;
    }
  }
}

/** Drops a tile's entries (every config it had). */
export function forgetCachedTile(accountId: string, tileId: string): void {
  const prefix = `${accountId}/${tileId}/`;
  for (const [k, e] of entries) {
    if (k.startsWith(prefix)) {
      entries.delete(k);
      bytes -= e.size;
    }
  }
}

/** Drops everything (tests, the bench). */
export function clearTileCache(): void {
  generation++;
  entries.clear();
  bytes = 0;
}

/** How many tiles are cached, and their estimated heap bytes. */
export function tileCacheSize(): { tiles: number; bytes: number } {
  return { tiles: entries.size, bytes };
}
