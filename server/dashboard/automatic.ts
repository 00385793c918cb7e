/**
 * Automatic tiles and series (dashboards.md): run after an instance is committed, off the
 * request (queued in-process, one at a time), so the API reply never waits for them.
 * - a master tile gets a copy per new value of its tag pattern, placed next to its siblings;
 * - an autoSeries tile gets a series per new row;
 * - tiles record when data last arrived, and a sweep removes stale copies (and tiles, when the
 *   dashboard asks for it), promoting a fresh copy when a master goes stale.
 */
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { dashboards, tiles } from "../../db/schema";
import type { Table } from "../parsing/types";
import { uuidv7 } from "../tokens";
import { masterCopiesToCreate, newSeriesForRows, promoteMaster, staleCopies } from "./auto";
import { placeNextTo } from "./layout";
import { dashboardSettings, type TileConfig } from "./model";

/** Copies of tag values that send nothing for this long are removed (unless the dashboard says otherwise). */
export const COPY_STALE_SECONDS = 7 * 24 * 3600;

export type IngestedInstance = { accountId: string; report: string; tags: string[]; created: Date; table: Table };

type TileRow = typeof tiles.$inferSelect;

const hasAll = (tags: string[], needed: string[]) => needed.every((t) => tags.includes(t));

/** Applies one instance to the tiles of its report. Returns what it did, for tests and logs. */
export async function applyInstance(db: Db, instance: IngestedInstance): Promise<{ copies: string[]; seriesAdded: number }> {
  const rows = await db
    .select()
    .from(tiles)
    .where(and(eq(tiles.accountId, instance.accountId), eq(tiles.report, instance.report)));
  if (!rows.length) return { copies: [], seriesAdded: 0 };

  // Tiles showing this instance have fresh data.
  const showing = rows.filter((t) => hasAll(instance.tags, t.config.tags ?? []));
  if (showing.length) {
    await db
      .update(tiles)
      .set({ lastDataAt: sql`greatest(${tiles.lastDataAt}, ${instance.created.toISOString()}::timestamptz)` })
      .where(and(eq(tiles.accountId, instance.accountId), sql`${tiles.id} in (${sql.join(showing.map((t) => sql`${t.id}::uuid`), sql`, `)})`));
  }

  const copies: string[] = [];
  for (const master of rows.filter((t) => t.config.masterTagPattern && !t.masterId)) {
    const siblings = rows.filter((t) => t.masterId === master.id);
    const plan = masterCopiesToCreate({
      master: { tags: master.config.tags ?? [], masterTagPattern: master.config.masterTagPattern! },
      existingCopyValues: siblings.map((s) => s.tagValue ?? ""),
      instanceTags: instance.tags,
      copyCount: siblings.length,
    });
    if (!plan) continue;
    const id = await createCopy(db, master, siblings, plan, instance.created);
    if (id) copies.push(id);
  }

  let seriesAdded = 0;
  for (const tile of rows.filter((t) => t.config.autoSeries && hasAll(instance.tags, t.config.tags ?? []))) {
    const added = newSeriesForRows({ series: tile.config.series ?? [], autoSeries: true }, instance.table);
    if (!added.length) continue;
    seriesAdded += added.length;
    const config = { ...tile.config, series: [...(tile.config.series ?? []), ...added] };
    await db
      .update(tiles)
      .set({ config })
      .where(and(eq(tiles.accountId, instance.accountId), eq(tiles.id, tile.id)));
    await db
      .update(tiles)
      .set({ config: sql`jsonb_set(${tiles.config}, '{series}', ${JSON.stringify(config.series)}::jsonb)` })
      .where(and(eq(tiles.accountId, instance.accountId), eq(tiles.masterId, tile.id)));
  }
  return { copies, seriesAdded };
}

/** A copy of `master` for one tag value, next to its siblings, in one transaction with the layout version. */
async function createCopy(
  db: Db,
  master: TileRow,
  siblings: TileRow[],
  plan: { tags: string[]; tagValue: string },
  created: Date,
): Promise<string | null> {
  return db.transaction(async (t) => {
    const tx = t as unknown as Db;
    const [dashboard] = await tx
      .select({ layoutVersion: dashboards.layoutVersion })
      .from(dashboards)
      .where(and(eq(dashboards.accountId, master.accountId), eq(dashboards.id, master.dashboardId)))
      .for("update");
    if (!dashboard) return null;
    // Another worker may have made this copy meanwhile: the lock above serialises them.
    const [existing] = await tx
      .select({ id: tiles.id })
      .from(tiles)
      .where(and(eq(tiles.accountId, master.accountId), eq(tiles.masterId, master.id), eq(tiles.tagValue, plan.tagValue)));
    if (existing) return null;
    const onDashboard = await tx
      .select({ x: tiles.x, y: tiles.y, w: tiles.w, h: tiles.h })
      .from(tiles)
      .where(and(eq(tiles.accountId, master.accountId), eq(tiles.dashboardId, master.dashboardId)));
    const last = siblings.reduce((a, b) => (b.y > a.y || (b.y === a.y && b.x > a.x) ? b : a), master);
    const layout = placeNextTo(onDashboard, { x: last.x, y: last.y, w: last.w, h: last.h }, { w: master.w, h: master.h });
    const id = uuidv7();
    const { masterTagPattern: _pattern, ...rest } = master.config as Omit<TileConfig, "report">;
    await tx.insert(tiles).values({
      accountId: master.accountId,
      id,
      dashboardId: master.dashboardId,
      report: master.report,
      config: { ...rest, tags: plan.tags },
      ...layout,
      masterId: master.id,
      tagValue: plan.tagValue,
      lastDataAt: created,
    });
    await tx
      .update(dashboards)
      .set({ layoutVersion: dashboard.layoutVersion + 1 })
      .where(and(eq(dashboards.accountId, master.accountId), eq(dashboards.id, master.dashboardId)));
    return id;
  });
}

/**
 * The periodic sweep (every minute, safe to run in several processes): removes copies whose tag
 * value sent nothing for the dashboard's stale time (default COPY_STALE_SECONDS), promotes a
 * fresh copy when a master went stale, and removes any tile without new data when the dashboard
 * asks for it ("Remove tiles with no new data for N").
 */
export async function sweepStaleTiles(db: Db, now = new Date()): Promise<{ removed: number; promoted: number }> {
  let removed = 0;
  let promoted = 0;
  const autoTiles = await db
    .select()
    .from(tiles)
    .where(sql`${tiles.masterId} is not null or ${tiles.config} ? 'masterTagPattern'`);
  const settingsRows = await db.select({ accountId: dashboards.accountId, id: dashboards.id, settings: dashboards.settings }).from(dashboards);
  const staleAfter = new Map(settingsRows.map((d) => [`${d.accountId}/${d.id}`, dashboardSettings.parse(d.settings ?? {}).removeStaleAfterSeconds]));

  for (const master of autoTiles.filter((t) => !t.masterId)) {
    const seconds = staleAfter.get(`${master.accountId}/${master.dashboardId}`) ?? COPY_STALE_SECONDS;
    const copies = autoTiles.filter((t) => t.masterId === master.id);
    const promote = promoteMaster(master, copies, now, seconds);
    if (promote) {
      await promoteCopy(db, master, promote);
      promoted++;
      continue;
    }
    for (const id of staleCopies(copies, now, seconds)) {
      await db.delete(tiles).where(and(eq(tiles.accountId, master.accountId), eq(tiles.id, id)));
      removed++;
    }
  }
  for (const d of settingsRows) {
    const seconds = dashboardSettings.parse(d.settings ?? {}).removeStaleAfterSeconds;
    if (!seconds) continue;
    const cutoff = new Date(now.getTime() - seconds * 1000).toISOString();
    const gone = await db
      .delete(tiles)
      .where(
        and(
          eq(tiles.accountId, d.accountId),
          eq(tiles.dashboardId, d.id),
          sql`coalesce(${tiles.lastDataAt}, ${tiles.createdAt}) < ${cutoff}::timestamptz`,
          sql`not (${tiles.config} ? 'masterTagPattern')`,
        ),
      )
      .returning({ id: tiles.id });
    removed += gone.length;
  }
  return { removed, promoted };
}

/** A fresh copy becomes the master: it takes the pattern, the other copies follow it, the old master goes. */
async function promoteCopy(db: Db, master: TileRow, copyId: string): Promise<void> {
  await db.transaction(async (t) => {
    const tx = t as unknown as Db;
    const where = (id: string) => and(eq(tiles.accountId, master.accountId), eq(tiles.id, id));
    const [copy] = await tx.select().from(tiles).where(where(copyId));
    if (!copy) return;
    await tx
      .update(tiles)
      .set({ masterId: null, tagValue: null, config: { ...copy.config, masterTagPattern: master.config.masterTagPattern } })
      .where(where(copyId));
    await tx
      .update(tiles)
      .set({ masterId: copyId })
      .where(and(eq(tiles.accountId, master.accountId), eq(tiles.masterId, master.id)));
    await tx.delete(tiles).where(where(master.id));
  });
}

/**
 * The in-process queue between ingest and applyInstance: enqueue() returns at once; instances
 * are applied one at a time, after their commit. Accounts without automatic tiles cost one
 * cached lookup (refreshed every few seconds), not a query per push.
 */
export function automaticTiles(db: Db, opts: { onError?: (error: unknown) => void } = {}) {
  const queue: IngestedInstance[] = [];
  let running: Promise<void> | null = null;
  const cache = new Map<string, { until: number; has: boolean }>();
  const CACHE_MS = 3000;
  const MAX_QUEUE = 10_000;

  async function hasTiles(accountId: string, report: string): Promise<boolean> {
    const key = `${accountId}/${report}`;
    const hit = cache.get(key);
    if (hit && hit.until > Date.now()) return hit.has;
    const [row] = await db
      .select({ id: tiles.id })
      .from(tiles)
      .where(and(eq(tiles.accountId, accountId), eq(tiles.report, report)))
      .limit(1);
    cache.set(key, { until: Date.now() + CACHE_MS, has: !!row });
    if (cache.size > 50_000) cache.clear();
    return !!row;
  }

  async function drain() {
    while (queue.length) {
      const instance = queue.shift()!;
      try {
        if (await hasTiles(instance.accountId, instance.report)) await applyInstance(db, instance);
      } catch (error) {
        opts.onError?.(error);
      }
    }
    running = null;
  }

  return {
    enqueue(instance: IngestedInstance) {
      if (queue.length >= MAX_QUEUE) return; // shed under extreme load; the next instance repeats the work
      queue.push(instance);
      running ??= drain();
    },
    /** Resolves when everything queued so far is applied (tests, shutdown). */
    async idle() {
      while (running) await running;
    },
    /** Forget cached "no tiles" answers (a tile was just created). */
    invalidate(accountId: string) {
      for (const key of cache.keys()) if (key.startsWith(`${accountId}/`)) cache.delete(key);
    },
  };
}

export type AutomaticTiles = ReturnType<typeof automaticTiles>;
