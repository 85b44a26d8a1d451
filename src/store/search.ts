import { sql } from 'kysely';
import type { Db } from './database.js';

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
}

const MAX_TERMS = 16;

/**
 * Turns what a visitor typed into a safe FTS5 query: words only, each quoted (so FTS syntax such as
 * quotes, NEAR, '*' or ':' is just text), all required. Returns '' when no word is left.
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
  const newest = await newestMatches(db, match);
  return newest.length < RANKED_MATCHES ? ranked(db, match, limit) : newestFirst(db, match, newest, limit);
}

/** The rowids of the RANKED_MATCHES most recently stored matches (FTS5 walks its doclist by rowid, no ranking). */
async function newestMatches(db: Db, match: string): Promise<number[]> {
  const result = await sql<{ id: number }>`
    SELECT rowid AS id FROM entries_fts WHERE entries_fts MATCH ${match}
    ORDER BY rowid DESC LIMIT ${RANKED_MATCHES}
  `.execute(db);
  return result.rows.map((row) => row.id);
}

/** Fewer than RANKED_MATCHES matches: bm25 over all of them, titles weighing five times the text. */
async function ranked(db: Db, match: string, limit: number): Promise<SearchHit[]> {
  const result = await sql<SearchHit>`
    SELECT e.id AS id, e.source_id AS sourceId, s.title AS sourceTitle, e.title AS title, e.link AS link,
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

type ShownEntry = Omit<SearchHit, 'titleHighlighted' | 'snippet'>;

/**
 * RANKED_MATCHES or more matches: the newest of them by publication time, no ranking. Highlights and
 * snippets (a tokenizing pass over each text) are made for the shown rows only, in one walk down the
 * doclist that stops once it has them all (`+rowid` keeps FTS5 from one slow lookup per id).
 */
async function newestFirst(db: Db, match: string, ids: number[], limit: number): Promise<SearchHit[]> {
  const shown = await sql<ShownEntry>`
    SELECT e.id AS id, e.source_id AS sourceId, s.title AS sourceTitle, e.title AS title, e.link AS link,
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
