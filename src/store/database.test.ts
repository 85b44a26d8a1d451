import { sql } from 'kysely';
import { afterEach, expect, it } from 'vitest';
import { describeOnPostgres, freshStore } from '../../test/helpers/store.js';
import type { OpenedStore } from './database.js';

describeOnPostgres('a PostgreSQL store', () => {
  let store: OpenedStore | undefined;
  afterEach(async () => {
    await store?.close();
  });

  it('opens its connections with JIT off, whichever connection of the pool a query gets', async () => {
    store = await freshStore('postgres');
    const db = store.db;
    const settings = await Promise.all(Array.from({ length: 4 }, () => sql<{ jit: string }>`SHOW jit`.execute(db)));
    expect(settings.map((result) => result.rows[0]?.jit)).toEqual(['off', 'off', 'off', 'off']);
    // The URL's own options (here the test's search_path) still hold.
    const schema = await sql<{ current_schema: string }>`SELECT current_schema()`.execute(db);
    expect(schema.rows[0]?.current_schema).toMatch(/^store_[0-9a-f]{12}$/);
  });
});
