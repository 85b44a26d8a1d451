// Shared test helpers: a fresh migrated database of either kind, tests run on each, and
// entries/sources to fill it with.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, it } from 'vitest';
import type { SourceConfig } from '../../src/core/types.js';
import { migrateStore, openSqliteStore, type SqliteStore } from '../../src/store/database.js';
import {
  indexPendingEntries,
  openMigratedStore,
  saveFetch,
  syncSources,
  type DatabaseKind,
  type OpenedStore,
  type StoredEntryInput,
  type StoreTarget,
} from '../../src/store/index.js';

/** This run's PostgreSQL database (test/setup/postgres.ts), or why there is none. */
const postgresUrl = process.env.PORTAL_TEST_DATABASE_URL;
const postgresSkipped = process.env.PORTAL_TEST_POSTGRES_SKIPPED ?? 'no PostgreSQL database was set up for this run';

/** A fresh, migrated, empty store: SQLite in memory, or a PostgreSQL schema of its own (dropped at close). */
export async function freshStore(kind: DatabaseKind = 'sqlite'): Promise<OpenedStore> {
  if (kind === 'sqlite') return freshSqliteStore();
  const schema = await createTestSchema();
  const store = await openMigratedStore({ kind: 'postgres', url: schema.url });
  return {
    ...store,
    close: async () => {
      await store.close();
      await schema.drop();
    },
  };
}

/**
 * `count` stores on one fresh database, each with connections of its own, as separate processes
 * would have: a SQLite file in a temporary folder, or a PostgreSQL schema. `close` closes all.
 */
/**
 * An empty database that several connections (or a command under test) can open by its target:
 * a SQLite file in a temp folder, or a PostgreSQL schema of its own; cleanUp removes it.
 */
export async function freshTarget(kind: DatabaseKind): Promise<{ target: StoreTarget; cleanUp: () => Promise<void> }> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'portal-shared-'));
    return { target: { kind: 'sqlite', path: join(dir, 'portal.db') }, cleanUp: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const schema = await createTestSchema();
  return { target: { kind: 'postgres', url: schema.url }, cleanUp: schema.drop };
}

export async function freshSharedStores(kind: DatabaseKind, count: number): Promise<{ stores: OpenedStore[]; close: () => Promise<void> }> {
  const { target, cleanUp } = await freshTarget(kind);
  const stores: OpenedStore[] = [];
  for (let i = 0; i < count; i += 1) stores.push(await openMigratedStore(target));
  return {
    stores,
    close: async () => {
      for (const store of stores) await store.close();
      await cleanUp();
    },
  };
}

/** A fresh SQLite store in memory, with its raw handle for the tests that check SQLite itself. */
export function freshSqliteStore(): Promise<SqliteStore> {
  return migrateStore(openSqliteStore(':memory:'));
}

export interface TestSchema {
  /** The run's database URL with this schema as the search_path: a store opened on it lives there. */
  url: string;
  drop(): Promise<void>;
}

/** An empty schema of its own in this run's PostgreSQL database. */
export async function createTestSchema(): Promise<TestSchema> {
  const base = requirePostgres();
  const name = `store_${randomBytes(6).toString('hex')}`;
  await runSql(base, `CREATE SCHEMA ${name}`);
  const url = new URL(base);
  url.searchParams.set('options', `-c search_path=${name}`);
  return { url: url.toString(), drop: () => runSql(base, `DROP SCHEMA IF EXISTS ${name} CASCADE`) };
}

function requirePostgres(): string {
  if (postgresUrl === undefined) throw new Error(`PostgreSQL tests cannot run: ${postgresSkipped}`);
  return postgresUrl;
}

async function runSql(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/**
 * `describe(name)` once per database, the body given the kind. Without a PostgreSQL server its
 * run is skipped with the reason, except under CI=true, where it fails.
 */
export function describeEachDatabase(name: string, body: (kind: DatabaseKind) => void): void {
  describe(`${name} [sqlite]`, () => body('sqlite'));
  describeOnPostgres(name, () => body('postgres'));
}

/** `describe(name)` on PostgreSQL only: skipped with the reason where no server answers, failing under CI=true. */
export function describeOnPostgres(name: string, body: () => void): void {
  if (postgresUrl !== undefined) {
    describe(`${name} [postgres]`, body);
  } else if (process.env.CI === 'true') {
    describe(`${name} [postgres]`, () => {
      it('needs a PostgreSQL server', () => {
        throw new Error(`PostgreSQL tests must run under CI: ${postgresSkipped}`);
      });
    });
  } else {
    describe.skip(`${name} [postgres] (skipped: ${postgresSkipped})`, () => {
      it.skip('needs a PostgreSQL server', () => undefined);
    });
  }
}
export function makeSource(id: string, overrides: Partial<SourceConfig> = {}): SourceConfig {
  return {
    id,
    title: `Source ${id}`,
    site: `https://${id}.example.org/`,
    feed: `https://${id}.example.org/feed.xml`,
    description: `The ${id} blog.`,
    category: 'advocacy',
    ...overrides,
  };
}

export function makeEntry(entryId: string, overrides: Partial<StoredEntryInput> = {}): StoredEntryInput {
  const base: StoredEntryInput = {
    entryId,
    title: `Entry ${entryId}`,
    link: `https://example.org/posts/${entryId}`,
    author: 'A. Writer',
    publishedAt: Date.UTC(2026, 0, 1),
    categories: ['care'],
    enclosures: [],
    contentHtml: `<p>Text of ${entryId}</p>`,
    contentText: `Text of ${entryId}`,
    excerpt: `Text of ${entryId}`,
    contentHash: '',
    ...overrides,
  };
  return { ...base, contentHash: overrides.contentHash ?? hashOf(base) };
}

function hashOf(entry: StoredEntryInput): string {
  const { contentHash: _ignored, ...rest } = entry;
  return createHash('sha256').update(JSON.stringify(rest)).digest('hex');
}

/** Syncs the given sources and stores the given entries for each, as one successful fetch each. */
export async function seed(
  store: OpenedStore,
  sources: SourceConfig[],
  entriesBySource: Record<string, StoredEntryInput[]>,
  now = Date.UTC(2026, 5, 1),
): Promise<void> {
  await syncSources(store.db, sources, now);
  for (const [sourceId, entries] of Object.entries(entriesBySource)) {
    await saveFetch(store.db, sourceId, entries, { now, durationMs: 1, nextPollAt: null, status: 200, maxEntries: 200 });
  }
  // As a pass ends: everything stored is searchable.
  await indexPendingEntries(store.db);
}
