/**
 * npm run bench:ingest — ingestion throughput against real PostgreSQL.
 *
 * Starts the app (a child process, production mode) on a fresh database, then for a fixed time
 * N concurrent HTTP clients POST df-sized text and small JSON; then, in the same run, N
 * concurrent postgres.js loops insert the same rows with the same statement. Prints both rates,
 * latencies and their ratio; the last line is JSON.
 *
 *   BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres)
 *   --seconds 10 --concurrency 8
 */
import { spawn } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import net from "node:net";
import { parseArgs } from "node:util";
import postgres from "postgres";
import { openDatabase } from "../../db/client";
import { createApiKey } from "../../server/api-key/service";
import { createUser } from "../../server/auth/service";
import { parseInput } from "../../server/parsing";
import { uuidv7 } from "../../server/tokens";

const { values } = parseArgs({ options: { seconds: { type: "string", default: "10" }, concurrency: { type: "string", default: "8" } } });
const SECONDS = Number(values.seconds);
const CONCURRENCY = Number(values.concurrency);
const serverUrl = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

const DF = `Filesystem     1K-blocks     Used Available Use% Mounted on
udev             8033912        4   8033908   1% /dev
tmpfs            1608780    45292   1563488   3% /run
/dev/sda1       22841212 13706856   7951024  64% /
tmpfs            8043880   115084   7928796   2% /dev/shm
tmpfs               5120        4      5116   1% /run/lock
/dev/sda3       92274704 82924268   8395252  91% /home
`;
const JSON_BODY = JSON.stringify({ host: "web1", load: [0.42, 0.37, 0.31], requests: 1234, errors: 2, ok: true });
const bodies = [
  { body: DF, type: "text/plain", name: "diskfree" },
  { body: JSON_BODY, type: "application/json", name: "health" },
];

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function timed(run: (i: number) => Promise<void>): Promise<{ count: number; latencies: number[]; seconds: number }> {
  const latencies: number[] = [];
  const started = performance.now();
  const deadline = started + SECONDS * 1000;
  let n = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < deadline) {
        const t = performance.now();
        await run(n++);
        latencies.push(performance.now() - t);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return { count: latencies.length, latencies, seconds: (performance.now() - started) / 1000 };
}

async function main() {
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  const dbName = `tw_bench_${Math.random().toString(36).slice(2, 10)}`;
  await admin.unsafe(`create database ${dbName}`);
  const url = new URL(serverUrl);
  url.pathname = `/${dbName}`;
  const databaseUrl = url.toString();
  let child: ReturnType<typeof spawn> | undefined;
  try {
    const database = await openDatabase({ databaseUrl, max: 2 });
    await database.migrate();
    const { accountId, userId } = await createUser(database.db, { email: "bench@example.com", password: "bench-password", name: "Bench" });
    const { key } = await createApiKey(database.db, { accountId, name: "bench", scope: "full", createdBy: userId });
    await database.close();

    const port = await freePort();
    child = spawn(process.execPath, ["--import", "tsx", "server/index.ts"], {
      env: { ...process.env, DATABASE_URL: databaseUrl, PORT: String(port), NODE_ENV: "production", LOG_REQUESTS: "false", WEB_CONCURRENCY: process.env.WEB_CONCURRENCY ?? "2" },
      stdio: ["ignore", "ignore", "inherit"],
    });
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const auth = "Basic " + Buffer.from(`${key}:`).toString("base64");
    const post = (i: number) =>
      new Promise<void>((resolve, reject) => {
        const b = bodies[i % bodies.length]!;
        const req = http.request(
          { host: "127.0.0.1", port, method: "POST", path: `/api/v1/reports/${b.name}?tags=host:web${i % 4}`, agent, headers: { authorization: auth, "content-type": b.type } },
          (res) => {
            res.resume();
            res.on("end", () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
          },
        );
        req.on("error", reject);
        req.end(b.body);
      });
    for (let i = 0; ; i++) {
      try {
        await post(0);
        break;
      } catch {
        if (i > 120) throw new Error("the app did not start");
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    for (let i = 0; i < 200; i++) await post(i); // warm-up

    console.log(`ingest over HTTP: ${CONCURRENCY} clients for ${SECONDS}s …`);
    const httpRun = await timed(post);

    // The same rows, the same statement, straight through postgres.js.
    const sql = postgres(databaseUrl, { max: CONCURRENCY, onnotice: () => {} });
    const parsed = bodies.map((b) => {
      const r = parseInput(b.body, {});
      if (!r.ok) throw new Error("bench input does not parse");
      return { ...b, rows: JSON.stringify(r.table.rows), header: JSON.stringify(r.table.header), format: r.format, bytes: Buffer.byteLength(b.body) + Buffer.byteLength(JSON.stringify(r.table.rows)) };
    });
    const insert = async (i: number) => {
      const p = parsed[i % parsed.length]!;
      const now = new Date().toISOString();
      await sql`
        with created_report as (
          insert into reports (id, account_id, name) values (${uuidv7()}, ${accountId}, ${p.name})
          on conflict (account_id, name) do nothing
          returning id
        ), report as (
          select id from created_report
          union all
          select id from reports where account_id = ${accountId} and name = ${p.name}
          limit 1
        )
        insert into report_instances (account_id, id, report_id, created, tags, rows, header, input, format, link, bytes)
        select ${accountId}, ${uuidv7()}, report.id, ${now}, ${`{host:web${i % 4}}`}::text[], ${p.rows}::jsonb, ${p.header}::jsonb, ${p.body}, ${p.format}, null, ${p.bytes}
        from report`;
    };
    console.log(`bare postgres.js: ${CONCURRENCY} loops for ${SECONDS}s …`);
    const bareRun = await timed(insert);
    await sql.end();

    const httpRate = httpRun.count / httpRun.seconds;
    const bareRate = bareRun.count / bareRun.seconds;
    const result = {
      bench: "ingest",
      concurrency: CONCURRENCY,
      seconds: SECONDS,
      per_s: Math.round(httpRate),
      p50_ms: Number(percentile(httpRun.latencies, 50).toFixed(2)),
      p99_ms: Number(percentile(httpRun.latencies, 99).toFixed(2)),
      bare_per_s: Math.round(bareRate),
      bare_p50_ms: Number(percentile(bareRun.latencies, 50).toFixed(2)),
      bare_p99_ms: Number(percentile(bareRun.latencies, 99).toFixed(2)),
      ratio: Number((httpRate / bareRate).toFixed(3)),
    };
    console.log(`HTTP ingest      ${result.per_s} instances/s   p50 ${result.p50_ms} ms   p99 ${result.p99_ms} ms`);
    console.log(`bare postgres.js ${result.bare_per_s} inserts/s     p50 ${result.bare_p50_ms} ms   p99 ${result.bare_p99_ms} ms`);
    console.log(`ratio            ${result.ratio}   (target ≥ 0.5 and ≥ 1500 instances/s)`);
    console.log(JSON.stringify(result));
  } finally {
    child?.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 500));
    await admin.unsafe(`drop database if exists ${dbName} with (force)`);
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
