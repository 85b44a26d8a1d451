// Full-text search, one face over two engines: SQLite's FTS5 table and PostgreSQL's tsvector
// column (migration 0001), each below in its own part. Both take the same query (every word
// required), weigh titles five times the text, and mark matches the same way.
import { sql } from 'kysely';
import type { Db } from './database.js';
import { databaseKindOf } from './dialect.js';
import { creditSources, type SourceCredit } from './stream.js';

/** Marks around matched words in highlighted text; private-use characters no feed text should hold. */
export const HIGHLIGHT_START = '\uE000';
export const HIGHLIGHT_END = '\uE001';

export interface SearchHit {
  id: number;
  sourceId: string;
  sourceTitle: string;
  title: string;
  link: string;
  publishedAt: number;
  /** The title with matches between HIGHLIGHT_START and HIGHLIGHT_END; plain text otherwise. */
  titleHighlighted: string;
  /** A passage of the text around the matches, marked the same way. */
  snippet: string;
  /** Every active source that carried this post, the first first (as the stream credits them). */
  sources?: SourceCredit[];
}

/** A hit and the id of its group's first entry: a post several sources carried is found once. */
type GroupedHit = SearchHit & { groupId: number };

const MAX_TERMS = 16;

/**
 * Turns what a visitor typed into a safe FTS5 query: words only, each quoted (so FTS syntax such as
 * quotes, NEAR, '*' or ':' is just text), all required. Returns '' when no word is left.
 * PostgreSQL's websearch_to_tsquery reads the same string the same way (quoted words, all required).
 */
export function toFtsQuery(input: string): string {
  const words = input.normalize('NFKC').match(/[\p{L}\p{N}]+/gu) ?? [];
  return words
    .slice(0, MAX_TERMS)
    .map((w) => `"${w}"`)
    .join(' ');
}

/**
 * Past this many matches a query is "common" (its words are in a large share of the entries): the
 * newest RANKED_MATCHES matches are shown newest first instead of ranked. bm25 costs per matching row
 * and also walks each word's whole posting list for its weight, so ranking a word found in every entry
 * would grow with the database; and for such words bm25 says little (FTS5 floors the weight of a word
 * in over half the rows to ~0, leaving the order to the date anyway).
 */
export const RANKED_MATCHES = 1000;

/** Ranked full-text search over the active sources' entries; titles weigh more than text. */
export async function searchEntries(db: Db, input: string, limit: number): Promise<SearchHit[]> {
  const match = toFtsQuery(input);
  if (match === '') return [];
  const engine = databaseKindOf(db) === 'postgres' ? postgres : fts5;
  const newest = await engine.newestMatches(db, match);
  // Twice the rows, so that copies of one post, folded into its best hit, still leave a full page.
  const wanted = limit * 2;
  const hits = newest.length < RANKED_MATCHES ? await engine.ranked(db, match, wanted) : await engine.newestFirst(db, match, newest, wanted);
  const once = foldCopies(hits).slice(0, limit);
  await creditSources(db, once);
  return once;
}

/**
 * One hit per post, at the place of its best-ranked copy: the first source's own entry when it
 * matched too (its title and link, as the stream shows it), else that best-ranked copy.
 */
function foldCopies(hits: GroupedHit[]): GroupedHit[] {
  const byGroup = new Map<number, GroupedHit>();
  for (const hit of hits) {
    const kept = byGroup.get(hit.groupId);
    if (!kept || hit.id === hit.groupId) byGroup.set(hit.groupId, hit);
  }
  return [...byGroup.values()];
}

const GROUP_ID = sql.raw('COALESCE(e.duplicate_of, e.id)');

// ---- SQLite: FTS5 ----

const fts5 = { newestMatches, ranked, newestFirst };

/** The rowids of the RANKED_MATCHES most recently stored matches (FTS5 walks its doclist by rowid, no ranking). */
async function newestMatches(db: Db, match: string): Promise<number[]> {
  const result = await sql<{ id: number }>`
    SELECT rowid AS id FROM entries_fts WHERE entries_fts MATCH ${match}
    ORDER BY rowid DESC LIMIT ${RANKED_MATCHES}
  `.execute(db);
  return result.rows.map((row) => row.id);
}

/** Fewer than RANKED_MATCHES matches: bm25 over all of them, titles weighing five times the text. */
async function ranked(db: Db, match: string, limit: number): Promise<GroupedHit[]> {
  const result = await sql<GroupedHit>`
    SELECT e.id AS id, ${GROUP_ID} AS groupId, e.source_id AS sourceId, s.title AS sourceTitle, e.title AS title, e.link AS link,
           e.published_at AS publishedAt,
           highlight(entries_fts, 0, ${HIGHLIGHT_START}, ${HIGHLIGHT_END}) AS titleHighlighted,
           snippet(entries_fts, 1, ${HIGHLIGHT_START}, ${HIGHLIGHT_END}, '…', 24) AS snippet
    FROM entries_fts
    JOIN entries e ON e.id = entries_fts.rowid
    JOIN sources s ON s.id = e.source_id
    WHERE entries_fts MATCH ${match} AND s.active = 1
    ORDER BY bm25(entries_fts, 5.0, 1.0), e.published_at DESC
    LIMIT ${limit}
  `.execute(db);
  return result.rows;
}

type ShownEntry = Omit<GroupedHit, 'titleHighlighted' | 'snippet'>;

/**
 * RANKED_MATCHES or more matches: the newest of them by publication time, no ranking. Highlights and
 * snippets (a tokenizing pass over each text) are made for the shown rows only, in one walk down the
 * doclist that stops once it has them all (`+rowid` keeps FTS5 from one slow lookup per id).
 */
async function newestFirst(db: Db, match: string, ids: number[], limit: number): Promise<GroupedHit[]> {
  const shown = await sql<ShownEntry>`
    SELECT e.id AS id, ${GROUP_ID} AS groupId, e.source_id AS sourceId, s.title AS sourceTitle, e.title AS title, e.link AS link,
           e.published_at AS publishedAt
    FROM entries e
    JOIN sources s ON s.id = e.source_id
    WHERE e.id IN (SELECT value FROM json_each(${JSON.stringify(ids)})) AND s.active = 1
    ORDER BY e.published_at DESC, e.id DESC
    LIMIT ${limit}
  `.execute(db);
  if (shown.rows.length === 0) return [];
  const marked = await sql<{ id: number; titleHighlighted: string; snippet: string }>`
    SELECT rowid AS id,
           highlight(entries_fts, 0, ${HIGHLIGHT_START}, ${HIGHLIGHT_END}) AS titleHighlighted,
           snippet(entries_fts, 1, ${HIGHLIGHT_START}, ${HIGHLIGHT_END}, '…', 24) AS snippet
    FROM entries_fts
    WHERE entries_fts MATCH ${match} AND +rowid IN (SELECT value FROM json_each(${JSON.stringify(shown.rows.map((row) => row.id))}))
    ORDER BY rowid DESC
    LIMIT ${shown.rows.length}
  `.execute(db);
  const marks = new Map(marked.rows.map((row) => [row.id, row]));
  return shown.rows.map((row) => ({
    ...row,
    titleHighlighted: marks.get(row.id)?.titleHighlighted ?? row.title,
    snippet: marks.get(row.id)?.snippet ?? '',
  }));
}

// ---- PostgreSQL: a tsvector column under a GIN index ----

/** The text search configuration migration 0001 made: English stems, no stop words. */
const CONFIG = sql`'portal_search'::regconfig`;

/** ts_rank's weights for D, C, B, A: titles (A) weigh five times the text (B), as bm25's 5.0 and 1.0 on SQLite. */
const WEIGHTS = sql`'{0.1, 0.2, 0.2, 1.0}'::float4[]`;

/** As FTS5's highlight() and snippet(): the whole title; one passage of about 24 words around the matches. */
const TITLE_MARKS = `HighlightAll=true, StartSel="${HIGHLIGHT_START}", StopSel="${HIGHLIGHT_END}"`;
const SNIPPET_MARKS = `MaxFragments=1, MaxWords=24, MinWords=12, StartSel="${HIGHLIGHT_START}", StopSel="${HIGHLIGHT_END}"`;

const postgres = {
  /** The ids of the RANKED_MATCHES most recently stored matches. */
  async newestMatches(db: Db, match: string): Promise<number[]> {
    const result = await sql<{ id: number }>`
      SELECT id FROM entries WHERE search_document @@ websearch_to_tsquery(${CONFIG}, ${match})
      ORDER BY id DESC LIMIT ${RANKED_MATCHES}
    `.execute(db);
    return result.rows.map((row) => row.id);
  },

  /** Fewer than RANKED_MATCHES matches: ts_rank over all of them; excerpts made for the shown rows only. */
  async ranked(db: Db, match: string, limit: number): Promise<GroupedHit[]> {
    const result = await sql<PostgresHit>`
      SELECT hit.*, ${headlines(match)}
      FROM (
        SELECT e.id, ${GROUP_ID} AS group_id, e.source_id, s.title AS source_title, e.title, e.link, e.published_at, e.content_text,
               ts_rank(${WEIGHTS}, e.search_document, q.query) AS rank
        FROM entries e
        JOIN sources s ON s.id = e.source_id
        CROSS JOIN websearch_to_tsquery(${CONFIG}, ${match}) AS q (query)
        WHERE e.search_document @@ q.query AND s.active = 1
        ORDER BY rank DESC, e.published_at DESC
        LIMIT ${limit}
      ) hit
      ORDER BY hit.rank DESC, hit.published_at DESC
    `.execute(db);
    return result.rows.map(toSearchHit);
  },

  /** RANKED_MATCHES or more matches: the newest of them by publication time, no ranking. */
  async newestFirst(db: Db, match: string, ids: number[], limit: number): Promise<GroupedHit[]> {
    const result = await sql<PostgresHit>`
      SELECT hit.*, ${headlines(match)}
      FROM (
        SELECT e.id, ${GROUP_ID} AS group_id, e.source_id, s.title AS source_title, e.title, e.link, e.published_at, e.content_text
        FROM entries e
        JOIN sources s ON s.id = e.source_id
        WHERE e.id = ANY(${ids}::bigint[]) AND s.active = 1
        ORDER BY e.published_at DESC, e.id DESC
        LIMIT ${limit}
      ) hit
      ORDER BY hit.published_at DESC, hit.id DESC
    `.execute(db);
    return result.rows.map(toSearchHit);
  },
};

interface PostgresHit {
  id: number;
  group_id: number;
  source_id: string;
  source_title: string;
  title: string;
  link: string;
  published_at: number;
  content_text: string;
  title_marked: string;
  snippet_marked: string;
}

/**
 * The characters the search column reads as spaces (migration 0001), and private-use ones that
 * stand for them while ts_headline reads the text: separators to its parser too, so it finds the
 * words the column has, and turned back afterwards (toSearchHit).
 */
const SPLITTERS = '<&/.@:';
const STAND_INS = '\uE002\uE003\uE004\uE005\uE006\uE007';

/**
 * ts_headline of the title and the text, over the subquery's rows `hit`. Markers and stand-ins a
 * feed put in its text are removed first, so every one in the result is ours.
 */
function headlines(match: string) {
  const prepared = (column: string) =>
    sql`translate(translate(${sql.ref(`hit.${column}`)}, ${HIGHLIGHT_START + HIGHLIGHT_END + STAND_INS}, ''), ${SPLITTERS}, ${STAND_INS})`;
  const query = sql`websearch_to_tsquery(${CONFIG}, ${match})`;
  return sql`ts_headline(${CONFIG}, ${prepared('title')}, ${query}, ${TITLE_MARKS}) AS title_marked,
    ts_headline(${CONFIG}, ${prepared('content_text')}, ${query}, ${SNIPPET_MARKS}) AS snippet_marked`;
}

const STAND_IN = new RegExp(`[${STAND_INS}]`, 'g');
const restore = (headline: string) => headline.replace(STAND_IN, (c) => SPLITTERS[STAND_INS.indexOf(c)] ?? '');
const OURS = new RegExp(`[${HIGHLIGHT_START}${HIGHLIGHT_END}${STAND_INS}]`, 'g');

/** The row as SearchHit; the excerpt gets FTS5's '…' where it cuts the text short. */
function toSearchHit(row: PostgresHit): GroupedHit {
  const snippet = restore(row.snippet_marked);
  const excerpt = snippet.replace(OURS, '');
  const text = row.content_text.replace(OURS, '');
  const at = text.indexOf(excerpt);
  const cutBefore = at > 0;
  const cutAfter = at >= 0 && at + excerpt.length < text.length;
  return {
    id: row.id,
    groupId: row.group_id,
    sourceId: row.source_id,
    sourceTitle: row.source_title,
    title: row.title,
    link: row.link,
    publishedAt: row.published_at,
    titleHighlighted: restore(row.title_marked),
    snippet: `${cutBefore ? '…' : ''}${snippet}${cutAfter ? '…' : ''}`,
  };
}
