/**
 * One QuickJS engine (ADR 0014): a WebAssembly module with its own capped memory, a runtime with
 * a *helper* context holding the compiled prelude (sandbox-prelude.ts), and a fresh *check*
 * context for every run. The runtime (with its helper) is replaced after a run that hit a limit,
 * a heavy run, or every RUNS_PER_RUNTIME runs. Synchronous and single-threaded:
 * sandbox-worker.ts runs one per worker thread, and the pool in sandbox.ts adds the wall-clock
 * backstop (terminate).
 */
import {
  newQuickJSWASMModuleFromVariant,
  newVariant,
  RELEASE_SYNC,
  type QuickJSContext,
  type QuickJSHandle,
  type QuickJSRuntime,
  type QuickJSWASMModule,
} from "quickjs-emscripten";
import type { CheckOutcome } from "./types";
import {
  cpuMessage,
  DEFAULT_OBJECT_MESSAGE,
  FREEZE,
  FREEZE_FILE,
  memoryMessage,
  PRELUDE,
  PRELUDE_FILE,
  SANDBOX_LIMITS,
} from "./sandbox-prelude";

export type EngineOptions = {
  /** CPU limit of one check (ms). */
  cpuMs: number;
  /** Memory limit of one check (MiB). */
  memoryMiB: number;
};


/** QuickJS's stack limit (stack-notes.md: larger values let deep recursion escape to the host). */
const MAX_STACK_BYTES = 256 * 1024;
/** Pages (64 KiB) the module starts with: Emscripten's INITIAL_MEMORY of this build (16 MiB). */
const INITIAL_PAGES = 256;
/** Memory beyond the check's allowance (MiB): the runtime, the helper context, fragmentation. */
const HEADROOM_MIB = 8;
/** Bytes of JSON a run may hand back (its parts are truncated inside QuickJS far below this). */
const MAX_RESULT_CHARS = 4 * 1024 * 1024;
/** Wall-clock limit for reading the run's input and for collecting logs after a stopped run. */
const SETUP_WALL_MS = 2000;
const LOGS_WALL_MS = 50;
/** A run longer than this may have left much garbage: the next one gets a new runtime. */
const HEAVY_RUN_MS = 50;
/** Runs per runtime (and helper context) before a new one. */
const RUNS_PER_RUNTIME = 500;
/** Intrinsics of a check's context: the defaults without Proxy and typed arrays. */
const INTRINSICS = {
  BaseObjects: true,
  Date: true,
  Eval: true,
  StringNormalize: true,
  RegExp: true,
  JSON: true,
  MapSet: true,
  Promise: true,
} as const;

/** A runtime with its helper context (the compiled prelude), recycled now and then. */
type Base = {
  rt: QuickJSRuntime;
  helper: QuickJSContext;
  prepare: QuickJSHandle;
  run: QuickJSHandle;
  logs: QuickJSHandle;
  runs: number;
};

type RawOutcome = { k?: unknown; m?: unknown; r?: unknown; l?: unknown; d?: unknown };

export type Engine = {
  /** Runs one check. Never throws; `broken` tells whether the engine can be used again. */
  evaluate(code: string, inputJson: string, rowCount: number): CheckOutcome;
  /** Prepares the next run's runtime and context ahead of time (after answering). */
  warm(): void;
  /** True after a failure of the WebAssembly module itself (the worker should exit). */
  readonly broken: boolean;
  dispose(): void;
};

const round1 = (ms: number) => Math.round(ms * 10) / 10;
const clip = (s: string, n: number) => (s.length > n ? s.slice(0, n - 1) + "\u2026" : s);

/** A check outcome from the JSON made inside QuickJS, validated again (types, limits). */
export function outcomeFromRaw(raw: RawOutcome, rowCount: number, ms: number): CheckOutcome {
  const logs = logsFromRaw(raw);
  const kind = raw.k === "ok" || raw.k === "alarm" || raw.k === "error" ? raw.k : null;
  if (kind === null) return { result: "error", message: "The check's result could not be read", rows: [], logs, ms };
  if (kind === "ok") return { result: "ok", message: null, rows: [], logs, ms };
  const message =
    typeof raw.m === "string" && raw.m !== ""
      ? clip(raw.m, SANDBOX_LIMITS.message)
      : kind === "alarm"
        ? DEFAULT_OBJECT_MESSAGE
        : "The check failed";
  let rows: number[] = [];
  if (kind === "alarm" && Array.isArray(raw.r)) {
    const seen = new Set<number>();
    for (const r of raw.r.slice(0, rowCount)) {
      if (Number.isInteger(r) && r >= 0 && r < rowCount) seen.add(r as number);
    }
    rows = [...seen].sort((a, b) => a - b);
  }
  return { result: kind, message, rows, logs, ms };
}

function logsFromRaw(raw: RawOutcome): string[] {
  const lines = Array.isArray(raw.l) ? raw.l.slice(0, SANDBOX_LIMITS.logLines) : [];
  const logs = lines.map((l) => clip(typeof l === "string" ? l : String(l), SANDBOX_LIMITS.logLineChars));
  let dropped = typeof raw.d === "number" && Number.isFinite(raw.d) && raw.d > 0 ? Math.floor(raw.d) : 0;
  if (Array.isArray(raw.l) && raw.l.length > SANDBOX_LIMITS.logLines) dropped += raw.l.length - SANDBOX_LIMITS.logLines;
  if (dropped > 0) logs.push(`\u2026 ${dropped} more line${dropped === 1 ? "" : "s"} dropped`);
  return logs;
}

export async function createEngine(opts: EngineOptions): Promise<Engine> {
  const { cpuMs, memoryMiB } = opts;
  const memoryBytes = memoryMiB * 1024 * 1024;
  // The limit that holds (stack-notes.md; QuickJS's setMemoryLimit does not, its byte count
  // stays near zero in this build): the module's own memory, capped at its initial 16 MiB
  // (code, C stack, runtime) plus the check's allowance plus some headroom. A check may use
  // whatever of it is free; roomForARun() keeps that at least `memoryMiB` before every run.
  const wasmMemory = new WebAssembly.Memory({
    initial: INITIAL_PAGES,
    maximum: INITIAL_PAGES + (memoryMiB + HEADROOM_MIB) * 16,
  });
  const module: QuickJSWASMModule = await newQuickJSWASMModuleFromVariant(newVariant(RELEASE_SYNC, { wasmMemory }));
  // The Emscripten module's malloc/free (not public API, hence the check).
  const heap = (module as unknown as { module?: { _malloc?: unknown; _free?: unknown } }).module;
  const malloc = typeof heap?._malloc === "function" ? (heap._malloc as (n: number) => number) : null;
  const free = typeof heap?._free === "function" ? (heap._free as (p: number) => void) : null;

  /**
   * Whether the next run can have `memoryMiB` of the module's memory: a run's garbage (the
   * check context's objects live on until QuickJS's next GC, which its byte count hardly ever
   * triggers) must not make the next check, maybe another account's, run out of memory.
   */
  function roomForARun(): boolean {
    if (malloc === null || free === null) return true;
    const p = malloc(memoryBytes);
    if (p === 0) return false;
    free(p);
    return true;
  }

  // Interrupt state, shared by the runtimes this engine creates (one at a time).
  let deadline = Infinity;
  let cpuStart: NodeJS.CpuUsage | null = null;
  let interrupted = false;
  const interruptHandler = () => {
    if (performance.now() < deadline) return false;
    // Past the deadline in wall time. Node 20 has no per-thread CPU clock; the process's CPU
    // time since the start is an upper bound of this thread's, so a check that was only
    // waiting for a core (a loaded machine) is not stopped early.
    if (cpuStart !== null) {
      const u = process.cpuUsage(cpuStart);
      if ((u.user + u.system) / 1000 < cpuMs) return false;
    }
    interrupted = true;
    return true;
  };

  let base: Base | null = null;
  /** The next run's check context, made ahead (nothing has run in it). */
  let nextCheckCtx: QuickJSContext | null = null;
  let broken = false;

  function newBase(): Base {
    const rt = module.newRuntime();
    let helper: QuickJSContext | null = null;
    const handles: QuickJSHandle[] = [];
    try {
      rt.setMaxStackSize(MAX_STACK_BYTES);
      rt.setInterruptHandler(interruptHandler);
      helper = rt.newContext({ intrinsics: INTRINSICS });
      deadline = performance.now() + SETUP_WALL_MS;
      cpuStart = null;
      const fns = helper.unwrapResult(helper.evalCode(PRELUDE, PRELUDE_FILE, { type: "global", strict: true }));
      handles.push(fns);
      const freeze = helper.unwrapResult(helper.evalCode(FREEZE, FREEZE_FILE, { type: "global", strict: true }));
      handles.push(freeze);
      helper.unwrapResult(helper.callFunction(freeze, helper.undefined, fns)).dispose();
      freeze.dispose();
      const prepare = helper.getProp(fns, 0);
      handles.push(prepare);
      const run = helper.getProp(fns, 1);
      handles.push(run);
      const logs = helper.getProp(fns, 2);
      handles.push(logs);
      fns.dispose();
      return { rt, helper, prepare, run, logs, runs: 0 };
    } catch (e) {
      for (const h of handles) if (h.alive) h.dispose();
      helper?.dispose();
      rt.dispose();
      throw e;
    } finally {
      deadline = Infinity;
    }
  }

  function disposeBase() {
    const b = base;
    base = null;
    if (nextCheckCtx !== null) {
      const c = nextCheckCtx;
      nextCheckCtx = null;
      c.dispose();
    }
    if (b === null) return;
    for (const h of [b.prepare, b.run, b.logs]) if (h.alive) h.dispose();
    b.helper.dispose();
    b.rt.dispose();
  }

  /** Reads `name` and `message` of a value thrown out of the prelude (limits, mostly). */
  function thrownText(ctx: QuickJSContext, err: QuickJSHandle): { name: string; message: string } {
    const read = (key: string) => {
      const h = ctx.getProp(err, key);
      try {
        return ctx.typeof(h) === "string" ? clip(ctx.getString(h), SANDBOX_LIMITS.message) : "";
      } finally {
        h.dispose();
      }
    };
    const t = ctx.typeof(err);
    if (t === "string") return { name: "", message: clip(ctx.getString(err), SANDBOX_LIMITS.message) };
    if (t !== "object") return { name: "", message: "" };
    return { name: read("name"), message: read("message") };
  }

  /** The console lines of a run that did not finish, or none. */
  function logsAfterStop(b: Base): RawOutcome {
    deadline = performance.now() + LOGS_WALL_MS;
    cpuStart = null;
    const r = b.helper.callFunction(b.logs, b.helper.undefined);
    try {
      if (r.error) return {};
      const s = b.helper.typeof(r.value) === "string" ? b.helper.getString(r.value) : "";
      return s.length > 0 && s.length <= MAX_RESULT_CHARS ? (JSON.parse(s) as RawOutcome) : {};
    } finally {
      (r.error ?? r.value).dispose();
    }
  }

  function evaluate(code: string, inputJson: string, rowCount: number): CheckOutcome {
    let checkCtx: QuickJSContext | null = null;
    let ms = 0;
    // Start the next run on a new runtime (after a limit was hit, a heavy run, or many runs).
    let recycle = false;
    try {
      if (base === null) base = newBase();
      const b = base;
      b.runs++;
      checkCtx = nextCheckCtx ?? b.rt.newContext({ intrinsics: INTRINSICS });
      nextCheckCtx = null;
      const { helper } = b;

      // 1. The input, outside the check's CPU allowance (but inside its memory).
      interrupted = false;
      deadline = performance.now() + SETUP_WALL_MS;
      cpuStart = null;
      const json = helper.newString(inputJson);
      const r1 = helper.callFunction(b.prepare, helper.undefined, json, checkCtx.global);
      json.dispose();
      if (r1.error) {
        const { message } = thrownText(helper, r1.error);
        r1.error.dispose();
        recycle = true;
        const why =
          message === "out of memory"
            ? ` (more than ${memoryMiB} MiB)`
            : interrupted
              ? " (too slow to read)"
              : message
                ? `: ${message}`
                : "";
        return { result: "error", message: `The instance could not be given to the check${why}`, rows: [], logs: [], ms: 0 };
      }
      r1.value.dispose();

      // 2. The check.
      const src = helper.newString(code);
      interrupted = false;
      const t0 = performance.now();
      deadline = t0 + cpuMs;
      cpuStart = process.cpuUsage();
      const r2 = helper.callFunction(b.run, helper.undefined, src);
      ms = round1(performance.now() - t0);
      src.dispose();
      if (r2.error) {
        // Only what the prelude could not catch: the interrupt, or running out of memory or
        // stack while handling an error.
        recycle = true;
        const { name, message } = thrownText(helper, r2.error);
        r2.error.dispose();
        let text: string;
        if (interrupted) text = cpuMessage(cpuMs);
        else if (message === "out of memory" || (name === "" && message === "")) text = memoryMessage(memoryMiB);
        else text = clip(name ? `${name}: ${message}` : message, SANDBOX_LIMITS.message);
        let raw: RawOutcome = {};
        try {
          raw = logsAfterStop(b);
        } catch {
          raw = {};
        }
        return { result: "error", message: text, rows: [], logs: logsFromRaw(raw), ms };
      }
      const out = helper.typeof(r2.value) === "string" ? helper.getString(r2.value) : "";
      r2.value.dispose();
      if (out.length === 0 || out.length > MAX_RESULT_CHARS) {
        recycle = true;
        return { result: "error", message: "The check's result could not be read", rows: [], logs: [], ms };
      }
      const raw = JSON.parse(out) as RawOutcome;
      const outcome = outcomeFromRaw(typeof raw === "object" && raw !== null ? raw : {}, rowCount, ms);
      if (outcome.result === "error" && outcome.message?.startsWith("InternalError:")) {
        // Out of memory or stack, caught by the check or the prelude: start clean next time.
        recycle = true;
        if (outcome.message.startsWith("InternalError: out of memory")) outcome.message = memoryMessage(memoryMiB);
      }
      if (ms > HEAVY_RUN_MS || b.runs >= RUNS_PER_RUNTIME || b.rt.hasPendingJob()) recycle = true;
      return outcome;
    } catch (e) {
      // The WebAssembly module itself failed (an abort, a trap): it cannot be trusted again.
      broken = true;
      return {
        result: "error",
        message: `The sandbox failed: ${clip(e instanceof Error ? e.message : String(e), 300)}`,
        rows: [],
        logs: [],
        ms,
      };
    } finally {
      deadline = Infinity;
      cpuStart = null;
      try {
        checkCtx?.dispose();
        if (!recycle && !broken && !roomForARun()) recycle = true;
        if (recycle || broken) {
          disposeBase();
          // Still no room without any runtime: the module's memory is spoilt; start afresh.
          if (!roomForARun()) broken = true;
        }
      } catch {
        broken = true;
      }
    }
  }

  /** Makes the next run's runtime and check context ahead (after answering, off the clock). */
  function warm() {
    if (broken) return;
    try {
      if (base === null) base = newBase();
      if (nextCheckCtx === null) nextCheckCtx = base.rt.newContext({ intrinsics: INTRINSICS });
    } catch {
      broken = true;
    }
  }

  return {
    evaluate,
    warm,
    get broken() {
      return broken;
    },
    dispose() {
      try {
        disposeBase();
      } catch {
        /* the module goes with the worker anyway */
      }
    },
  };
}
