import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeEachDatabase, freshStore, makeEntry, makeSource } from '../../test/helpers/store.js';
import { HIGHLIGHT_END, HIGHLIGHT_START, RANKED_MATCHES, indexPendingEntries, saveFetch, searchEntries, syncSources, type OpenedStore } from './index.js';

describeEachDatabase('search', (kind) => {
  let store: OpenedStore;
  beforeEach(async () => {
    store = await freshStore(kind);
  });
  afterEach(async () => {
    await store.close();
  });

  const t0 = Date.UTC(2026, 0, 1);
  const minute = 60_000;

  async function store_(sourceId: string, entries: ReturnType<typeof makeEntry>[]): Promise<void> {
    await saveFetch(store.db, sourceId, entries, { now: t0, durationMs: 1, nextPollAt: null, status: 200, maxEntries: entries.length + 10 });
    await indexPendingEntries(store.db);
  }

  /** `count` entries that all say "care", entry i published i minutes after t0. */
  function common(prefix: string, count: number, from = 0): ReturnType<typeof makeEntry>[] {
    return Array.from({ length: count }, (_, i) =>
      makeEntry(`${prefix}${from + i}`, { title: `Post ${from + i} on care`, contentText: `Notes on care, number ${from + i}.`, publishedAt: t0 + (from + i) * minute }),
    );
  }

  describe('searchEntries with a common word (RANKED_MATCHES matches or more)', () => {
    it('shows the newest matches by publication time, highlighted, only from active sources', async () => {
      await syncSources(store.db, [makeSource('a'), makeSource('b')], t0);
      await store_('a', common('a', RANKED_MATCHES));
      // Stored last, published latest: would be first, but its source leaves the feeds file.
      await store_('b', common('b', 5, RANKED_MATCHES));
      await syncSources(store.db, [makeSource('a')], t0);

      const hits = await searchEntries(store.db, 'care', 10);
      expect(hits.map((h) => h.title)).toEqual(Array.from({ length: 10 }, (_, i) => `Post ${RANKED_MATCHES - 1 - i} on care`));
      for (const hit of hits) {
        expect(hit.sourceId).toBe('a');
        expect(hit.titleHighlighted).toContain(`${HIGHLIGHT_START}care${HIGHLIGHT_END}`);
        expect(hit.snippet).toContain(`${HIGHLIGHT_START}care${HIGHLIGHT_END}`);
      }
    });

    it('orders by publication time, not by when an entry was stored', async () => {
      await syncSources(store.db, [makeSource('a')], t0);
      const late = makeEntry('late', { title: 'Care, published latest', contentText: 'care', publishedAt: t0 + 10 * RANKED_MATCHES * minute });
      const half = RANKED_MATCHES / 2;
      // Stored mid-way among the newest RANKED_MATCHES matches: storage order would put it nowhere near the top.
      await store_('a', [...common('a', half), late, ...common('a', half, half)]);
      const hits = await searchEntries(store.db, 'care', 3);
      expect(hits.map((h) => h.title)).toEqual(['Care, published latest', `Post ${RANKED_MATCHES - 1} on care`, `Post ${RANKED_MATCHES - 2} on care`]);
    });

    it('still ranks by relevance below the bound: a title match beats a newer text-only one', async () => {
      await syncSources(store.db, [makeSource('a')], t0);
      await store_('a', [
        makeEntry('old', { title: 'Care teams', contentText: 'About care teams.', publishedAt: t0 }),
        makeEntry('new', { title: 'Weather', contentText: 'Rain, and a word on teams of care.', publishedAt: t0 + minute }),
      ]);
      const hits = await searchEntries(store.db, 'care teams', 10);
      expect(hits.map((h) => h.title)).toEqual(['Care teams', 'Weather']);
    });
  });
});
