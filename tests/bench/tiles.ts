/**
 * npm run bench:tiles — tile data over many instances against real PostgreSQL, and the JS the
 * dashboard page ships.
 *
 * Seeds a fresh database with N `df` instances of one report spread over the last 7 days (plus
 * older instances of it, other reports and another account, so the indexes matter), then times
 * the tile data of a 3-series Range tile (line, 7 days) through the app's database handle, cold
 * and warm, interleaved with a hand-written postgres.js query that fetches the same raw cells,
 * and with "fetch the tables, pick the cells in JS" (evaluateSpec) for comparison:
 *   - cold: cachedTileData() for a tile whose cache entry is dropped before each run, over the
 *     window fixed at the seed time: one full query (and storing the entry). Must give the same
 *     points as the hand-written query and evaluateSpec.
 *   - warm: the realistic case of a dashboard reloaded or polled while instances arrive: before
 *     each run one new instance is pushed (not timed), then cachedTileData() for the same tile,
 *     window ending now: the cached points plus a query for the instances inserted since. At the
 *     end it must equal an uncached computeTileData() of the same window.
 * JSON: median_ms/p99_ms are warm, cold_median_ms/cold_p99_ms cold, ratio is cold / hand-written.
 * Then sums the gzipped JS the dashboard page loads (Remix's manifest: entry, root,
 * _app+/_layout and dashboards.$id._index with their imports), building first when
 * build/client is missing or older than app/. Prints figures; the last line is JSON.
 * Also CPU per call (this process + the PostgreSQL backends serving it, from /proc, when the
 * server runs on this machine), which on a shared, loaded machine says more than wall time.
 *
 *   BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres)
 *   BENCH_KEEP=1 keeps the database (its URL is printed) for EXPLAIN sessions
 *   --instances 10000 --runs 50 --warmup 5 --no-build (measure build/ as it is, stale or not)
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import zlib from "node:zlib";
import postgres from "postgres";
import { openDatabase } from "../../db/client";
import { createUser } from "../../server/auth/service";
import type { TileConfig } from "../../server/dashboard/model";
import { evaluateSpec } from "../../server/dashboard/series";
import { clearTileCache, forgetCachedTile, tileCacheStats } from "../../server/dashboard/tile-cache";
import { cachedTileData, computeTileData } from "../../server/dashboard/tile-data";
import { cellNumber, parseInput } from "../../server/parsing";
import { uuidv7 } from "../../server/tokens";

const { values } = parseArgs({
  options: {
    instances: { type: "string", default: "10000" },
    runs: { type: "string", default: "50" },
    warmup: { type: "string", default: "5" },
    "no-build": { type: "boolean", default: false },
  },
});
const INSTANCES = Number(values.instances);
const RUNS = Number(values.runs);
const WARMUP = Number(values.warmup);
const serverUrl = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");

const DAY = 24 * 3600 * 1000;
const RANGE_SECONDS = 7 * 24 * 3600;
const BATCH = 1000;
/** /proc/<pid>/stat counts CPU time in clock ticks (USER_HZ, 100 on Linux). */
const CLOCK_TICKS = 100;

const DF = `Filesystem     1K-blocks     Used Available Use% Mounted on
udev             8033912        4   8033908   1% /dev
tmpfs            1608780    45292   1563488   3% /run
/dev/sda1       22841212 13706856   7951024  64% /
tmpfs            8043880   115084   7928796   2% /dev/shm
tmpfs               5120        4      5116   1% /run/lock
/dev/sda3       92274704 82924268   8395252  91% /home
`;

const TILE: TileConfig = {
  report: "diskfree",
  tags: [],
  kind: "range",
  draw: "line",
  rangeSeconds: RANGE_SECONDS,
  series: ["/", "/home", "/run"].map((value) => ({ column: 4, filterColumn: 5, op: "equals" as const, value })),
  autoSeries: false,
};

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const ms = (n: number) => Number(n.toFixed(2));

/** A small deterministic PRNG, so every run seeds the same numbers. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Instance = { accountId: string; reportId: string; created: string; tags: string[]; rows: unknown[][]; header: number[]; input: string; format: string };

/** df instances: the parsed template with Used, Available and Use% varied per instance. */
function dfFactory(seed: number) {
  const parsed = parseInput(DF, {});
  if (!parsed.ok || parsed.format !== "asciispace") throw new Error("the df template does not parse as asciispace");
  const template = parsed.table;
  const random = rng(seed);
  return (): { rows: unknown[][]; header: number[]; input: string; format: string } => {
    const rows = template.rows.map((row, r) => {
      if (template.header.includes(r)) return row;
      const size = Number(row[1]);
      const used = Math.floor(size * (0.05 + 0.9 * random()));
      return [row[0], String(size), String(used), String(size - used), `${Math.ceil((used / size) * 100)}%`, row[5]];
    });
    const input = rows.map((row) => (row as string[]).map((cell, c) => (c === 0 || c === 5 ? cell.padEnd(14) : cell.padStart(10))).join(" ")).join("\n") + "\n";
    return { rows, header: template.header, input, format: parsed.format };
  };
}

function healthFactory(seed: number) {
  const random = rng(seed);
  return () => {
    const body = { host: "web1", load: [random(), random(), random()], requests: Math.floor(random() * 5000), errors: Math.floor(random() * 5), ok: true };
    const parsed = parseInput(JSON.stringify(body), { format: "json" });
    if (!parsed.ok) throw new Error("the health template does not parse");
    return { rows: parsed.table.rows as unknown[][], header: parsed.table.header, input: JSON.stringify(body), format: parsed.format };
  };
}

async function insertInstances(sql: postgres.Sql, instances: Instance[]): Promise<void> {
  for (let i = 0; i < instances.length; i += BATCH) {
    const batch = instances.slice(i, i + BATCH).map((x) => ({
      account_id: x.accountId,
      // As at ingest, the uuidv7 id is generated when the instance is created (the tile cache reads new ids).
      id: uuidv7({ msecs: Date.parse(x.created) }),
      report_id: x.reportId,
      created: x.created,
      tags: x.tags,
      rows: x.rows,
      header: x.header,
      input: x.input,
      format: x.format,
      bytes: Buffer.byteLength(x.input) + Buffer.byteLength(JSON.stringify(x.rows)),
    }));
    await sql`
      insert into report_instances (account_id, id, report_id, created, tags, rows, header, input, format, link, bytes)
      select account_id, id, report_id, created, tags, rows, header, input, format, null, bytes
      from json_to_recordset(${JSON.stringify(batch)}::text::json) as x(account_id uuid, id uuid, report_id uuid, created timestamptz,
        tags text[], rows jsonb, header jsonb, input text, format text, bytes int)`;
  }
}

/** `count` instances of one report, created evenly (with jitter) between `from` and `to` (epoch ms). */
function spread(
  count: number,
  from: number,
  to: number,
  seed: number,
  make: () => { rows: unknown[][]; header: number[]; input: string; format: string },
  base: { accountId: string; reportId: string },
): Instance[] {
  const random = rng(seed);
  const step = (to - from) / count;
  return Array.from({ length: count }, (_, i) => ({
    ...base,
    ...make(),
    created: new Date(Math.floor(from + step * (i + 0.1 + 0.8 * random()))).toISOString(),
    tags: [`host:web${i % 4}`],
  }));
}

// ---------------------------------------------------------------------------------------------
// The JS the dashboard page loads

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

/** The manifest the server build uses (build/index.js names it), else the newest one. */
function manifestFile(assets: string): string | null {
  const serverBuild = path.join(root, "build/index.js");
  if (fs.existsSync(serverBuild)) {
    const named = /manifest-[A-Z0-9]+\.js/.exec(fs.readFileSync(serverBuild, "utf8"))?.[0];
    if (named && fs.existsSync(path.join(assets, named))) return path.join(assets, named);
  }
  const all = fs.existsSync(assets) ? fs.readdirSync(assets).filter((f) => /^manifest-.*\.js$/.test(f)) : [];
  all.sort((a, b) => fs.statSync(path.join(assets, b)).mtimeMs - fs.statSync(path.join(assets, a)).mtimeMs);
  return all[0] ? path.join(assets, all[0]) : null;
}

type ManifestRoute = { id: string; parentId?: string; module: string; imports?: string[] };
type Manifest = { entry: { module: string; imports: string[] }; routes: Record<string, ManifestRoute> };

function dashboardJs(noBuild: boolean): { files: { file: string; gzip: number; raw: number; lazy?: boolean }[]; totalGzip: number; lazyGzip: number; stale: boolean; built: boolean } {
  const assets = path.join(root, "build/client/assets");
  let manifest = manifestFile(assets);
  const stale = !manifest || fs.statSync(manifest).mtimeMs < Math.max(newestMtime(path.join(root, "app")), fs.statSync(path.join(root, "remix.config.js")).mtimeMs);
  let built = false;
  if (stale && !noBuild) {
    console.log(manifest ? "build/client is older than app/: npm run build …" : "no build/client: npm run build …");
    execFileSync("npm", ["run", "build"], { cwd: root, stdio: ["ignore", "ignore", "inherit"] });
    manifest = manifestFile(assets);
    built = true;
  }
  if (!manifest) throw new Error("no build/client/assets/manifest-*.js: run npm run build");
  const text = fs.readFileSync(manifest, "utf8");
  const m = JSON.parse(text.replace(/^window\.__remixManifest\s*=\s*/, "").replace(/;?\s*$/, "")) as Manifest;

  // The page's route chain: dashboards.$id._index up its parents to root.
  const chain: ManifestRoute[] = [];
  for (let id: string | undefined = "routes/_app+/dashboards.$id._index"; id; id = m.routes[id]?.parentId) {
    const route = m.routes[id];
    if (!route) throw new Error(`route ${id} is not in the manifest`);
    chain.push(route);
  }
  const wanted = [m.entry.module, ...m.entry.imports, ...chain.flatMap((r) => [r.module, ...(r.imports ?? [])])];
  // Follow static imports between chunks too (the manifest lists them already; this is a check),
  // and note dynamic imports (React.lazy) apart: they load only when a tile needs them.
  const seen = new Set<string>();
  const lazy = new Set<string>();
  const queue = [...wanted];
  while (queue.length) {
    const url = queue.shift()!;
    if (seen.has(url)) continue;
    seen.add(url);
    const js = fs.readFileSync(path.join(assets, url.replace(/^\/assets\//, "")), "utf8");
    for (const [, dep] of js.matchAll(/(?:from|import)\s*"(\/assets\/[^"]+\.js)"/g)) if (!seen.has(dep!)) queue.push(dep!);
    for (const [, dep] of js.matchAll(/import\(\s*"(\/assets\/[^"]+\.js)"\s*\)/g)) lazy.add(dep!);
  }
  for (const url of seen) lazy.delete(url);
  const size = (file: string, lazyFile = false) => {
    const buf = fs.readFileSync(file);
    return { file: path.relative(root, file), raw: buf.length, gzip: zlib.gzipSync(buf, { level: 9 }).length, ...(lazyFile ? { lazy: true } : {}) };
  };
  const files = [...[...seen].map((url) => size(path.join(assets, url.replace(/^\/assets\//, "")))), size(manifest)];
  const lazyFiles = [...lazy].map((url) => size(path.join(assets, url.replace(/^\/assets\//, "")), true));
  return {
    files: [...files, ...lazyFiles],
    totalGzip: files.reduce((s, f) => s + f.gzip, 0),
    lazyGzip: lazyFiles.reduce((s, f) => s + f.gzip, 0),
    stale: stale && !built,
    built,
  };
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  const dbName = `tw_bench_${Math.random().toString(36).slice(2, 10)}`;
  await admin.unsafe(`create database ${dbName}`);
  const url = new URL(serverUrl);
  url.pathname = `/${dbName}`;
  const databaseUrl = url.toString();
  const keep = process.env.BENCH_KEEP === "1";
  try {
    const database = await openDatabase({ databaseUrl, max: 2 });
    await database.migrate();
    const { accountId } = await createUser(database.db, { email: "bench@example.com", password: "bench-password", name: "Bench" });
    const { accountId: otherAccountId } = await createUser(database.db, { email: "other@example.com", password: "bench-password", name: "Other" });
    const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });

    // Seed: the tile's report, its older instances, another report of the account, and the
    // same report name in another account.
    const now = Date.now();
    const windowFrom = now - RANGE_SECONDS * 1000;
    const reportIds = { diskfree: uuidv7(), health: uuidv7(), otherDiskfree: uuidv7() };
    await sql`insert into reports (id, account_id, name) values
      (${reportIds.diskfree}, ${accountId}, 'diskfree'), (${reportIds.health}, ${accountId}, 'health'), (${reportIds.otherDiskfree}, ${otherAccountId}, 'diskfree')`;
    const seedStarted = performance.now();
    const sets: [string, Instance[]][] = [
      ["diskfree, last 7 days (the tile)", spread(INSTANCES, windowFrom, now, 1, dfFactory(1), { accountId, reportId: reportIds.diskfree })],
      ["diskfree, 8–60 days old", spread(INSTANCES / 2, now - 60 * DAY, now - 8 * DAY, 2, dfFactory(2), { accountId, reportId: reportIds.diskfree })],
      ["health (json), last 7 days", spread(INSTANCES, windowFrom, now, 3, healthFactory(3), { accountId, reportId: reportIds.health })],
      ["other account's diskfree, last 7 days", spread(INSTANCES, windowFrom, now, 4, dfFactory(4), { accountId: otherAccountId, reportId: reportIds.otherDiskfree })],
    ];
    for (const [, instances] of sets) await insertInstances(sql, instances);
    await sql`analyze`;
    const [{ total, size }] = await sql<{ total: number; size: string }[]>`
      select count(*)::int as total, pg_size_pretty(pg_total_relation_size('report_instances')) as size from report_instances`;
    console.log(`seeded ${total} instances (${size}) in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s:`);
    for (const [name, instances] of sets) console.log(`  ${String(instances.length).padStart(6)}  ${name}`);
    if (keep) console.log(`database kept: ${databaseUrl}`);

    // The window is fixed at the seed time, so no instance leaves it while we measure.
    const to = new Date(now);
    const from = new Date(now - RANGE_SECONDS * 1000);
    // Cold: the tile's entry is dropped first, so every run reads the whole window.
    const coldTileId = uuidv7();
    const ours = async () => {
      forgetCachedTile(accountId, coldTileId);
      const data = await cachedTileData(database.db, accountId, coldTileId, TILE, { now: to });
      return data.series.map((s) => s.points);
    };
    // Warm: one tile, its window ending now; newInstance() pushes one instance before each run.
    const warmTileId = uuidv7();
    const warm = async (now?: Date) => (await cachedTileData(database.db, accountId, warmTileId, TILE, now ? { now } : {})).series.map((s) => s.points);
    const newDf = dfFactory(5);
    let pushed = 0;
    const newInstance = async () => {
      await insertInstances(sql, [{ accountId, reportId: reportIds.diskfree, ...newDf(), created: new Date().toISOString(), tags: ["host:web0"] }]);
      pushed++;
    };

    // Hand-written: one pass over each instance's rows, the three cells picked by aggregates.
    const handWritten = async () => {
      const rows = await sql<{ t: string; c0: unknown; c1: unknown; c2: unknown }[]>`
        select extract(epoch from i.created) * 1000 as t, c.c0, c.c1, c.c2
        from report_instances i
        join reports r on r.id = i.report_id and r.account_id = ${accountId} and r.name = 'diskfree'
        cross join lateral (
          select (array_agg(e.r -> 4 order by e.n) filter (where e.r ->> 5 = '/'))[1] as c0,
                 (array_agg(e.r -> 4 order by e.n) filter (where e.r ->> 5 = '/home'))[1] as c1,
                 (array_agg(e.r -> 4 order by e.n) filter (where e.r ->> 5 = '/run'))[1] as c2
          from jsonb_array_elements(i.rows) with ordinality as e(r, n)
          where not i.header @> to_jsonb(e.n - 1)
        ) c
        where i.account_id = ${accountId} and i.created >= ${from} and i.created <= ${to}
        order by i.created, i.id`;
      return [0, 1, 2].map((k) => {
        const points: [number, number][] = [];
        for (const row of rows) {
          const v = cellNumber(row[`c${k}` as "c0"]);
          if (v !== null) points.push([Number(row.t), v]);
        }
        return points;
      });
    };

    // For comparison: fetch the tables and pick the cells in JS with evaluateSpec (the reference).
    const jsPick = async () => {
      const rows = await sql<{ t: string; rows: unknown[][]; header: number[] }[]>`
        select extract(epoch from i.created) * 1000 as t, i.rows, i.header
        from report_instances i
        join reports r on r.id = i.report_id and r.account_id = ${accountId} and r.name = 'diskfree'
        where i.account_id = ${accountId} and i.created >= ${from} and i.created <= ${to}
        order by i.created, i.id`;
      return TILE.series.map((spec) => {
        const points: [number, number][] = [];
        for (const row of rows) {
          const v = cellNumber(evaluateSpec({ rows: row.rows, header: row.header }, spec));
          if (v !== null) points.push([Number(row.t), v]);
        }
        return points;
      });
    };

    clearTileCache();
    const checked = { ours, handWritten, jsPick };
    const results = Object.fromEntries(await Promise.all(Object.entries(checked).map(async ([k, f]) => [k, await f()]))) as Record<keyof typeof checked, [number, number][][]>;
    const count = (s: [number, number][][]) => s.reduce((n, p) => n + p.length, 0);
    for (const k of ["handWritten", "jsPick"] as const) {
      if (JSON.stringify(results[k]) !== JSON.stringify(results.ours)) {
        throw new Error(`${k} gives other points than computeTileData: ${count(results[k])} vs ${count(results.ours)} (per series ${results[k].map((p) => p.length)} vs ${results.ours.map((p) => p.length)})`);
      }
    }
    const points = count(results.ours);
    if (points !== INSTANCES * TILE.series.length) throw new Error(`expected ${INSTANCES * TILE.series.length} points, got ${points}`);

    // Interleaved, so load from other processes on the machine falls on all of them alike; a new
    // instance before each warm run (not timed).
    const variants = { warm: () => warm(), ours, handWritten, jsPick };
    await warm(); // the cold read that fills the warm tile's entry
    const hits0 = tileCacheStats.hits;
    for (let i = 0; i < WARMUP; i++) {
      await newInstance();
      for (const f of Object.values(variants)) await f();
    }
    // CPU time (this process + the PostgreSQL backends serving it, from /proc when the server
    // runs on this machine): on a loaded machine, what a query would take on an idle one.
    const appPids = (await sql<{ pid: number }[]>`select pid from pg_stat_activity where datname = current_database() and application_name = 'tablewatch'`).map((r) => r.pid);
    const [{ pid: benchPid }] = await sql<{ pid: number }[]>`select pg_backend_pid() as pid`;
    const backendCpu = (pids: number[]) => {
      try {
        return pids.reduce((sum, pid) => {
          const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
          return sum + ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
        }, 0);
      } catch {
        return NaN; // not on this machine
      }
    };
    const pidsOf = { warm: appPids, ours: appPids, handWritten: [benchPid], jsPick: [benchPid] };
    const times: Record<keyof typeof variants, number[]> = { warm: [], ours: [], handWritten: [], jsPick: [] };
    const cpu = Object.fromEntries(Object.keys(variants).map((k) => [k, { node: 0, backend: 0 }])) as Record<keyof typeof variants, { node: number; backend: number }>;
    console.log(`range tile, ${TILE.series.length} series, ${INSTANCES} instances in the window: ${RUNS} runs each after ${WARMUP} warm-ups …`);
    for (let i = 0; i < RUNS; i++) {
      await newInstance();
      for (const [k, f] of Object.entries(variants) as [keyof typeof variants, () => Promise<unknown>][]) {
        const c0 = process.cpuUsage();
        const b0 = backendCpu(pidsOf[k]);
        const t = performance.now();
        await f();
        times[k].push(performance.now() - t);
        const c = process.cpuUsage(c0);
        cpu[k].node += (c.user + c.system) / 1000;
        cpu[k].backend += backendCpu(pidsOf[k]) - b0;
      }
    }
    for (const t of Object.values(times)) t.sort((a, b) => a - b);
    const cpuMs = (k: keyof typeof variants) => (Number.isNaN(cpu[k].backend) ? null : ms((cpu[k].node + cpu[k].backend) / RUNS));
    const warmHits = tileCacheStats.hits - hits0;
    if (warmHits !== WARMUP + RUNS) throw new Error(`the warm tile was cached in ${warmHits} of ${WARMUP + RUNS} runs`);
    // The warm tile, after its RUNS + WARMUP merges, draws what an uncached read draws.
    const checkNow = new Date();
    const [warmPoints, coldPoints] = [await warm(checkNow), (await computeTileData(database.db, accountId, TILE, { now: checkNow })).series.map((s) => s.points)];
    if (JSON.stringify(warmPoints) !== JSON.stringify(coldPoints)) {
      throw new Error(`the warm tile gives other points than an uncached read: ${count(warmPoints)} vs ${count(coldPoints)}`);
    }
    const warmPointCount = count(warmPoints);
    await sql.end();
    await database.close();

    const js = dashboardJs(values["no-build"]);

    const result = {
      bench: "tiles",
      instances: INSTANCES,
      series: TILE.series.length,
      runs: RUNS,
      median_ms: ms(percentile(times.warm, 50)),
      p99_ms: ms(percentile(times.warm, 99)),
      cold_median_ms: ms(percentile(times.ours, 50)),
      cold_p99_ms: ms(percentile(times.ours, 99)),
      sql_median_ms: ms(percentile(times.handWritten, 50)),
      sql_p99_ms: ms(percentile(times.handWritten, 99)),
      ratio: Number((percentile(times.ours, 50) / percentile(times.handWritten, 50)).toFixed(3)),
      cpu_ms: cpuMs("warm"),
      cold_cpu_ms: cpuMs("ours"),
      sql_cpu_ms: cpuMs("handWritten"),
      js_pick_median_ms: ms(percentile(times.jsPick, 50)),
      js_pick_p99_ms: ms(percentile(times.jsPick, 99)),
      points,
      warm_points: warmPointCount,
      pushed,
      dashboard_js_gzip_kb: Number((js.totalGzip / 1024).toFixed(1)),
      dashboard_js_lazy_gzip_kb: Number((js.lazyGzip / 1024).toFixed(1)),
      build_stale: js.stale,
      loadavg: os.loadavg().map((l) => Number(l.toFixed(2))),
      cpus: os.cpus().length,
    };
    const line = (name: string, k: keyof typeof variants) => {
      const t = times[k];
      const c = Number.isNaN(cpu[k].backend) ? "" : `   cpu ${ms(cpu[k].node / RUNS).toFixed(1).padStart(6)} node + ${ms(cpu[k].backend / RUNS).toFixed(1).padStart(6)} pg ms`;
      console.log(`${name.padEnd(34)} median ${ms(percentile(t, 50)).toFixed(2).padStart(8)} ms   p99 ${ms(percentile(t, 99)).toFixed(2).padStart(8)} ms   min ${ms(t[0]!).toFixed(2).padStart(8)} ms${c}`);
    };
    line("warm (cached, 1 new instance)", "warm");
    line("cold (not cached)", "ours");
    line("hand-written SQL (postgres.js)", "handWritten");
    line("rows fetched, cells picked in JS", "jsPick");
    console.log(`ratio (cold / hand-written) ${result.ratio}   points ${points} cold, ${warmPointCount} warm (${pushed} instances pushed)   (target: median ≤ 50 ms)`);
    console.log(`load average ${result.loadavg.join(" ")} on ${result.cpus} CPUs`);
    console.log(`dashboard page JS${js.built ? " (built now)" : js.stale ? " (build/ is OLDER than app/: run npm run build)" : ""}:`);
    for (const f of js.files) {
      console.log(`  ${(f.gzip / 1024).toFixed(1).padStart(7)} KB gzip ${(f.raw / 1024).toFixed(1).padStart(8)} KB raw  ${f.file}${f.lazy ? "  (lazy: only with a markdown/lazy tile, not counted)" : ""}`);
    }
    console.log(`  ${result.dashboard_js_gzip_kb.toFixed(1).padStart(7)} KB gzip total   (target ≤ 200 KB)`);
    console.log(JSON.stringify(result));
  } finally {
    if (!keep) await admin.unsafe(`drop database if exists ${dbName} with (force)`);
    await admin.end();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
