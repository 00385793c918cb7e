import type { Db } from "../../db/client";
import type { Mailer } from "../mail/mailer";
import { minuteTick, processEvaluations } from "./evaluation";
import { createOutbox } from "./outbox";
import type { Sandbox } from "./sandbox";

export type AlarmWorker = {
  /** Look at the queue now (an instance was just stored in this process). */
  poke(): void;
  stop(): Promise<void>;
};

/**
 * The alarm worker: evaluates queued instances, runs the minute tick, and sends the outbox.
 * `npm start` runs one inside the web process (ALARM_WORKER=true, the default);
 * `npm run tw -- worker` runs one alone. Any number may run against one PostgreSQL database:
 * every piece claims its work atomically (server/alarm/evaluation.ts, server/alarm/outbox.ts).
 */
export function startAlarmWorker(opts: {
  db: Db;
  mailer: Mailer;
  sandbox: Sandbox;
  appUrl: string;
  pollMs?: number;
  tickMs?: number;
  log?: (message: string, error?: unknown) => void;
}): AlarmWorker {
  const log = opts.log ?? ((message, error) => console.error(message, error ?? ""));
  const deps = { db: opts.db, sandbox: opts.sandbox, appUrl: opts.appUrl };
  const outbox = createOutbox({ db: opts.db, mailer: opts.mailer, log: (m: string) => log(m) });
  let stopped = false;
  let running: Promise<void> | null = null;
  let again = false;
  let timer: NodeJS.Timeout | undefined;

  const drain = async () => {
    try {
      while (!stopped) {
        const n = await processEvaluations(deps);
        if (n > 0) outbox.poke();
        if (n === 0) break;
      }
    } catch (error) {
      log("alarm worker: evaluating failed", error);
    }
  };

  const run = () => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = drain().finally(() => {
      running = null;
      if (again && !stopped) {
        again = false;
        run();
      }
    });
  };

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      run();
      schedule();
    }, opts.pollMs ?? 1000);
    timer.unref?.();
  };

  let ticking: Promise<unknown> | null = null;
  const tick = setInterval(() => {
    if (stopped || ticking) return;
    ticking = minuteTick(deps)
      .then((r) => {
        if (r && (r.silent || r.renotified)) outbox.poke();
      })
      .catch((error) => log("alarm worker: minute tick failed", error))
      .finally(() => (ticking = null));
  }, opts.tickMs ?? 60_000);
  tick.unref?.();

  // Pokes (one per ingested instance) are coalesced: at most one look at the queue per 100 ms.
  let poked: NodeJS.Timeout | undefined;
  const poke = () => {
    if (poked || stopped) return;
    poked = setTimeout(() => {
      poked = undefined;
      run();
    }, 100);
    poked.unref?.();
  };

  outbox.start();
  run();
  schedule();

  return {
    poke,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      clearTimeout(poked);
      clearInterval(tick);
      await running;
      await ticking;
      await outbox.stop();
    },
  };
}
