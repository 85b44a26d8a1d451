// Kysely with SQLite's compiler and no connection: read queries of a fixed shape are compiled once
// with it, when their module loads, instead of being built and compiled on every call (building and
// compiling costs ~0.05-0.2 ms a query, often more than SQLite takes to run it).
import { DummyDriver, Kysely, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler } from 'kysely';
import type { Db } from './database.js';
import type { Database } from './schema.js';

/** Compiles, never runs: its driver has no database. */
export const SQL_ONLY: Db = new Kysely<Database>({
  dialect: {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new SqliteIntrospector(db),
    createQueryCompiler: () => new SqliteQueryCompiler(),
  },
});
