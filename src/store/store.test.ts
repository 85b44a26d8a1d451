import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeEachDatabase, freshSqliteStore, freshStore, makeEntry, makeSource, seed } from '../../test/helpers/store.js';
import {
  getSource,
  indexPendingEntries,
  listActiveSources,
  listDueSources,
  listGoneSources,
  listPausedSources,
  listStream,
  readStreamVersion,
  recordFailure,
  saveFetch,
  RANKED_MATCHES,
  searchEntries,
  syncSources,
  toFtsQuery,
  type OpenedStore,
} from './index.js';

describeEachDatabase('the store', (kind) => {
  let store: OpenedStore;
  beforeEach(async () => {
    store = await freshStore(kind);
  });
  afterEach(async () => {
    await store.close();
  });

  const day = 86_400_000;
  const t0 = Date.UTC(2026, 0, 1);
  const success = (now: number) => ({ now, durationMs: 5, nextPollAt: null, status: 200, maxEntries: 200 });

  describe('saveFetch', () => {
    it('stores a fetch of more new entries than one INSERT takes, every one searchable', async () => {
      await syncSources(store.db, [makeSource('a')], t0);
      const entries = Array.from({ length: 2345 }, (_, i) => makeEntry(`big-${i}`, { title: `Big entry ${i}`, publishedAt: t0 - i * 1000 }));
      expect(await saveFetch(store.db, 'a', entries, { ...success(t0), maxEntries: 5000 })).toEqual({ added: 2345, updated: 0, removed: 0 });
      const ids = await store.db.selectFrom('entries').select('entry_id').orderBy('published_at', 'desc').execute();
      expect(ids.map((r) => r.entry_id)).toEqual(entries.map((e) => e.entryId));
      await indexPendingEntries(store.db);
      for (const last of ['0', '499', '500', '2344']) expect(await searchEntries(store.db, last, 10)).toHaveLength(1);
    });

    it('adds new entries once: a re-poll of the same content adds nothing', async () => {
      await syncSources(store.db, [makeSource('a')], t0);
      const entries = [makeEntry('1'), makeEntry('2')];
      expect(await saveFetch(store.db, 'a', entries, success(t0))).toEqual({ added: 2, updated: 0, removed: 0 });
      expect(await saveFetch(store.db, 'a', entries, success(t0 + 1))).toEqual({ added: 0, updated: 0, removed: 0 });
      const count = await store.db.selectFrom('entries').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      expect(Number(count.n)).toBe(2);
    });

    it('updates a changed entry in place, never duplicating it', async () => {
      await syncSources(store.db, [makeSource('a')], t0);
      await saveFetch(store.db, 'a', [makeEntry('1')], success(t0));
      const before = await store.db.selectFrom('entries').select(['id']).executeTakeFirstOrThrow();
      const outcome = await saveFetch(store.db, 'a', [makeEntry('1', { title: 'Corrected title' })], success(t0 + day));
      expect(outcome).toEqual({ added: 0, updated: 1, removed: 0 });
      const rows = await store.db.selectFrom('entries').select(['id', 'title', 'changed_at']).execute();
      expect(rows).toEqual([{ id: before.id, title: 'Corrected title', changed_at: t0 + day }]);
    });

    it('keeps the first stored date when the source gives none', async () => {
      await syncSources(store.db, [makeSource('a')], t0);
      await saveFetch(store.db, 'a', [makeEntry('1', { publishedAt: t0, publishedAtGuessed: true })], success(t0));
      await saveFetch(store.db, 'a', [makeEntry('1', { publishedAt: t0 + day, publishedAtGuessed: true, title: 'x' })], success(t0 + day));
      const row = await store.db.selectFrom('entries').select(['published_at', 'title']).executeTakeFirstOrThrow();
      expect(row).toEqual({ published_at: t0, title: 'x' });
    });

    it('stores every new entry of a fetch bigger than one insert statement, a repeated id once in its last version', async () => {
      await syncSources(store.db, [makeSource('a')], t0);
      const entries = Array.from({ length: 120 }, (_, i) => makeEntry(`e${i}`, { publishedAt: t0 - i * 1000 }));
      const repeated = makeEntry('e7', { title: 'Second version', publishedAt: t0 - 7000 });
      const outcome = await saveFetch(store.db, 'a', [...entries, repeated], success(t0));
      expect(outcome).toEqual({ added: 120, updated: 1, removed: 0 });
      const rows = await store.db.selectFrom('entries').select(['entry_id', 'title']).execute();
      expect(new Set(rows.map((r) => r.entry_id)).size).toBe(120);
      expect(rows.find((r) => r.entry_id === 'e7')?.title).toBe('Second version');
      await indexPendingEntries(store.db);
      expect((await searchEntries(store.db, 'second version', 10)).map((h) => h.title)).toEqual(['Second version']);
    });

    it('keeps only the newest maxEntries per source', async () => {
      await syncSources(store.db, [makeSource('a')], t0);
      const entries = [1, 2, 3, 4, 5].map((i) => makeEntry(String(i), { publishedAt: t0 + i * day }));
      const outcome = await saveFetch(store.db, 'a', entries, { ...success(t0), maxEntries: 3 });
      expect(outcome).toEqual({ added: 5, updated: 0, removed: 2 });
      const ids = (await store.db.selectFrom('entries').select('entry_id').orderBy('published_at').execute()).map((r) => r.entry_id);
      expect(ids).toEqual(['3', '4', '5']);
      expect((await getSource(store.db, 'a'))?.entry_count).toBe(3);
    });

    it('bumps the stream version only when something changed', async () => {
      await syncSources(store.db, [makeSource('a')], t0);
      const v0 = await readStreamVersion(store.db);
      await saveFetch(store.db, 'a', [makeEntry('1')], success(t0));
      const v1 = await readStreamVersion(store.db);
      await saveFetch(store.db, 'a', [makeEntry('1')], success(t0));
      expect(v1).toBeGreaterThan(v0);
      expect(await readStreamVersion(store.db)).toBe(v1);
    });
  });

  describe('sources', () => {
    it("keeps the feed's own title, link, icon and Atom id, and the stream carries the id", async () => {
      await syncSources(store.db, [makeSource('a')], t0);
      const feed = { id: 'tag:a.example.org,2024:blog', title: 'A blog', link: 'https://a.example.org/', icon: 'https://a.example.org/i.png' };
      await saveFetch(store.db, 'a', [makeEntry('1')], { ...success(t0), feed });
      const row = await getSource(store.db, 'a');
      expect([row?.feed_atom_id, row?.feed_title, row?.feed_link, row?.feed_icon]).toEqual([feed.id, feed.title, feed.link, feed.icon]);
      expect((await listStream(store.db, { limit: 1 })).entries[0]?.sourceFeedAtomId).toBe(feed.id);
    });

    it('deactivates a source removed from the file, and its entries leave the stream', async () => {
      await seed(store, [makeSource('a'), makeSource('b')], { a: [makeEntry('a1')], b: [makeEntry('b1')] });
      await syncSources(store.db, [makeSource('a')], t0);
      expect((await listActiveSources(store.db)).map((s) => s.id)).toEqual(['a']);
      const page = await listStream(store.db, { limit: 10 });
      expect(page.entries.map((e) => e.entryId)).toEqual(['a1']);
    });

    it('resets the fetch state when the feed URL changes', async () => {
      await syncSources(store.db, [makeSource('a')], t0);
      await recordFailure(store.db, 'a', { now: t0, durationMs: 1, nextPollAt: t0 + day, status: 410, error: 'gone', errorKind: 'gone', gone: true });
      expect(await listDueSources(store.db, t0 + 2 * day)).toEqual([]);
      await syncSources(store.db, [makeSource('a', { feed: 'https://a.example.org/new-feed' })], t0);
      const due = await listDueSources(store.db, t0);
      expect(due.map((s) => [s.id, s.gone, s.error_count])).toEqual([['a', 0, 0]]);
      // A new address is a new server: the old one's pause is no longer its business.
      await recordFailure(store.db, 'a', { now: t0, durationMs: 1, nextPollAt: t0 + day, status: 429, error: 'busy', errorKind: 'http', retryAfterUntil: t0 + day });
      await syncSources(store.db, [makeSource('a', { feed: 'https://a.example.org/newer-feed' })], t0);
      expect((await listDueSources(store.db, t0)).map((s) => [s.id, s.retry_after_until])).toEqual([['a', null]]);
    });

    it("keeps a server's Retry-After pause apart from the backoff: an operator's poll honours it, a forced one does not", async () => {
      await syncSources(store.db, [makeSource('paused'), makeSource('backing-off'), makeSource('gone')], t0);
      const failure = { now: t0, durationMs: 1, nextPollAt: t0 + day, error: 'x', errorKind: 'http' as const };
      await recordFailure(store.db, 'paused', { ...failure, status: 429, retryAfterUntil: t0 + 1000 });
      await recordFailure(store.db, 'backing-off', { ...failure, status: 500 });
      await recordFailure(store.db, 'gone', { ...failure, status: 410, errorKind: 'gone', nextPollAt: null, gone: true });
      const ids = (rows: { id: string }[]) => rows.map((row) => row.id);
      expect(ids(await listDueSources(store.db, t0))).toEqual([]);
      expect(ids(await listDueSources(store.db, t0, { ignoreSchedule: true }))).toEqual(['backing-off']);
      expect(ids(await listDueSources(store.db, t0, { ignoreSchedule: true, ignoreServerPause: true }))).toEqual(['paused', 'backing-off', 'gone']);
      expect(ids(await listPausedSources(store.db, t0))).toEqual(['paused']);
      // The pause ends when the server said; the backoff may last longer.
      expect(ids(await listDueSources(store.db, t0 + 1000, { ignoreSchedule: true }))).toEqual(['paused', 'backing-off']);
      expect(ids(await listPausedSources(store.db, t0 + 1000))).toEqual([]);
      expect(ids(await listDueSources(store.db, t0 + 1000))).toEqual([]);
    });

    it('an answer clears a pause and a 410\'s stop (a forced poll can reach a gone source)', async () => {
      await syncSources(store.db, [makeSource('paused'), makeSource('gone')], t0);
      const failure = { now: t0, durationMs: 1, nextPollAt: t0 + day, error: 'x', errorKind: 'http' as const };
      await recordFailure(store.db, 'paused', { ...failure, status: 503, retryAfterUntil: t0 + day });
      await recordFailure(store.db, 'gone', { ...failure, status: 410, errorKind: 'gone', nextPollAt: null, gone: true });
      for (const id of ['paused', 'gone']) await saveFetch(store.db, id, [], success(t0));
      expect(await listPausedSources(store.db, t0)).toEqual([]);
      expect(await listGoneSources(store.db)).toEqual([]);
      expect((await listDueSources(store.db, t0)).map((row) => [row.id, row.retry_after_until, row.gone])).toEqual([
        ['paused', null, 0],
        ['gone', null, 0],
      ]);
    });

    it('counts consecutive errors and honours the backoff time', async () => {
      await syncSources(store.db, [makeSource('a'), makeSource('link-only', { feed: undefined })], t0);
      await recordFailure(store.db, 'a', { now: t0, durationMs: 1, nextPollAt: t0 + 1000, status: 500, error: 'HTTP 500', errorKind: 'http' });
      await recordFailure(store.db, 'a', { now: t0, durationMs: 1, nextPollAt: t0 + 1000, status: 500, error: 'HTTP 500', errorKind: 'http' });
      expect((await getSource(store.db, 'a'))?.error_count).toBe(2);
      expect(await listDueSources(store.db, t0 + 999)).toEqual([]);
      expect((await listDueSources(store.db, t0 + 1000)).map((s) => s.id)).toEqual(['a']);
    });
  });

  describe('listStream', () => {
    async function seedMany(n: number) {
      const entries = Array.from({ length: n }, (_, i) => makeEntry(`e${i}`, { publishedAt: t0 + Math.floor(i / 2) * day }));
      await seed(store, [makeSource('a', { category: 'advocacy' }), makeSource('b', { category: 'government' })], {
        a: entries.filter((_, i) => i % 3 !== 0),
        b: entries.filter((_, i) => i % 3 === 0),
      });
    }

    it('pages through every entry newest first, with no gaps or repeats, and back', async () => {
      await seedMany(23);
      const seen: string[] = [];
      let page = await listStream(store.db, { limit: 5 });
      expect(page.newer).toBeUndefined();
      const pages = [page];
      seen.push(...page.entries.map((e) => e.entryId));
      while (page.older) {
        page = await listStream(store.db, { limit: 5, before: page.older });
        pages.push(page);
        seen.push(...page.entries.map((e) => e.entryId));
      }
      expect(seen).toHaveLength(23);
      expect(new Set(seen).size).toBe(23);
      const times = pages.flatMap((p) => p.entries.map((e) => e.publishedAt));
      expect([...times].sort((x, y) => y - x)).toEqual(times);
      // From the second page, "newer" leads back to exactly the first page.
      const second = pages[1]!;
      const back = await listStream(store.db, { limit: 5, after: second.newer });
      expect(back.entries.map((e) => e.id)).toEqual(pages[0]!.entries.map((e) => e.id));
      expect(back.newer).toBeUndefined();
      expect(back.older).toBeDefined();
    });

    it('filters by source and by category', async () => {
      await seedMany(9);
      const bySource = await listStream(store.db, { limit: 50, sourceId: 'b' });
      expect(bySource.entries.every((e) => e.sourceId === 'b')).toBe(true);
      expect(bySource.entries).toHaveLength(3);
      const byCategory = await listStream(store.db, { limit: 50, category: 'advocacy' });
      expect(byCategory.entries.map((e) => e.sourceId)).toEqual(Array(6).fill('a'));
    });

    it.runIf(kind === 'sqlite')('uses the newest-entries index, not a table scan', async () => {
      const sqlite = await freshSqliteStore();
      const plan = sqlite.sqlite
        .prepare(
          `EXPLAIN QUERY PLAN SELECT e.id FROM entries e JOIN sources s ON s.id = e.source_id
           WHERE s.active = 1 AND (e.published_at, e.id) < (1, 1) ORDER BY e.published_at DESC, e.id DESC LIMIT 51`,
        )
        .all() as { detail: string }[];
      await sqlite.close();
      const details = plan.map((p) => p.detail).join('\n');
      expect(details).toMatch(/entries_newest/);
      expect(details).not.toMatch(/TEMP B-TREE/);
    });
  });

  describe('search', () => {
    it('finds entries by words in title or text, ranked, with highlights', async () => {
      await seed(store, [makeSource('a')], {
        a: [
          makeEntry('1', { title: 'Patient portals and care teams', contentText: 'Shared decisions.' }),
          makeEntry('2', { title: 'Unrelated', contentText: 'Nothing about portals here but a mention of care.' }),
          makeEntry('3', { title: 'Weather', contentText: 'Rain.' }),
        ],
      });
      const hits = await searchEntries(store.db, 'care portals', 10);
      expect(hits.map((h) => h.title)).toEqual(['Patient portals and care teams', 'Unrelated']);
      expect(hits[0]!.titleHighlighted).toContain('\uE000portals\uE001');
    });

    it('keeps the index in sync on update and delete', async () => {
      await seed(store, [makeSource('a')], { a: [makeEntry('1', { title: 'Alpha' })] });
      await saveFetch(store.db, 'a', [makeEntry('1', { title: 'Beta' })], success(t0));
      expect(await searchEntries(store.db, 'alpha', 10)).toEqual([]);
      expect((await searchEntries(store.db, 'beta', 10)).length).toBe(1);
      await store.db.deleteFrom('entries').execute();
      expect(await searchEntries(store.db, 'beta', 10)).toEqual([]);
    });

    it('ranks only the most recently stored RANKED_MATCHES matches, so a common word costs the same at any size', async () => {
      const oldBest = makeEntry('old', { title: 'care care care', contentText: 'care care care' });
      const newer = Array.from({ length: RANKED_MATCHES }, (_, i) => makeEntry(`n${i}`, { title: `Post ${i}`, contentText: 'some care' }));
      await seed(store, [makeSource('a')], { a: [oldBest] });
      await saveFetch(store.db, 'a', newer, { ...success(t0), maxEntries: RANKED_MATCHES + 10 });
      await indexPendingEntries(store.db);
      const hits = await searchEntries(store.db, 'care', 10);
      expect(hits).toHaveLength(10);
      expect(hits.map((h) => h.title)).not.toContain('care care care');
      // Below the bound the best match still wins.
      await store.db.deleteFrom('entries').where('entry_id', 'like', 'n1%').execute();
      expect((await searchEntries(store.db, 'care', 10))[0]?.title).toBe('care care care');
    });

    it('treats FTS syntax and noise as plain words, never failing', async () => {
      await seed(store, [makeSource('a')], { a: [makeEntry('1', { title: 'NEAR care' })] });
      for (const input of ['"', 'care*', 'NEAR(care', 'title:care', ')(', '-care', '^', 'x'.repeat(500), '"; DROP TABLE entries; --', '']) {
        await expect(searchEntries(store.db, input, 10)).resolves.toBeInstanceOf(Array);
      }
      expect(toFtsQuery('a "b" c*')).toBe('"a" "b" "c"');
      expect((await searchEntries(store.db, 'care*', 10)).length).toBe(1);
    });
  });
});
