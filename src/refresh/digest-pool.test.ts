import { readFileSync } from 'node:fs';
import type { Worker } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DigestPool, INLINE_BODY_CHARS } from './digest-pool.js';
import { digestFeed, type DigestInput } from './digest.js';

const atom = readFileSync(new URL('../../test/fixtures/parse/atom10-xml-base.xml', import.meta.url), 'utf8');
const rss = readFileSync(new URL('../../test/fixtures/parse/rss20-content-enclosures.xml', import.meta.url), 'utf8');

function input(body: string, overrides: Partial<DigestInput> = {}): DigestInput {
  return { body, feedUrl: 'https://example.org/feed.xml', now: Date.UTC(2026, 0, 1), include: [], exclude: [], maxEntries: 200, storedHashes: new Map(), ...overrides };
}

let pool: DigestPool | undefined;

/** The pool's worker threads (a private field), for tests that stop one or tell them apart. */
function workersOf(digests: DigestPool): Worker[] {
  return (digests as unknown as { workers: { worker: Worker }[] }).workers.map((pooled) => pooled.worker);
}
afterEach(async () => {
  await pool?.close();
  pool = undefined;
});

describe('DigestPool', () => {
  it('digests on a worker thread exactly as inline', { timeout: 30_000 }, async () => {
    pool = new DigestPool({ size: 1 });
    for (const body of [atom, rss]) {
      const onWorker = await pool.run(input(body));
      expect(onWorker).toEqual(await digestFeed(input(body)));
      expect(onWorker.kind === 'feed' && onWorker.changed.length).toBeGreaterThan(0);
    }
    expect(pool.counts).toEqual({ worker: 2, inline: 0 });
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

  it('gives each worker two digests, then runs the overflow inline while the main thread has time', { timeout: 30_000 }, async () => {
    pool = new DigestPool({ size: 1 });
    const outputs = await Promise.all([atom, rss, atom, rss, atom].map((body) => pool!.run(input(body))));
    expect(pool.counts).toEqual({ worker: 2, inline: 3 });
    expect(outputs[4]).toEqual(outputs[0]);
  });

  it('queues on a full worker rather than inline while the main thread is busy', { timeout: 30_000 }, async () => {
    pool = new DigestPool({ size: 1 });
    const busyUntil = Date.now() + 300;
    while (Date.now() < busyUntil) {
      // The main thread fetching and storing, as far as the event loop can tell.
    }
    await Promise.all([atom, rss, atom].map((body) => pool!.run(input(body))));
    expect(pool.counts).toEqual({ worker: 3, inline: 0 });
  });

  it('runs everything inline with no workers, and after close', { timeout: 30_000 }, async () => {
    pool = new DigestPool({ size: 0 });
    expect((await pool.run(input(rss))).kind).toBe('feed');
    const closing = new DigestPool({ size: 1 });
    await closing.close();
    expect((await closing.run(input(rss))).kind).toBe('feed');
    expect(closing.counts).toEqual({ worker: 0, inline: 1 });
    expect(closing.size).toBe(0);
  });

  it('retries inline the digests of a worker that dies, and starts another for the next', { timeout: 30_000 }, async () => {
    pool = new DigestPool({ size: 1 });
    await pool.run(input(rss));
    const running = pool.run(input(atom));
    await workersOf(pool)[0]?.terminate();
    expect(await running).toEqual(await digestFeed(input(atom)));
    expect(pool.counts).toEqual({ worker: 2, inline: 1 });
    expect(pool.size).toBe(0);
    expect((await pool.run(input(rss))).kind).toBe('feed');
    expect(pool.size).toBe(1);
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
    expect(pool.counts).toEqual({ worker: 4, inline: 0 });
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
      expect(pool.counts).toEqual({ worker: 2, inline: 0 });
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
      expect(pool.counts).toEqual({ worker: 4, inline: 0 });
    });
  });

  it('fails the digests still running when the pool closes', { timeout: 30_000 }, async () => {
    pool = new DigestPool({ size: 1 });
    await pool.run(input(rss));
    const running = pool.run(input(atom));
    await pool.close();
    await expect(running).rejects.toThrow(/^refresh: digest worker failed: exited with code 1/);
  });

  it('digests a body too big for a worker inline', { timeout: 30_000 }, async () => {
    pool = new DigestPool({ size: 1 });
    const padded = rss.replace('<channel>', `<channel><!--${' '.repeat(INLINE_BODY_CHARS)}-->`);
    expect((await pool.run(input(padded))).kind).toBe('feed');
    expect(pool.counts).toEqual({ worker: 0, inline: 1 });
  });
});
