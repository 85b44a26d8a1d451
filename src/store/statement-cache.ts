// Kysely's SQLite driver prepares every query anew; SQLite then re-parses and re-plans the same SQL
// each time (about a third of an uncached page's store time, and of a saved fetch's). This hands
// Kysely a connection whose prepare() reuses statements by SQL text, so call sites stay plain Kysely.
// It also makes every transaction BEGIN IMMEDIATE (see WRITE_TRANSACTION).
import type SqliteDatabase from 'better-sqlite3';
import type { SqliteDatabase as KyselySqliteDatabase } from 'kysely';

/** Distinct SQL texts kept; past it the least recently used goes. Multi-row inserts make up to 50 shapes. */
export const STATEMENT_CACHE_SIZE = 256;

export interface CachingConnection extends KyselySqliteDatabase {
  /** How many statements are held now (for tests). */
  readonly cachedStatements: number;
}

/**
 * The store's transactions all write. A deferred BEGIN (Kysely's) that reads first fails at once
 * with SQLITE_BUSY_SNAPSHOT when another process (a web and a worker on one file) wrote since it
 * read; BEGIN IMMEDIATE takes the write lock first and waits its turn (busy_timeout) instead.
 */
const WRITE_TRANSACTION: Readonly<Record<string, string>> = { begin: 'begin immediate' };

export function cachingConnection(sqlite: SqliteDatabase.Database, capacity = STATEMENT_CACHE_SIZE): CachingConnection {
  const statements = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(text: string) {
      const sql = WRITE_TRANSACTION[text] ?? text;
      const cached = statements.get(sql);
      // A statement still being iterated cannot run again: such a caller gets a fresh one.
      if (cached && !cached.busy) {
        statements.delete(sql);
        statements.set(sql, cached);
        return cached;
      }
      const statement = sqlite.prepare(sql);
      if (cached) return statement;
      statements.set(sql, statement);
      if (statements.size > capacity) statements.delete(statements.keys().next().value as string);
      return statement;
    },
    get cachedStatements() {
      return statements.size;
    },
  };
}
