// Which database a Kysely instance talks to, for the few modules that keep a version per database
// (search, its index, claims). The adapter was chosen once, when the store was opened.
import { PostgresAdapter, type DialectAdapter } from 'kysely';

export type DatabaseKind = 'sqlite' | 'postgres';

/** Which database `db` (a Kysely instance or a transaction of it) talks to. */
export function databaseKindOf(db: { getExecutor(): { readonly adapter: DialectAdapter } }): DatabaseKind {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}
