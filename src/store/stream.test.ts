import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeEachDatabase, freshStore, makeEntry, makeSource, seed } from '../../test/helpers/store.js';
import type { OpenedStore } from './database.js';
import {
  listStream,
  listStreamTeasers,
  type StreamEntry,
  type StreamQuery,
  type StreamTeaser,
} from './stream.js';

describeEachDatabase('the stream', (kind) => {
  let store: OpenedStore;
  beforeEach(async () => {
    store = await freshStore(kind);
    const t0 = Date.UTC(2026, 0, 1);
    // Pairs of entries share a publication time, so the id breaks ties at page edges.
    const entries = Array.from({ length: 23 }, (_, i) =>
      makeEntry(`e${i}`, { publishedAt: t0 + Math.floor(i / 2) * 3_600_000, author: i % 4 === 0 ? undefined : 'A. Writer' }),
    );
    await seed(
      store,
      [makeSource('a', { category: 'advocacy' }), makeSource('b', { category: 'government' }), makeSource('gone', { category: 'advocacy' })],
      { a: entries.filter((_, i) => i % 3 === 1), b: entries.filter((_, i) => i % 3 === 0), gone: entries.filter((_, i) => i % 3 === 2) },
    );
    // A source taken out of the feeds file: its entries stay stored but leave the stream.
    await store.db.updateTable('sources').set({ active: 0 }).where('id', '=', 'gone').execute();
  });
  afterEach(async () => {
    await store.close();
  });

  const teaserOf = (e: StreamEntry): StreamTeaser => ({
    id: e.id,
    sourceId: e.sourceId,
    sourceTitle: e.sourceTitle,
    title: e.title,
    link: e.link,
    author: e.author,
    publishedAt: e.publishedAt,
    excerpt: e.excerpt,
    sources: e.sources,
  });

  /** Every query shape: filters, no cursor, an older page, a newer page. */
  async function queries(): Promise<Omit<StreamQuery, 'withContent'>[]> {
    const first = await listStream(store.db, { limit: 4 });
    const second = await listStream(store.db, { limit: 4, before: first.older });
    const filters = [{}, { sourceId: 'a' }, { category: 'advocacy' }, { sourceId: 'b', category: 'government' }, { sourceId: 'gone' }];
    return filters.flatMap((filter) => [
      { ...filter, limit: 4 },
      { ...filter, limit: 4, before: first.older },
      { ...filter, limit: 4, after: second.newer },
      { ...filter, limit: 50 },
    ]);
  }

  describe('listStreamTeasers', () => {
    it('gives the very page listStream gives (entries, older and newer), with only what a page shows', async () => {
      for (const query of await queries()) {
        const full = await listStream(store.db, query);
        const teasers = await listStreamTeasers(store.db, query);
        expect(teasers).toEqual({ ...full, entries: full.entries.map(teaserOf) });
      }
    });

    it('reads only the teaser columns: no content, no feed-only fields', async () => {
      const { entries } = await listStreamTeasers(store.db, { limit: 1 });
      expect(Object.keys(entries[0] ?? {}).sort()).toEqual(
        ['author', 'excerpt', 'id', 'link', 'publishedAt', 'sourceId', 'sourceTitle', 'sources', 'title'].sort(),
      );
    });

    it('pages through every active entry and back by the cursors it gives', async () => {
      const seen: number[] = [];
      let page = await listStreamTeasers(store.db, { limit: 5 });
      seen.push(...page.entries.map((e) => e.id));
      while (page.older) {
        const previous = page;
        page = await listStreamTeasers(store.db, { limit: 5, before: page.older });
        seen.push(...page.entries.map((e) => e.id));
        const back = await listStreamTeasers(store.db, { limit: 5, after: page.newer });
        expect(back.entries).toEqual(previous.entries);
      }
      const active = await store.db.selectFrom('entries').select('id').where('source_id', '!=', 'gone').execute();
      expect([...seen].sort((x, y) => x - y)).toEqual(active.map((r) => r.id).sort((x, y) => x - y));
    });
  });
});
