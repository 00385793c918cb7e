/**
 * npm run bench:ingest — ingestion throughput against real PostgreSQL.
 *
 * Starts the app (a child process, production mode) on a fresh database, then for a fixed time
 * N concurrent HTTP clients POST df-sized text and small JSON and, in the same run, N
 * concurrent postgres.js loops insert the same rows with the same statement, in alternating
 * turns after a warm-up of each (not counted). Prints both rates, latencies,
 * their ratio and the CPU the bench process spent per request; checks that every instance holds
 * its rows as a jsonb array; the last line is JSON.
 *
 *   BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres)
 *   BENCH_NODE_ARGS (extra node flags for the app, e.g. --cpu-prof --cpu-prof-dir=/tmp/prof)
 *   WEB_CONCURRENCY (web processes of the app, default 1 as the app's own default)
 *   BENCH_CLIENT=node (node's http client instead of raw keep-alive sockets sending the same bytes)
 *   --seconds 10 (each, in --rounds 5 alternating turns) --warmup 2 --concurrency 8
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import net from "node:net";
import { parseArgs } from "node:util";
import { sql as sqlTag } from "drizzle-orm";
import postgres from "postgres";
import { openDatabase } from "../../db/client";
import { createApiKey } from "../../server/api-key/service";
import { createUser } from "../../server/auth/service";
import { parseInput } from "../../server/parsing";
import { uuidv7 } from "../../server/tokens";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "10" },
    rounds: { type: "string", default: "5" },
    warmup: { type: "string", default: "2" },
    concurrency: { type: "string", default: "8" },
  },
});
const ROUNDS = Number(values.rounds);
const SECONDS = Number(values.seconds);
const WARMUP = Number(values.warmup);
const CONCURRENCY = Number(values.concurrency);
const CLIENT = process.env.BENCH_CLIENT === "node" ? "node" : "raw";
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

/** A keep-alive HTTP/1.1 connection that sends whole requests and reads answers with a Content-Length; one request at a time. */
class Connection {
  private socket: net.Socket | null = null;
  private received: Buffer[] = [];
  private size = 0;
  private waiting: { resolve(): void; reject(error: Error): void } | null = null;

  constructor(private readonly port: number) {}

  request(bytes: Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.connected().write(bytes);
    });
  }

  private connected(): net.Socket {
    if (this.socket) return this.socket;
    const socket = net.connect(this.port, "127.0.0.1");
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    const lost = (error?: Error) => {
      this.socket = null;
      this.received = [];
      this.size = 0;
      const waiting = this.waiting;
      this.waiting = null;
      waiting?.reject(error ?? new Error("connection closed"));
    };
    socket.on("error", lost);
    socket.on("close", () => lost());
    this.socket = socket;
    return socket;
  }

  private onData(chunk: Buffer) {
    this.received.push(chunk);
    this.size += chunk.length;
    const data = this.received.length === 1 ? chunk : Buffer.concat(this.received, this.size);
    const headEnd = data.indexOf("\r\n\r\n");
    if (headEnd === -1) return;
    const head = data.toString("latin1", 0, headEnd);
    const length = /\r\ncontent-length: *(\d+)/i.exec(head);
    if (!length) throw new Error(`an answer without Content-Length: ${head}`);
    const end = headEnd + 4 + Number(length[1]);
    if (data.length < end) {
      this.received = [data];
      return;
    }
    if (data.length > end) throw new Error("more bytes than one answer");
    this.received = [];
    this.size = 0;
    const status = Number(head.slice(9, 12));
    const waiting = this.waiting;
    this.waiting = null;
    if (status === 200) waiting?.resolve();
    else waiting?.reject(new Error(`HTTP ${status}: ${data.toString("utf8", headEnd + 4)}`));
  }

  close() {
    this.socket?.destroy();
  }
}

/**
 * CPU time (µs) used so far by the processes of the app (the child and its workers) and by
 * PostgreSQL (every process named postgres, when it runs on this machine), read from /proc;
 * zero where /proc is missing.
 */
function processCpu(appPid: number | undefined): { app: number; pg: number } {
  const tick = 1e6 / 100; // USER_HZ
  const out = { app: 0, pg: 0 };
  let pids: string[];
  try {
    pids = fs.readdirSync("/proc").filter((d) => /^\d+$/.test(d));
  } catch {
    return out;
  }
  for (const pid of pids) {
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${pid}/stat`, "latin1");
    } catch {
      continue;
    }
    const close = stat.lastIndexOf(")");
    const comm = stat.slice(stat.indexOf("(") + 1, close);
    const f = stat.slice(close + 2).split(" ");
    const cpu = (Number(f[11]) + Number(f[12])) * tick;
    if (comm.startsWith("postgres")) out.pg += cpu;
    else if (appPid !== undefined && (Number(pid) === appPid || Number(f[1]) === appPid)) out.app += cpu;
  }
  return out;
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

type Run = { count: number; latencies: number[]; seconds: number };

function merge(runs: Run[]): Run {
  return {
    count: runs.reduce((n, r) => n + r.count, 0),
    latencies: runs.flatMap((r) => r.latencies).sort((a, b) => a - b),
    seconds: runs.reduce((n, r) => n + r.seconds, 0),
  };
}

async function timed(run: (i: number, client: number) => Promise<void>, seconds: number): Promise<Run> {
  const latencies: number[] = [];
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let n = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, client) => {
      while (performance.now() < deadline) {
        const t = performance.now();
        await run(n++, client);
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
    // The bench pushes far more a minute than any public plan allows: a private plan of its own,
    // in its own database, so the limits are still checked on every push (ADR 25).
    await database.db.execute(sqlTag`insert into plans (code, name, price_cents, is_public, max_reports, max_instances_per_month, retention_days,
      max_members, max_dashboards, max_share_links, max_alarms, api_requests_per_minute)
      values ('bench', 'Bench', 0, false, 1000000, 2000000000, 3650, 1000, 1000, 1000, 1000, 2000000000)`);
    await database.db.execute(sqlTag`update accounts set plan = 'bench' where id = ${accountId}`);
    await database.close();

    const port = await freePort();
    // One web process by default, as the app itself: on 2 cores shared with the client and
    // PostgreSQL, a second process halves each one's batches and measured slower (ADR 7).
    const webConcurrency = process.env.WEB_CONCURRENCY ?? "1";
    child = spawn(process.execPath, [...(process.env.BENCH_NODE_ARGS?.split(" ").filter(Boolean) ?? []), "--import", "tsx", "server/index.ts"], {
      // Any free port for the payment sandbox: a running dev server holds the default one.
      env: {
        PAYMENT_SANDBOX_PORT: "0",
        ...process.env,
        DATABASE_URL: databaseUrl,
        PORT: String(port),
        NODE_ENV: "production",
        LOG_REQUESTS: "false",
        WEB_CONCURRENCY: webConcurrency,
      },
      stdio: ["ignore", "ignore", "inherit"],
    });
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const auth = "Basic " + Buffer.from(`${key}:`).toString("base64");
    const path = (i: number) => `/api/v1/reports/${bodies[i % bodies.length]!.name}?tags=host:web${i % 4}`;
    const nodePost = (i: number) =>
      new Promise<void>((resolve, reject) => {
        const b = bodies[i % bodies.length]!;
        const req = http.request(
          { host: "127.0.0.1", port, method: "POST", path: path(i), agent, headers: { authorization: auth, "content-type": b.type } },
          (res) => {
            res.resume();
            res.on("end", () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
          },
        );
        req.on("error", reject);
        req.end(b.body);
      });
    // The same requests, byte for byte what node's client sends, written whole on one keep-alive
    // connection per client: the client shares the machine's 2 cores with the app and
    // PostgreSQL, and node's http client costs about as much CPU as the server it measures.
    const requests = [0, 1, 2, 3].map((i) => {
      const b = bodies[i % bodies.length]!;
      return Buffer.from(
        `POST ${path(i)} HTTP/1.1\r\nauthorization: ${auth}\r\ncontent-type: ${b.type}\r\nHost: 127.0.0.1:${port}\r\n` +
          `Connection: keep-alive\r\nContent-Length: ${Buffer.byteLength(b.body)}\r\n\r\n${b.body}`,
      );
    });
    const connections = Array.from({ length: CONCURRENCY }, () => new Connection(port));
    const rawPost = (i: number, client: number) => connections[client]!.request(requests[i % requests.length]!);
    const post = CLIENT === "node" ? nodePost : rawPost;
    let exited: number | null = null;
    child.once("exit", (code) => (exited = code ?? -1));
    // Starting (tsx compiling the server) takes a few seconds, more on a loaded machine.
    for (let i = 0; ; i++) {
      try {
        await post(0, 0);
        break;
      } catch {
        if (exited !== null) throw new Error(`the app exited (${exited}) before answering`);
        if (i > 480) throw new Error("the app did not start within 2 minutes");
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    for (let i = 0; i < 200; i++) await post(i, i % CONCURRENCY); // every connection open

    // The same rows, the same statement, straight through postgres.js.
    const sql = postgres(databaseUrl, { max: CONCURRENCY, onnotice: () => {} });
    // As the app's client is set up (drizzle does this): JSON parameters are sent as the JSON
    // text they are. Without it postgres.js would JSON-encode the text again, and the bare loop
    // would store each table as one jsonb string instead of the rows.
    sql.options.serializers[114] = sql.options.serializers[3802] = (x: unknown) => x;
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

    // Both measure warm code: each first runs its load for WARMUP seconds, not counted. Then
    // they take turns, ROUNDS times each (the order alternating), so that a change in the
    // machine's other load during the run weighs on both alike.
    await timed(post, WARMUP);
    await timed(insert, WARMUP);
    console.log(`ingest over HTTP and bare postgres.js: ${CONCURRENCY} clients, ${ROUNDS} turns of ${SECONDS / ROUNDS}s each …`);
    const runs = { http: [] as Run[], bare: [] as Run[] };
    const cpu = { http: 0, bare: 0 };
    const serverCpu = { http: { app: 0, pg: 0 }, bare: { app: 0, pg: 0 } };
    // Transactions committed in the bench's database during the HTTP turns: about one per batch.
    const commits = async () =>
      Number((await sql<{ n: string }[]>`select xact_commit as n from pg_stat_database where datname = current_database()`)[0]!.n);
    let httpCommits = 0;
    for (let round = 0; round < ROUNDS; round++) {
      for (const kind of round % 2 === 0 ? (["http", "bare"] as const) : (["bare", "http"] as const)) {
        const before = process.cpuUsage();
        const serverBefore = processCpu(child.pid);
        const commitsBefore = kind === "http" ? await commits() : 0;
        runs[kind].push(await timed(kind === "http" ? post : insert, SECONDS / ROUNDS));
        // The statistics collector reports a backend's counts at most every 10 ms … 1 s: close enough over 2 s.
        if (kind === "http") httpCommits += (await commits()) - commitsBefore;
        const used = process.cpuUsage(before);
        const serverAfter = processCpu(child.pid);
        cpu[kind] += used.user + used.system;
        serverCpu[kind].app += serverAfter.app - serverBefore.app;
        serverCpu[kind].pg += serverAfter.pg - serverBefore.pg;
      }
    }
    for (const c of connections) c.close();
    const httpRun = merge(runs.http);
    const bareRun = merge(runs.bare);
    // Same rows: every instance, pushed or inserted, holds its table as a jsonb array.
    const [check] = await sql<{ total: number; arrays: number }[]>`
      select count(*)::int as total, count(*) filter (where jsonb_typeof(rows) = 'array')::int as arrays from report_instances`;
    await sql.end();
    if (check!.arrays !== check!.total) throw new Error(`${check!.total - check!.arrays} instances do not hold their rows as an array`);

    const httpRate = httpRun.count / httpRun.seconds;
    const bareRate = bareRun.count / bareRun.seconds;
    const result = {
      bench: "ingest",
      concurrency: CONCURRENCY,
      seconds: SECONDS,
      rounds: ROUNDS,
      per_s: Math.round(httpRate),
      p50_ms: Number(percentile(httpRun.latencies, 50).toFixed(2)),
      p99_ms: Number(percentile(httpRun.latencies, 99).toFixed(2)),
      bare_per_s: Math.round(bareRate),
      bare_p50_ms: Number(percentile(bareRun.latencies, 50).toFixed(2)),
      bare_p99_ms: Number(percentile(bareRun.latencies, 99).toFixed(2)),
      ratio: Number((httpRate / bareRate).toFixed(3)),
      web_concurrency: Number(webConcurrency),
      client: CLIENT,
      // CPU the bench process itself spent per request (it runs on the same cores as the app).
      client_cpu_us: Math.round(cpu.http / httpRun.count),
      bare_client_cpu_us: Math.round(cpu.bare / bareRun.count),
      // CPU per request of the app's processes and of PostgreSQL (from /proc, over the counted turns).
      app_cpu_us: Math.round(serverCpu.http.app / httpRun.count),
      pg_cpu_us: Math.round(serverCpu.http.pg / httpRun.count),
      bare_pg_cpu_us: Math.round(serverCpu.bare.pg / bareRun.count),
      pushes_per_commit: Number((httpRun.count / Math.max(1, httpCommits)).toFixed(2)),
    };
    console.log(`HTTP ingest      ${result.per_s} instances/s   p50 ${result.p50_ms} ms   p99 ${result.p99_ms} ms`);
    console.log(`bare postgres.js ${result.bare_per_s} inserts/s     p50 ${result.bare_p50_ms} ms   p99 ${result.bare_p99_ms} ms`);
    console.log(`client           ${CLIENT === "node" ? "node:http" : "raw keep-alive sockets"}, ${result.client_cpu_us} µs CPU per request (bare loop: ${result.bare_client_cpu_us} µs)`);
    console.log(`server           app ${result.app_cpu_us} µs + PostgreSQL ${result.pg_cpu_us} µs CPU per push (bare loop: PostgreSQL ${result.bare_pg_cpu_us} µs per insert), ${result.pushes_per_commit} pushes per commit`);
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
