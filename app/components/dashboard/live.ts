import { useEffect, useRef, useState } from "react";
import type { TileData } from "../../../server/dashboard/model";
import { trpc } from "~/utils/trpc";

export type LiveTile = TileData & { tileId: string };

export const POLL_MS = 5000;

/**
 * Merges an incremental answer (only instances newer than `base.newest`) into what is drawn:
 * range tiles append the new points and drop those that left the window; the other kinds show
 * the newest instance, so they take the answer whole when it has one.
 */
export function mergeTileData(base: LiveTile, update: LiveTile): LiveTile {
  if (base.kind !== "range" || update.kind !== "range") return update;
  const from = update.from ?? -Infinity;
  const series = update.series.map((s, k) => {
    const old = base.series[k]?.points ?? [];
    const last = old.length ? old[old.length - 1]![0] : -Infinity;
    const kept = old.filter(([t]) => t >= from);
    return { ...s, points: [...kept, ...s.points.filter(([t]) => t > last)] };
  });
  return { ...update, series, newest: update.newest ?? base.newest, titleLink: update.titleLink ?? base.titleLink };
}

/**
 * The tiles' data, kept up to date without a reload: every POLL_MS each tile asks for points
 * newer than the newest it shows (incremental polling), while the page is visible.
 */
export function useLiveTiles(initial: LiveTile[], opts: { enabled?: boolean; fetch?: (tileId: string, after?: number) => Promise<LiveTile> } = {}) {
  const [tiles, setTiles] = useState<Record<string, LiveTile>>(() => Object.fromEntries(initial.map((t) => [t.tileId, t])));
  const latest = useRef(tiles);
  latest.current = tiles;
  const key = initial.map((t) => `${t.tileId}:${t.newest}:${t.title}:${t.draw}:${t.series.length}`).join("|");

  // New loader data (a tile added or edited) replaces what is shown.
  useEffect(() => {
    setTiles(Object.fromEntries(initial.map((t) => [t.tileId, t])));
  }, [key]);

  const enabled = opts.enabled ?? true;
  const fetchTile = opts.fetch;
  useEffect(() => {
    if (!enabled) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout>;
    const load =
      fetchTile ??
      ((tileId: string, after?: number) => trpc.dashboards.tileData.query({ tileId, after }) as Promise<LiveTile>);
    const tick = async () => {
      if (!document.hidden) {
        for (const tile of Object.values(latest.current)) {
          if (stopped) return;
          try {
            // Range tiles ask only for newer points; the others show the newest instance whole.
            const update = await load(tile.tileId, tile.kind === "range" ? (tile.newest ?? undefined) : undefined);
            if (stopped) return;
            setTiles((all) => (all[tile.tileId] ? { ...all, [tile.tileId]: mergeTileData(all[tile.tileId]!, update) } : all));
          } catch {
            // A deleted tile or a network hiccup: try again on the next round.
          }
        }
      }
      if (!stopped) timer = setTimeout(tick, POLL_MS);
    };
    timer = setTimeout(tick, POLL_MS);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [enabled, fetchTile]);

  return tiles;
}
