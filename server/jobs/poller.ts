/**
 * What the outbox-style senders share (alarm notifications, policy-change emails): one run at a
 * time, a polling loop that goes again at once after a full batch or a poke, and a stop that
 * waits for the run in flight.
 */

/** An error as one short line for logs and `last_error` columns. */
export const errorText = (error: unknown): string => {
  const text = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, " ").trim() || "Unknown error";
  return text.length > 500 ? `${text.slice(0, 499)}…` : text;
};

/** `promise`, or a rejection `<what> timed out after N s` once `ms` have passed. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  promise.catch(() => {}); // a late failure after the timeout is not unhandled
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${Number((ms / 1000).toFixed(1))} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export type Poller<R> = {
  /** Runs once now; runs never overlap (each waits for the one before it). */
  runOnce(): Promise<R>;
  start(intervalMs: number): void;
  /** Runs again now (when started). */
  poke(): void;
  /** Stops polling and waits for the run in flight. */
  stop(): Promise<void>;
};

export function createPoller<R>(run: () => Promise<R>, opts: { isFull(result: R): boolean; onError(error: unknown): void }): Poller<R> {
  let last: Promise<unknown> = Promise.resolve();
  const runOnce = (): Promise<R> => {
    const current = last.then(run, run);
    last = current.catch(() => {});
    return current;
  };

  let loopDone: Promise<void> | null = null;
  let stopping = false;
  let poked = false;
  let wake: (() => void) | null = null;

  async function loop(intervalMs: number): Promise<void> {
    while (!stopping) {
      poked = false;
      let full = false;
      try {
        full = opts.isFull(await runOnce());
      } catch (error) {
        opts.onError(error);
      }
      if (stopping) break;
      if (full || poked) continue;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          wake = null;
          resolve();
        };
        const timer = setTimeout(done, intervalMs);
        wake = done;
      });
    }
  }

  return {
    runOnce,
    start(intervalMs) {
      if (loopDone) return;
      stopping = false;
      loopDone = loop(intervalMs);
    },
    poke() {
      poked = true;
      wake?.();
    },
    async stop() {
      stopping = true;
      wake?.();
      await loopDone;
      loopDone = null;
      await last;
    },
  };
}
