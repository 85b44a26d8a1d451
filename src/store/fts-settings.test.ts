import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { freshStore } from '../../test/helpers/store.js';

describe('the full-text index settings (migration 0003)', () => {
  it('merges index segments 8 at a time, and search still finds new entries', async () => {
    const store = await freshStore();
    try {
      const setting = await sql<{ v: number }>`SELECT v FROM entries_fts_config WHERE k = 'automerge'`.execute(store.db);
      expect(setting.rows[0]?.v).toBe(8);
      await sql`INSERT INTO sources (id, title, site_url, created_at) VALUES ('s', 'S', 'https://e.org/', 0)`.execute(store.db);
      for (let i = 0; i < 20; i += 1) {
        await sql`INSERT INTO entries (source_id, entry_id, title, link, published_at, first_seen_at, changed_at, content_html, content_text, excerpt, content_hash)
          VALUES ('s', ${`e${i}`}, ${`Title ${i}`}, '', ${i}, 0, 0, '', ${`word${i} telehealth`}, '', '')`.execute(store.db);
      }
      const found = await sql<{ n: number }>`SELECT count(*) AS n FROM entries_fts WHERE entries_fts MATCH 'telehealth'`.execute(store.db);
      expect(found.rows[0]?.n).toBe(20);
    } finally {
      await store.close();
    }
  });
});
