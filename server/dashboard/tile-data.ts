/**
 * A tile's data: series points, names, colours and title, computed by the server in one query
 * per tile (the cells are picked out of each instance's table by PostgreSQL); the client only
 * draws. The SQL cell expression mirrors evaluateSpec() in series.ts.
 */
import { and, eq, sql, type SQL } from "drizzle-orm";
import type { Db } from "../../db/client";
import { queryRows } from "../../db/client";
import { tiles } from "../../db/schema";
import { notFound } from "../errors";
import { cellNumber } from "../parsing";
import { parseId } from "../report/ids";
import { DEFAULT_RANGE_SECONDS, type Point, type SeriesSpec, type TileConfig, type TileData } from "./model";
import { seriesColor, seriesName, tileTitle } from "./series";

/** At most this many instances are drawn per tile (the newest ones). */
export const MAX_TILE_INSTANCES = 50_000;

const int = (n: number) => sql.raw(String(Math.trunc(n)));

/** The cell a series spec selects in an instance `i`, as jsonb (null when there is none). */
export function cellSql(spec: SeriesSpec): SQL {
  const rows = sql`jsonb_array_elements(i.rows) with ordinality as e(r, n)`;
  const body = sql`not (i.header @> to_jsonb(e.n - 1))`;
  if (spec.filterColumn === -1) {
    // As evaluateSpec: the value, trimmed, is a whole number (any longer one is beyond every table).
    const value = spec.value.trim();
    const index = /^\d{1,9}$/.test(value) ? Number(value) : null;
    if (index === null) return sql`null::jsonb`;
    return sql`(select e.r -> ${int(spec.column)} from ${rows} where ${body} order by e.n offset ${int(index)} limit 1)`;
  }
  // The cell as text, as cellText(): a JSON null is "" (so `equals ""` and `contains` match it);
  // beyond the row there is no cell (SQL null, matching nothing). With a value other than "", ""
  // never matches, so plain `->>` (SQL null for both) selects the same rows, with about a quarter
  // less PostgreSQL CPU per tile (ADR 10).
  const f = int(spec.filterColumn);
  const cell = spec.value === "" ? sql`(case when e.r -> ${f} is null then null else coalesce(e.r ->> ${f}, '') end)` : sql`(e.r ->> ${f})`;
  const match = spec.op === "equals" ? sql`${cell} = ${spec.value}` : sql`strpos(${cell}, ${spec.value}) > 0`;
  return sql`(select e.r -> ${int(spec.column)} from ${rows} where ${body} and ${match} order by e.n limit 1)`;
}

function pgTextArray(values: string[]): string {
  return `{${values.map((v) => `"${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`).join(",")}}`;
}

type Row = { t: number | string; link: string | null; [cell: `c${number}`]: unknown; rows?: unknown[][]; header?: number[]; input?: string; h?: unknown };

export type TileDataInput = { from?: Date; to?: Date; after?: Date; now?: Date };

/** Computes what a tile (already loaded) draws. */
export async function computeTileData(db: Db, accountId: string, config: TileConfig, input: TileDataInput = {}): Promise<TileData> {
  const now = input.now ?? new Date();
  const to = input.to ?? now;
  const isRange = config.kind === "range";
  const from = isRange ? (input.from ?? new Date(to.getTime() - (config.rangeSeconds ?? DEFAULT_RANGE_SECONDS) * 1000)) : null;
  const series = config.kind === "content" ? [] : config.series;

  const columns: SQL[] = [sql`floor(extract(epoch from i.created) * 1000) as t`, sql`i.link`];
  series.forEach((spec, k) => columns.push(sql`${cellSql(spec)} as ${sql.raw(`c${k}`)}`));
  const needsTable = config.kind === "latest" && config.draw === "text";
  if (needsTable) columns.push(sql`i.rows`, sql`i.header`);
  if (config.kind === "content") columns.push(sql`i.input`);
  // A series named after its header cell needs the header row of the newest instance.
  const headerNamed = series.some((s) => !s.name?.trim() && (s.filterColumn === -1 || s.value.trim() === ""));
  if (headerNamed) columns.push(sql`(i.rows -> ((i.header ->> 0)::int)) as h`);

  const where: SQL[] = [
    sql`i.account_id = ${accountId}`,
    sql`i.report_id = (select id from reports where account_id = ${accountId} and name = ${config.report})`,
  ];
  if (config.tags.length) where.push(sql`i.tags @> ${pgTextArray(config.tags)}::text[]`);
  if (from) where.push(sql`i.created >= ${from.toISOString()}::timestamptz`);
  where.push(sql`i.created <= ${to.toISOString()}::timestamptz`);
  if (input.after) where.push(sql`i.created > ${input.after.toISOString()}::timestamptz`);
  const limit = isRange ? MAX_TILE_INSTANCES : config.draw === "value" ? 2 : 1;

  const rows = await queryRows<Row>(
    db,
    sql`select ${sql.join(columns, sql`, `)} from report_instances i where ${sql.join(where, sql` and `)} order by i.created desc, i.id desc limit ${int(limit)}`,
  );
  const newest = rows[0];
  const headerRow = Array.isArray(newest?.h) ? (newest.h as unknown[]) : null;
  const headerTable = headerRow ? { rows: [headerRow], header: [0] } : null;

  const points: Point[][] = series.map(() => []);
  for (let r = rows.length - 1; r >= 0; r--) {
    const row = rows[r]!;
    if (!isRange && r > 0) continue;
    const t = Number(row.t);
    series.forEach((_, k) => {
      const value = cellNumber(row[`c${k}`]);
      if (value !== null) points[k]!.push([t, value]);
    });
  }
  const names = series.map((spec) => seriesName(spec, headerTable));
  return {
    title: tileTitle({ title: config.title, report: config.report, seriesNames: names, tags: config.tags }),
    titleLink: newest?.link ?? null,
    kind: config.kind,
    draw: config.draw,
    from: from ? from.getTime() : null,
    to: to.getTime(),
    series: series.map((spec, k) => ({ name: names[k]!, color: seriesColor(k, spec), points: points[k]! })),
    table: needsTable && newest?.rows ? { rows: newest.rows, header: newest.header ?? [], created: Number(newest.t) } : null,
    content: config.kind === "content" ? (newest?.input ?? null) : null,
    previous: config.draw === "value" ? series.map((_, k) => (rows[1] ? cellNumber(rows[1][`c${k}`]) : null)) : null,
    newest: newest ? Number(newest.t) : null,
  };
}

/** The data of one tile of the account. */
export async function tileData(db: Db, input: TileDataInput & { accountId: string; tileId: string }): Promise<TileData & { tileId: string }> {
  const [row] = await db
    .select()
    .from(tiles)
    .where(and(eq(tiles.accountId, input.accountId), eq(tiles.id, parseId(input.tileId))));
  if (!row) throw notFound("Tile not found");
  const data = await computeTileData(db, input.accountId, { ...row.config, report: row.report }, input);
  return { ...data, tileId: row.id };
}
