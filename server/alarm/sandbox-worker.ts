/**
 * Worker thread of the alarm check sandbox (sandbox.ts): one QuickJS engine, one run at a time.
 *
 * Messages in:  {type: "run", id, code, input (JSON of {instance, previous}), rowCount}
 * Messages out: {type: "ready"} once, then {type: "result", id, outcome, exiting} per run.
 * When the engine's WebAssembly module fails, the worker answers and exits; the pool starts a
 * new one.
 */
import { parentPort, workerData } from "node:worker_threads";
import { createEngine } from "./sandbox-engine";

export type WorkerData = { cpuMs: number; memoryMiB: number };
export type RunMessage = { type: "run"; id: number; code: string; input: string; rowCount: number };

const port = parentPort;
if (port === null) throw new Error("sandbox-worker.ts runs as a worker thread (see sandbox.ts)");

const { cpuMs, memoryMiB } = workerData as WorkerData;
const engine = await createEngine({ cpuMs, memoryMiB });
engine.warm();

port.on("message", (m: RunMessage) => {
  if (m?.type !== "run") return;
  const outcome = engine.evaluate(m.code, m.input, m.rowCount);
  // `exiting` tells the pool not to send anything more here.
  port.postMessage({ type: "result", id: m.id, outcome, exiting: engine.broken });
  if (engine.broken) {
    process.exit(1);
  }
  // The next run's context, made while the main thread reads this answer.
  engine.warm();
});

port.postMessage({ type: "ready" });
