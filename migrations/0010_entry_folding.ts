import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';

// Frozen in time: this migration never imports application code. The key functions below are
// copies of src/core/post-keys.ts as it was written with this migration.

/** The database a migration runs on, as the store's migration provider passes it. */
type Dialect = 'sqlite' | 'postgres';

/**
 * One post carried by several sources shows once. Each entry keeps a key of its normalised link
 * and of its folded title (short hashes, so the indexes stay small), and `duplicate_of`: the id of
 * the first stored entry of another source that carried the same post (same link key, or same
 * title key within 48 hours), null for that first one. The stream reads entries whose
 * duplicate_of is null, and the credits of a page by one walk of entries_duplicates. Existing
 * rows are keyed and grouped here, in the order they were stored.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>, dialect: Dialect = 'sqlite'): Promise<void> {
  await db.schema.alterTable('entries').addColumn('link_key', 'text').execute();
  await db.schema.alterTable('entries').addColumn('title_key', 'text').execute();
  await db.schema.alterTable('entries').addColumn('duplicate_of', dialect === 'postgres' ? 'bigint' : 'integer').execute();
  await backfill(db);
  await sql`CREATE INDEX entries_link_key ON entries (link_key) WHERE link_key IS NOT NULL`.execute(db);
  await sql`CREATE INDEX entries_title_key ON entries (title_key, published_at) WHERE title_key IS NOT NULL`.execute(db);
  await sql`CREATE INDEX entries_duplicates ON entries (duplicate_of, id) WHERE duplicate_of IS NOT NULL`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX IF EXISTS entries_duplicates`.execute(db);
  await sql`DROP INDEX IF EXISTS entries_title_key`.execute(db);
  await sql`DROP INDEX IF EXISTS entries_link_key`.execute(db);
  await db.schema.alterTable('entries').dropColumn('duplicate_of').execute();
  await db.schema.alterTable('entries').dropColumn('title_key').execute();
  await db.schema.alterTable('entries').dropColumn('link_key').execute();
}

const SAME_TITLE_WINDOW_MS = 48 * 60 * 60 * 1000;
const BATCH = 500;

interface Seen {
  id: number;
  root: number;
  sourceId: string;
  publishedAt: number;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function backfill(db: Kysely<any>): Promise<void> {
  const byLink = new Map<string, Seen[]>();
  const byTitle = new Map<string, Seen[]>();
  let after = 0;
  for (;;) {
    const rows = (await db
      .selectFrom('entries')
      .select(['id', 'source_id', 'link', 'title', 'published_at'])
      .where('id', '>', after)
      .orderBy('id')
      .limit(BATCH)
      .execute()) as { id: number | string; source_id: string; link: string; title: string; published_at: number | string }[];
    if (rows.length === 0) return;
    const updates = rows.map((row) => {
      const entry = { id: Number(row.id), sourceId: row.source_id, publishedAt: Number(row.published_at) };
      const link = keyOf(normalizeLink(row.link));
      const title = keyOf(normalizeTitle(row.title));
      const matches = [
        ...(link ? (byLink.get(link) ?? []) : []),
        ...(title ? (byTitle.get(title) ?? []).filter((s) => Math.abs(s.publishedAt - entry.publishedAt) <= SAME_TITLE_WINDOW_MS) : []),
      ].filter((s) => s.sourceId !== entry.sourceId);
      const root = matches.length > 0 ? Math.min(...matches.map((s) => s.root)) : null;
      const seen: Seen = { ...entry, root: root ?? entry.id };
      if (link) remember(byLink, link, seen);
      if (title) remember(byTitle, title, seen);
      return sql`(CAST(${entry.id} AS bigint), CAST(${link} AS text), CAST(${title} AS text), CAST(${root} AS bigint))`;
    });
    // A common table expression: SQLite names a VALUES list's columns only there.
    await sql`WITH v (id, link_key, title_key, duplicate_of) AS (VALUES ${sql.join(updates)})
      UPDATE entries SET link_key = v.link_key, title_key = v.title_key, duplicate_of = v.duplicate_of
      FROM v WHERE entries.id = v.id`.execute(db);
    after = Number(rows[rows.length - 1]?.id);
  }
}

function remember(index: Map<string, Seen[]>, key: string, seen: Seen): void {
  const list = index.get(key);
  if (list) list.push(seen);
  else index.set(key, [seen]);
}

function normalizeLink(link: string): string {
  if (!link) return '';
  let url: URL;
  try {
    url = new URL(link.trim());
  } catch {
    return '';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return '';
  url.hash = '';
  for (const name of [...url.searchParams.keys()]) {
    if (name.toLowerCase().startsWith('utm_')) url.searchParams.delete(name);
  }
  const path = url.pathname.replace(/\/+$/, '');
  const query = url.searchParams.size > 0 ? `?${url.searchParams.toString()}` : '';
  return `${url.protocol}//${url.host}${path}${query}`;
}

function normalizeTitle(title: string): string {
  const words = title.normalize('NFKC').toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return words.join(' ');
}

function keyOf(normalized: string): string | null {
  return normalized === '' ? null : createHash('sha256').update(normalized, 'utf8').digest('base64url').slice(0, 22);
}
