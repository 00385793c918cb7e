import type { DashboardSettings, TileData } from "../../../server/dashboard/model";

export type SyncTile = { id: string; masterId: string | null };
export type SyncedTile = { data: TileData; yRange?: { min?: number; max?: number } };

/**
 * The dashboard options applied to what each tile draws: "same Y axis on the automatic copies of
 * a master tile" (one range per master and its copies) and "same time window on every range
 * tile" (the union of their windows).
 */
export function syncTiles(tiles: SyncTile[], data: Record<string, TileData | undefined>, settings: Pick<DashboardSettings, "syncYAxes" | "syncXAxes">) {
  const out: Record<string, SyncedTile> = {};
  const ranged = tiles.map((t) => data[t.id]).filter((d): d is TileData => d?.kind === "range" && d.from !== null);
  const window =
    settings.syncXAxes && ranged.length > 1
      ? { from: Math.min(...ranged.map((d) => d.from!)), to: Math.max(...ranged.map((d) => d.to)) }
      : null;

  const groupRange = new Map<string, { min: number; max: number }>();
  if (settings.syncYAxes) {
    for (const t of tiles) {
      const d = data[t.id];
      if (!d || d.kind !== "range") continue;
      const group = t.masterId ?? t.id;
      for (const s of d.series) {
        for (const [, v] of s.points) {
          const r = groupRange.get(group) ?? { min: Infinity, max: -Infinity };
          groupRange.set(group, { min: Math.min(r.min, v), max: Math.max(r.max, v) });
        }
      }
    }
  }
  const members = new Map<string, number>();
  for (const t of tiles) members.set(t.masterId ?? t.id, (members.get(t.masterId ?? t.id) ?? 0) + 1);

  for (const t of tiles) {
    const d = data[t.id];
    if (!d) continue;
    const group = t.masterId ?? t.id;
    const r = groupRange.get(group);
    const yRange = r && (members.get(group) ?? 0) > 1 && r.max > r.min ? { min: r.min >= 0 ? 0 : r.min, max: r.max } : undefined;
    out[t.id] = { data: window && d.kind === "range" ? { ...d, from: window.from, to: window.to } : d, yRange };
  }
  return out;
}
