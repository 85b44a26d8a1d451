import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freshStore, makeEntry, makeSource } from '../../test/helpers/store.js';
import { INDEX_BATCH, countPendingEntries, indexPendingEntries, openMigratedStore, saveFetch, searchEntries, syncSources, type OpenedStore } from './index.js';

let store: OpenedStore;
beforeEach(async () => {
  store = await freshStore();
});
afterEach(async () => {
  await store.close();
});

const t0 = Date.UTC(2026, 0, 1);
const hour = 3_600_000;
const success = (now: number, maxEntries = 200) => ({ now, durationMs: 5, nextPollAt: null, status: 200, maxEntries });

/** FTS5's own check of an external-content index against the entries table: throws when they differ. */
async function checkIndex(): Promise<void> {
  await sql`INSERT INTO entries_fts (entries_fts) VALUES ('integrity-check')`.execute(store.db);
}

async function matches(query: string): Promise<number> {
  const found = await sql<{ n: number }>`SELECT count(*) AS n FROM entries_fts WHERE entries_fts MATCH ${query}`.execute(store.db);
  return Number(found.rows[0]?.n);
}

describe('the full-text index settings (migration 0003)', () => {
  it('merges index segments 8 at a time', async () => {
    const setting = await sql<{ v: number }>`SELECT v FROM entries_fts_config WHERE k = 'automerge'`.execute(store.db);
    expect(setting.rows[0]?.v).toBe(8);
  });
});

describe('indexing in batches (migrations 0004 and 0005)', () => {
  it('queues new entries with a trigger instead of indexing them row by row', async () => {
    const triggers = await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name`.execute(store.db);
    expect(triggers.rows.map((r) => r.name)).toEqual(['entries_fts_delete', 'entries_fts_pending_insert', 'entries_fts_update']);
  });

  it('leaves new entries pending until indexPendingEntries, then finds every one', async () => {
    await syncSources(store.db, [makeSource('a'), makeSource('b')], t0);
    for (let fetch = 0; fetch < 20; fetch += 1) {
      for (const source of ['a', 'b']) {
        const entries = [0, 1, 2].map((i) =>
          makeEntry(`${source}-${fetch}-${i}`, { publishedAt: t0 + fetch * hour + i, contentText: `word${fetch} telehealth ${source}side` }),
        );
        await saveFetch(store.db, source, entries, success(t0 + fetch * hour));
      }
    }
    expect(await countPendingEntries(store.db)).toBe(120);
    expect(await matches('telehealth')).toBe(0);
    expect(await indexPendingEntries(store.db)).toBe(120);
    expect(await countPendingEntries(store.db)).toBe(0);
    expect(await matches('telehealth')).toBe(120);
    expect(await matches('aside')).toBe(60);
    expect(await matches('word7')).toBe(6);
    await checkIndex();
  });

  it('indexes the batch within the saved fetch that makes it INDEX_BATCH long', async () => {
    await syncSources(store.db, [makeSource('a')], t0);
    const entries = Array.from({ length: INDEX_BATCH + 5 }, (_, i) => makeEntry(`e${i}`, { publishedAt: t0 + i, contentText: 'caregiver' }));
    await saveFetch(store.db, 'a', entries, success(t0, INDEX_BATCH + 5));
    expect(await countPendingEntries(store.db)).toBe(0);
    expect(await matches('caregiver')).toBe(INDEX_BATCH + 5);
    await checkIndex();
  });

  it('keeps pending and indexed entries true to the table through updates and retention', async () => {
    await syncSources(store.db, [makeSource('a')], t0);
    const first = [1, 2, 3].map((i) => makeEntry(`e${i}`, { publishedAt: t0 + i * hour, contentText: `original${i} rural` }));
    await saveFetch(store.db, 'a', first, success(t0, 3));
    await indexPendingEntries(store.db);
    // e1 (indexed) changes, e4 and e5 are new; max_entries 3 drops the two oldest (e1 and e2).
    const second = [
      makeEntry('e1', { publishedAt: t0 + hour, contentText: 'rewritten1 rural' }),
      ...[4, 5].map((i) => makeEntry(`e${i}`, { publishedAt: t0 + i * hour, contentText: `fresh${i} rural` })),
    ];
    expect(await saveFetch(store.db, 'a', second, success(t0 + 10 * hour, 3))).toEqual({ added: 2, updated: 1, removed: 2 });
    await checkIndex();
    // e4 (still pending) changes, e6 is new, and e3 (indexed) and e4 (pending) fall out.
    const third = [
      makeEntry('e4', { publishedAt: t0 + 4 * hour, contentText: 'changed4 rural' }),
      makeEntry('e6', { publishedAt: t0 + 6 * hour, contentText: 'fresh6 rural' }),
      makeEntry('e7', { publishedAt: t0 + 7 * hour, contentText: 'fresh7 rural' }),
    ];
    await saveFetch(store.db, 'a', third, success(t0 + 20 * hour, 3));
    await checkIndex();
    await indexPendingEntries(store.db);
    await checkIndex();
    expect(await matches('rural')).toBe(3);
    expect(await matches('original1 OR rewritten1 OR original2 OR original3 OR fresh4 OR changed4')).toBe(0);
    const hits = await searchEntries(store.db, 'fresh7', 10);
    expect(hits.map((h) => h.link)).toEqual(['https://example.org/posts/e7']);
  });

  it('indexes what a stopped process left pending when the store opens again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'portal-fts-'));
    try {
      const file = join(dir, 'portal.db');
      const first = await openMigratedStore({ kind: 'sqlite', path: file });
      await syncSources(first.db, [makeSource('a')], t0);
      await saveFetch(first.db, 'a', [makeEntry('e1', { contentText: 'leftover' })], success(t0));
      expect(await countPendingEntries(first.db)).toBe(1);
      await first.close();
      const reopened = await openMigratedStore({ kind: 'sqlite', path: file });
      expect(await countPendingEntries(reopened.db)).toBe(0);
      expect((await searchEntries(reopened.db, 'leftover', 10)).length).toBe(1);
      await reopened.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
