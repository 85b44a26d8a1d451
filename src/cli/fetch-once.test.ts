import { describe, expect, it } from 'vitest';
import { mapAtMost } from './fetch-once.js';

describe('mapAtMost', () => {
  it('runs at most `limit` at once, starts the next as one finishes, and keeps the order of the items', async () => {
    const items = [1, 2, 3, 4, 5, 6, 7, 8, 9];
    const waiting: { item: number; finish: () => void }[] = [];
    let running = 0;
    let mostAtOnce = 0;
    const done = mapAtMost(items, 4, async (item) => {
      running += 1;
      mostAtOnce = Math.max(mostAtOnce, running);
      await new Promise<void>((finish) => waiting.push({ item, finish }));
      running -= 1;
      return item * 10;
    });
    // Finish them one at a time, newest first, each only once every lane has had its turn.
    while (waiting.length > 0 || running > 0) {
      await new Promise((resolve) => setImmediate(resolve));
      expect(running).toBeLessThanOrEqual(4);
      waiting.pop()?.finish();
    }
    expect(await done).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90]);
    expect(mostAtOnce).toBe(4);
  });

  it('does nothing for no items', async () => {
    expect(await mapAtMost([], 4, () => Promise.reject(new Error('not called')))).toEqual([]);
  });
});
