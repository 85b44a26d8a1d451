// Digests on worker threads, and never on the main thread, which answers visitors. Parsing and
// sanitizing a feed is the CPU-bound part of a refresh, and a hostile feed can make it take many
// seconds and hundreds of MB: each digest runs on a worker with a time budget and a heap limit, and
// a feed over either is refused. A worker digests one feed at a time; the others wait in FIFO order.
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { DigestInput, DigestOutput } from './digest.js';

export interface DigestRequest {
  id: number;
  input: DigestInput;
}

/** What a worker posts: once when its modules are loaded, then one answer per digest. */
export type DigestWorkerMessage =
  | { kind: 'ready' }
  | { kind: 'done'; id: number; output: DigestOutput }
  | { kind: 'failed'; id: number; message: string; stack?: string };

/** How long one digest may run on its worker before the worker is stopped and the feed refused. */
export const DIGEST_TIME_BUDGET_MS = 10_000;

/**
 * A worker's heap is kept small, which holds the first pass's peak memory down (bench/ANALYSIS.md,
 * "Reasons kept in the code"); it is also a feed's memory budget: a digest that fills it is refused.
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 16, maxOldGenerationSizeMb: 40 };

/** Bodies longer than this (in characters) are too big for WORKER_LIMITS: each gets a worker of its own. */
export const BIG_BODY_CHARS = 1_000_000;

/** Room for a legitimate feed up to the fetcher's 5 MiB cap; one such worker at a time, stopped after its digest. */
const BIG_WORKER_LIMITS = { maxYoungGenerationSizeMb: 16, maxOldGenerationSizeMb: 256 };

/**
 * A worker idle this long is stopped and its heap given back, if no pass's end has released it
 * first (releaseIdle). Long, because a new worker costs a noticeable start before its first digest.
 */
const RETIRE_IDLE_MS = 30_000;

/** One worker per core: the main thread's fetching and storing leave its own core idle part of the time. */
export function defaultDigestWorkers(): number {
  return Math.max(1, availableParallelism());
}

export interface DigestPoolOptions {
  /** Worker threads for ordinary bodies (at least 1); bodies over BIG_BODY_CHARS get one more of their own. */
  size: number;
  log?: Logger;
  /** How long a worker may idle before it is stopped (default RETIRE_IDLE_MS). */
  retireIdleMs?: number;
  /** How long one digest may run (default DIGEST_TIME_BUDGET_MS). */
  timeBudgetMs?: number;
}

/** Digests run so far, by the kind of worker they ran on, and how many were refused. */
export interface DigestCounts {
  worker: number;
  bigWorker: number;
  refused: number;
}

export class DigestPool {
  readonly counts: DigestCounts = { worker: 0, bigWorker: 0, refused: 0 };
  private readonly ordinary: Lane;
  private readonly big: Lane;
  private closed = false;

  constructor(options: DigestPoolOptions) {
    if (!Number.isInteger(options.size) || options.size < 1) throw new RangeError(`refresh: a digest pool needs at least one worker, not ${options.size}`);
    const shared: LaneSettings = {
      timeBudgetMs: options.timeBudgetMs ?? DIGEST_TIME_BUDGET_MS,
      retireIdleMs: options.retireIdleMs ?? RETIRE_IDLE_MS,
      log: options.log,
      counts: this.counts,
    };
    this.ordinary = new Lane({ counted: 'worker', limits: WORKER_LIMITS, maxWorkers: options.size, oneDigestEach: false }, shared);
    this.big = new Lane({ counted: 'bigWorker', limits: BIG_WORKER_LIMITS, maxWorkers: 1, oneDigestEach: true }, shared);
  }

  /**
   * A Digester (RefreshDeps.digest). Resolves to the digest, or to `refused` when it ran over its
   * time or memory budget; rejects on a bug in the digest, or once the pool is closed.
   */
  readonly run = (input: DigestInput): Promise<DigestOutput> => {
    if (this.closed) return Promise.reject(poolClosedError());
    return (input.body.length > BIG_BODY_CHARS ? this.big : this.ordinary).enqueue(input);
  };

  /** Stops the workers; digests still waiting or running are rejected, and so is any later one. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([this.ordinary.close(), this.big.close()]);
  }

  /** Stops the workers that have nothing to digest now (a pass has ended), giving their heaps back; the next digest starts one again. */
  releaseIdle(): void {
    this.ordinary.releaseIdle();
  }

  /** Threads running now (they start on first use). */
  get size(): number {
    return this.ordinary.size + this.big.size;
  }
}

interface LaneSpec {
  /** Which of the pool's counts a digest here adds to. */
  counted: 'worker' | 'bigWorker';
  limits: { maxYoungGenerationSizeMb: number; maxOldGenerationSizeMb: number };
  maxWorkers: number;
  /** Stop the worker after each digest, giving its big heap back at once. */
  oneDigestEach: boolean;
}

interface LaneSettings {
  timeBudgetMs: number;
  retireIdleMs: number;
  log: Logger | undefined;
  counts: DigestCounts;
}

interface Job {
  id: number;
  input: DigestInput;
  resolve: (output: DigestOutput) => void;
  reject: (error: Error) => void;
}

interface PooledWorker {
  worker: Worker;
  /** Its modules are loaded: a digest posted now starts at once. */
  ready: boolean;
  /** The digest it runs now. */
  job?: Job;
  budgetTimer?: NodeJS.Timeout;
  idleTimer?: NodeJS.Timeout;
}

/** Workers of one size and the digests waiting for them, first come first served. */
class Lane {
  private readonly queue: Job[] = [];
  private readonly workers: PooledWorker[] = [];
  private nextId = 1;

  constructor(
    private readonly spec: LaneSpec,
    private readonly settings: LaneSettings,
  ) {}

  get size(): number {
    return this.workers.length;
  }

  enqueue(input: DigestInput): Promise<DigestOutput> {
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, input, resolve, reject });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    const workers = this.workers.splice(0);
    const jobs = [...this.queue.splice(0), ...workers.flatMap((pooled) => (pooled.job ? [pooled.job] : []))];
    for (const pooled of workers) {
      clearTimeout(pooled.budgetTimer);
      clearTimeout(pooled.idleTimer);
      pooled.job = undefined;
    }
    for (const job of jobs) job.reject(poolClosedError());
    await Promise.all(workers.map((pooled) => pooled.worker.terminate()));
  }

  /** Stops every worker without a digest, those still starting too, unless digests wait for them. */
  releaseIdle(): void {
    if (this.queue.length > 0) return;
    for (const pooled of [...this.workers]) if (!pooled.job) this.retire(pooled);
  }

  /** Hands waiting digests to idle workers, and starts workers for the rest while there is room. */
  private dispatch(): void {
    while (this.queue.length > 0) {
      const idle = this.workers.find((pooled) => pooled.ready && !pooled.job);
      if (idle) {
        this.start(idle, this.queue.shift() as Job);
        continue;
      }
      const starting = this.workers.filter((pooled) => !pooled.ready).length;
      if (starting >= this.queue.length || this.workers.length >= this.spec.maxWorkers) return;
      this.spawn();
    }
  }

  private start(pooled: PooledWorker, job: Job): void {
    clearTimeout(pooled.idleTimer);
    pooled.job = job;
    this.settings.counts[this.spec.counted] += 1;
    // A busy worker keeps the process alive; an idle one must not hold up its exit.
    pooled.worker.ref();
    pooled.worker.postMessage({ id: job.id, input: job.input } satisfies DigestRequest);
    pooled.budgetTimer = setTimeout(() => this.overTime(pooled), this.settings.timeBudgetMs);
  }

  private spawn(): void {
    const pooled: PooledWorker = { worker: startWorker(this.spec.limits), ready: false };
    pooled.worker.on('message', (message: DigestWorkerMessage) => this.onMessage(pooled, message));
    // An out-of-memory worker reports an 'error', then its 'exit': the first one settles its digest.
    pooled.worker.on('error', (error) => this.onDeath(pooled, error));
    pooled.worker.on('exit', (code) => this.onDeath(pooled, new Error(`exited with code ${code}`)));
    this.workers.push(pooled);
  }

  private onMessage(pooled: PooledWorker, message: DigestWorkerMessage): void {
    if (!this.workers.includes(pooled)) return;
    if (message.kind === 'ready') {
      pooled.ready = true;
      this.takeNextOrIdle(pooled);
      return;
    }
    const job = pooled.job;
    if (!job || job.id !== message.id) return;
    clearTimeout(pooled.budgetTimer);
    pooled.job = undefined;
    if (this.spec.oneDigestEach) this.retire(pooled);
    else this.takeNextOrIdle(pooled);
    if (message.kind === 'done') job.resolve(message.output);
    else job.reject(Object.assign(new Error(message.message), { stack: message.stack }));
  }

  /** A free worker takes the next digest waiting, or idles until one comes (or it is retired). */
  private takeNextOrIdle(pooled: PooledWorker): void {
    this.dispatch();
    if (pooled.job) return;
    pooled.worker.unref();
    pooled.idleTimer = setTimeout(() => this.retire(pooled), this.settings.retireIdleMs);
    pooled.idleTimer.unref();
  }

  /** Over the time budget: the worker is stopped mid-digest (the only way to stop it) and the feed refused. */
  private overTime(pooled: PooledWorker): void {
    const job = pooled.job;
    if (!job || !this.remove(pooled)) return;
    void pooled.worker.terminate();
    this.refuse(job, `reading this feed took longer than ${duration(this.settings.timeBudgetMs)}`);
    this.dispatch();
  }

  /** A worker that died mid-digest refuses that feed (out of memory, its memory budget); the next digest gets a new worker. */
  private onDeath(pooled: PooledWorker, cause: Error): void {
    if (!this.remove(pooled)) return;
    clearTimeout(pooled.budgetTimer);
    clearTimeout(pooled.idleTimer);
    if (pooled.job) {
      const outOfMemory = (cause as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY';
      if (!outOfMemory) this.settings.log?.warn({ err: cause }, 'digest worker died mid-digest');
      this.refuse(pooled.job, outOfMemory ? `reading this feed needed more than ${this.spec.limits.maxOldGenerationSizeMb} MB` : `the worker reading this feed died (${cause.message})`);
    } else if (!pooled.ready) {
      this.failToStart(cause);
    }
    this.dispatch();
  }

  /** A worker that could not start fails the digest first in line: a broken worker must not be restarted forever. */
  private failToStart(cause: Error): void {
    this.settings.log?.error({ err: cause }, 'digest worker could not start');
    this.queue.shift()?.reject(new Error(`digest: a digest worker could not start: ${cause.message}`));
  }

  private refuse(job: Job, reason: string): void {
    this.settings.counts.refused += 1;
    job.resolve({ kind: 'refused', message: `digest: refused: ${reason}` });
  }

  private retire(pooled: PooledWorker): void {
    if (!this.remove(pooled)) return;
    clearTimeout(pooled.idleTimer);
    void pooled.worker.terminate();
  }

  /** Takes the worker out of the lane (its exit then finds nothing to settle); false if it was already out. */
  private remove(pooled: PooledWorker): boolean {
    const index = this.workers.indexOf(pooled);
    if (index < 0) return false;
    this.workers.splice(index, 1);
    return true;
  }
}

function poolClosedError(): Error {
  return new Error('digest: the digest pool closed before this feed was read');
}

/** "10 s", or "250 ms" for a budget under a second or not whole seconds. */
function duration(ms: number): string {
  return ms >= 1000 && ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

/**
 * Built JavaScript runs the built worker. TypeScript sources (tests, benches) run the .ts worker
 * through tsx, registered by a small bootstrap: Node 20 applies a worker's `--import` hooks too
 * late for its own entry file.
 */
function startWorker(resourceLimits: LaneSpec['limits']): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./digest-worker.js', import.meta.url), { resourceLimits });
  const entry = new URL('./digest-worker.ts', import.meta.url).href;
  // The ESM build of tsx's API: its CommonJS one registers the hooks relative to the wrong file here.
  const tsxCjs = createRequire(import.meta.url).resolve('tsx/esm/api');
  const tsx = pathToFileURL(tsxCjs.replace(/\.cjs$/, '.mjs')).href;
  const bootstrap = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(bootstrap, { eval: true, resourceLimits });
}
