// Reading the stream: one keyset page of the active sources' entries, newest first.
import { sql } from 'kysely';
import type { Enclosure } from '../core/types.js';
import type { Db } from './database.js';

export interface StreamCursorPosition {
  publishedAt: number;
  id: number;
}

export interface StreamQuery {
  sourceId?: string;
  category?: string;
  /** Entries strictly older than this position. */
  before?: StreamCursorPosition;
  /** Entries strictly newer than this position (the "newer" page). */
  after?: StreamCursorPosition;
  limit: number;
  /** Load content_html too (the exported feeds); pages need only the excerpt. */
  withContent?: boolean;
}

/** A stream query without the content switch: what decides which rows and which SQL. */
type Shape = Omit<StreamQuery, 'withContent'>;

export interface StreamEntry {
  id: number;
  sourceId: string;
  sourceTitle: string;
  sourceSiteUrl: string;
  sourceFeedUrl: string | null;
  /** The source feed's own Atom id, when it has one. */
  sourceFeedAtomId: string | null;
  sourceCategory: string;
  entryId: string;
  title: string;
  link: string;
  author: string | null;
  publishedAt: number;
  updatedAt: number | null;
  firstSeenAt: number;
  changedAt: number;
  categories: string[];
  enclosures: Enclosure[];
  excerpt: string;
  /** '' unless the query asked for content. */
  contentHtml: string;
}

/** What a page shows of an entry: no content, no feed-only fields (fewer columns read, no JSON parsed). */
export type StreamTeaser = Pick<
  StreamEntry,
  'id' | 'sourceId' | 'sourceTitle' | 'title' | 'link' | 'author' | 'publishedAt' | 'excerpt'
>;

export interface StreamPageOf<T> {
  entries: T[];
  /** Position of the last entry when older ones exist. */
  older?: StreamCursorPosition;
  /** Position of the first entry when newer ones exist. */
  newer?: StreamCursorPosition;
}

export type StreamPage = StreamPageOf<StreamEntry>;

/** One page of the active sources' entries, newest first, by keyset (never OFFSET). */
export function listStream(db: Db, query: StreamQuery): Promise<StreamPage> {
  return pageOf(db, query, (direction, limit) => streamRows(db, query, direction, limit), toStreamEntry);
}

/** The same page as `listStream`, with only what an HTML page shows of each entry. */
export function listStreamTeasers(db: Db, query: Shape): Promise<StreamPageOf<StreamTeaser>> {
  return pageOf(db, query, (direction, limit) => teaserRows(db, query, direction, limit), toStreamTeaser);
}

type Direction = 'older' | 'newer';

async function pageOf<Row, T extends { id: number; publishedAt: number }>(
  db: Db,
  query: Shape,
  fetchRows: (direction: Direction, limit: number) => Promise<Row[]>,
  convert: (row: Row) => T,
): Promise<StreamPageOf<T>> {
  const forward = query.after === undefined;
  const rows = await fetchRows(forward ? 'older' : 'newer', query.limit + 1);
  const more = rows.length > query.limit;
  const page = rows.slice(0, query.limit);
  if (!forward) page.reverse();
  const entries = page.map(convert);
  const first = entries[0];
  const last = entries[entries.length - 1];
  const position = (e: T) => ({ publishedAt: e.publishedAt, id: e.id });
  const hasOlder = forward ? more : last !== undefined && (await hasEntries(db, query, 'older', position(last)));
  const hasNewer = forward
    ? first !== undefined && query.before !== undefined && (await hasEntries(db, query, 'newer', position(first)))
    : more;
  return {
    entries,
    ...(hasOlder && last ? { older: position(last) } : {}),
    ...(hasNewer && first ? { newer: position(first) } : {}),
  };
}

function streamBase(db: Db, query: Shape) {
  let q = db
    .selectFrom('entries as e')
    .innerJoin('sources as s', 's.id', 'e.source_id')
    .where('s.active', '=', 1);
  if (query.sourceId !== undefined) q = q.where('e.source_id', '=', query.sourceId);
  if (query.category !== undefined) q = q.where('s.category', '=', query.category);
  return q;
}

/** The columns of a teaser (what a page shows); a full entry reads them and more. */
const TEASER_COLUMNS = [
  'e.id',
  'e.source_id',
  's.title as source_title',
  'e.title',
  'e.link',
  'e.author',
  'e.published_at',
  'e.excerpt',
] as const;

function streamRows(db: Db, query: StreamQuery, direction: Direction, limit: number) {
  return keysetBase(db, query, direction, limit)
    .select([
      ...TEASER_COLUMNS,
      's.site_url as source_site_url',
      's.feed_url as source_feed_url',
      's.feed_atom_id as source_feed_atom_id',
      's.category as source_category',
      'e.entry_id',
      'e.updated_at',
      'e.first_seen_at',
      'e.changed_at',
      'e.categories',
      'e.enclosures',
      query.withContent ? 'e.content_html' : sql<string>`''`.as('content_html'),
    ])
    .execute();
}

function teaserSelect(db: Db, query: Shape, direction: Direction, limit: number) {
  return keysetBase(db, query, direction, limit).select(TEASER_COLUMNS);
}

type TeaserRow = Awaited<ReturnType<typeof teaserRows>>[number];

function teaserRows(db: Db, query: Shape, direction: Direction, limit: number) {
  return teaserSelect(db, query, direction, limit).execute();
}

/** The stream's rows from the query's cursor in `direction`, ordered by the keyset, `limit` of them. */
function keysetBase(db: Db, query: Shape, direction: Direction, limit: number) {
  const from = direction === 'older' ? query.before : query.after;
  const order = direction === 'older' ? 'desc' : 'asc';
  let q = streamBase(db, query);
  if (from) q = q.where(keysetCondition(direction, from));
  return q.orderBy('e.published_at', order).orderBy('e.id', order).limit(limit);
}

function keysetCondition(direction: Direction, from: StreamCursorPosition) {
  const op = direction === 'older' ? '<' : '>';
  return sql<boolean>`(e.published_at, e.id) ${sql.raw(op)} (${from.publishedAt}, ${from.id})`;
}

async function hasEntries(db: Db, query: Shape, direction: Direction, from: StreamCursorPosition): Promise<boolean> {
  const row = await streamBase(db, query).select('e.id').where(keysetCondition(direction, from)).limit(1).executeTakeFirst();
  return row !== undefined;
}

type StreamRow = Awaited<ReturnType<typeof streamRows>>[number];

function toStreamEntry(row: StreamRow): StreamEntry {
  return {
    ...toStreamTeaser(row),
    sourceSiteUrl: row.source_site_url,
    sourceFeedUrl: row.source_feed_url,
    sourceFeedAtomId: row.source_feed_atom_id,
    sourceCategory: row.source_category,
    entryId: row.entry_id,
    updatedAt: row.updated_at,
    firstSeenAt: row.first_seen_at,
    changedAt: row.changed_at,
    categories: parseJsonArray<string>(row.categories),
    enclosures: parseJsonArray<Enclosure>(row.enclosures),
    contentHtml: row.content_html,
  };
}

function toStreamTeaser(row: TeaserRow): StreamTeaser {
  return {
    id: row.id,
    sourceId: row.source_id,
    sourceTitle: row.source_title,
    title: row.title,
    link: row.link,
    author: row.author,
    publishedAt: row.published_at,
    excerpt: row.excerpt,
  };
}

function parseJsonArray<T>(text: string): T[] {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? (value as T[]) : [];
  } catch {
    return [];
  }
}

