// The store's database: a SQLite file (the default) or a PostgreSQL database (DATABASE_URL),
// opened, migrated and closed here. The repositories take the Kysely instance and stay neutral;
// where the two databases differ, a module asks databaseKindOf(db) (dialect.ts).
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type Migration, type MigrationProvider } from 'kysely';
import pg from 'pg';
import * as initial from '../../migrations/0001_initial.js';
import * as sourceFeedId from '../../migrations/0002_source_feed_id.js';
import * as ftsAutomerge from '../../migrations/0003_fts_automerge.js';
import * as ftsIndexPerFetch from '../../migrations/0004_fts_index_per_fetch.js';
import * as ftsIndexInBatches from '../../migrations/0005_fts_index_in_batches.js';
import * as sourceErrorKind from '../../migrations/0006_source_error_kind.js';
import * as sourceRetryAfter from '../../migrations/0007_source_retry_after.js';
import * as sourceClaims from '../../migrations/0008_source_claims.js';
import * as feedback from '../../migrations/0009_feedback.js';
import * as sourceIcons from '../../migrations/0011_source_icons.js';
import * as entryFolding from '../../migrations/0010_entry_folding.js';
import * as websub from '../../migrations/0012_websub.js';
import { databaseKindOf, type DatabaseKind } from './dialect.js';
import type { Database } from './schema.js';
import { indexPendingEntries } from './search-index.js';
import { cachingConnection } from './statement-cache.js';
import { messageOf } from '../core/errors.js';

export type Db = Kysely<Database>;

/** Where the store lives: a SQLite file (':memory:' for tests) or a PostgreSQL URL. */
export type StoreTarget = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };

/** The store the settings name: PostgreSQL when DATABASE_URL is set, else the SQLite file at DATABASE_PATH. */
export function storeTargetOf(settings: { databasePath: string; databaseUrl?: string }): StoreTarget {
  return settings.databaseUrl === undefined ? { kind: 'sqlite', path: settings.databasePath } : { kind: 'postgres', url: settings.databaseUrl };
}

export interface OpenedStore {
  db: Db;
  kind: DatabaseKind;
  close: () => Promise<void>;
}

/** A SQLite store with its raw connection, for pragmas and checks in tests and benches; the app never needs it. */
export interface SqliteStore extends OpenedStore {
  kind: 'sqlite';
  sqlite: SqliteDatabase.Database;
}

/** The store at `target`, not yet migrated. */
export function openStore(target: StoreTarget): OpenedStore {
  return target.kind === 'postgres' ? openPostgresStore(target.url) : openSqliteStore(target.path);
}

/** The page size of a new database file. */
export const PAGE_SIZE = 8192;

/** Opens (creating its folder if needed) the SQLite file, in WAL mode. ':memory:' works for tests. */
export function openSqliteStore(path: string): SqliteStore {
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
  return { db, kind: 'sqlite', sqlite, close: () => db.destroy() };
}

/**
 * A pool of connections to the PostgreSQL database at `url` (connections open on first use). pg
 * reads BIGINT as a string by default; here, and only for this pool, as a number: the store's
 * BIGINTs are milliseconds, ids and counts, all far below 2^53.
 */
function openPostgresStore(url: string): OpenedStore {
  // jit off: the portal's queries are short index walks, and PostgreSQL's JIT compiled them for
  // longer than they ran once their estimates passed jit_above_cost (bench/ANALYSIS.md, issue 18).
  // Added to the URL's own `options` (a search_path, say), which would otherwise replace it.
  const withJitOff = new URL(url);
  withJitOff.searchParams.set('options', `${withJitOff.searchParams.get('options') ?? ''} -c jit=off`.trim());
  const pool = new pg.Pool({
    connectionString: withJitOff.href,
    types: { getTypeParser: bigintAsNumber },
    // Without a limit a server that stops answering (a partition, not a refusal) held each request
    // and each pass forever. The limit covers the wait for a free connection too.
    connectionTimeoutMillis: connectTimeoutSeconds(withJitOff) * 1000,
    // An idle connection to a server gone away is found out, not kept until the OS gives up (hours).
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  });
  // A broken idle connection (a server restart) leaves the pool; without a listener it would end the process.
  pool.on('error', () => {});
  // So does one broken while checked out between two queries (inside a transaction): its next query
  // fails instead, the transaction rolls back with the connection, and the pool drops it on release.
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, kind: 'postgres', close: () => db.destroy() };
}

/** How long opening a connection may take: libpq's connect_timeout in the URL (seconds), else this. */
const DEFAULT_CONNECT_TIMEOUT_SECONDS = 10;

function connectTimeoutSeconds(url: URL): number {
  const given = Number(url.searchParams.get('connect_timeout'));
  return Number.isInteger(given) && given > 0 ? given : DEFAULT_CONNECT_TIMEOUT_SECONDS;
}

const bigintAsNumber = ((oid: number, format?: 'text' | 'binary') =>
  oid === pg.types.builtins.INT8 ? Number : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser;

/** A migration as ours are written: told which database it runs on, so it can make what that one needs. */
interface DialectMigration {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  up(db: Kysely<any>, dialect: DatabaseKind): Promise<void>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  down?(db: Kysely<any>, dialect: DatabaseKind): Promise<void>;
}

// Imported statically so the same list serves vitest, tsc's build and the bundled Docker image.
const MIGRATIONS: Record<string, DialectMigration> = {
  '0001_initial': initial,
  '0002_source_feed_id': sourceFeedId,
  '0003_fts_automerge': ftsAutomerge,
  '0004_fts_index_per_fetch': ftsIndexPerFetch,
  '0005_fts_index_in_batches': ftsIndexInBatches,
  '0006_source_error_kind': sourceErrorKind,
  '0007_source_retry_after': sourceRetryAfter,
  '0008_source_claims': sourceClaims,
  '0009_feedback': feedback,
  '0011_source_icons': sourceIcons,
  '0010_entry_folding': entryFolding,
  '0012_websub': websub,
};

class StaticMigrationProvider implements MigrationProvider {
  constructor(private readonly dialect: DatabaseKind) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    const withDialect = Object.entries(MIGRATIONS).map(([name, migration]): [string, Migration] => {
      const { up, down } = migration;
      return [name, { up: (db) => up(db, this.dialect), ...(down ? { down: (db) => down(db, this.dialect) } : {}) }];
    });
    return Object.fromEntries(withDialect);
  }
}

/**
 * Applies pending migrations; throws with the failing migration's name. On PostgreSQL Kysely's
 * Migrator holds an advisory lock while it reads what is applied and applies the rest, in one
 * transaction: processes starting at once apply each migration once, the others wait and find
 * nothing left to do.
 */
export async function migrateToLatest(db: Db): Promise<string[]> {
  const dialect = databaseKindOf(db);
  const migrator = new Migrator({
    db,
    provider: new StaticMigrationProvider(dialect),
    // Kysely looks for its own tables in every schema unless told one: name the store's own.
    ...(dialect === 'postgres' ? { migrationTableSchema: await currentSchema(db) } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`store: migration ${failed} failed: ${messageOf(error)}`);
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

async function currentSchema(db: Db): Promise<string> {
  const result = await sql<{ schema: string }>`SELECT current_schema() AS schema`.execute(db);
  const schema = result.rows[0]?.schema;
  if (!schema) throw new Error('store: the PostgreSQL search_path names no schema to create the tables in');
  return schema;
}

/**
 * Opens the store and migrates it: what start-up, `npm run poll` and tests all do. On SQLite,
 * entries a stopped process left waiting for the search index are indexed now.
 */
export function openMigratedStore(target: StoreTarget): Promise<OpenedStore> {
  return migrateStore(openStore(target));
}

/** How long a process starting beside another waits for that one's migrations on a SQLite file. */
const MIGRATION_WAIT_MS = 60_000;

/**
 * Runs `work` (the migrations) in one BEGIN IMMEDIATE on the SQLite file. Kysely takes no lock on
 * SQLite and runs its DDL outside a transaction, so processes starting at once on one file (a web
 * and a worker) would each apply the same migration: here the first takes the file's write lock,
 * the others wait for it, then find nothing left to do.
 */
async function underWriteLock<T>(sqlite: SqliteDatabase.Database, work: () => Promise<T>): Promise<T> {
  const busyTimeout = sqlite.pragma('busy_timeout', { simple: true }) as number;
  sqlite.pragma(`busy_timeout = ${MIGRATION_WAIT_MS}`);
  try {
    sqlite.exec('BEGIN IMMEDIATE');
    const result = await work();
    sqlite.exec('COMMIT');
    return result;
  } catch (error) {
    if (sqlite.inTransaction) sqlite.exec('ROLLBACK');
    throw error;
  } finally {
    sqlite.pragma(`busy_timeout = ${busyTimeout}`);
  }
}

/** Migrates a store just opened (see openMigratedStore); closes it when that fails. */
export async function migrateStore<Store extends OpenedStore>(store: Store): Promise<Store> {
  try {
    if ('sqlite' in store) await underWriteLock((store as OpenedStore as SqliteStore).sqlite, () => migrateToLatest(store.db));
    else await migrateToLatest(store.db);
    await indexPendingEntries(store.db);
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}
