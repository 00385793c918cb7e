/**
 * A tile's data: series points, names, colours and title, computed by the server in one query
 * per tile (the cells are picked out of each instance's table by PostgreSQL); the client only
 * draws. The SQL cell expression mirrors evaluateSpec() in series.ts. Range tiles' default
 * window is cached per process and extended with the instances inserted since (tile-cache.ts,
 * ADR 10).
 */
import { createHash } from "node:crypto";
import { and, eq, sql, type SQL } from "drizzle-orm";
import type { Db } from "../../db/client";
import { pgTextArray, queryRows } from "../../db/client";
import { tiles } from "../../db/schema";
import { notFound } from "../errors";
import { cellNumber } from "../parsing";
import { parseId } from "../report/ids";
import { DEFAULT_RANGE_SECONDS, type Point, type SeriesSpec, type TileConfig, type TileData } from "./model";
import { seriesColor, seriesName, tileTitle } from "./series";
import { getCachedTile, setCachedTile, TILE_CACHE_TTL_MS, tileCacheGeneration, tileCacheStats, type TileInstance } from "./tile-cache";

/** At most this many instances are drawn per tile (the newest ones). */
export const MAX_TILE_INSTANCES = 50_000;

const int = (n: number) => sql.raw(String(Math.trunc(n)));

/**
 * How the series' cells are picked. `columns`: select-list expressions over an instance `i`,
 * computed after the sort and limit (PostgreSQL postpones sub-queries in the select list of a
 * sorted, limited query), so only the instances returned are evaluated; `cells`: per series, the
 * cell as jsonb (SQL null when there is none) over those columns as `q`.
 *
 * Every `F >= 0` series is answered by one pass over the instance's rows (ADR 10): one
 * sub-query expands the rows once, computes each filter column's text once (`offset 0` keeps
 * PostgreSQL from copying the expression into every filter), keeps the non-header rows matching
 * any series, and gives per series the first matching row number (`min(n) filter (where …)`) in
 * an array `ns`; the cell is then `rows -> (n - 1) -> D`. `F = -1` keeps its own sub-query
 * (`offset <index>` over the non-header rows).
 */
export function seriesCellsSql(series: SeriesSpec[]): { columns: SQL[]; cells: SQL[] } {
  const texts = new Map<string, { alias: string; expr: SQL }>();
  const filters: SQL[] = [];
  const columns: SQL[] = [];
  const cells = series.map((spec, k) => {
    const d = int(spec.column);
    if (spec.filterColumn === -1) {
      // As evaluateSpec: the value, trimmed, is a whole number (any longer one is beyond every table).
      const value = spec.value.trim();
      const index = /^\d{1,9}$/.test(value) ? Number(value) : null;
      if (index === null) return sql`null::jsonb`;
      columns.push(
        sql`(select e.r -> ${d} from jsonb_array_elements(i.rows) with ordinality as e(r, n) where not (i.header @> to_jsonb(e.n - 1)) order by e.n offset ${int(index)} limit 1) as ${sql.raw(`c${k}`)}`,
      );
      return sql.raw(`q.c${k}`);
    }
    // The filter cell as text, as cellText(): a JSON null is "" (so `equals ""` and `contains`
    // match it); beyond the row there is no cell (SQL null, matching nothing). With a value other
    // than "", "" never matches, so plain `->>` (SQL null for both) selects the same rows, and
    // costs less.
    const f = int(spec.filterColumn);
    const nullAsEmpty = spec.value === "";
    const textKey = `${spec.filterColumn}${nullAsEmpty ? "n" : ""}`;
    let text = texts.get(textKey);
    if (!text) {
      text = {
        alias: `f${texts.size}`,
        expr: nullAsEmpty ? sql`(case when e.r -> ${f} is null then null else coalesce(e.r ->> ${f}, '') end)` : sql`(e.r ->> ${f})`,
      };
      texts.set(textKey, text);
    }
    const cell = sql.raw(`x.${text.alias}`);
    filters.push(spec.op === "equals" ? sql`${cell} = ${spec.value}` : sql`strpos(${cell}, ${spec.value}) > 0`);
    return sql`q.rows -> (q.ns[${int(filters.length)}] - 1)::int -> ${d}`;
  });
  if (filters.length) {
    const projections = [...texts.values()].map((t) => sql`${t.expr} as ${sql.raw(t.alias)}`);
    const firsts = filters.map((match) => sql`min(x.n) filter (where ${match})`);
    columns.push(sql`(select array[${sql.join(firsts, sql`, `)}]
      from (select e.n, ${sql.join(projections, sql`, `)} from jsonb_array_elements(i.rows) with ordinality as e(r, n) offset 0) x
      where (${sql.join(filters, sql` or `)}) and not (i.header @> to_jsonb(x.n - 1))) as ns`);
  }
  return { columns, cells };
}

export type TileDataInput = { from?: Date; to?: Date; after?: Date; now?: Date };

/**
 * Which instances to read: the window (`to` null: no upper bound), newer than `after`, and for
 * cache refreshes ids from `idFrom` except those already cached. `idsFrom`: the ids to return
 * (those from it; the others as null): the cache needs only recent ones, and ids are a good
 * part of the answer's size.
 */
type InstanceBounds = { from: Date | null; to: Date | null; after?: Date; idFrom?: string; exceptIds?: string[]; idsFrom?: string };

/**
 * The instances of the tile within the bounds, newest first, at most `limit`, with each series'
 * cell read as a number. One statement: the instances (newest first, limited) with the
 * sub-queries of seriesCellsSql in a derived table, the cells picked from it, and the whole
 * answer aggregated into one JSON array, which Node parses in one JSON.parse instead of
 * postgres.js decoding every row and column (ADR 10). The cells travel as the JSON they are
 * stored as, so cellNumber() reads them exactly as it reads evaluateSpec()'s cells; the time as
 * a whole number of epoch microseconds.
 */
async function fetchInstances(db: Db, accountId: string, config: TileConfig, bounds: InstanceBounds, limit: number): Promise<TileInstance[]> {
  const series = config.kind === "content" ? [] : config.series;
  const { columns, cells } = seriesCellsSql(series);
  const needsTable = config.kind === "latest" && config.draw === "text";
  const isContent = config.kind === "content";
  // A series named after its header cell needs the header row of the newest instance.
  const headerNamed = series.some((s) => !s.name?.trim() && (s.filterColumn === -1 || s.value.trim() === ""));

  const where: SQL[] = [
    sql`i.account_id = ${accountId}`,
    sql`i.report_id = (select id from reports where account_id = ${accountId} and name = ${config.report})`,
  ];
  if (config.tags.length) where.push(sql`i.tags @> ${pgTextArray(config.tags)}::text[]`);
  if (bounds.from) where.push(sql`i.created >= ${bounds.from.toISOString()}::timestamptz`);
  if (bounds.to) where.push(sql`i.created <= ${bounds.to.toISOString()}::timestamptz`);
  if (bounds.after) where.push(sql`i.created > ${bounds.after.toISOString()}::timestamptz`);
  if (bounds.idFrom) where.push(sql`i.id >= ${bounds.idFrom}::uuid`);
  if (bounds.exceptIds?.length) where.push(sql`not (i.id = any(${pgTextArray(bounds.exceptIds)}::uuid[]))`);

  // Per instance: [created (epoch µs), id, link, [[cell…] per CELL_CHUNK series], header row?,
  // rows?, header?, input?] (a function takes at most 100 arguments).
  const chunks: SQL[] = [];
  for (let k = 0; k < cells.length; k += CELL_CHUNK) chunks.push(sql`json_build_array(${sql.join(cells.slice(k, k + CELL_CHUNK), sql`, `)})`);
  const items: SQL[] = [sql`floor(extract(epoch from q.created) * 1000000)::bigint`, bounds.idsFrom ? sql`case when q.id >= ${bounds.idsFrom}::uuid then q.id end` : sql`null`, sql`q.link`, chunks.length ? sql`json_build_array(${sql.join(chunks, sql`, `)})` : sql`null`];
  if (headerNamed) items.push(sql`q.rows -> ((q.header ->> 0)::int)`);
  if (needsTable) items.push(sql`q.rows`, sql`q.header`);
  if (isContent) items.push(sql`q.input`);
  const inner: SQL[] = [sql`i.created, i.id, i.link, i.rows, i.header`, ...columns];
  if (isContent) inner.push(sql`i.input`);
  const [row] = await queryRows<{ j: unknown }>(
    db,
    sql`select coalesce(json_agg(json_build_array(${sql.join(items, sql`, `)}) order by q.created desc, q.id desc), '[]') as j
      from (select ${sql.join(inner, sql`, `)} from report_instances i where ${sql.join(where, sql` and `)} order by i.created desc, i.id desc limit ${int(limit)}) q`,
  );
  const list = (typeof row?.j === "string" ? JSON.parse(row.j) : (row?.j ?? [])) as unknown[][];
  const n = series.length;
  return list.map((item) => {
    const values: (number | null)[] = new Array(n);
    const groups = item[3] as unknown[][] | null;
    for (let k = 0; k < n; k++) values[k] = cellNumber(groups![Math.floor(k / CELL_CHUNK)]![k % CELL_CHUNK]);
    const instance: TileInstance = { us: item[0] as number, id: (item[1] as string | null) ?? null, link: (item[2] as string | null) ?? null, values, h: null };
    let at = 4;
    if (headerNamed) {
      const h = item[at++];
      instance.h = Array.isArray(h) ? h : null;
    }
    if (needsTable) {
      instance.rows = item[at++] as unknown[][];
      instance.header = item[at++] as number[];
    }
    if (isContent) instance.input = (item[at++] as string | null) ?? null;
    return instance;
  });
}

/** Cells per json_build_array() call (at most 100 arguments). */
const CELL_CHUNK = 90;

/** The window a request asks for: `to` defaults to now, Range tiles' `from` to their range before `to`. */
function tileWindow(config: TileConfig, input: TileDataInput): { from: Date | null; to: Date } {
  const to = input.to ?? input.now ?? new Date();
  const from = config.kind === "range" ? (input.from ?? new Date(to.getTime() - (config.rangeSeconds ?? DEFAULT_RANGE_SECONDS) * 1000)) : null;
  return { from, to };
}

const ms = (instance: TileInstance) => Math.floor(instance.us / 1000);

/** Each series' points of the instances (oldest first), appended to `points`. */
function appendPoints(points: Point[][], instances: TileInstance[], start = 0): Point[][] {
  for (let r = start; r < instances.length; r++) {
    const instance = instances[r]!;
    const t = ms(instance);
    for (let k = 0; k < points.length; k++) {
      const value = instance.values[k];
      if (value !== null && value !== undefined) points[k]!.push([t, value]);
    }
  }
  return points;
}

/**
 * What the tile draws from the chosen instances (oldest first): Range tiles all of them (their
 * points given when the cache has them), the others the newest.
 */
function buildTileData(config: TileConfig, chosen: TileInstance[], from: Date | null, to: Date, cachedPoints?: Point[][]): TileData {
  const series = config.kind === "content" ? [] : config.series;
  const newest = chosen.at(-1);
  const headerTable = Array.isArray(newest?.h) ? { rows: [newest.h], header: [0] } : null;
  const points = cachedPoints
    ? cachedPoints.map((p) => p.slice())
    : appendPoints(series.map(() => []), chosen, config.kind === "range" ? 0 : Math.max(0, chosen.length - 1));
  const previous = chosen.length > 1 ? chosen[chosen.length - 2]! : null;
  const names = series.map((spec) => seriesName(spec, headerTable));
  return {
    title: tileTitle({ title: config.title, report: config.report, seriesNames: names, tags: config.tags }),
    titleLink: newest?.link ?? null,
    kind: config.kind,
    draw: config.draw,
    from: from ? from.getTime() : null,
    to: to.getTime(),
    series: series.map((spec, k) => ({ name: names[k]!, color: seriesColor(k, spec), points: points[k]! })),
    table: config.kind === "latest" && config.draw === "text" && newest?.rows ? { rows: newest.rows, header: newest.header ?? [], created: ms(newest) } : null,
    content: config.kind === "content" ? (newest?.input ?? null) : null,
    previous: config.draw === "value" ? series.map((_, k) => previous?.values[k] ?? null) : null,
    newest: newest ? ms(newest) : null,
  };
}

/** Computes what a tile (already loaded) draws, without the cache. */
export async function computeTileData(db: Db, accountId: string, config: TileConfig, input: TileDataInput = {}): Promise<TileData> {
  const { from, to } = tileWindow(config, input);
  const limit = config.kind === "range" ? MAX_TILE_INSTANCES : config.draw === "value" ? 2 : 1;
  const newestFirst = await fetchInstances(db, accountId, config, { from, to, after: input.after }, limit);
  return buildTileData(config, newestFirst.reverse(), from, to);
}

/**
 * Instances inserted since about the previous query are those with uuidv7 ids generated after
 * it, less this margin: what an insert may take from generating its id to committing, plus the
 * clock difference between app processes.
 */
export const TILE_CACHE_MARGIN_MS = 30_000;

/** The smallest uuidv7 of an epoch millisecond (ids are time-ordered by their first 48 bits). */
export function uuidv7Floor(epochMs: number): string {
  const hex = Math.max(0, Math.floor(epochMs)).toString(16).padStart(12, "0").slice(-12);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-0000-0000-000000000000`;
}

/** The cache key: the account, the tile and what its cached data depends on (a changed config never meets an old entry); forgetCachedTile() relies on the `account/tile/` prefix. */
function cacheKey(accountId: string, tileId: string, config: TileConfig): string {
  const shape = JSON.stringify([config.report, config.tags, config.kind, config.draw, config.rangeSeconds ?? null, config.series.map((s) => [s.column, s.filterColumn, s.op, s.value, s.name ?? null])]);
  return `${accountId}/${tileId}/${createHash("sha256").update(shape).digest("base64url")}`;
}

/** The order of (created, id); an id not returned is older than any returned (see cachedTileData). */
const byTime = (a: TileInstance, b: TileInstance) => a.us - b.us || ((a.id ?? "") < (b.id ?? "") ? -1 : (a.id ?? "") > (b.id ?? "") ? 1 : 0);

/**
 * What a tile draws, from the per-process cache when it may (ADR 10): a Range tile's default
 * window (no explicit from/to; `after` too). The first request reads the window cold, without
 * an upper bound on `created` (pushes may be dated up to a minute ahead), and caches the
 * instances. The next ones read only the instances whose uuidv7 id was generated since the
 * previous query (less TILE_CACHE_MARGIN_MS, minus the ids already cached): a push with an
 * explicit, older `created` is caught too, since its id is new (ids are generated at insert,
 * never given by clients). They are merged by (created, id), those before the new window's
 * start dropped. The answer is then cut to the window and
 * `after`. Instances deleted in this process invalidate the account's entries
 * (invalidateTileCache); deleted elsewhere, they show when the entry expires
 * (TILE_CACHE_TTL_MS after its cold computation).
 */
export async function cachedTileData(db: Db, accountId: string, tileId: string, config: TileConfig, input: TileDataInput = {}): Promise<TileData> {
  if (config.kind !== "range" || input.from || input.to) return computeTileData(db, accountId, config, input);
  const { from, to } = tileWindow(config, input);
  const fromUs = from!.getTime() * 1000;
  const key = cacheKey(accountId, tileId, config);
  const startGeneration = tileCacheGeneration();
  let entry = getCachedTile(key);
  if (entry && fromUs < entry.fromUs) entry = undefined; // the window moved back (an explicit `now`): read it cold
  const queriedAt = Date.now();
  let instances: TileInstance[];
  let points: Point[][];
  if (entry) {
    tileCacheStats.hits++;
    const idFrom = uuidv7Floor(entry.queriedAt - TILE_CACHE_MARGIN_MS);
    const exceptIds: string[] = [];
    for (const i of entry.instances) if (i.id !== null && i.id >= idFrom) exceptIds.push(i.id);
    const fresh = await fetchInstances(db, accountId, config, { from, to: null, idFrom, exceptIds, idsFrom: idFrom }, MAX_TILE_INSTANCES);
    if (fresh.length >= MAX_TILE_INSTANCES) return computeTileData(db, accountId, config, input);
    // Entries are never changed (a concurrent request may be reading one): new arrays.
    let start = 0;
    while (start < entry.instances.length && entry.instances[start]!.us < fromUs) start++;
    if (start === 0 && fresh.length === 0) {
      instances = entry.instances;
      points = entry.points;
    } else {
      instances = entry.instances.slice(start);
      const fromMs = from!.getTime(); // a point's time is its instance's, in whole ms: t >= fromMs exactly when us >= fromUs
      points = entry.points.map((p) => {
        let s = 0;
        while (s < p.length && p[s]![0] < fromMs) s++;
        return p.slice(s);
      });
      if (fresh.length) {
        const last = instances.at(-1);
        const added = fresh.reverse();
        for (const instance of added) instances.push(instance);
        if (last && byTime(last, added[0]!) > 0) {
          // A push dated before the newest cached instance: sort, and draw the points again.
          instances.sort(byTime);
          points = appendPoints(points.map(() => []), instances);
        } else appendPoints(points, added);
      }
    }
  } else {
    tileCacheStats.misses++;
    // Later refreshes never ask for ids below this one (their idFrom is from a later query), so older ids are not needed.
    const all = await fetchInstances(db, accountId, config, { from, to: null, idsFrom: uuidv7Floor(queriedAt - TILE_CACHE_MARGIN_MS) }, MAX_TILE_INSTANCES);
    // A window at the limit is not cached: its newest instances (possibly dated ahead) are not
    // those of the uncached answer.
    if (all.length >= MAX_TILE_INSTANCES) return computeTileData(db, accountId, config, input);
    instances = all.reverse();
    points = appendPoints(config.series.map(() => []), instances);
  }
  setCachedTile(key, { accountId, instances, points, fromUs, queriedAt, expires: entry ? entry.expires : queriedAt + TILE_CACHE_TTL_MS }, startGeneration);

  // The window's end (instances dated ahead wait in the cache) and `after`.
  const toUs = to.getTime() * 1000;
  let hi = instances.length;
  while (hi > 0 && instances[hi - 1]!.us > toUs) hi--;
  let lo = 0;
  if (input.after) {
    const afterUs = input.after.getTime() * 1000;
    lo = hi;
    while (lo > 0 && instances[lo - 1]!.us > afterUs) lo--;
  }
  // The whole window: the cached points; otherwise (after, or instances dated ahead) those of the slice.
  return lo === 0 && hi === instances.length ? buildTileData(config, instances, from, to, points) : buildTileData(config, instances.slice(lo, hi), from, to);
}

/** The data of one tile of the account. */
export async function tileData(db: Db, input: TileDataInput & { accountId: string; tileId: string }): Promise<TileData & { tileId: string }> {
  const [row] = await db
    .select()
    .from(tiles)
    .where(and(eq(tiles.accountId, input.accountId), eq(tiles.id, parseId(input.tileId))));
  if (!row) throw notFound("Tile not found");
  const data = await cachedTileData(db, input.accountId, row.id, { ...row.config, report: row.report }, input);
  return { ...data, tileId: row.id };
}
