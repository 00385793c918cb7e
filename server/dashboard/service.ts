/**
 * Dashboards and tiles: the account's grids, their versioned layout, and the tile data the
 * client draws. Every query is scoped by account_id.
 */
import { and, asc, count, desc, eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { dashboards, reportInstances, reports, tiles } from "../../db/schema";
import { badRequest, conflict, notFound } from "../errors";
import { checkPlanLimit } from "../plan/service";
import { parseId } from "../report/ids";
import { uuidv7 } from "../tokens";
import { applyLayoutUpdate, mergeLayoutChanges, pack, placeNew } from "./layout";
import {
  DEFAULT_RANGE_SECONDS,
  DEFAULT_TILE_SIZE,
  type DashboardModel,
  type DashboardSettings,
  dashboardSettings,
  MAX_TILES,
  type TileConfig,
  tileConfig,
  type TileLayout,
  type TileModel,
} from "./model";

export const DEFAULT_DASHBOARD_NAME = "Default";
export const MAX_DASHBOARDS = 100;

export type DashboardSummary = { id: string; name: string; position: number; tileCount: number };
export type TileView = {
  id: string;
  config: TileConfig;
  layout: TileLayout;
  masterId: string | null;
  tagValue: string | null;
};
export type DashboardView = {
  id: string;
  name: string;
  settings: DashboardSettings;
  layoutVersion: number;
  tiles: TileView[];
};

type TileRow = typeof tiles.$inferSelect;

function tileView(row: TileRow): TileView {
  return {
    id: row.id,
    config: { ...row.config, report: row.report },
    layout: { x: row.x, y: row.y, w: row.w, h: row.h },
    masterId: row.masterId,
    tagValue: row.tagValue,
  };
}

function settingsOf(value: unknown): DashboardSettings {
  return dashboardSettings.parse(value ?? {});
}

// ---------------------------------------------------------------- dashboards

export async function listDashboards(db: Db, accountId: string): Promise<DashboardSummary[]> {
  const rows = await db
    .select({ id: dashboards.id, name: dashboards.name, position: dashboards.position, tileCount: count(tiles.id) })
    .from(dashboards)
    .leftJoin(tiles, and(eq(tiles.accountId, dashboards.accountId), eq(tiles.dashboardId, dashboards.id)))
    .where(eq(dashboards.accountId, accountId))
    .groupBy(dashboards.accountId, dashboards.id)
    .orderBy(asc(dashboards.position), asc(dashboards.createdAt));
  return rows.map((r) => ({ ...r, tileCount: Number(r.tileCount) }));
}

/** A new account has a dashboard named "Default"; so does an account whose last one was deleted. */
export async function ensureDefaultDashboard(db: Db, accountId: string): Promise<string> {
  const [first] = await db
    .select({ id: dashboards.id })
    .from(dashboards)
    .where(eq(dashboards.accountId, accountId))
    .orderBy(asc(dashboards.position), asc(dashboards.createdAt))
    .limit(1);
  if (first) return first.id;
  const id = uuidv7();
  await db.insert(dashboards).values({ accountId, id, name: DEFAULT_DASHBOARD_NAME, position: 0 });
  return id;
}

export async function createDashboard(db: Db, input: { accountId: string; name: string }): Promise<DashboardSummary> {
  await checkPlanLimit(db, input.accountId, "dashboards"); // 429 ERROR_PLAN_LIMIT beyond the plan's dashboards (ADR 25)
  const existing = await listDashboards(db, input.accountId);
  if (existing.length >= MAX_DASHBOARDS) throw badRequest(`An account can have at most ${MAX_DASHBOARDS} dashboards`);
  const id = uuidv7();
  const position = existing.reduce((max, d) => Math.max(max, d.position + 1), 0);
  await db.insert(dashboards).values({ accountId: input.accountId, id, name: input.name.trim(), position });
  return { id, name: input.name.trim(), position, tileCount: 0 };
}

async function dashboardRow(db: Db, accountId: string, id: string) {
  const [row] = await db
    .select()
    .from(dashboards)
    .where(and(eq(dashboards.accountId, accountId), eq(dashboards.id, parseId(id))));
  if (!row) throw notFound("Dashboard not found");
  return row;
}

export async function getDashboard(db: Db, input: { accountId: string; id: string }): Promise<DashboardView> {
  const row = await dashboardRow(db, input.accountId, input.id);
  const tileRows = await db
    .select()
    .from(tiles)
    .where(and(eq(tiles.accountId, input.accountId), eq(tiles.dashboardId, row.id)))
    .orderBy(asc(tiles.y), asc(tiles.x), asc(tiles.id));
  return { id: row.id, name: row.name, settings: settingsOf(row.settings), layoutVersion: row.layoutVersion, tiles: tileRows.map(tileView) };
}

export async function renameDashboard(db: Db, input: { accountId: string; id: string; name: string }): Promise<void> {
  const row = await dashboardRow(db, input.accountId, input.id);
  await db
    .update(dashboards)
    .set({ name: input.name.trim(), updatedAt: new Date() })
    .where(and(eq(dashboards.accountId, input.accountId), eq(dashboards.id, row.id)));
}

export async function updateDashboardSettings(
  db: Db,
  input: { accountId: string; id: string; settings: Partial<DashboardSettings> },
): Promise<DashboardSettings> {
  const row = await dashboardRow(db, input.accountId, input.id);
  const settings = dashboardSettings.parse({ ...settingsOf(row.settings), ...input.settings });
  await db
    .update(dashboards)
    .set({ settings, updatedAt: new Date() })
    .where(and(eq(dashboards.accountId, input.accountId), eq(dashboards.id, row.id)));
  return settings;
}

/** Deletes a dashboard with its tiles. The last one cannot go: an account always has one. */
export async function deleteDashboard(db: Db, input: { accountId: string; id: string }): Promise<void> {
  const row = await dashboardRow(db, input.accountId, input.id);
  const all = await listDashboards(db, input.accountId);
  if (all.length <= 1) throw conflict("This is the account's only dashboard; add another one before deleting it");
  await db.delete(dashboards).where(and(eq(dashboards.accountId, input.accountId), eq(dashboards.id, row.id)));
}

/** Sets the tab order: `ids` lists every dashboard of the account once. */
export async function reorderDashboards(db: Db, input: { accountId: string; ids: string[] }): Promise<void> {
  const ids = input.ids.map(parseId);
  const all = await listDashboards(db, input.accountId);
  const known = new Set(all.map((d) => d.id));
  if (ids.length !== known.size || new Set(ids).size !== ids.length || ids.some((id) => !known.has(id))) {
    throw badRequest("The order must list each of the account's dashboards once");
  }
  await db.transaction(async (tx) => {
    for (const [position, id] of ids.entries()) {
      await tx
        .update(dashboards)
        .set({ position })
        .where(and(eq(dashboards.accountId, input.accountId), eq(dashboards.id, id)));
    }
  });
}

// ---------------------------------------------------------------- tiles

/** Checks a tile's configuration against the report it draws (exists; columns in range). */
async function checkAgainstReport(db: Db, accountId: string, config: TileConfig, label: string): Promise<void> {
  const [report] = await db
    .select({ id: reports.id })
    .from(reports)
    .where(and(eq(reports.accountId, accountId), eq(reports.name, config.report)));
  if (!report) throw badRequest(`${label}: report ${config.report} does not exist`);
  if (config.kind === "content") return;
  const [newest] = await db
    .select({ rows: reportInstances.rows })
    .from(reportInstances)
    .where(and(eq(reportInstances.accountId, accountId), eq(reportInstances.reportId, report.id)))
    .orderBy(desc(reportInstances.created))
    .limit(1);
  if (!newest) return;
  const width = newest.rows.reduce((max, row) => Math.max(max, Array.isArray(row) ? row.length : 0), 0);
  for (const [i, s] of config.series.entries()) {
    if (s.column >= width) throw badRequest(`${label}: series ${i + 1} column ${s.column} is out of range (${config.report} has ${width} columns)`);
    if (s.filterColumn >= width) {
      throw badRequest(`${label}: series ${i + 1} filterColumn ${s.filterColumn} is out of range (${config.report} has ${width} columns)`);
    }
  }
}

function parseTileConfig(value: unknown, label: string): TileConfig {
  const parsed = tileConfig.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw badRequest(`${label}: ${issue.path.join(".") || "tile"}: ${issue.message}`);
  }
  return parsed.data;
}

function configColumns(config: TileConfig) {
  const { report, ...rest } = config;
  if (rest.kind === "range") rest.rangeSeconds ??= DEFAULT_RANGE_SECONDS;
  return { report, config: rest };
}

async function lockDashboard(tx: Db, accountId: string, id: string) {
  const [row] = await tx
    .select({ id: dashboards.id, layoutVersion: dashboards.layoutVersion })
    .from(dashboards)
    .where(and(eq(dashboards.accountId, accountId), eq(dashboards.id, id)))
    .for("update");
  if (!row) throw notFound("Dashboard not found");
  return row;
}

async function layoutsOf(tx: Db, accountId: string, dashboardId: string) {
  const rows = await tx
    .select({ id: tiles.id, x: tiles.x, y: tiles.y, w: tiles.w, h: tiles.h })
    .from(tiles)
    .where(and(eq(tiles.accountId, accountId), eq(tiles.dashboardId, dashboardId)));
  return rows.map((r) => ({ id: r.id, layout: { x: r.x, y: r.y, w: r.w, h: r.h } }));
}

async function bumpVersion(tx: Db, accountId: string, dashboardId: string, from: number): Promise<number> {
  await tx
    .update(dashboards)
    .set({ layoutVersion: from + 1, updatedAt: new Date() })
    .where(and(eq(dashboards.accountId, accountId), eq(dashboards.id, dashboardId)));
  return from + 1;
}

/** Adds a tile at the first free place (or the given one), in one transaction with the layout version. */
export async function createTile(
  db: Db,
  input: {
    accountId: string;
    dashboardId: string;
    config: unknown;
    layout?: TileLayout;
    masterId?: string | null;
    tagValue?: string | null;
    label?: string;
  },
): Promise<TileView> {
  const label = input.label ?? "Tile";
  const config = parseTileConfig(input.config, label);
  // The dashboard first: another account's (or an unknown) dashboard is not found, whatever the tile.
  const dashboardId = (await dashboardRow(db, input.accountId, input.dashboardId)).id;
  await checkAgainstReport(db, input.accountId, config, label);
  return db.transaction(async (t) => {
    const tx = t as unknown as Db;
    const dashboard = await lockDashboard(tx, input.accountId, dashboardId);
    const existing = await layoutsOf(tx, input.accountId, dashboardId);
    if (existing.length >= MAX_TILES) throw badRequest(`A dashboard can hold at most ${MAX_TILES} tiles`);
    const layout = input.layout ?? placeNew(existing.map((e) => e.layout), DEFAULT_TILE_SIZE);
    const id = uuidv7();
    const [row] = await tx
      .insert(tiles)
      .values({
        accountId: input.accountId,
        id,
        dashboardId,
        ...configColumns(config),
        ...layout,
        masterId: input.masterId ?? null,
        tagValue: input.tagValue ?? null,
      })
      .returning();
    await bumpVersion(tx, input.accountId, dashboardId, dashboard.layoutVersion);
    return tileView(row!);
  });
}

async function tileRow(db: Db, accountId: string, tileId: string): Promise<TileRow> {
  const [row] = await db
    .select()
    .from(tiles)
    .where(and(eq(tiles.accountId, accountId), eq(tiles.id, parseId(tileId))));
  if (!row) throw notFound("Tile not found");
  return row;
}

export async function getTile(db: Db, input: { accountId: string; tileId: string }): Promise<TileView & { dashboardId: string }> {
  const row = await tileRow(db, input.accountId, input.tileId);
  return { ...tileView(row), dashboardId: row.dashboardId };
}

/** Replaces what a tile draws. A master's copies follow: same config, their own tags. */
export async function updateTile(db: Db, input: { accountId: string; tileId: string; config: unknown }): Promise<TileView> {
  const row = await tileRow(db, input.accountId, input.tileId);
  const config = parseTileConfig(input.config, "Tile");
  await checkAgainstReport(db, input.accountId, config, "Tile");
  const columns = configColumns(config);
  return db.transaction(async (t) => {
    const tx = t as unknown as Db;
    const [updated] = await tx
      .update(tiles)
      .set(columns)
      .where(and(eq(tiles.accountId, input.accountId), eq(tiles.id, row.id)))
      .returning();
    const copies = await tx
      .select()
      .from(tiles)
      .where(and(eq(tiles.accountId, input.accountId), eq(tiles.masterId, row.id)));
    for (const copy of copies) {
      await tx
        .update(tiles)
        .set({ report: columns.report, config: { ...columns.config, tags: copy.config.tags, masterTagPattern: undefined } })
        .where(and(eq(tiles.accountId, input.accountId), eq(tiles.id, copy.id)));
    }
    return tileView(updated!);
  });
}

export async function deleteTile(db: Db, input: { accountId: string; tileId: string }): Promise<void> {
  const row = await tileRow(db, input.accountId, input.tileId);
  await db.transaction(async (t) => {
    const tx = t as unknown as Db;
    const dashboard = await lockDashboard(tx, input.accountId, row.dashboardId);
    await tx.delete(tiles).where(and(eq(tiles.accountId, input.accountId), eq(tiles.id, row.id)));
    // Copies of a deleted master stay, as ordinary tiles.
    await tx
      .update(tiles)
      .set({ masterId: null })
      .where(and(eq(tiles.accountId, input.accountId), eq(tiles.masterId, row.id)));
    const rest = pack(await layoutsOf(tx, input.accountId, row.dashboardId));
    await writeLayouts(tx, input.accountId, rest);
    await bumpVersion(tx, input.accountId, row.dashboardId, dashboard.layoutVersion);
  });
}

/** Moves a tile to another dashboard of the account, at its first free place. */
export async function moveTile(db: Db, input: { accountId: string; tileId: string; dashboardId: string }): Promise<TileView> {
  const row = await tileRow(db, input.accountId, input.tileId);
  const target = await dashboardRow(db, input.accountId, input.dashboardId);
  if (target.id === row.dashboardId) return tileView(row);
  return db.transaction(async (t) => {
    const tx = t as unknown as Db;
    const from = await lockDashboard(tx, input.accountId, row.dashboardId);
    const to = await lockDashboard(tx, input.accountId, target.id);
    const existing = await layoutsOf(tx, input.accountId, target.id);
    if (existing.length >= MAX_TILES) throw badRequest(`A dashboard can hold at most ${MAX_TILES} tiles`);
    const layout = placeNew(
      existing.map((e) => e.layout),
      { w: row.w, h: row.h },
    );
    const [moved] = await tx
      .update(tiles)
      .set({ dashboardId: target.id, ...layout })
      .where(and(eq(tiles.accountId, input.accountId), eq(tiles.id, row.id)))
      .returning();
    await writeLayouts(tx, input.accountId, pack(await layoutsOf(tx, input.accountId, row.dashboardId)));
    await bumpVersion(tx, input.accountId, row.dashboardId, from.layoutVersion);
    await bumpVersion(tx, input.accountId, target.id, to.layoutVersion);
    return tileView(moved!);
  });
}

async function writeLayouts(tx: Db, accountId: string, layouts: { id: string; layout: TileLayout }[]): Promise<void> {
  for (const { id, layout } of layouts) {
    await tx
      .update(tiles)
      .set(layout)
      .where(and(eq(tiles.accountId, accountId), eq(tiles.id, id)));
  }
}

export type LayoutResult = { version: number; retried: boolean; tiles: { id: string; layout: TileLayout }[] };

/**
 * Applies moved/resized tiles from the edit mode. The update names the layout version it was
 * based on; on a stale version the changes are re-applied to the fresh layout (only the named
 * tiles move), so two browsers editing at once never lose a tile.
 */
export async function updateLayout(
  db: Db,
  input: { accountId: string; dashboardId: string; baseVersion: number; changes: { id: string; layout: TileLayout }[] },
): Promise<LayoutResult> {
  const dashboardId = parseId(input.dashboardId);
  const changes = input.changes.map((c) => ({ id: parseId(c.id), layout: c.layout }));
  return db.transaction(async (t) => {
    const tx = t as unknown as Db;
    const dashboard = await lockDashboard(tx, input.accountId, dashboardId);
    const current = await layoutsOf(tx, input.accountId, dashboardId);
    const known = new Set(current.map((c) => c.id));
    const relevant = changes.filter((c) => known.has(c.id)); // tiles deleted meanwhile are ignored
    const doc = { version: dashboard.layoutVersion, tiles: current };
    const applied = applyLayoutUpdate(doc, { baseVersion: input.baseVersion, changes: relevant });
    const retried = !applied.ok;
    const next = applied.ok ? applied.doc : mergeLayoutChanges(doc, relevant);
    await writeLayouts(tx, input.accountId, next.tiles);
    const version = await bumpVersion(tx, input.accountId, dashboardId, dashboard.layoutVersion);
    return { version, retried, tiles: next.tiles };
  });
}

// ---------------------------------------------------------------- JSON model

function tileModelOf(view: TileView): TileModel & { id: string; layout: TileLayout } {
  const c = view.config;
  return {
    id: view.id.replace(/-/g, ""),
    report: c.report,
    tags: c.tags,
    kind: c.kind,
    draw: c.draw,
    ...(c.kind === "range" ? { rangeSeconds: c.rangeSeconds ?? DEFAULT_RANGE_SECONDS } : {}),
    ...(c.title ? { title: c.title } : {}),
    series: c.series,
    ...(c.masterTagPattern ? { masterTagPattern: c.masterTagPattern } : {}),
    autoSeries: c.autoSeries,
    layout: view.layout,
  };
}

export type DashboardModelOut = {
  id: string;
  name: string;
  settings: DashboardSettings;
  tiles: (TileModel & { id: string; layout: TileLayout })[];
};

/** The dashboard as its JSON model (dashboards.md "Dashboards as code"); copies are left out. */
export async function exportDashboard(db: Db, input: { accountId: string; id: string }): Promise<DashboardModelOut> {
  const view = await getDashboard(db, input);
  return {
    id: view.id.replace(/-/g, ""),
    name: view.name,
    settings: view.settings,
    tiles: view.tiles.filter((t) => !t.masterId).map(tileModelOf),
  };
}

/** Validates every tile of a model before anything is written; messages name the tile and the field. */
async function checkModel(db: Db, accountId: string, model: DashboardModel): Promise<TileConfig[]> {
  const configs: TileConfig[] = [];
  for (const [i, tile] of model.tiles.entries()) {
    const label = `Tile ${i + 1}${tile.title ? ` (${tile.title})` : ""}`;
    const { layout: _layout, id: _id, ...rest } = tile;
    const config = parseTileConfig(rest, label);
    await checkAgainstReport(db, accountId, config, label);
    configs.push(config);
  }
  return configs;
}

/** Lays out a model's tiles: given layouts are kept (then packed), the others placed in order. */
function modelLayouts(model: DashboardModel): TileLayout[] {
  const placed: TileLayout[] = [];
  const given = model.tiles.map((t) => t.layout);
  const fixed = given.filter((l): l is TileLayout => !!l);
  for (const layout of given) placed.push(layout ?? placeNew([...fixed, ...placed.filter((p) => !fixed.includes(p))], DEFAULT_TILE_SIZE));
  const packed = pack(placed.map((layout, i) => ({ id: String(i), layout })));
  return packed.sort((a, b) => Number(a.id) - Number(b.id)).map((p) => p.layout);
}

async function writeModelTiles(tx: Db, accountId: string, dashboardId: string, configs: TileConfig[], layouts: TileLayout[]): Promise<void> {
  for (const [i, config] of configs.entries()) {
    await tx.insert(tiles).values({ accountId, id: uuidv7(), dashboardId, ...configColumns(config), ...layouts[i]! });
  }
}

/** Creates a dashboard from a JSON model (an import). */
export async function importDashboard(db: Db, input: { accountId: string; model: DashboardModel }): Promise<DashboardModelOut> {
  const configs = await checkModel(db, input.accountId, input.model);
  const layouts = modelLayouts(input.model);
  const created = await createDashboard(db, { accountId: input.accountId, name: input.model.name });
  await db.transaction(async (t) => {
    const tx = t as unknown as Db;
    if (input.model.settings) {
      await tx
        .update(dashboards)
        .set({ settings: dashboardSettings.parse(input.model.settings) })
        .where(and(eq(dashboards.accountId, input.accountId), eq(dashboards.id, created.id)));
    }
    await writeModelTiles(tx, input.accountId, created.id, configs, layouts);
  });
  return exportDashboard(db, { accountId: input.accountId, id: created.id });
}

/** Replaces a dashboard's name, settings and tiles with a JSON model. */
export async function replaceDashboard(db: Db, input: { accountId: string; id: string; model: DashboardModel }): Promise<DashboardModelOut> {
  const row = await dashboardRow(db, input.accountId, input.id);
  const configs = await checkModel(db, input.accountId, input.model);
  const layouts = modelLayouts(input.model);
  await db.transaction(async (t) => {
    const tx = t as unknown as Db;
    const dashboard = await lockDashboard(tx, input.accountId, row.id);
    await tx
      .update(dashboards)
      .set({
        name: input.model.name.trim(),
        settings: dashboardSettings.parse({ ...settingsOf(row.settings), ...(input.model.settings ?? {}) }),
        updatedAt: new Date(),
      })
      .where(and(eq(dashboards.accountId, input.accountId), eq(dashboards.id, row.id)));
    await tx.delete(tiles).where(and(eq(tiles.accountId, input.accountId), eq(tiles.dashboardId, row.id)));
    await writeModelTiles(tx, input.accountId, row.id, configs, layouts);
    await bumpVersion(tx, input.accountId, row.id, dashboard.layoutVersion);
  });
  return exportDashboard(db, { accountId: input.accountId, id: row.id });
}

/** Tiles drawing a report (for automatic tiles and series, and the report's delete). */
export async function tilesOfReport(db: Db, accountId: string, report: string): Promise<TileRow[]> {
  return db
    .select()
    .from(tiles)
    .where(and(eq(tiles.accountId, accountId), eq(tiles.report, report)));
}

export async function deleteTilesOfReport(db: Db, accountId: string, report: string): Promise<void> {
  await db.delete(tiles).where(and(eq(tiles.accountId, accountId), eq(tiles.report, report)));
}


export const tileNotFound = () => notFound("Tile not found");
