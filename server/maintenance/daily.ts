/**
 * Daily housekeeping in the worker process (the web process with ALARM_WORKER=true, or
 * `npm run tw -- worker`): each task runs once soon after start and then every 24 hours.
 *
 * Several workers may run against one PostgreSQL database; a run takes
 * `pg_try_advisory_xact_lock` in a transaction held open (on a connection of its own) while the
 * tasks work through the pool, so one process runs them at a time and the others skip that turn.
 * Tasks must be safe to run again (they are: "delete what is due", in batches, each committed on
 * its own). With PGlite the database belongs to one process, so no lock is needed.
 *
 * Other daily jobs (e.g. purging deleted accounts) can be added to the same list in
 * server/boot.ts and server/cli.ts.
 */
import { sql } from "drizzle-orm";
import { type Db, queryRows } from "../../db/client";

export type DailyTask = { name: string; run(db: Db): Promise<unknown> };

export type DailyTasks = {
  /** Runs every task now (unless another process is running them); resolves when done. */
  runNow(): Promise<"ran" | "skipped">;
  stop(): Promise<void>;
};

/** Any constant shared by every worker. */
const DAILY_LOCK = 0x7477_6461; // "twda"

export function startDailyTasks(opts: {
  db: Db;
  /** "postgres" takes the advisory lock; "pglite" (one process) does not need it. */
  kind: "postgres" | "pglite";
  tasks: DailyTask[];
  /** Delay of the first run after start (default 10 s, so boot is not slowed). */
  firstRunMs?: number;
  intervalMs?: number;
  log?: (message: string, error?: unknown) => void;
}): DailyTasks {
  const log = opts.log ?? ((message, error) => (error ? console.error(message, error) : console.log(message)));
  let running: Promise<"ran" | "skipped"> | null = null;
  let stopped = false;

  const runTasks = async () => {
    for (const task of opts.tasks) {
      if (stopped) break;
      try {
        await task.run(opts.db);
      } catch (error) {
        log(`daily task ${task.name} failed`, error);
      }
    }
  };

  const runOnce = async (): Promise<"ran" | "skipped"> => {
    if (opts.kind === "pglite") {
      await runTasks();
      return "ran";
    }
    // The transaction only holds the lock; the tasks use other connections of the pool, so
    // their batches commit one by one.
    return opts.db.transaction(async (tx) => {
      const [lock] = await queryRows<{ locked: boolean }>(tx as unknown as Db, sql`select pg_try_advisory_xact_lock(${DAILY_LOCK}) as locked`);
      if (!lock?.locked) return "skipped" as const;
      await runTasks();
      return "ran" as const;
    });
  };

  const runNow = () => {
    if (!running) {
      running = runOnce()
        .catch((error: unknown) => {
          log("daily tasks failed", error);
          return "skipped" as const;
        })
        .finally(() => (running = null));
    }
    return running;
  };

  const first = setTimeout(() => void runNow(), opts.firstRunMs ?? 10_000);
  first.unref?.();
  const every = setInterval(() => void runNow(), opts.intervalMs ?? 24 * 60 * 60 * 1000);
  every.unref?.();

  return {
    runNow,
    async stop() {
      stopped = true;
      clearTimeout(first);
      clearInterval(every);
      await running;
    },
  };
}
