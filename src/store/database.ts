import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, type Migration, type MigrationProvider } from 'kysely';
import * as initial from '../../migrations/0001_initial.js';
import * as sourceFeedId from '../../migrations/0002_source_feed_id.js';
import * as ftsAutomerge from '../../migrations/0003_fts_automerge.js';
import * as ftsIndexPerFetch from '../../migrations/0004_fts_index_per_fetch.js';
import * as ftsIndexInBatches from '../../migrations/0005_fts_index_in_batches.js';
import * as sourceErrorKind from '../../migrations/0006_source_error_kind.js';
import * as sourceRetryAfter from '../../migrations/0007_source_retry_after.js';
import type { Database } from './schema.js';
import { indexPendingEntries } from './search-index.js';
import { cachingConnection } from './statement-cache.js';
import { messageOf } from '../core/errors.js';

export type Db = Kysely<Database>;

export interface OpenedStore {
  db: Db;
  /** The raw connection, for pragmas, integrity checks and backups. */
  sqlite: SqliteDatabase.Database;
  close: () => Promise<void>;
}

// Imported statically so the same list serves vitest, tsc's build and the bundled Docker image.
const MIGRATIONS: Record<string, Migration> = {
  '0001_initial': initial,
  '0002_source_feed_id': sourceFeedId,
  '0003_fts_automerge': ftsAutomerge,
  '0004_fts_index_per_fetch': ftsIndexPerFetch,
  '0005_fts_index_in_batches': ftsIndexInBatches,
  '0006_source_error_kind': sourceErrorKind,
  '0007_source_retry_after': sourceRetryAfter,
};

class StaticMigrationProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return MIGRATIONS;
  }
}

/** The page size of a new database file. */
export const PAGE_SIZE = 8192;

/** Opens (creating its folder if needed) the SQLite file, in WAL mode. ':memory:' works for tests. */
export function openStore(path: string): OpenedStore {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new SqliteDatabase(path);
  // Takes effect only while the file is new (before WAL and the first table); an existing file
  // keeps its page size. An entry's row is ~2.5 KB: a 4 KB page holds one and wastes the rest.
  sqlite.pragma(`page_size = ${PAGE_SIZE}`);
  sqlite.pragma('journal_mode = WAL');
  // NORMAL is durable across process crashes in WAL mode; only an OS crash may lose the last commit.
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: cachingConnection(sqlite) }) });
  return { db, sqlite, close: () => db.destroy() };
}

/** Applies pending migrations; throws with the failing migration's name. */
export async function migrateToLatest(db: Db): Promise<string[]> {
  const migrator = new Migrator({ db, provider: new StaticMigrationProvider() });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`store: migration ${failed} failed: ${messageOf(error)}`);
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/**
 * Opens the store and migrates it: what start-up, `npm run poll` and tests all do. Entries a
 * stopped process left waiting for the search index are indexed now.
 */
export async function openMigratedStore(path: string): Promise<OpenedStore> {
  const store = openStore(path);
  try {
    await migrateToLatest(store.db);
    await indexPendingEntries(store.db);
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}
