import { createServer, type AddressInfo, type Socket } from 'node:net';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { describeOnPostgres, freshStore, makeEntry, makeSource } from '../../test/helpers/store.js';
import { openStore, type Db, type OpenedStore } from './database.js';
import { saveFetch } from './entries.js';
import { pingDatabase, refreshPlannerStatistics } from './meta.js';
import { syncSources } from './sources.js';

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

describeOnPostgres("the planner's statistics on PostgreSQL", () => {
  let store: OpenedStore | undefined;
  afterEach(async () => {
    await store?.close();
  });

  /** The table's row estimate, which ANALYZE sets (-1 before the first). */
  async function estimatedRows(db: Db, table: string): Promise<number> {
    const result = await sql<{ n: number }>`SELECT reltuples::int AS n FROM pg_class WHERE oid = to_regclass(${table})`.execute(db);
    return Number(result.rows[0]?.n);
  }

  it('ANALYZEs entries and sources once they grew by half (and 200 rows) since their last ANALYZE, and not again until they grow', async () => {
    store = await freshStore('postgres');
    // One connection: it writes, then tells PostgreSQL to publish its row counts now rather than within 10 s.
    await store.db.connection().execute(async (db) => {
      await syncSources(db, Array.from({ length: 300 }, (_, i) => makeSource(`s${i}`)), Date.UTC(2026, 5, 1));
      await sql`SELECT pg_stat_force_next_flush()`.execute(db);
    });
    const db = store.db;
    expect(await estimatedRows(db, 'sources')).toBe(-1);
    expect(await refreshPlannerStatistics(db)).toEqual(['sources']);
    expect(await estimatedRows(db, 'sources')).toBe(300);
    expect(await refreshPlannerStatistics(db)).toEqual([]);

    await store.db.connection().execute(async (one) => {
      const entries = Array.from({ length: 250 }, (_, i) => makeEntry(`e${i}`, { link: `https://s0.example.org/${i}`, title: `Post ${i}` }));
      await saveFetch(one, 's0', entries, { now: Date.UTC(2026, 5, 1), durationMs: 1, nextPollAt: null, status: 200, maxEntries: 1000 });
      await sql`SELECT pg_stat_force_next_flush()`.execute(one);
    });
    expect(await refreshPlannerStatistics(db)).toEqual(['entries']);
    expect(await estimatedRows(db, 'entries')).toBe(250);
    expect(await refreshPlannerStatistics(db)).toEqual([]);
  });

  it('ANALYZEs a table of a few rows that was never analyzed (autovacuum never would), once', async () => {
    store = await freshStore('postgres');
    expect(await refreshPlannerStatistics(store.db)).toEqual([]);
    await store.db.connection().execute(async (db) => {
      await syncSources(db, ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((id) => makeSource(id)), Date.UTC(2026, 5, 1));
      await sql`SELECT pg_stat_force_next_flush()`.execute(db);
    });
    expect(await refreshPlannerStatistics(store.db)).toEqual(['sources']);
    expect(await estimatedRows(store.db, 'sources')).toBe(7);
    expect(await refreshPlannerStatistics(store.db)).toEqual([]);
  });
});

describe('a PostgreSQL server that stops answering', () => {
  it("fails a query once the URL's connect_timeout has passed, instead of holding it forever", async () => {
    // Accepts the connection and never says a word: a server behind a partition.
    const sockets: Socket[] = [];
    const silent = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((done) => silent.listen(0, '127.0.0.1', done));
    const { port } = silent.address() as AddressInfo;
    const store = openStore({ kind: 'postgres', url: `postgres://portal@127.0.0.1:${port}/portal?connect_timeout=1` });
    try {
      const started = Date.now();
      await expect(pingDatabase(store.db)).rejects.toThrow(/timeout/i);
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);
      expect(sockets.length).toBe(1);
    } finally {
      await store.close();
      for (const socket of sockets) socket.destroy();
      await new Promise((done) => silent.close(done));
    }
  });
});
