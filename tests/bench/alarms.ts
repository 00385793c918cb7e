/**
 * npm run bench:alarms — alarm checks per second through the sandbox (ADR 0014).
 *
 * Runs the spec's disk check (alarms.md) over a `df -h` instance as the parser gives it (10 file
 * systems, header row 0, only the last one over 90%) through a one-worker sandbox, as the app
 * does: every run gets a fresh QuickJS context, its input as JSON, the helpers, the outcome back
 * over the worker's message port. Two ways of feeding it, after a warm-up (not counted):
 *   - sequential: one check in flight, each awaited (latency: p50/p99 are from here);
 *   - pipelined: --inflight checks in flight at once (the alarm worker's steady state).
 * checks_per_s is the better of the two, and `mode` says which. For the ratio, the same check
 * runs as plain JavaScript in this process (`new Function` with host-side table/num).
 * Also the CPU this process (main thread + worker) spent per check, which on a shared, loaded
 * machine says more than wall time. The last line is JSON.
 *
 *   --runs 5000 (each way) --warmup 500 --inflight 4 --rounds 3 (alternating; best round counts)
 */
import { parseArgs } from "node:util";
import { createSandbox } from "../../server/alarm/sandbox";
import type { CheckInstance, CheckOutcome } from "../../server/alarm/types";
import { cellNumber, parseInput } from "../../server/parsing";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "5000" },
    warmup: { type: "string", default: "500" },
    inflight: { type: "string", default: "4" },
    rounds: { type: "string", default: "3" },
  },
});
const RUNS = Number(values.runs);
const WARMUP = Number(values.warmup);
const INFLIGHT = Number(values.inflight);
const ROUNDS = Number(values.rounds);

const DF = `Filesystem      Size  Used Avail Use% Mounted on
udev            7.7G     0  7.7G   0% /dev
tmpfs           1.6G  2.1M  1.6G   1% /run
/dev/nvme0n1p2  468G  401G   44G  87% /
tmpfs           7.7G  124M  7.6G   2% /dev/shm
tmpfs           5.0M  4.0K  5.0M   1% /run/lock
/dev/nvme0n1p1  511M  6.1M  505M   2% /boot/efi
/dev/sdb1       1.8T  1.2T  540G  70% /data
tmpfs           1.6G   96K  1.6G   1% /run/user/1000
overlay         468G  401G   44G  87% /var/lib/docker/overlay2/3f1c/merged
/dev/sdc1       916G  850G   20G  98% /backup
`;

const DISK_CHECK = "for (const r of table(instance))\n  if (num(r['Use%']) > 90) return `${r['Mounted on']} is ${r['Use%']} full`;";
const EXPECTED = "/backup is 98% full";

function dfInstance(): CheckInstance {
  const parsed = parseInput(DF);
  if (!parsed.ok) throw new Error(`df does not parse: ${parsed.reason}`);
  return { rows: parsed.table.rows, header: parsed.table.header, input: DF, tags: ["host:web1"], created: new Date().toISOString(), link: null };
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;
const fmt = (n: number, d = 0) => n.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });
const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;

function check(o: CheckOutcome) {
  if (o.result !== "alarm" || o.message !== EXPECTED) throw new Error(`unexpected outcome: ${JSON.stringify(o)}`);
}

/** The same check as plain JavaScript in this process, with host-side helpers. */
function plainCheck(instance: CheckInstance): () => unknown {
  const table = (x: CheckInstance | null) => {
    if (!x) return [];
    const last = x.header[x.header.length - 1];
    const keys = last === undefined ? [] : (x.rows[last] ?? []).map((c, i) => (c === null || c === "" ? String(i) : String(c)));
    const skip = new Set(x.header);
    const out: Record<string, unknown>[] = [];
    x.rows.forEach((row, r) => {
      if (skip.has(r)) return;
      const o: Record<string, unknown> = {};
      row.forEach((cell, j) => {
        o[keys[j] ?? String(j)] = cell;
      });
      out.push(o);
    });
    return out;
  };
  const num = (v: unknown) => cellNumber(v) ?? NaN;
  const fn = new Function("instance", "previous", "table", "num", "console", DISK_CHECK) as (...a: unknown[]) => unknown;
  return () => {
    // Like the sandbox, each run gets its input as JSON.
    const input = JSON.parse(JSON.stringify({ instance, previous: null })) as { instance: CheckInstance; previous: null };
    return fn(input.instance, input.previous, table, num, console);
  };
}

async function main() {
  const instance = dfInstance();
  const input = { instance, previous: null };
  console.log(`alarm check sandbox: the disk check over df (${instance.rows.length - 1} rows x ${instance.rows[0]?.length} columns), ${RUNS} runs each way x ${ROUNDS} rounds`);

  const t0 = performance.now();
  const sandbox = createSandbox({ workers: 1 });
  check(await sandbox.run(DISK_CHECK, input));
  console.log(`  worker start and first check: ${fmt(performance.now() - t0, 1)} ms`);
  for (let i = 0; i < WARMUP; i++) check(await sandbox.run(DISK_CHECK, input));

  const plain = plainCheck(instance);
  for (let i = 0; i < WARMUP; i++) plain();

  let bestSeq = 0;
  let bestPipe = 0;
  let bestPlain = 0;
  let latencies: number[] = [];
  let innerMs: number[] = [];
  let cpuPerCheck = Infinity;
  for (let round = 1; round <= ROUNDS; round++) {
    // Sequential.
    const lat: number[] = [];
    const inner: number[] = [];
    let cpu0 = process.cpuUsage();
    let t = performance.now();
    for (let i = 0; i < RUNS; i++) {
      const s = performance.now();
      const o = await sandbox.run(DISK_CHECK, input);
      lat.push(performance.now() - s);
      inner.push(o.ms);
      check(o);
    }
    const seq = (RUNS / (performance.now() - t)) * 1000;
    const seqCpu = cpuMs(process.cpuUsage(cpu0)) / RUNS;

    // Pipelined.
    cpu0 = process.cpuUsage();
    t = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: INFLIGHT }, async () => {
        while (next < RUNS) {
          next++;
          check(await sandbox.run(DISK_CHECK, input));
        }
      }),
    );
    const pipe = (RUNS / (performance.now() - t)) * 1000;
    const pipeCpu = cpuMs(process.cpuUsage(cpu0)) / RUNS;

    // Plain JavaScript.
    t = performance.now();
    for (let i = 0; i < RUNS; i++) if (plain() !== EXPECTED) throw new Error("plain check gave something else");
    const plainRate = (RUNS / (performance.now() - t)) * 1000;

    console.log(
      `  round ${round}: sequential ${fmt(seq)}/s (${fmt(seqCpu * 1000)} µs CPU/check), ` +
        `${INFLIGHT} in flight ${fmt(pipe)}/s (${fmt(pipeCpu * 1000)} µs CPU/check), plain JS ${fmt(plainRate)}/s`,
    );
    if (seq > bestSeq) {
      bestSeq = seq;
      latencies = lat;
      innerMs = inner;
    }
    bestPipe = Math.max(bestPipe, pipe);
    bestPlain = Math.max(bestPlain, plainRate);
    cpuPerCheck = Math.min(cpuPerCheck, seqCpu, pipeCpu);
  }
  await sandbox.close();

  latencies.sort((a, b) => a - b);
  innerMs.sort((a, b) => a - b);
  const mode = bestPipe > bestSeq ? "pipelined" : "sequential";
  const best = Math.max(bestSeq, bestPipe);
  const ratio = bestPlain / best;
  console.log(`sequential (one in flight): ${fmt(bestSeq)} checks/s; round trip p50 ${fmt(pct(latencies, 50), 2)} ms, p99 ${fmt(pct(latencies, 99), 2)} ms`);
  console.log(`  of which the check itself in QuickJS (outcome.ms): p50 ${fmt(pct(innerMs, 50), 1)} ms, p99 ${fmt(pct(innerMs, 99), 1)} ms`);
  console.log(`pipelined (${INFLIGHT} in flight): ${fmt(bestPipe)} checks/s`);
  console.log(`plain JavaScript in this process: ${fmt(bestPlain)} checks/s — the sandbox is ${fmt(ratio, 1)}x slower`);
  console.log(`CPU per check (this process, main thread + worker): ${fmt(cpuPerCheck * 1000)} µs`);
  console.log(`best: ${fmt(best)} checks/s (${mode}); target >= 1,000 per worker: ${best >= 1000 ? "met" : "NOT met"}`);
  console.log(
    JSON.stringify({
      bench: "alarms",
      checks_per_s: Math.round(best),
      mode,
      sequential_per_s: Math.round(bestSeq),
      pipelined_per_s: Math.round(bestPipe),
      inflight: INFLIGHT,
      plain_per_s: Math.round(bestPlain),
      ratio: Math.round(ratio * 10) / 10,
      p50_ms: Math.round(pct(latencies, 50) * 100) / 100,
      p99_ms: Math.round(pct(latencies, 99) * 100) / 100,
      cpu_us_per_check: Math.round(cpuPerCheck * 1000),
    }),
  );
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
