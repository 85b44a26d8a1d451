// The poll schedule: node-cron calls a tick; a tick runs one pass unless one is still running.
import cron from 'node-cron';
import type { Logger } from 'pino';

/** The part of a node-cron task the scheduler uses; tests pass a fake. */
export interface CronTask {
  destroy(): void | Promise<void>;
}

/** `tick` gets the time the cron fired for (its scheduled second), in ms. */
export type CreateCronTask = (expression: string, tick: (dueAt?: number) => void, log: Logger) => CronTask;

/**
 * A pass gets a signal that aborts when the scheduler stops: start no new source after that. `dueAt`
 * is the due time it serves (the cron tick): processes sharing a database each run a pass for the
 * same tick, and a source any of them attempted since that time is not fetched again for it.
 */
export type RunPass = (trigger: string, signal: AbortSignal, dueAt?: number) => Promise<unknown>;

export interface SchedulerOptions {
  /** A cron expression, or 'off': no cron task at all. */
  schedule: string;
  runPass: RunPass;
  log: Logger;
  /** Default: node-cron's `schedule`. */
  createTask?: CreateCronTask;
}

export interface Scheduler {
  /** Runs a pass now unless one is running (or the scheduler stopped); resolves when it ends. */
  runNow(trigger: string, dueAt?: number): Promise<'ran' | 'skipped'>;
  /**
   * Runs a pass soon: now when idle, else once right after the running pass ends (requests made
   * meanwhile share that one pass). For work that must not be dropped, like a new source to poll.
   */
  requestRun(trigger: string): void;
  /** True while a pass runs. */
  readonly busy: boolean;
  /** Stops the cron, asks a running pass to start no further source, and waits for it to end. */
  stop(): Promise<void>;
}

export function startScheduler(options: SchedulerOptions): Scheduler {
  const { log } = options;
  const stopping = new AbortController();
  let running: Promise<void> | undefined;

  const runNow = async (trigger: string, dueAt?: number): Promise<'ran' | 'skipped'> => {
    if (stopping.signal.aborted) return 'skipped';
    if (running) {
      log.warn({ trigger }, 'poll pass still running: this one is skipped');
      return 'skipped';
    }
    running = runGuarded(options, trigger, stopping.signal, dueAt).finally(() => {
      running = undefined;
    });
    await running;
    return 'ran';
  };

  let queued: string | undefined;
  const requestRun = (trigger: string): void => {
    if (stopping.signal.aborted) return;
    if (!running) {
      void runNow(trigger);
      return;
    }
    if (queued !== undefined) return;
    queued = trigger;
    void running.then(() => {
      const next = queued;
      queued = undefined;
      if (next !== undefined) requestRun(next);
    });
  };

  const task = options.schedule === 'off' ? undefined : createTaskFor(options, (dueAt) => void runNow('schedule', dueAt));
  log.info({ schedule: options.schedule }, options.schedule === 'off' ? 'poll scheduler off' : 'poll scheduler started');

  return {
    runNow,
    requestRun,
    get busy() {
      return running !== undefined;
    },
    async stop() {
      stopping.abort();
      await task?.destroy();
      await running;
    },
  };
}

function createTaskFor(options: SchedulerOptions, tick: (dueAt?: number) => void): CronTask {
  const create = options.createTask ?? scheduleWithNodeCron;
  return create(options.schedule, tick, options.log);
}

/** A failing pass is logged; the schedule goes on. */
async function runGuarded(options: SchedulerOptions, trigger: string, signal: AbortSignal, dueAt?: number): Promise<void> {
  try {
    await options.runPass(trigger, signal, dueAt);
  } catch (err) {
    options.log.error({ err, trigger }, 'poll pass failed');
  }
}

const scheduleWithNodeCron: CreateCronTask = (expression, tick, log) =>
  cron.schedule(expression, (context) => tick(context.date.getTime()), {
    name: 'poll',
    // The tick returns at once, so node-cron never sees an overlap; skipping is ours (and logged).
    logger: {
      info: (message) => log.info(message),
      warn: (message) => log.warn(message),
      error: (message, err) => log.error({ err: err ?? message }, 'cron error'),
      debug: (message) => log.debug(typeof message === 'string' ? message : { err: message }),
    },
  });

/**
 * The last time at or before `now` the schedule fired for: the due time a start-up pass serves, so
 * a process starting beside others does not fetch again what they fetched since that tick. Found by
 * stepping back a minute (a second, for six-field expressions) at a time, at most a week (an hour);
 * past that, the start of the range.
 */
export function previousTick(expression: string, now: number): number {
  const withSeconds = expression.trim().split(/\s+/).length === 6;
  const step = withSeconds ? 1000 : 60_000;
  const steps = withSeconds ? 3600 : 7 * 24 * 60;
  const task = cron.createTask(expression, () => {});
  try {
    let at = now - (now % step);
    for (let i = 0; i < steps; i += 1, at -= step) if (task.match(new Date(at))) return at;
    return at;
  } finally {
    void task.destroy();
  }
}
