// Reading the stream: one keyset page of the active sources' entries, newest first, a post that
// several sources carried shown once (migration 0010) with every source credited.
import { sql, type Expression, type SqlBool } from 'kysely';
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
  /**
   * Every active source that carried this post, the first first (the one that had it stored
   * earliest); absent means only its own.
   */
  sources?: SourceCredit[];
}

export interface SourceCredit {
  id: string;
  title: string;
}

/** What a page shows of an entry: no content, no feed-only fields (fewer columns read, no JSON parsed). */
export type StreamTeaser = Pick<
  StreamEntry,
  'id' | 'sourceId' | 'sourceTitle' | 'title' | 'link' | 'author' | 'publishedAt' | 'excerpt' | 'sources'
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

/** A home page entry: the last one shown of a source with entries left out says how many. */
export type HomeTeaser = StreamTeaser & { moreFromSource?: number };

export interface HomePage {
  entries: HomeTeaser[];
  /** Entries exist past the page (older ones, or ones left out for fairness). */
  hasMore: boolean;
}

/** The most rows one step of the home page's walk reads. */
const MAX_BATCH = 1000;

/**
 * The newest `limit` entries of the stream with at most `perSource` from any one source, so a
 * source posting in a burst cannot fill the page. Walks the stream newest first (the index a page
 * of /conversations walks), leaving a source out of the walk once it has its share, and stops
 * when the page is full. A source that reached its share says how many more it has, for the
 * "N more from" link: the link goes to the source's own stream (?source=ID), every entry it
 * stored, which is the entry_count its saves keep, read with the rows (counting them here cost a
 * query a source, or every entry of the source: bench/ANALYSIS.md, issue 18).
 */
export async function listHomeTeasers(db: Db, query: { limit: number; perSource: number }): Promise<HomePage> {
  // Each batch twice the last: a stream where sources post in long runs (a feed's whole archive
  // stored at once) takes a few round trips to fill the page, not one per source.
  let batch = Math.max(query.limit * 2, 40);
  const shown: HomeTeaser[] = [];
  const shownPerSource = new Map<string, { count: number; stored: number }>();
  let before: StreamCursorPosition | undefined;
  let full = false;
  while (!full) {
    const capped = [...shownPerSource].filter(([, source]) => source.count >= query.perSource).map(([id]) => id);
    let q = keysetBase(db, { limit: batch, ...(before ? { before } : {}) }, 'older', batch);
    if (capped.length > 0) q = q.where('e.source_id', 'not in', capped);
    const rows = await q.select([...TEASER_COLUMNS, 's.entry_count as source_entry_count']).execute();
    for (const row of rows) {
      if (shown.length === query.limit) {
        full = true;
        break;
      }
      const source = shownPerSource.get(row.source_id) ?? { count: 0, stored: row.source_entry_count };
      if (source.count >= query.perSource) continue;
      source.count += 1;
      shownPerSource.set(row.source_id, source);
      shown.push(toStreamTeaser(row));
    }
    const last = rows[rows.length - 1];
    if (rows.length < batch || !last) break;
    before = { publishedAt: last.published_at, id: last.id };
    batch = Math.min(batch * 2, MAX_BATCH);
  }
  let leftOutAny = false;
  for (const [sourceId, { count, stored }] of shownPerSource) {
    const more = stored - count;
    if (count < query.perSource || more <= 0) continue;
    leftOutAny = true;
    const lastOfSource = shown.findLast((entry) => entry.sourceId === sourceId);
    if (lastOfSource) lastOfSource.moreFromSource = more;
  }
  await creditSources(db, shown);
  return { entries: shown, hasMore: full || leftOutAny };
}

type Direction = 'older' | 'newer';

async function pageOf<Row, T extends { id: number; publishedAt: number; sourceId: string; sourceTitle: string; sources?: SourceCredit[] }>(
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
  await creditSources(db, entries);
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
  // One source's own entries are all its own; across sources, a post shows once.
  if (query.sourceId !== undefined) q = q.where('e.source_id', '=', query.sourceId);
  else q = q.where(shownOnce(query.category));
  if (query.category !== undefined) q = q.where('s.category', '=', query.category);
  return q;
}

/**
 * Whether entry `e` is the one shown of its group: the group's first entry (duplicate_of null),
 * or, while that one is out of view (its source removed, or outside the category asked for),
 * the earliest copy still in view. Costs nothing for an entry nobody else carried.
 */
function shownOnce(category: string | undefined): Expression<SqlBool> {
  const inView = (alias: string) =>
    category === undefined
      ? sql`${sql.ref(`${alias}s.active`)} = 1`
      : sql`${sql.ref(`${alias}s.active`)} = 1 AND ${sql.ref(`${alias}s.category`)} = ${category}`;
  return sql<SqlBool>`(e.duplicate_of IS NULL OR (
    NOT EXISTS (SELECT 1 FROM entries r JOIN sources rs ON rs.id = r.source_id WHERE r.id = e.duplicate_of AND ${inView('r')})
    AND NOT EXISTS (SELECT 1 FROM entries d JOIN sources ds ON ds.id = d.source_id
      WHERE d.duplicate_of = e.duplicate_of AND d.id < e.id AND ${inView('d')})))`;
}

/**
 * Fills `sources` on each entry: every active source of its group, in the order they stored it.
 * One query for the whole page, by the primary key and entries_duplicates.
 */
export async function creditSources(db: Db, entries: { id: number; sourceId: string; sourceTitle: string; sources?: SourceCredit[]; groupId?: number }[]): Promise<void> {
  if (entries.length === 0) return;
  const groupOf = (entry: (typeof entries)[number]) => entry.groupId ?? entry.id;
  const groups = [...new Set(entries.map(groupOf))];
  const rows = await db
    .selectFrom('entries as e')
    .innerJoin('sources as s', 's.id', 'e.source_id')
    .select(['e.id', 'e.duplicate_of', 'e.source_id', 's.title'])
    .where('s.active', '=', 1)
    .where((eb) => eb.or([eb('e.id', 'in', groups), eb('e.duplicate_of', 'in', groups)]))
    .orderBy('e.id')
    .execute();
  const credits = new Map<number, SourceCredit[]>();
  for (const row of rows) {
    const group = row.duplicate_of ?? row.id;
    const list = credits.get(group) ?? [];
    if (!list.some((credit) => credit.id === row.source_id)) list.push({ id: row.source_id, title: row.title });
    credits.set(group, list);
  }
  for (const entry of entries) {
    const list = credits.get(groupOf(entry)) ?? [];
    entry.sources = list.some((credit) => credit.id === entry.sourceId) ? list : [{ id: entry.sourceId, title: entry.sourceTitle }, ...list];
    delete entry.groupId;
  }
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
  'e.duplicate_of',
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

/** A teaser, and until its credits are filled the id of its group's first entry. */
function toStreamTeaser(row: TeaserRow): StreamTeaser & { groupId?: number } {
  return {
    groupId: row.duplicate_of ?? row.id,
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

