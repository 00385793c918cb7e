/**
 * The sandbox that runs alarm checks (alarms.md "The check's world"; ADR 0014).
 *
 *   const sandbox = createSandbox();
 *   const outcome = await sandbox.run(code, { instance, previous }); // never rejects
 *   await sandbox.close();
 *
 * A pool of worker threads, each with its own QuickJS WebAssembly module (capped memory) that
 * runs one check at a time in a fresh context (sandbox-engine.ts). The engine stops a check at
 * its CPU limit; a check stuck inside a heavy built-in is stopped here, by terminating its worker
 * after `hardTimeoutMs` of wall time, and the next runs go to a fresh worker.
 * Idle workers do not keep the process alive; close() ends them.
 */
import { Worker } from "node:worker_threads";
import { cpuMessage } from "./sandbox-prelude";
import type { RunMessage, WorkerData } from "./sandbox-worker";
import type { CheckInput, CheckOutcome } from "./types";

export type SandboxOptions = {
  /** Worker threads (checks run in parallel). Default 1. */
  workers?: number;
  /** CPU limit of one check, ms. Default 100. */
  cpuMs?: number;
  /** Memory limit of one check, MiB. Default 32. */
  memoryMiB?: number;
  /** Wall-clock backstop: a run still going after this long has its worker terminated. Default 1000. */
  hardTimeoutMs?: number;
};

export type Sandbox = {
  /** Runs a check body. Always resolves; failures are `result: "error"` outcomes. */
  run(code: string, input: CheckInput): Promise<CheckOutcome>;
  /** Answers queued runs with an error and ends the workers. */
  close(): Promise<void>;
};

/**
 * Native stack of a worker thread. QuickJS (in WebAssembly) runs on it, and its own 256 KiB
 * stack limit must trip before the thread's does: with Node's default 4 MiB, parsing
 * `[[[…]]]` 3,000 deep overflowed the thread first (a host RangeError that breaks the module).
 * 16 MiB was enough for everything tried (parser, JSON, recursion, regexps); 32 leaves a margin.
 */
const WORKER_STACK_MB = 32;

/** Startup failures in a row after which queued runs are answered with an error. */
const MAX_START_FAILURES = 3;

const isTs = import.meta.url.endsWith(".ts");
const workerUrl = new URL(isTs ? "./sandbox-worker.ts" : "./sandbox-worker.js", import.meta.url);

/**
 * How to start a worker. Run from TypeScript (`tsx server/index.ts`, `node --import tsx --test`),
 * the worker needs tsx too, and Node 20 ignores loader hooks given in a worker's execArgv
 * (nodejs/node#47747, privatenumber/tsx#354): a small bootstrap registers tsx's loader inside
 * the worker, then imports the TypeScript entry.
 */
function workerEntry(): { entry: string | URL; eval: boolean } {
  if (!isTs) return { entry: workerUrl, eval: false };
  const api = import.meta.resolve("tsx/esm/api");
  // A failure rejects unhandled: the worker emits "error" with it and exits.
  const boot =
    `import(${JSON.stringify(api)})` +
    `.then((tsx) => { tsx.register(); return import(${JSON.stringify(workerUrl.href)}); });`;
  return { entry: boot, eval: true };
}

type Job = {
  id: number;
  code: string;
  input: string;
  rowCount: number;
  resolve: (o: CheckOutcome) => void;
  started: number;
  timer: NodeJS.Timeout | null;
};

type Slot = {
  worker: Worker;
  ready: boolean;
  job: Job | null;
  /** Set when the pool gave up on this worker (terminated, crashed, closed). */
  dead: boolean;
};

const errorOutcome = (message: string, ms = 0): CheckOutcome => ({ result: "error", message, rows: [], logs: [], ms });
const round1 = (ms: number) => Math.round(ms * 10) / 10;

function positive(v: number | undefined, fallback: number, name: string): number {
  if (v === undefined) return fallback;
  if (!Number.isFinite(v) || v <= 0) throw new RangeError(`createSandbox: ${name} must be a positive number`);
  return v;
}

export function createSandbox(opts: SandboxOptions = {}): Sandbox {
  const size = Math.floor(positive(opts.workers, 1, "workers"));
  const cpuMs = positive(opts.cpuMs, 100, "cpuMs");
  const memoryMiB = Math.floor(positive(opts.memoryMiB, 32, "memoryMiB"));
  const hardTimeoutMs = positive(opts.hardTimeoutMs, 1000, "hardTimeoutMs");
  const workerData: WorkerData = { cpuMs, memoryMiB };

  const slots = new Set<Slot>();
  const queue: Job[] = [];
  let nextId = 1;
  let closed = false;
  let startFailures = 0;
  let lastStartError = "";

  function answer(job: Job, outcome: CheckOutcome) {
    if (job.timer !== null) clearTimeout(job.timer);
    job.timer = null;
    job.resolve(outcome);
  }

  /** Workers hold the process open only while they have (or are about to have) work. */
  function refresh() {
    for (const s of slots) {
      if (s.job !== null || (!s.ready && queue.length > 0)) s.worker.ref();
      else s.worker.unref();
    }
  }

  function spawn() {
    const { entry, eval: isEval } = workerEntry();
    const worker = new Worker(entry, { eval: isEval, workerData, execArgv: [], resourceLimits: { stackSizeMb: WORKER_STACK_MB } });
    const slot: Slot = { worker, ready: false, job: null, dead: false };
    slots.add(slot);

    worker.on("message", (m: { type: string; id?: number; outcome?: CheckOutcome; exiting?: boolean }) => {
      if (slot.dead) return;
      if (m.type === "ready") {
        slot.ready = true;
        startFailures = 0;
        pump();
      } else if (m.type === "result" && slot.job !== null && m.id === slot.job.id && m.outcome) {
        const job = slot.job;
        slot.job = null;
        answer(job, m.outcome);
        if (m.exiting) {
          // Its QuickJS module failed; the worker exits by itself. Replace it now.
          kill(slot);
          if (!closed) spawn();
        }
        pump();
      }
    });
    worker.on("error", (err) => {
      lastStartError = err instanceof Error ? err.message : String(err);
    });
    worker.on("exit", () => {
      const wasReady = slot.ready;
      const job = slot.job;
      slot.job = null;
      slots.delete(slot);
      if (slot.dead) return;
      slot.dead = true;
      if (job !== null) answer(job, errorOutcome("The sandbox failed while running the check", round1(performance.now() - job.started)));
      if (!wasReady) {
        startFailures++;
        if (startFailures >= MAX_START_FAILURES) {
          for (const j of queue.splice(0)) answer(j, errorOutcome(`The sandbox could not start: ${lastStartError || "its worker exited"}`));
          startFailures = 0;
        }
      }
      pump();
    });
  }

  function kill(slot: Slot) {
    slot.dead = true;
    slots.delete(slot);
    slot.worker.terminate().catch(() => {});
  }

  function dispatch(slot: Slot, job: Job) {
    slot.job = job;
    job.started = performance.now();
    job.timer = setTimeout(() => {
      if (slot.job !== job) return;
      // Stuck where the interrupt handler is not polled (stack-notes.md): end the thread.
      slot.job = null;
      kill(slot);
      answer(job, errorOutcome(cpuMessage(cpuMs), round1(performance.now() - job.started)));
      // Its replacement starts now, so the next run does not wait for it.
      if (!closed) spawn();
      pump();
    }, hardTimeoutMs);
    const msg: RunMessage = { type: "run", id: job.id, code: job.code, input: job.input, rowCount: job.rowCount };
    slot.worker.postMessage(msg);
  }

  function pump() {
    if (closed) return;
    for (const s of slots) {
      if (queue.length === 0) break;
      if (s.ready && s.job === null && !s.dead) dispatch(s, queue.shift() as Job);
    }
    // Start workers for the work left, up to the pool size.
    let starting = 0;
    for (const s of slots) if (!s.ready) starting++;
    while (queue.length > starting && slots.size < size) {
      spawn();
      starting++;
    }
    refresh();
  }

  function run(code: string, input: CheckInput): Promise<CheckOutcome> {
    if (closed) return Promise.resolve(errorOutcome("The sandbox is closed"));
    if (typeof code !== "string") return Promise.resolve(errorOutcome("The check has no code"));
    let json: string;
    let rowCount = 0;
    try {
      json = JSON.stringify({ instance: input.instance, previous: input.previous ?? null });
      rowCount = Array.isArray(input.instance?.rows) ? input.instance.rows.length : 0;
    } catch (e) {
      return Promise.resolve(errorOutcome(`The instance could not be given to the check: ${e instanceof Error ? e.message : String(e)}`));
    }
    return new Promise<CheckOutcome>((resolve) => {
      queue.push({ id: nextId++, code, input: json, rowCount, resolve, started: 0, timer: null });
      pump();
    });
  }

  async function close() {
    if (closed) return;
    closed = true;
    for (const j of queue.splice(0)) answer(j, errorOutcome("The sandbox is closed"));
    const ending: Promise<unknown>[] = [];
    for (const s of [...slots]) {
      const job = s.job;
      s.job = null;
      s.dead = true;
      slots.delete(s);
      if (job !== null) answer(job, errorOutcome("The sandbox is closed"));
      ending.push(s.worker.terminate().catch(() => {}));
    }
    await Promise.all(ending);
  }

  return { run, close };
}
