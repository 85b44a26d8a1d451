import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freshStore, makeEntry, makeSource } from '../../test/helpers/store.js';
import { saveFetch, searchEntries, syncSources, type OpenedStore } from './index.js';

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

describe('indexing by saved fetch (migration 0004)', () => {
  it('has no per-row insert trigger left', async () => {
    const triggers = await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name`.execute(store.db);
    expect(triggers.rows.map((r) => r.name)).toEqual(['entries_fts_delete', 'entries_fts_update']);
  });

  it('indexes every new entry of a fetch, and only them, across many fetches and sources', async () => {
    await syncSources(store.db, [makeSource('a'), makeSource('b')], t0);
    for (let fetch = 0; fetch < 20; fetch += 1) {
      for (const source of ['a', 'b']) {
        const entries = [0, 1, 2].map((i) =>
          makeEntry(`${source}-${fetch}-${i}`, { publishedAt: t0 + fetch * hour + i, contentText: `word${fetch} telehealth ${source}side` }),
        );
        await saveFetch(store.db, source, entries, success(t0 + fetch * hour));
      }
    }
    expect(await matches('telehealth')).toBe(120);
    expect(await matches('aside')).toBe(60);
    expect(await matches('word7')).toBe(6);
    await checkIndex();
  });

  it('stays true to the table through updates and retention in the same fetch as new entries', async () => {
    await syncSources(store.db, [makeSource('a')], t0);
    const first = [1, 2, 3].map((i) => makeEntry(`e${i}`, { publishedAt: t0 + i * hour, contentText: `original${i} rural` }));
    await saveFetch(store.db, 'a', first, success(t0, 3));
    // e1 changes, e4 and e5 are new, and max_entries 3 drops the two oldest (e1 and e2).
    const second = [
      makeEntry('e1', { publishedAt: t0 + hour, contentText: 'rewritten1 rural' }),
      ...[4, 5].map((i) => makeEntry(`e${i}`, { publishedAt: t0 + i * hour, contentText: `fresh${i} rural` })),
    ];
    expect(await saveFetch(store.db, 'a', second, success(t0 + 10 * hour, 3))).toEqual({ added: 2, updated: 1, removed: 2 });
    await checkIndex();
    expect(await matches('rural')).toBe(3);
    expect(await matches('original1 OR rewritten1 OR original2')).toBe(0);
    const hits = await searchEntries(store.db, 'fresh5', 10);
    expect(hits.map((h) => h.link)).toEqual(['https://example.org/posts/e5']);
  });
});
