import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createTestSchema, describeOnPostgres, freshStore, type TestSchema } from '../../test/helpers/store.js';
import { migrateToLatest, openStore, type OpenedStore } from './index.js';

const run = promisify(execFile);
const MIGRATE = fileURLToPath(new URL('../../test/fixtures/store/migrate.ts', import.meta.url));
const ALL_MIGRATIONS = 12;

describeOnPostgres('migrations applied by several processes starting at once', () => {
  let schema: TestSchema;
  beforeEach(async () => {
    schema = await createTestSchema();
  });
  afterEach(async () => {
    await schema.drop();
  });

  async function appliedInDatabase(): Promise<string[]> {
    const store = openStore({ kind: 'postgres', url: schema.url });
    try {
      const rows = await sql<{ name: string }>`SELECT name FROM kysely_migration ORDER BY name`.execute(store.db);
      return rows.rows.map((row) => row.name);
    } finally {
      await store.close();
    }
  }

  it('applies each migration once when several connections migrate a fresh database together', async () => {
    const stores = Array.from({ length: 6 }, () => openStore({ kind: 'postgres', url: schema.url }));
    try {
      const applied = await Promise.all(stores.map((store) => migrateToLatest(store.db)));
      expect(applied.flat()).toHaveLength(ALL_MIGRATIONS);
      expect(applied.filter((names) => names.length > 0)).toHaveLength(1);
      expect(await appliedInDatabase()).toEqual([...applied.flat()].sort());
    } finally {
      await Promise.all(stores.map((store) => store.close()));
    }
  });

  it('applies each migration once when several processes start on a fresh database together', async () => {
    const processes = Array.from({ length: 4 }, () => run(process.execPath, ['--import', 'tsx', MIGRATE, schema.url], { timeout: 60_000 }));
    const applied = (await Promise.all(processes)).map((done) => JSON.parse(done.stdout) as string[]);
    expect(applied.flat()).toHaveLength(ALL_MIGRATIONS);
    expect(applied.filter((names) => names.length > 0)).toHaveLength(1);
    expect(await appliedInDatabase()).toHaveLength(ALL_MIGRATIONS);
  });
});

const PRIMARY_KEYS = new Set(['sources.id', 'entries.id', 'poll_runs.id', 'meta.key', 'feedback_responses.id', 'feedback_posts.id', 'secrets.name', 'source_icons.source_id', 'websub_subscriptions.token']);
const TABLES = ['entries', 'feedback_posts', 'feedback_responses', 'meta', 'poll_runs', 'secrets', 'source_icons', 'sources', 'websub_subscriptions'];

describeOnPostgres('the schema, against SQLite\'s', () => {
  let stores: OpenedStore[] = [];
  afterEach(async () => {
    await Promise.all(stores.map((store) => store.close()));
    stores = [];
  });

  /**
   * Each table's columns in order, with whether they may be null. A primary key counts as not
   * null: SQLite lets a TEXT PRIMARY KEY hold NULL (an old quirk kept for compatibility), and the
   * store never writes one.
   */
  async function columnsOf(store: OpenedStore) {
    const tables = await store.db.introspection.getTables();
    const ours = tables.filter((table) => TABLES.includes(table.name));
    return Object.fromEntries(
      ours
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((table) => [table.name, table.columns.filter((c) => c.name !== 'search_document').map((c) => `${c.name}${c.isNullable && !PRIMARY_KEYS.has(`${table.name}.${c.name}`) ? '?' : ''}`)]),
    );
  }

  it('has the same tables, column names, order and nullability on PostgreSQL as on SQLite', async () => {
    stores = [await freshStore('sqlite'), await freshStore('postgres')];
    const [onSqlite, onPostgres] = await Promise.all(stores.map(columnsOf));
    expect(Object.keys(onSqlite ?? {})).toEqual(TABLES);
    expect(onPostgres).toEqual(onSqlite);
  });
});
