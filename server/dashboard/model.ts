/**
 * Dashboards, tiles, series and layouts: the shapes shared by the services, the tRPC routers,
 * the public API (the JSON model of dashboards.md) and the pages. Pure (zod only, no I/O), so
 * the app may import its types.
 */
import { z } from "zod";

export const GRID_COLUMNS = 12;
export const DEFAULT_TILE_SIZE = { w: 4, h: 4 } as const;
export const MAX_TILE_HEIGHT = 24;
export const MAX_SERIES = 100;
export const MAX_TILES = 200;
export const MAX_MASTER_COPIES = 200;
export const DEFAULT_RANGE_SECONDS = 7 * 24 * 3600;
export const MAX_RANGE_SECONDS = 5 * 365 * 24 * 3600;

/** The fixed, accessible palette (Okabe–Ito based, tuned for white backgrounds), in series order. */
export const PALETTE = ["#4E79A7", "#F28E2B", "#59A14F", "#E15759", "#76B7B2", "#EDC948", "#B07AA1", "#FF9DA7", "#9C755F", "#BAB0AC"] as const;

export const hexColor = z.string().regex(/^#[0-9a-fA-F]{6}$/, "a colour is #RRGGBB");

/** SELECT column D WHERE column F <op> <value>; F = -1 is the row index among non-header rows. */
export const seriesSpec = z.object({
  column: z.number().int().min(0).max(999),
  filterColumn: z.number().int().min(-1).max(999),
  op: z.enum(["equals", "contains"]),
  value: z.string().max(1000),
  name: z.string().max(200).optional(),
  color: hexColor.optional(),
});
export type SeriesSpec = z.infer<typeof seriesSpec>;

export const tileKinds = ["range", "latest", "content"] as const;
export const tileKind = z.enum(tileKinds);
export type TileKind = z.infer<typeof tileKind>;

/** How each kind may be drawn (dashboards.md "Tile kinds"). */
export const DRAWS_BY_KIND = {
  range: ["line", "spline", "area", "stacked", "table"],
  latest: ["bar", "column", "value", "text"],
  content: ["text", "markdown"],
} as const satisfies Record<TileKind, readonly string[]>;
export const tileDraws = ["line", "spline", "area", "stacked", "table", "bar", "column", "value", "text", "markdown"] as const;
export const tileDraw = z.enum(tileDraws);
export type TileDraw = z.infer<typeof tileDraw>;

export const tileLayout = z
  .object({
    x: z.number().int().min(0).max(GRID_COLUMNS - 1),
    y: z.number().int().min(0).max(10_000),
    w: z.number().int().min(1).max(GRID_COLUMNS),
    h: z.number().int().min(1).max(MAX_TILE_HEIGHT),
  })
  .refine((l) => l.x + l.w <= GRID_COLUMNS, { message: `x + w must be at most ${GRID_COLUMNS}` });
export type TileLayout = z.infer<typeof tileLayout>;

/** A tag pattern for master tiles: `name:*` or `name:prefix*`. */
export const tagPattern = z.string().regex(/^[^,:*\s]{1,100}:[^,*]{0,100}\*$/, "a tag pattern looks like host:* or host:web*");

/** What a tile draws: everything but its place. */
export const tileConfig = z
  .object({
    report: z.string().min(1).max(200),
    tags: z.array(z.string().min(1).max(200)).max(10).default([]),
    kind: tileKind,
    draw: tileDraw,
    rangeSeconds: z.number().int().min(60).max(MAX_RANGE_SECONDS).optional(),
    title: z.string().max(200).optional(),
    series: z.array(seriesSpec).max(MAX_SERIES).default([]),
    masterTagPattern: tagPattern.optional(),
    autoSeries: z.boolean().default(false),
  })
  .superRefine((t, ctx) => {
    if (!(DRAWS_BY_KIND[t.kind] as readonly string[]).includes(t.draw)) {
      ctx.addIssue({ code: "custom", path: ["draw"], message: `a ${t.kind} tile is drawn as ${DRAWS_BY_KIND[t.kind].join(", ")}` });
    }
    if (t.kind !== "content" && t.series.length === 0) {
      ctx.addIssue({ code: "custom", path: ["series"], message: "a chart tile needs at least one series" });
    }
  });
export type TileConfig = z.infer<typeof tileConfig>;

/** The JSON model of one tile (dashboards.md "Dashboards as code"). */
export const tileModel = z.object({
  id: z.string().optional(),
  report: z.string().min(1).max(200),
  tags: z.array(z.string().min(1).max(200)).max(10).optional(),
  kind: tileKind,
  draw: tileDraw,
  rangeSeconds: z.number().int().min(60).max(MAX_RANGE_SECONDS).optional(),
  title: z.string().max(200).optional(),
  series: z.array(seriesSpec).max(MAX_SERIES).optional(),
  masterTagPattern: tagPattern.optional(),
  autoSeries: z.boolean().optional(),
  layout: tileLayout.optional(),
});
export type TileModel = z.infer<typeof tileModel>;

export const dashboardSettings = z.object({
  /** Remove tiles with no new data for this long (null = never). */
  removeStaleAfterSeconds: z.number().int().min(60).max(MAX_RANGE_SECONDS).nullable().default(null),
  /** Same Y axis on the automatic copies of a master tile. */
  syncYAxes: z.boolean().default(false),
  /** Same time window on every range tile. */
  syncXAxes: z.boolean().default(false),
});
export type DashboardSettings = z.infer<typeof dashboardSettings>;

export const dashboardModel = z.object({
  id: z.string().optional(),
  name: z.string().trim().min(1).max(100),
  settings: dashboardSettings.partial().optional(),
  tiles: z.array(tileModel).max(MAX_TILES),
});
export type DashboardModel = z.infer<typeof dashboardModel>;

/** A point: [created epoch milliseconds, value]. */
export type Point = [number, number];

/** What a tile draws, computed by the server; the client only draws it. */
export type TileData = {
  title: string;
  /** The newest instance's `link`, for the title. */
  titleLink: string | null;
  kind: TileKind;
  draw: TileDraw;
  /** Range tiles: the window drawn, epoch ms. */
  from: number | null;
  to: number;
  series: { name: string; color: string; points: Point[] }[];
  /** Latest/text/table: the newest instance's table, when the draw needs it. */
  table: { rows: unknown[][]; header: number[]; created: number } | null;
  /** Content tiles: the newest instance's raw input. */
  content: string | null;
  /** The previous instance's values for `value` tiles (change from the previous instance). */
  previous: (number | null)[] | null;
  /** The newest instance time seen, epoch ms (for incremental updates). */
  newest: number | null;
};
