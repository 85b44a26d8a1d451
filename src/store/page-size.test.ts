import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeEntry, makeSource } from '../../test/helpers/store.js';
import { PAGE_SIZE, migrateStore, openSqliteStore } from './database.js';
import { saveFetch, syncSources } from './index.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'portal-page-size-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const t0 = Date.UTC(2026, 0, 1);

describe('the page size of the database file', () => {
  it('is PAGE_SIZE for a new file, in WAL mode', async () => {
    const store = await migrateStore(openSqliteStore(join(dir, 'new.db')));
    try {
      expect(PAGE_SIZE).toBe(8192);
      expect(store.sqlite.pragma('page_size', { simple: true })).toBe(PAGE_SIZE);
      expect(store.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      await store.close();
    }
  });

  it('stays as it was for a file made before (4 KB pages), which opens, migrates and stores as before', async () => {
    const path = join(dir, 'old.db');
    const old = new SqliteDatabase(path);
    old.pragma('page_size = 4096');
    old.pragma('journal_mode = WAL');
    old.exec('CREATE TABLE made_before (id INTEGER PRIMARY KEY)');
    old.close();

    const store = await migrateStore(openSqliteStore(path));
    try {
      expect(store.sqlite.pragma('page_size', { simple: true })).toBe(4096);
      await syncSources(store.db, [makeSource('a')], t0);
      const outcome = await saveFetch(store.db, 'a', [makeEntry('one', { publishedAt: t0 })], {
        now: t0,
        durationMs: 1,
        nextPollAt: null,
        status: 200,
        maxEntries: 10,
      });
      expect(outcome.added).toBe(1);
      expect(store.sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      await store.close();
    }
  });
});
