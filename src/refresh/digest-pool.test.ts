import { readFileSync } from 'node:fs';
import type { Worker } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BIG_BODY_CHARS, DigestPool } from './digest-pool.js';
import { digestFeed, type DigestInput } from './digest.js';
import { hostileFeed } from './testing/hostile-feed.js';

const atom = readFileSync(new URL('../../test/fixtures/parse/atom10-xml-base.xml', import.meta.url), 'utf8');
const rss = readFileSync(new URL('../../test/fixtures/parse/rss20-content-enclosures.xml', import.meta.url), 'utf8');
/** Seconds of work on a worker in little memory: two items nesting 65,000 elements each (~0.9 MB). */
const slow = hostileFeed({ depth: 65_000, items: 2 });
/** The feed: one item nesting 142,000 elements fills an ordinary worker's heap. */
const hostile = hostileFeed();

function input(body: string, overrides: Partial<DigestInput> = {}): DigestInput {
  return { body, feedUrl: 'https://example.org/feed.xml', now: Date.UTC(2026, 0, 1), include: [], exclude: [], maxEntries: 200, storedHashes: new Map(), ...overrides };
}

let pool: DigestPool | undefined;

/** The pool's ordinary worker threads (a private field), for tests that stop one or tell them apart. */
function workersOf(digests: DigestPool): Worker[] {
  return (digests as unknown as { ordinary: { workers: { worker: Worker }[] } }).ordinary.workers.map((pooled) => pooled.worker);
}

afterEach(async () => {
  await pool?.close();
  pool = undefined;
});

describe('DigestPool', () => {
  it('digests on a worker thread exactly as digestFeed does', { timeout: 30_000 }, async () => {
    pool = new DigestPool({ size: 1 });
    for (const body of [atom, rss]) {
      const onWorker = await pool.run(input(body));
      expect(onWorker).toEqual(await digestFeed(input(body)));
      expect(onWorker.kind === 'feed' && onWorker.changed.length).toBeGreaterThan(0);
    }
    expect(pool.counts).toEqual({ worker: 2, bigWorker: 0, refused: 0 });
    expect(pool.size).toBe(1);
  });

  it('leaves out entries whose stored hash is unchanged, on the worker too', { timeout: 30_000 }, async () => {
    pool = new DigestPool({ size: 1 });
    const first = await pool.run(input(rss));
    if (first.kind !== 'feed') throw new Error('expected a feed');
    const [kept, ...others] = first.changed;
    const storedHashes = new Map(others.map((e) => [e.entryId, e.contentHash]));
    const second = await pool.run(input(rss, { storedHashes }));
    expect(second.kind === 'feed' && second.changed.map((e) => e.entryId)).toEqual([kept?.entryId]);
  });

  it('answers a document that is no feed with a parse error, not a rejection', { timeout: 30_000 }, async () => {
    pool = new DigestPool({ size: 1 });
    expect(await pool.run(input('<html><body>hello</body></html>'))).toEqual({
      kind: 'parse-error',
      message: 'parse: the document is an HTML page, not a feed',
    });
  });

  it('queues digests past its workers, first come first served, and runs none on the main thread', { timeout: 30_000 }, async () => {
    pool = new DigestPool({ size: 1 });
    const finished: number[] = [];
    const outputs = await Promise.all([atom, rss, atom, rss].map((body, n) => pool!.run(input(body)).finally(() => finished.push(n))));
    expect(finished).toEqual([0, 1, 2, 3]);
    expect(outputs[2]).toEqual(outputs[0]);
    expect(pool.counts).toEqual({ worker: 4, bigWorker: 0, refused: 0 });
    expect(pool.size).toBe(1);
  });

  it('refuses a digest over its time budget, stops its worker, and digests the next on a new one', { timeout: 60_000 }, async () => {
    pool = new DigestPool({ size: 1, timeBudgetMs: 1_000 });
    await pool.run(input(rss));
    const [overrun] = workersOf(pool);
    // The main thread's event loop turns all the while: the digest is not running on it.
    let turns = 0;
    const ticker = setInterval(() => (turns += 1), 10);
    const refused = await pool.run(input(slow)).finally(() => clearInterval(ticker));
    expect(refused).toEqual({ kind: 'refused', message: 'digest: refused: reading this feed took longer than 1 s' });
    expect(turns).toBeGreaterThan(10);
    expect(pool.size).toBe(0);
    expect(await pool.run(input(atom))).toEqual(await digestFeed(input(atom)));
    expect(workersOf(pool)).toHaveLength(1);
    expect(workersOf(pool)[0]?.threadId).not.toBe(overrun?.threadId);
    expect(pool.counts).toEqual({ worker: 3, bigWorker: 0, refused: 1 });
  });

  it('refuses a digest whose worker runs out of memory, and digests the next on a new one', { timeout: 90_000 }, async () => {
    // A generous time budget: the heap fills first (a few seconds), however slow the machine.
    pool = new DigestPool({ size: 1, timeBudgetMs: 60_000 });
    expect(hostile.length).toBeLessThanOrEqual(BIG_BODY_CHARS);
    expect(await pool.run(input(hostile))).toEqual({ kind: 'refused', message: 'digest: refused: reading this feed needed more than 40 MB' });
    expect(pool.size).toBe(0);
    expect((await pool.run(input(rss))).kind).toBe('feed');
    expect(pool.counts).toEqual({ worker: 2, bigWorker: 0, refused: 1 });
  });

  it('refuses the digest of a worker that dies mid-digest, and starts another for the next', { timeout: 30_000 }, async () => {
    pool = new DigestPool({ size: 1 });
    await pool.run(input(rss));
    const running = pool.run(input(slow));
    await workersOf(pool)[0]?.terminate();
    expect(await running).toEqual({ kind: 'refused', message: 'digest: refused: the worker reading this feed died (exited with code 1)' });
    expect(pool.size).toBe(0);
    expect((await pool.run(input(rss))).kind).toBe('feed');
    expect(pool.size).toBe(1);
  });

  it('digests a body too big for an ordinary worker on a big one of its own, stopped once done', { timeout: 30_000 }, async () => {
    pool = new DigestPool({ size: 1 });
    const padded = rss.replace('<channel>', `<channel><!--${' '.repeat(BIG_BODY_CHARS)}-->`);
    expect(await pool.run(input(padded))).toEqual(await digestFeed(input(padded)));
    expect(pool.counts).toEqual({ worker: 0, bigWorker: 1, refused: 0 });
    expect(pool.size).toBe(0);
  });

  it('releases its idle workers on demand, and keeps a busy one', { timeout: 30_000 }, async () => {
    pool = new DigestPool({ size: 2 });
    await Promise.all([pool.run(input(rss)), pool.run(input(atom))]);
    expect(pool.size).toBe(2);
    const running = pool.run(input(rss));
    pool.releaseIdle();
    expect(pool.size).toBe(1);
    expect((await running).kind).toBe('feed');
    pool.releaseIdle();
    expect(pool.size).toBe(0);
    expect(await pool.run(input(atom))).toEqual(await digestFeed(input(atom)));
    expect(pool.counts).toEqual({ worker: 4, bigWorker: 0, refused: 0 });
  });

  describe('idle workers', () => {
    // Only the pool's own timers are faked: the worker's messages still come and go for real.
    beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] }));
    afterEach(() => vi.useRealTimers());

    const threadIdOf = (digests: DigestPool) => workersOf(digests)[0]?.threadId;

    it('stops a worker idle for its idle time, and starts another for the next digest', { timeout: 30_000 }, async () => {
      pool = new DigestPool({ size: 1, retireIdleMs: 1_000 });
      await pool.run(input(rss));
      const firstThread = threadIdOf(pool);
      vi.advanceTimersByTime(999);
      expect(pool.size).toBe(1);
      vi.advanceTimersByTime(1);
      expect(pool.size).toBe(0);
      expect(await pool.run(input(atom))).toEqual(await digestFeed(input(atom)));
      expect(pool.counts).toEqual({ worker: 2, bigWorker: 0, refused: 0 });
      expect(threadIdOf(pool)).not.toBe(firstThread);
    });

    it('keeps a worker that is given work before its idle time is up', { timeout: 30_000 }, async () => {
      pool = new DigestPool({ size: 1, retireIdleMs: 1_000 });
      await pool.run(input(rss));
      const firstThread = threadIdOf(pool);
      for (let i = 0; i < 3; i += 1) {
        vi.advanceTimersByTime(600);
        await pool.run(input(atom));
      }
      expect(pool.size).toBe(1);
      expect(threadIdOf(pool)).toBe(firstThread);
      expect(pool.counts).toEqual({ worker: 4, bigWorker: 0, refused: 0 });
    });
  });

  it('rejects the digests running and waiting when it closes, and any after', { timeout: 30_000 }, async () => {
    pool = new DigestPool({ size: 1 });
    await pool.run(input(rss));
    const outcomes = [slow, atom, rss].map((body) => pool!.run(input(body)).then((output) => output.kind, (error: Error) => error.message));
    await pool.close();
    const closed = 'digest: the digest pool closed before this feed was read';
    expect(await Promise.all(outcomes)).toEqual([closed, closed, closed]);
    await expect(pool.run(input(rss))).rejects.toThrow(closed);
    expect(pool.size).toBe(0);
    expect(pool.counts).toEqual({ worker: 2, bigWorker: 0, refused: 0 });
  });

  it('needs at least one worker', () => {
    expect(() => new DigestPool({ size: 0 })).toThrow(RangeError);
  });
});
