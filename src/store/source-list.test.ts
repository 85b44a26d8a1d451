import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeEachDatabase, freshStore, makeSource } from '../../test/helpers/store.js';
import type { OpenedStore } from './database.js';
import { listSourceSummaries } from './source-list.js';
import { listActiveSources, syncSources } from './sources.js';

describeEachDatabase('the source list', (kind) => {
  let store: OpenedStore;
  beforeEach(async () => {
    store = await freshStore(kind);
  });
  afterEach(async () => {
    await store.close();
  });

  describe('listSourceSummaries', () => {
    it('lists the active sources as listActiveSources does, in the feeds file order, with only the columns pages use', async () => {
      const now = Date.UTC(2026, 0, 1);
      await syncSources(store.db, [makeSource('c'), makeSource('a', { category: 'government' }), makeSource('b', { feed: undefined })], now);
      // Taken out of the feeds file: kept, no longer active.
      await syncSources(store.db, [makeSource('c'), makeSource('b', { feed: undefined })], now + 1);
      const full = await listActiveSources(store.db);
      const summaries = await listSourceSummaries(store.db);
      expect(summaries.map((s) => s.id)).toEqual(['c', 'b']);
      expect(summaries).toEqual(
        full.map(({ id, title, site_url, feed_url, description, category, entry_count }) => ({
          id,
          title,
          site_url,
          feed_url,
          description,
          category,
          entry_count,
        })),
      );
    });
  });
});
