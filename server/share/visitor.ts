/**
 * What a visitor of a public link gets: that one dashboard's name, layout and tile data, and
 * nothing else — no tile configurations (report names appear only inside the titles the tiles
 * draw), no instance links or ids, no other dashboard, no account. Every call goes through
 * openShare() (rate limit, token check) again.
 */
import type { Db } from "../../db/client";
import { getDashboard } from "../dashboard/service";
import { MAX_RANGE_SECONDS, type TileData, type TileLayout } from "../dashboard/model";
import { cachedTileData } from "../dashboard/tile-data";
import { badRequest, ServiceError } from "../errors";
import { countShareView, notAvailable, openShare } from "./service";

export type VisitorTile = { id: string; masterId: string | null; layout: TileLayout; data: Omit<TileData, "titleLink"> & { titleLink: null; tileId: string } };
export type VisitorDashboard = {
  name: string;
  allowTimeRange: boolean;
  settings: { syncYAxes: boolean; syncXAxes: boolean };
  /** The window asked for (only when the link allows it), echoed. */
  range: { from: number | null; to: number | null };
  tiles: VisitorTile[];
};

export const TIME_RANGE_REFUSED = "This link does not allow changing the time range";

/**
 * The shared dashboard for a visitor. `countView`: a page view (the page's loader), not a live
 * update. `from`/`to` (epoch ms) only when the link allows visitors to change the time range
 * (BAD_REQUEST otherwise). `after` (tile id → epoch ms): live updates, only points newer than
 * that for range tiles; ids that are not tiles of this dashboard are never looked up.
 */
export async function visitorDashboard(
  db: Db,
  input: { token: string; ip: string; countView?: boolean; from?: number; to?: number; after?: Record<string, number>; now?: Date },
): Promise<VisitorDashboard> {
  const now = input.now ?? new Date();
  const share = await openShare(db, { token: input.token, ip: input.ip, now });
  const wantsRange = input.from !== undefined || input.to !== undefined;
  if (wantsRange && !share.allowTimeRange) throw badRequest(TIME_RANGE_REFUSED);
  if (input.from !== undefined && input.to !== undefined) {
    if (input.from >= input.to) throw badRequest("The start of the time range must come before its end");
    if (input.to - input.from > MAX_RANGE_SECONDS * 1000) throw badRequest("The time range can span at most 5 years");
  }
  if (input.countView) await countShareView(db, share, now);

  let dashboard;
  try {
    dashboard = await getDashboard(db, { accountId: share.accountId, id: share.dashboardId });
  } catch (error) {
    // Deleted meanwhile (its links go with it): the same answer as for any unavailable link.
    if (error instanceof ServiceError && error.kind === "NOT_FOUND") throw notAvailable();
    throw error;
  }
  const onDashboard = new Set(dashboard.tiles.map((t) => t.id));
  const from = input.from !== undefined ? new Date(input.from) : undefined;
  const to = input.to !== undefined ? new Date(input.to) : undefined;
  const tiles = await Promise.all(
    dashboard.tiles.map(async (tile): Promise<VisitorTile> => {
      const after = tile.config.kind === "range" && input.after && Object.hasOwn(input.after, tile.id) ? input.after[tile.id] : undefined;
      const data = await cachedTileData(db, share.accountId, tile.id, tile.config, { from, to, after: after !== undefined ? new Date(after) : undefined });
      return {
        id: tile.id,
        masterId: tile.masterId && onDashboard.has(tile.masterId) ? tile.masterId : null,
        layout: tile.layout,
        // The newest instance's link is the customer's (often internal) URL: not for visitors.
        data: { ...data, titleLink: null, tileId: tile.id },
      };
    }),
  );
  return {
    name: dashboard.name,
    allowTimeRange: share.allowTimeRange,
    settings: { syncYAxes: dashboard.settings.syncYAxes, syncXAxes: dashboard.settings.syncXAxes },
    range: { from: input.from ?? null, to: input.to ?? null },
    tiles,
  };
}
