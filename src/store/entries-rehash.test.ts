import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeEachDatabase, freshStore, makeEntry, makeSource } from '../../test/helpers/store.js';
import { readStreamVersion, saveFetch, syncSources, type OpenedStore } from './index.js';

const t0 = Date.UTC(2026, 0, 2);
const success = (now: number) => ({ now, durationMs: 5, nextPollAt: now + 60_000, status: 200, maxEntries: 200 });

describeEachDatabase('rehashed entries', (kind) => {
  let store: OpenedStore;
  beforeEach(async () => {
    store = await freshStore(kind);
    await syncSources(store.db, [makeSource('a')], t0);
  });
  afterEach(async () => {
    await store.close();
  });

  describe('saveFetch with a new hash but the same content', () => {
    it('keeps the new hash and changes nothing a reader sees (no update, no changed_at, same stream version)', async () => {
      await saveFetch(store.db, 'a', [makeEntry('1', { contentHash: 'old-formula' })], success(t0));
      const version = await readStreamVersion(store.db);
      const outcome = await saveFetch(store.db, 'a', [makeEntry('1', { contentHash: 'new-formula' })], success(t0 + 1000));
      expect(outcome).toEqual({ added: 0, updated: 0, removed: 0 });
      const row = await store.db.selectFrom('entries').select(['content_hash', 'changed_at']).executeTakeFirstOrThrow();
      expect(row).toEqual({ content_hash: 'new-formula', changed_at: t0 });
      expect(await readStreamVersion(store.db)).toBe(version);
    });

    it('still updates an entry whose visible content changed with its hash', async () => {
      await saveFetch(store.db, 'a', [makeEntry('1', { contentHash: 'h1' })], success(t0));
      const outcome = await saveFetch(store.db, 'a', [makeEntry('1', { contentHash: 'h2', contentText: 'Other words' })], success(t0 + 1000));
      expect(outcome.updated).toBe(1);
      const row = await store.db.selectFrom('entries').select(['content_text', 'changed_at']).executeTakeFirstOrThrow();
      expect(row).toEqual({ content_text: 'Other words', changed_at: t0 + 1000 });
    });
  });
});
