// The active sources as the portal's pages list them: only the columns a page shows or filters by.
import type { Db } from './database.js';
import type { SourceRow } from './schema.js';

/** What a page needs of a source (its list, the filter form); the polling state stays unread. */
export type SourceSummary = Pick<SourceRow, 'id' | 'title' | 'site_url' | 'feed_url' | 'description' | 'category' | 'entry_count'>;

/**
 * The active sources in the feeds file's order, as `listActiveSources` lists them but with 7 of the
 * row's 27 columns: better-sqlite3 builds each row column by column, and every uncached page reads this.
 */
export function listSourceSummaries(db: Db): Promise<SourceSummary[]> {
  return db
    .selectFrom('sources')
    .select(['id', 'title', 'site_url', 'feed_url', 'description', 'category', 'entry_count'])
    .where('active', '=', 1)
    .orderBy('position')
    .execute();
}
