/**
 * Dev-only gallery of every tile draw with generated data (/dev/tile-gallery), for looking at
 * the renderers as a customer would. 404 unless the server runs with dev tools (NODE_ENV is not
 * production, see server/config.ts). `?tz=America/New_York&h12=1` changes the zone and clock.
 */
import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useEffect, useState } from "react";
import type { TileData } from "../../server/dashboard/model";
import { TileView, tileViewLinks } from "~/components/dashboard/tile-view";

export const links: LinksFunction = () => [...tileViewLinks];
export const meta: MetaFunction = () => [{ title: "Tile gallery · dev · Tablewatch" }];

const PALETTE = ["#4E79A7", "#F28E2B", "#59A14F", "#E15759", "#76B7B2", "#EDC948", "#B07AA1", "#FF9DA7", "#9C755F", "#BAB0AC"];
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** A small deterministic PRNG (mulberry32), so a reload shows the same pictures. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Point = [number, number];

/** n points from `from` to `to`, each series with its own jittered timestamps. */
function wave(seed: number, n: number, from: number, to: number, f: (phase: number, r: () => number, i: number) => number, jitter = true): Point[] {
  const r = rng(seed);
  const step = (to - from) / (n - 1);
  const points: Point[] = [];
  for (let i = 0; i < n; i++) {
    const t = Math.round(from + i * step + (jitter && i > 0 && i < n - 1 ? (r() - 0.5) * step * 0.8 : 0));
    points.push([t, f((t - from) / DAY, r, i)]);
  }
  return points;
}

const round = (v: number, d = 2) => Math.round(v * 10 ** d) / 10 ** d;

function base(overrides: Partial<TileData> & Pick<TileData, "title" | "kind" | "draw">, now: number): TileData {
  return { titleLink: null, from: null, to: now, series: [], table: null, content: null, previous: null, newest: now - 2 * MINUTE, ...overrides };
}

type GalleryTile = { id: string; w: number; h: number; data: TileData; live?: boolean };

function sampleTiles(now: number): GalleryTile[] {
  const week = now - 7 * DAY;
  const dayAgo = now - DAY;
  const cpu = ["web1", "web2", "web3"].map((name, k) => ({
    name,
    color: PALETTE[k]!,
    points: wave(11 + k, 2000, week, now, (d, r) => round(Math.max(1, Math.min(99, 30 + k * 12 + 22 * Math.sin(d * 2 * Math.PI + k) + (r() - 0.5) * 5)), 1)),
  }));
  const rps = ["api", "web", "static"].map((name, k) => ({
    name,
    color: PALETTE[k]!,
    points: wave(21 + k, 2000, dayAgo, now, (d, r) => round(1400 - k * 380 + 500 * Math.sin(d * 2 * Math.PI - 1.2) + (r() - 0.5) * 50, 0)),
  }));
  const memory = ["db1", "db2", "cache"].map((name, k) => ({
    name,
    color: PALETTE[k + 3]!,
    points: wave(31 + k, 2000, week, now, (d, r) => Math.round((3 + k * 1.6 + Math.sin(d * 3 + k) * 0.8 + r() * 0.3) * 1e9)),
  }));
  const statusTimes = wave(40, 2000, dayAgo, now, () => 0, false).map((p) => p[0]);
  const status = [
    { name: "2xx", color: "#59A14F", f: (d: number, r: () => number) => 900 + 350 * Math.sin(d * 2 * Math.PI) + r() * 80 },
    { name: "4xx", color: "#EDC948", f: (_d: number, r: () => number) => 120 + r() * 60 },
    { name: "5xx", color: "#E15759", f: (_d: number, r: () => number, i = 0) => (i > 1200 && i < 1300 ? 260 : 8) + r() * 10 },
  ].map((s, k) => {
    const r = rng(50 + k);
    return { name: s.name, color: s.color, points: statusTimes.map((t, i): Point => [t, Math.round(s.f((t - dayAgo) / DAY, r, i))]) };
  });
  const up = ["eu-west", "us-east"].map((name, k) => {
    const r = rng(60 + k);
    let state = 1;
    return {
      name,
      color: PALETTE[k]!,
      points: wave(60 + k, 400, dayAgo, now, () => {
        if (r() < 0.03) state = 1 - state;
        return state;
      }),
    };
  });
  const queue = [
    {
      name: "jobs waiting",
      color: PALETTE[4]!,
      points: wave(70, 20_000, now - 30 * DAY, now, (d, r) => Math.max(0, Math.round(40 + 30 * Math.sin(d * 6) + 25 * Math.sin(d / 3) + (r() < 0.01 ? 400 * r() : r() * 20)))),
    },
  ];
  const balance = [
    { name: "balance", color: PALETTE[6]!, points: wave(80, 14, week, now, (d, r) => round(-60 + d * 26 + (r() - 0.5) * 40, 2), false) },
  ];
  const mounts = ["/", "/home", "/var", "/var/lib/postgresql", "/boot", "/srv/backups", "/tmp", "/mnt/media", "/opt", "/data", "/logs", "/scratch"];
  const manySeries = mounts.map((name, k) => ({
    name,
    color: PALETTE[k % PALETTE.length]!,
    points: wave(90 + k, 200, week, now, (d, r) => round(Math.min(99, 20 + k * 5 + d * (1 + k / 4) + r() * 2), 1)),
  }));
  const tableSeries = ["/", "/home", "/var"].map((name, k) => {
    const r = rng(100 + k);
    return {
      name,
      color: PALETTE[k]!,
      points: wave(100, 40, now - 40 * HOUR, now, (d) => round(40 + k * 15 + d * 3, 1), false).filter(() => r() > 0.15),
    };
  });
  const disk = [
    ["/", 64],
    ["/home", 81],
    ["/var", 47],
    ["/var/lib/postgresql", 93],
    ["/boot", 22],
    ["/srv/backups", 58],
    ["/tmp", 3],
  ].map(([name, v], k) => ({ name: String(name), color: PALETTE[k]!, points: [[now - 2 * MINUTE, Number(v)]] as Point[] }));
  const queues = [
    ["default", 1284],
    ["mail", 312],
    ["reports", 2790],
    ["webhooks", 96],
    ["exports", 1530],
    ["refunds", -240],
  ].map(([name, v], k) => ({ name: String(name), color: PALETTE[k]!, points: [[now - 2 * MINUTE, Number(v)]] as Point[] }));
  const one = (name: string, v: number, k: number) => ({ name, color: PALETTE[k]!, points: [[now - 2 * MINUTE, v]] as Point[] });

  const df = `Filesystem      Size  Used Avail Use% Mounted on
/dev/nvme0n1p2  468G  301G  144G  68% /
/dev/nvme0n1p1  511M  6.1M  505M   2% /boot/efi
/dev/sdb1       3.6T  2.9T  541G  85% /srv/backups
tmpfs            16G  1.2G   15G   8% /tmp`;
  const markdown = `# Runbook: disk alarms

When **/var/lib/postgresql** passes 90%:

1. Check the largest tables with \`\\dt+\`
2. Run \`VACUUM FULL\` on the bloated ones, *off-peak*
3. Still full? Page the on-call DBA

| host | role | owner |
|------|------|-------|
| db1  | primary | @ana |
| db2  | replica | @li |

> Graphs: see the [Grafana board](https://grafana.example.com/d/pg) or [internal](#top).

Raw HTML is shown as text: <script>alert("xss")</script> <b onmouseover="alert(1)">bold?</b>

[a javascript: link](javascript:alert(1)) · ![a remote image](https://example.com/chart.png)

\`\`\`sh
psql -c 'select pg_size_pretty(pg_database_size(current_database()))'
\`\`\``;

  return [
    { id: "line", w: 6, h: 4, data: base({ title: "CPU usage % (web1, web2, web3)", kind: "range", draw: "line", from: week, series: cpu, titleLink: "https://example.com/builds/1234" }, now) },
    { id: "spline", w: 6, h: 4, data: base({ title: "Requests per second (smoothed)", kind: "range", draw: "spline", from: dayAgo, series: rps }, now) },
    { id: "area", w: 6, h: 4, data: base({ title: "Memory used (bytes)", kind: "range", draw: "area", from: week, series: memory }, now) },
    { id: "stacked", w: 6, h: 4, data: base({ title: "HTTP responses by status (stacked)", kind: "range", draw: "stacked", from: dayAgo, series: status }, now) },
    { id: "binary", w: 4, h: 4, data: base({ title: "Health check up (0/1)", kind: "range", draw: "line", from: dayAgo, series: up }, now) },
    { id: "big", w: 8, h: 4, data: base({ title: "Queue length — 20,000 points, 30 days", kind: "range", draw: "line", from: now - 30 * DAY, series: queue }, now) },
    { id: "sparse", w: 4, h: 4, data: base({ title: "Balance (14 points, crosses 0)", kind: "range", draw: "line", from: week, series: balance, titleLink: "javascript:alert(1)" }, now) },
    { id: "many", w: 8, h: 5, data: base({ title: "Disk use % per mount (12 series)", kind: "range", draw: "line", from: week, series: manySeries }, now) },
    { id: "live", w: 6, h: 4, live: true, data: base({ title: "Live: a point every second (setData)", kind: "range", draw: "area", from: now - 10 * MINUTE, series: [{ name: "load", color: PALETTE[0]!, points: wave(120, 300, now - 10 * MINUTE, now, (d, r) => round(2 + Math.sin(d * 400) + r(), 2), false) }] }, now) },
    { id: "table", w: 6, h: 4, data: base({ title: "Disk use % (table, newest first)", kind: "range", draw: "table", from: now - 40 * HOUR, series: tableSeries }, now) },
    { id: "bar", w: 4, h: 4, data: base({ title: "diskfree: Use% per mount", kind: "latest", draw: "bar", series: disk }, now) },
    { id: "column", w: 4, h: 4, data: base({ title: "Jobs per queue", kind: "latest", draw: "column", series: queues }, now) },
    { id: "value-up", w: 2, h: 2, data: base({ title: "Active users", kind: "latest", draw: "value", series: [one("users", 1284, 0)], previous: [1190] }, now) },
    { id: "value-down", w: 2, h: 2, data: base({ title: "Error rate %", kind: "latest", draw: "value", series: [one("errors", 0.42, 3)], previous: [0.57] }, now) },
    { id: "value-many", w: 6, h: 3, data: base({ title: "Orders today (3 shops)", kind: "latest", draw: "value", series: [one("EU shop", 18342, 0), one("US shop", 9120, 1), one("APAC shop", 2205, 2)], previous: [17800, 9120, null] }, now) },
    { id: "value-big", w: 6, h: 3, data: base({ title: "Bytes stored", kind: "latest", draw: "value", series: [one("bytes", 1234567890123, 0)], previous: [1234500000000] }, now) },
    {
      id: "text",
      w: 6,
      h: 4,
      data: base(
        {
          title: "services (newest instance)",
          kind: "latest",
          draw: "text",
          table: {
            header: [0],
            created: now - 2 * MINUTE,
            rows: [
              ["service", "up", "latency_ms", "last_error", "region"],
              ["api", true, 42, null, "eu-west-1"],
              ["worker", true, 118, null, "eu-west-1"],
              ["mailer", false, null, "connection refused", "us-east-1"],
              ["search", true, 7.5, null, "eu-west-1"],
              ["billing", false, 2300, "timeout after 2000 ms", "us-east-1"],
            ],
          },
        },
        now,
      ),
    },
    { id: "pre", w: 6, h: 4, data: base({ title: "df -h (text)", kind: "content", draw: "text", content: df }, now) },
    { id: "markdown", w: 6, h: 6, data: base({ title: "Runbook (Markdown)", kind: "content", draw: "markdown", content: markdown }, now) },
    { id: "small", w: 3, h: 3, data: base({ title: "web1 load (small tile, 12 points)", kind: "range", draw: "spline", from: now - 12 * HOUR, series: [{ name: "load1", color: PALETTE[2]!, points: wave(130, 12, now - 11 * HOUR, now, (d, r) => round(0.4 + r() * 1.6, 2), false) }] }, now) },
    { id: "empty-range", w: 3, h: 3, data: base({ title: "Empty range", kind: "range", draw: "line", from: dayAgo, series: [{ name: "x", color: PALETTE[0]!, points: [] }], newest: null }, now) },
    { id: "empty-latest", w: 3, h: 3, data: base({ title: "Empty latest", kind: "latest", draw: "bar", series: [{ name: "x", color: PALETTE[0]!, points: [] }], newest: null }, now) },
  ];
}

export async function loader({ context, request }: LoaderFunctionArgs) {
  if (!context.devTools) throw new Response("Not found", { status: 404 });
  const url = new URL(request.url);
  const now = Math.floor(Date.now() / MINUTE) * MINUTE;
  return {
    tiles: sampleTiles(now),
    timeZone: url.searchParams.get("tz") || "Europe/Berlin",
    hour12: url.searchParams.get("h12") === "1",
  };
}

/** Appends a point every second, to show data updating in place. */
function LiveTile({ data, timeZone, hour12 }: { data: TileData; timeZone: string; hour12: boolean }) {
  const [tile, setTile] = useState(data);
  useEffect(() => {
    const r = rng(7);
    const timer = setInterval(() => {
      setTile((previous) => {
        const s = previous.series[0]!;
        const last = s.points[s.points.length - 1]!;
        const t = last[0] + 2000;
        return { ...previous, to: t, from: t - 10 * MINUTE, newest: t, series: [{ ...s, points: [...s.points.slice(1), [t, round(Math.max(0, last[1] + (r() - 0.5) * 0.6), 2)]] }] };
      });
    }, 1000);
    return () => clearInterval(timer);
  }, []);
  return (
    <div data-live-to={tile.to} style={{ height: "100%" }}>
      <TileView data={tile} timeZone={timeZone} hour12={hour12} />
    </div>
  );
}

const ROW = 76;

export default function TileGallery() {
  const { tiles, timeZone, hour12 } = useLoaderData<typeof loader>();
  return (
    <main className="app-main">
      <div className="page-head">
        <div>
          <h1>Tile gallery</h1>
          <p className="page-sub">
            Every draw with generated data · {timeZone} · {hour12 ? "12-hour" : "24-hour"} clock
          </p>
        </div>
        <div className="segmented">
          <Link className={!hour12 && timeZone === "Europe/Berlin" ? "active" : undefined} to="?tz=Europe/Berlin">
            Berlin 24h
          </Link>
          <Link className={hour12 ? "active" : undefined} to="?tz=America/New_York&h12=1">
            New York 12h
          </Link>
          <Link className={timeZone === "UTC" ? "active" : undefined} to="?tz=UTC">
            UTC
          </Link>
        </div>
      </div>
      <div style={{ display: "grid", gridTemplateColumns: "repeat(12, minmax(0, 1fr))", gridAutoRows: ROW, gap: 16 }}>
        {tiles.map((tile) => (
          <div key={tile.id} data-tile={tile.id} style={{ gridColumn: `span ${tile.w}`, gridRow: `span ${tile.h}`, minWidth: 0, minHeight: 0 }}>
            {tile.live ? (
              <LiveTile data={tile.data} timeZone={timeZone} hour12={hour12} />
            ) : (
              <TileView data={tile.data} timeZone={timeZone} hour12={hour12} />
            )}
          </div>
        ))}
      </div>
    </main>
  );
}
