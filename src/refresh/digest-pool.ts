// Digests on worker threads. Parsing and sanitizing a feed is the CPU-bound part of a refresh; on the
// main thread it queued behind the store's writes and the fetches. The pool keeps each worker busy
// with one digest and one waiting; past that a digest runs inline while the main thread has time
// to spare, and queues on the least busy worker while it has not.
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { digestFeed, type DigestInput, type DigestOutput } from './digest.js';

export interface DigestRequest {
  id: number;
  input: DigestInput;
}

export type DigestReply = { id: number; ok: true; output: DigestOutput } | { id: number; ok: false; message: string; stack?: string };

/** Digests a worker holds before others may run inline: one running, one waiting, so it never idles. */
const PER_WORKER = 2;

/**
 * With every worker full, a digest runs inline only if the main thread was busy less than this
 * share of the last ELU_WINDOW_MS; else it queues on a worker. The main thread also fetches and
 * stores: taking digests whenever the workers were full left them idle while it fell behind.
 */
const INLINE_BELOW_UTILIZATION = 0.5;
const ELU_WINDOW_MS = 200;

/**
 * A worker's heap is kept small (a worker with V8's defaults let ~60 MB of garbage build up, the
 * difference between the ingest bench's peak RSS under and over 250 MB; with a worker per core, a
 * 64 MB old generation still reached 259 MB once, 40 MB peaked at 233 MB for the same speed);
 * bodies too big for it are digested inline, and a digest whose worker died (out of memory, say)
 * is retried inline. The young generation's limit holds only where the process has no
 * --max-semi-space-size: V8's flag wins, so under `npm start` (8 MB semi-spaces) each worker's new
 * space is 16 MB, as the bench measured it.
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 16, maxOldGenerationSizeMb: 40 };
/**
 * A worker idle this long is stopped, and its heap (tens of MB) given back, if no pass's end has
 * released it first (releaseIdle). Long: a new worker costs ~0.5 s of CPU to load its modules
 * before its first digest, so within a pass an idle worker waits for the next feed.
 */
const RETIRE_IDLE_MS = 30_000;
/** Feeds longer than this (in characters) are digested inline, with the main thread's heap. */
export const INLINE_BODY_CHARS = 1_000_000;

/**
 * One worker per core. The main thread's fetching and storing leave its core idle part of the time,
 * and a worker on every core fills those gaps: on the 2-core bench machine the first ingest pass
 * ran ~18% faster than with a worker per core beyond the first (medians of six interleaved runs,
 * 2,468 against 2,087 entries/s).
 */
export function defaultDigestWorkers(): number {
  return Math.max(1, availableParallelism());
}

interface Pending {
  input: DigestInput;
  resolve: (output: DigestOutput | Promise<DigestOutput>) => void;
  reject: (error: Error) => void;
}

interface PooledWorker {
  worker: Worker;
  pending: Map<number, Pending>;
  idleTimer?: NodeJS.Timeout;
}

export interface DigestPoolOptions {
  /** Worker threads; 0 digests everything inline. */
  size: number;
  log?: Logger;
  /** How long a worker may idle before it is stopped (default RETIRE_IDLE_MS). */
  retireIdleMs?: number;
}

export class DigestPool {
  private readonly workers: PooledWorker[] = [];
  private nextId = 1;
  private closed = false;
  /** Digests run so far, by where they ran. */
  readonly counts = { worker: 0, inline: 0 };

  constructor(private readonly options: DigestPoolOptions) {}

  /** A Digester (RefreshDeps.digest): on a worker with room, else inline while the main thread has time, else queued on a worker. */
  readonly run = (input: DigestInput): Promise<DigestOutput> => {
    const pooled = this.closed || input.body.length > INLINE_BODY_CHARS ? undefined : this.pickWorker();
    if (!pooled) {
      this.counts.inline += 1;
      return digestFeed(input);
    }
    this.counts.worker += 1;
    return this.post(pooled, input);
  };

  /** Stops the workers; digests still running on them are rejected, later ones run inline. */
  async close(): Promise<void> {
    this.closed = true;
    const workers = this.workers.splice(0);
    for (const pooled of workers) clearTimeout(pooled.idleTimer);
    await Promise.all(workers.map((pooled) => pooled.worker.terminate()));
  }

  /**
   * Stops the workers that have nothing to digest now (a pass has ended), giving their heaps back:
   * two workers held ~25 MB each after a busy pass. The next digest starts a worker again.
   */
  releaseIdle(): void {
    for (const pooled of [...this.workers]) if (pooled.pending.size === 0) this.retire(pooled);
  }

  /** Threads running now (they start on first use). */
  get size(): number {
    return this.workers.length;
  }

  /** The worker to digest on, or undefined to digest inline. */
  private pickWorker(): PooledWorker | undefined {
    if (this.workers.length < this.options.size) return this.spawn();
    let best: PooledWorker | undefined;
    for (const pooled of this.workers) if (!best || pooled.pending.size < best.pending.size) best = pooled;
    if (!best || best.pending.size < PER_WORKER) return best;
    return this.mainThreadUtilization() < INLINE_BELOW_UTILIZATION ? undefined : best;
  }

  private eluMark = performance.eventLoopUtilization();
  private eluMarkedAt = performance.now();
  private recentUtilization = 0;

  /** The share of the last window the main thread's event loop spent working. */
  private mainThreadUtilization(): number {
    const now = performance.now();
    if (now - this.eluMarkedAt >= ELU_WINDOW_MS) {
      const current = performance.eventLoopUtilization();
      this.recentUtilization = performance.eventLoopUtilization(current, this.eluMark).utilization;
      this.eluMark = current;
      this.eluMarkedAt = now;
    }
    return this.recentUtilization;
  }

  private post(pooled: PooledWorker, input: DigestInput): Promise<DigestOutput> {
    const id = this.nextId++;
    return new Promise<DigestOutput>((resolve, reject) => {
      clearTimeout(pooled.idleTimer);
      pooled.pending.set(id, { input, resolve, reject });
      // A busy worker keeps the process alive; an idle one must not hold up its exit.
      pooled.worker.ref();
      pooled.worker.postMessage({ id, input } satisfies DigestRequest);
    });
  }

  private spawn(): PooledWorker {
    const worker = startWorker();
    const pooled: PooledWorker = { worker, pending: new Map() };
    worker.unref();
    worker.on('message', (reply: DigestReply) => this.settle(pooled, reply));
    worker.on('error', (error) => this.fail(pooled, error));
    worker.on('exit', (code) => this.fail(pooled, new Error(`exited with code ${code}`)));
    this.workers.push(pooled);
    return pooled;
  }

  private settle(pooled: PooledWorker, reply: DigestReply): void {
    const pending = pooled.pending.get(reply.id);
    if (!pending) return;
    pooled.pending.delete(reply.id);
    if (pooled.pending.size === 0) this.retireWhenIdle(pooled);
    if (reply.ok) pending.resolve(reply.output);
    else pending.reject(Object.assign(new Error(reply.message), { stack: reply.stack }));
  }

  /** Unrefs an idle worker (it must not hold up the process's exit), and stops it if it stays idle. */
  private retireWhenIdle(pooled: PooledWorker): void {
    pooled.worker.unref();
    pooled.idleTimer = setTimeout(() => {
      if (pooled.pending.size === 0) this.retire(pooled);
    }, this.options.retireIdleMs ?? RETIRE_IDLE_MS);
    pooled.idleTimer.unref();
  }

  private retire(pooled: PooledWorker): void {
    const index = this.workers.indexOf(pooled);
    if (index < 0) return;
    clearTimeout(pooled.idleTimer);
    // Out of the pool first: its exit then finds nothing to retry.
    this.workers.splice(index, 1);
    void pooled.worker.terminate();
  }

  /**
   * A worker that died has its digests retried inline (after close(), they fail like any
   * unexpected error); the next run starts another worker.
   */
  private fail(pooled: PooledWorker, cause: Error): void {
    const index = this.workers.indexOf(pooled);
    if (index >= 0) this.workers.splice(index, 1);
    if (pooled.pending.size > 0 && !this.closed) this.options.log?.warn({ err: cause, digests: pooled.pending.size }, 'digest worker died; its digests run inline');
    for (const pending of pooled.pending.values()) {
      if (this.closed) pending.reject(new Error(`refresh: digest worker failed: ${cause.message}`));
      else {
        this.counts.inline += 1;
        pending.resolve(digestFeed(pending.input));
      }
    }
    pooled.pending.clear();
  }
}

/**
 * Built JavaScript runs the built worker. TypeScript sources (tests, benches) run the .ts worker
 * through tsx, registered by a small bootstrap: Node 20 applies a worker's `--import` hooks too
 * late for its own entry file.
 */
function startWorker(): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./digest-worker.js', import.meta.url), { resourceLimits: WORKER_LIMITS });
  const entry = new URL('./digest-worker.ts', import.meta.url).href;
  // The ESM build of tsx's API: its CommonJS one registers the hooks relative to the wrong file here.
  const tsxCjs = createRequire(import.meta.url).resolve('tsx/esm/api');
  const tsx = pathToFileURL(tsxCjs.replace(/\.cjs$/, '.mjs')).href;
  const bootstrap = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(bootstrap, { eval: true, resourceLimits: WORKER_LIMITS });
}
