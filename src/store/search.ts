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
 * How many of the most recently stored matches are ranked. Ranking (bm25) costs per matching row, so
 * a word found in every entry would make search grow with the database; past this many, older
 * matches are left out of the ranking.
 */
export const RANKED_MATCHES = 2000;

/** Ranked full-text search over the active sources' entries; titles weigh more than text. */
export async function searchEntries(db: Db, input: string, limit: number): Promise<SearchHit[]> {
  const match = toFtsQuery(input);
  if (match === '') return [];
  const floor = await rankingFloor(db, match);
  const result = await sql<SearchHit>`
    SELECT e.id AS id, e.source_id AS sourceId, s.title AS sourceTitle, e.title AS title, e.link AS link,
           e.published_at AS publishedAt,
           highlight(entries_fts, 0, ${HIGHLIGHT_START}, ${HIGHLIGHT_END}) AS titleHighlighted,
           snippet(entries_fts, 1, ${HIGHLIGHT_START}, ${HIGHLIGHT_END}, '…', 24) AS snippet
    FROM entries_fts
    JOIN entries e ON e.id = entries_fts.rowid
    JOIN sources s ON s.id = e.source_id
    WHERE entries_fts MATCH ${match} AND entries_fts.rowid >= ${floor} AND s.active = 1
    ORDER BY bm25(entries_fts, 5.0, 1.0), e.published_at DESC
    LIMIT ${limit}
  `.execute(db);
  return result.rows;
}

/** The rowid of the RANKED_MATCHES-th newest match (FTS5 walks its doclist by rowid, no ranking), or 0. */
async function rankingFloor(db: Db, match: string): Promise<number> {
  const result = await sql<{ rowid: number }>`
    SELECT rowid FROM entries_fts WHERE entries_fts MATCH ${match}
    ORDER BY rowid DESC LIMIT 1 OFFSET ${RANKED_MATCHES - 1}
  `.execute(db);
  return result.rows[0]?.rowid ?? 0;
}
