import { describe, expect, it } from 'vitest';
import { FIRST_STALL_FACTOR, Pacer, STALL_FACTOR } from './pacer.js';

/** A promise the test settles by hand. */
function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('Pacer', () => {
  it('admits no more than `concurrency` sources while their fetches are fresh', async () => {
    const pacer = new Pacer({ concurrency: 2, maxOpenFetches: 10, stallAfterMs: 60_000 });
    const answers = [deferred(), deferred(), deferred()];
    let admitted = 0;
    const run = (async () => {
      for (const answer of answers) {
        const ticket = await pacer.admit();
        admitted += 1;
        void ticket.fetch(() => answer.promise).then(() => ticket.work(async () => undefined)).finally(() => ticket.finish());
      }
    })();
    await flush();
    expect(admitted).toBe(2);
    answers[0]?.resolve();
    await flush();
    expect(admitted).toBe(3);
    for (const answer of answers) answer.resolve();
    await run;
  });

  it('lets a stalled fetch stop holding back admission, but never opens more than maxOpenFetches requests', async () => {
    const pacer = new Pacer({ concurrency: 1, maxOpenFetches: 3, stallAfterMs: 0 });
    const hanging = deferred();
    let admitted = 0;
    const tasks: Promise<unknown>[] = [];
    const run = (async () => {
      for (let i = 0; i < 5; i += 1) {
        const ticket = await pacer.admit();
        admitted += 1;
        tasks.push(ticket.fetch(() => hanging.promise).finally(() => ticket.finish()));
      }
    })();
    while (admitted < 3) await flush();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(admitted).toBe(3);
    expect(pacer.peaks.open).toBe(3);
    hanging.resolve();
    await run;
    await Promise.all(tasks);
    expect(admitted).toBe(5);
    expect(pacer.peaks.open).toBe(3);
  });

  it('works on at most `concurrency` answers at once, stalled ones included', async () => {
    const pacer = new Pacer({ concurrency: 2, maxOpenFetches: 20, stallAfterMs: 0 });
    const release = deferred();
    const work = deferred();
    const tasks: Promise<unknown>[] = [];
    for (let i = 0; i < 6; i += 1) {
      const ticket = await pacer.admit();
      tasks.push(
        ticket
          .fetch(() => release.promise)
          .then(() => ticket.work(() => work.promise))
          .finally(() => ticket.finish()),
      );
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    release.resolve();
    await flush();
    expect(pacer.peaks.working).toBe(2);
    work.resolve();
    await Promise.all(tasks);
    expect(pacer.peaks.working).toBe(2);
  });

  it('gives back everything a ticket holds when it finishes early', async () => {
    const pacer = new Pacer({ concurrency: 1, maxOpenFetches: 1, stallAfterMs: 60_000 });
    for (let i = 0; i < 3; i += 1) (await pacer.admit()).finish();
    const ticket = await pacer.admit();
    await expect(ticket.fetch(() => Promise.reject(new Error('fetch: refused')))).rejects.toThrow('refused');
    ticket.finish();
    const next = await pacer.admit();
    expect(await next.fetch(async () => 'ok')).toBe('ok');
    next.finish();
  });
});

describe('Pacer.stallAfterMs', () => {
  it('waits STALL_FACTOR times the typical answer time, never less than the floor', async () => {
    const pacer = new Pacer({ concurrency: 1, maxOpenFetches: 1, stallAfterMs: 10 });
    // No answer yet to go by: a longer wait.
    expect(pacer.stallAfterMs()).toBe(10 * FIRST_STALL_FACTOR);
    pacer.noteAnswer(1);
    expect(pacer.stallAfterMs()).toBe(10);
    for (let i = 0; i < 50; i += 1) pacer.noteAnswer(100);
    expect(pacer.stallAfterMs()).toBeCloseTo(100 * STALL_FACTOR, 0);
  });
});
