import { afterEach, beforeEach, expect, it } from 'vitest';
import * as entryFolding from '../../migrations/0010_entry_folding.js';
import { describeEachDatabase, freshStore, makeEntry, makeSource, seed } from '../../test/helpers/store.js';
import type { OpenedStore } from './database.js';
import { indexPendingEntries } from './search-index.js';
import { saveFetch } from './entries.js';
import { searchEntries } from './search.js';
import { listHomeTeasers, listStream, listStreamTeasers } from './stream.js';

const T0 = Date.UTC(2026, 4, 1, 12);
const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 5, 1);

describeEachDatabase('one post once', (kind) => {
  let store: OpenedStore;
  beforeEach(async () => {
    store = await freshStore(kind);
  });
  afterEach(async () => {
    await store.close();
  });

  const sources = [
    makeSource('alpha', { title: 'Alpha', category: 'advocacy' }),
    makeSource('beta', { title: 'Beta', category: 'government' }),
    makeSource('gamma', { title: 'Gamma', category: 'advocacy' }),
  ];

  /** Alpha stores first; beta carries two of its posts (one by link, one by title) and one only alike. */
  async function seedShared(): Promise<void> {
    await seed(store, sources, {
      alpha: [
        makeEntry('a-link', { title: 'Patients as partners', link: 'https://news.example.org/story/1', publishedAt: T0 }),
        makeEntry('a-title', { title: 'Open notes arrive in Minnesota', link: 'https://alpha.example.org/open-notes', publishedAt: T0 + HOUR }),
        makeEntry('a-old', { title: 'Weekly roundup', link: 'https://alpha.example.org/roundup-1', publishedAt: T0 + 2 * HOUR }),
      ],
      beta: [
        makeEntry('b-link', { title: 'Patients are partners now', link: 'HTTPS://News.Example.org/story/1/?utm_source=rss&utm_medium=feed#top', publishedAt: T0 + 5 * HOUR }),
        makeEntry('b-title', { title: 'OPEN NOTES arrive in  Minnesota!', link: 'https://beta.example.org/2026/open-notes', publishedAt: T0 + 30 * HOUR }),
        makeEntry('b-later', { title: 'Weekly Roundup', link: 'https://beta.example.org/roundup', publishedAt: T0 + 2 * HOUR + 72 * HOUR }),
      ],
    });
  }

  const titles = (entries: { title: string }[]) => entries.map((e) => e.title).sort();

  it('shows a post carried by two sources once, under the first, crediting both in order', async () => {
    await seedShared();
    const { entries } = await listStream(store.db, { limit: 50 });
    expect(titles(entries)).toEqual(['Open notes arrive in Minnesota', 'Patients as partners', 'Weekly Roundup', 'Weekly roundup']);
    const credits = Object.fromEntries(entries.map((e) => [e.entryId, e.sources?.map((s) => s.id)]));
    expect(credits).toEqual({ 'a-link': ['alpha', 'beta'], 'a-title': ['alpha', 'beta'], 'a-old': ['alpha'], 'b-later': ['beta'] });
    expect(entries.find((e) => e.entryId === 'a-link')?.sources).toEqual([
      { id: 'alpha', title: 'Alpha' },
      { id: 'beta', title: 'Beta' },
    ]);
  });

  it('keeps each source its own entries when the stream is filtered to it', async () => {
    await seedShared();
    const beta = await listStreamTeasers(store.db, { sourceId: 'beta', limit: 50 });
    expect(beta.entries.map((e) => e.link).length).toBe(3);
    expect(beta.entries.find((e) => e.title === 'Patients are partners now')?.sources?.map((s) => s.id)).toEqual(['alpha', 'beta']);
  });

  it('shows the copy in the category asked for when the first is in another', async () => {
    await seedShared();
    const government = await listStreamTeasers(store.db, { category: 'government', limit: 50 });
    expect(titles(government.entries)).toEqual(['OPEN NOTES arrive in  Minnesota!', 'Patients are partners now', 'Weekly Roundup']);
    const advocacy = await listStreamTeasers(store.db, { category: 'advocacy', limit: 50 });
    expect(titles(advocacy.entries)).toEqual(['Open notes arrive in Minnesota', 'Patients as partners', 'Weekly roundup']);
  });

  it('finds a post once in search, crediting every source', async () => {
    await seedShared();
    for (const query of ['open notes minnesota', 'partners']) {
      const hits = await searchEntries(store.db, query, 10);
      expect(hits).toHaveLength(1);
      expect(hits[0]?.sources?.map((s) => s.id)).toEqual(['alpha', 'beta']);
    }
  });

  it('never folds a source with itself', async () => {
    await seed(store, sources, {
      alpha: [
        makeEntry('one', { title: 'Same title', link: 'https://alpha.example.org/1', publishedAt: T0 }),
        makeEntry('two', { title: 'Same title', link: 'https://alpha.example.org/1/', publishedAt: T0 + HOUR }),
      ],
    });
    expect((await listStream(store.db, { limit: 50 })).entries).toHaveLength(2);
  });

  it('shows the next copy when the first source leaves the feeds file', async () => {
    await seedShared();
    await store.db.updateTable('sources').set({ active: 0 }).where('id', '=', 'alpha').execute();
    const { entries } = await listStream(store.db, { limit: 50 });
    expect(entries.map((e) => e.entryId).sort()).toEqual(['b-later', 'b-link', 'b-title']);
    expect(entries.every((e) => e.sources?.length === 1)).toBe(true);
  });

  it('moves the group to its next entry when retention deletes the first', async () => {
    const shared = (id: string, publishedAt: number) => makeEntry(id, { title: 'A shared post', link: 'https://news.example.org/shared', publishedAt });
    await seed(store, sources, {
      alpha: [shared('a', T0)],
      beta: [shared('b', T0 + HOUR)],
      gamma: [shared('c', T0 + 2 * HOUR)],
    });
    // A newer alpha entry, keeping one: alpha's copy of the shared post goes.
    await saveFetch(store.db, 'alpha', [makeEntry('a-new', { title: 'Newer', link: 'https://alpha.example.org/new', publishedAt: T0 + 9 * HOUR })], {
      now: NOW + 1,
      durationMs: 1,
      nextPollAt: null,
      status: 200,
      maxEntries: 1,
    });
    const { entries } = await listStream(store.db, { limit: 50 });
    expect(entries.map((e) => e.entryId)).toEqual(['a-new', 'b']);
    expect(entries[1]?.sources?.map((s) => s.id)).toEqual(['beta', 'gamma']);
    const rows = await store.db.selectFrom('entries').select(['entry_id', 'duplicate_of']).orderBy('id').execute();
    const idOf = (await store.db.selectFrom('entries').select('id').where('entry_id', '=', 'b').executeTakeFirstOrThrow()).id;
    expect(rows.map((r) => [r.entry_id, r.duplicate_of])).toEqual([
      ['b', null],
      ['c', idOf],
      ['a-new', null],
    ]);
  });

  it('pages through a folded stream by its cursors, each post once, and back', async () => {
    const posts = Array.from({ length: 12 }, (_, i) => ({ title: `Post number ${i}`, link: `https://news.example.org/${i}`, publishedAt: T0 + i * HOUR }));
    await seed(store, sources, {
      alpha: posts.map((p, i) => makeEntry(`a${i}`, p)),
      beta: posts.filter((_, i) => i % 2 === 0).map((p, i) => makeEntry(`b${i}`, { ...p, publishedAt: p.publishedAt + 1 })),
      gamma: [makeEntry('g', { title: 'Only gamma', link: 'https://gamma.example.org/g', publishedAt: T0 + 5 * HOUR + 1 })],
    });
    const seen: string[] = [];
    let page = await listStreamTeasers(store.db, { limit: 4 });
    seen.push(...page.entries.map((e) => e.title));
    while (page.older) {
      const previous = page;
      page = await listStreamTeasers(store.db, { limit: 4, before: page.older });
      seen.push(...page.entries.map((e) => e.title));
      expect((await listStreamTeasers(store.db, { limit: 4, after: page.newer })).entries).toEqual(previous.entries);
    }
    expect(seen).toHaveLength(13);
    expect(new Set(seen).size).toBe(13);
  });

  it('groups the rows stored before migration 0010 the same way', async () => {
    await seedShared();
    const before = await store.db.selectFrom('entries').select(['entry_id', 'link_key', 'title_key', 'duplicate_of']).orderBy('id').execute();
    await entryFolding.down(store.db);
    await entryFolding.up(store.db, kind);
    const after = await store.db.selectFrom('entries').select(['entry_id', 'link_key', 'title_key', 'duplicate_of']).orderBy('id').execute();
    expect(after).toEqual(before);
    expect(before.filter((r) => r.duplicate_of !== null).map((r) => r.entry_id)).toEqual(['b-link', 'b-title']);
  });
});

describeEachDatabase('a fair home page', (kind) => {
  let store: OpenedStore;
  beforeEach(async () => {
    store = await freshStore(kind);
  });
  afterEach(async () => {
    await store.close();
  });

  it('shows at most perSource entries of a source that posted in a burst, and counts the rest', async () => {
    const entry = (source: string, i: number, publishedAt: number) =>
      makeEntry(`${source}${i}`, { title: `${source} post ${i}`, link: `https://${source}.example.org/${i}`, publishedAt });
    await seed(store, [makeSource('burst'), makeSource('calm'), makeSource('quiet')], {
      burst: Array.from({ length: 10 }, (_, i) => entry('burst', i, T0 + 100 * HOUR + i)),
      calm: Array.from({ length: 3 }, (_, i) => entry('calm', i, T0 + i * HOUR)),
      quiet: [entry('quiet', 0, T0 - HOUR)],
    });
    await indexPendingEntries(store.db);
    const page = await listHomeTeasers(store.db, { limit: 5, perSource: 2 });
    expect(page.entries.map((e) => e.title)).toEqual(['burst post 9', 'burst post 8', 'calm post 2', 'calm post 1', 'quiet post 0']);
    expect(page.entries.map((e) => e.moreFromSource)).toEqual([undefined, 8, undefined, 1, undefined]);
    expect(page.hasMore).toBe(true);
    const roomy = await listHomeTeasers(store.db, { limit: 20, perSource: 20 });
    expect(roomy.entries).toHaveLength(14);
    expect(roomy.hasMore).toBe(false);
  });

  it("says exactly how many entries a capped source's own stream has past the shown ones, past 99 and after pruning", async () => {
    const entry = (i: number) => makeEntry(`busy${i}`, { title: `busy post ${i}`, link: `https://busy.example.org/${i}`, publishedAt: T0 + i });
    await seed(store, [makeSource('busy')], { busy: Array.from({ length: 150 }, (_, i) => entry(i)) });
    const ownStream = async () => (await listStreamTeasers(store.db, { sourceId: 'busy', limit: 500 })).entries.length;
    const page = await listHomeTeasers(store.db, { limit: 5, perSource: 3 });
    expect(page.entries.map((e) => e.moreFromSource)).toEqual([undefined, undefined, (await ownStream()) - 3]);
    expect(page.entries[2]?.moreFromSource).toBe(147);
    // A save that keeps only the newest 120 leaves 117 more, not the 147 counted before.
    await saveFetch(store.db, 'busy', [entry(150)], { now: Date.UTC(2026, 5, 2), durationMs: 1, nextPollAt: null, status: 200, maxEntries: 120 });
    const pruned = await listHomeTeasers(store.db, { limit: 5, perSource: 3 });
    expect(await ownStream()).toBe(120);
    expect(pruned.entries[2]?.moreFromSource).toBe(117);
  });
});
