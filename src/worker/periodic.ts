/** A task run every `intervalMs` (counted from the end of the last run, so runs never overlap). */
export interface Periodic {
  start(): void;
  /** Waits for a run in progress; idempotent. */
  stop(): Promise<void>;
}

/**
 * Runs `work` every `intervalMs`; a failed run is reported to `onError` and the next one goes
 * ahead. `awaitOnStop: false` lets stop() leave a run in progress behind (for work that is
 * safe to abandon, such as retries kept in the store). Never throws.
 */
export function createPeriodic(
  work: () => Promise<unknown>,
  intervalMs: number,
  onError: (err: unknown) => void,
  { awaitOnStop = true }: { awaitOnStop?: boolean } = {},
): Periodic {
  let timer: NodeJS.Timeout | null = null;
  let current: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const tick = () => {
    current = work()
      .catch(onError)
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, intervalMs);
      });
  };
  return {
    start() {
      stopped = false;
      timer ??= setTimeout(tick, intervalMs);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      if (awaitOnStop) await current;
    },
  };
}
