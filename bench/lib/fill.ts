// Fills a portal database fast: direct better-sqlite3 inserts in big transactions, each indexed for search as one batch.
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import type SqliteDatabase from 'better-sqlite3';
import { loadFeedsFile } from '../../src/config/index.js';
import type { FeedsConfig } from '../../src/core/types.js';
import { migrateStore, openSqliteStore, type SqliteStore } from '../../src/store/database.js';
import { syncSources } from '../../src/store/index.js';
import { articleHtml, excerptOf, plainText, rng, title } from './synthetic.js';

/** Entry i is published BASE - i minutes: a bigger database adds older history, the newest page stays. */
export const BASE_TIME = Date.UTC(2026, 9, 1, 12, 0, 0);
const STEP_MS = 60_000;

/** The repository root, whether this runs as bench/lib/fill.ts (tsx) or built as dist/bench/lib/fill.js. */
export const REPO_ROOT = resolve(import.meta.dirname, import.meta.url.endsWith('.js') ? '../../..' : '../..');

/** The real feeds file: the pages then show the real number of sources and categories. */
export async function realConfig(): Promise<FeedsConfig> {
  const loaded = await loadFeedsFile(resolve(REPO_ROOT, 'feeds.default.yaml'));
  if (!loaded.ok) throw new Error(`bench: feeds.default.yaml does not load: ${JSON.stringify(loaded.issues[0])}`);
  return loaded.config;
}

export interface FilledStore {
  store: SqliteStore;
  config: FeedsConfig;
  /** Sources that have a feed, the ones entries are spread over. */
  feedSourceIds: string[];
  count: number;
}

export async function openFilledStore(path: string, config: FeedsConfig): Promise<FilledStore> {
  const store = await migrateStore(openSqliteStore(path));
  await syncSources(store.db, config.sources, BASE_TIME - 1000 * 86_400_000);
  const feedSourceIds = config.sources.filter((s) => s.feed !== undefined).map((s) => s.id);
  const row = store.sqlite.prepare('SELECT count(*) AS n FROM entries').get() as { n: number };
  return { store, config, feedSourceIds, count: row.n };
}

/** A pool of article bodies reused round-robin: generating 1M distinct 1 KB articles would dominate the fill. */
function bodyPool(size: number): { html: string; text: string; excerpt: string }[] {
  const random = rng(42);
  return Array.from({ length: size }, () => {
    const html = articleHtml(random, 900 + Math.floor(random() * 300));
    const text = plainText(html);
    return { html, text, excerpt: excerptOf(text) };
  });
}

let pool: ReturnType<typeof bodyPool> | undefined;

/** Inserts entries until the store holds `target`; returns entries per second of the fill. */
export function fillTo(filled: FilledStore, target: number, batch = 5000): number {
  const { sqlite } = filled.store;
  pool ??= bodyPool(4096);
  const bodies = pool;
  const insert = sqlite.prepare(`INSERT INTO entries (source_id, entry_id, title, link, author, published_at, updated_at,
    first_seen_at, changed_at, categories, enclosures, content_html, content_text, excerpt, content_hash)
    VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, '[]', ?, ?, ?, ?)`);
  const random = rng(1000 + filled.count);
  const sources = filled.feedSourceIds;
  const indexPending = sqlite.prepare(`INSERT INTO entries_fts (rowid, title, content_text)
    SELECT e.id, e.title, e.content_text FROM entries_fts_pending p JOIN entries e ON e.id = p.id`);
  const clearPending = sqlite.prepare('DELETE FROM entries_fts_pending');
  const insertBatch = sqlite.transaction((from: number, to: number) => {
    for (let i = from; i < to; i += 1) {
      const source = sources[i % sources.length] as string;
      const body = bodies[i % bodies.length]!;
      const published = BASE_TIME - i * STEP_MS;
      const entryId = `https://${source}.example.org/posts/${i}`;
      const hash = createHash('sha256').update(entryId).digest('base64url');
      insert.run(source, entryId, title(random), entryId, 'A. Writer', published, published, published, '["care","health"]', body.html, body.text, body.excerpt, hash);
    }
    // As the store's indexPendingEntries does (migration 0005): the batch indexed by one statement.
    indexPending.run();
    clearPending.run();
  });
  const started = performance.now();
  const start = filled.count;
  for (let from = start; from < target; from += batch) insertBatch(from, Math.min(target, from + batch));
  filled.count = Math.max(filled.count, target);
  finishFill(sqlite);
  const seconds = (performance.now() - started) / 1000;
  return seconds > 0 ? Math.round((target - start) / seconds) : 0;
}

/** What saveFetch keeps beside the entries: per-source counts and the stream version. */
function finishFill(sqlite: SqliteDatabase.Database): void {
  sqlite.exec(`UPDATE sources SET
      entry_count = (SELECT count(*) FROM entries e WHERE e.source_id = sources.id),
      newest_entry_at = (SELECT max(published_at) FROM entries e WHERE e.source_id = sources.id);
    UPDATE meta SET value = value + 1 WHERE key = 'stream_version';`);
  sqlite.pragma('wal_checkpoint(TRUNCATE)');
}

/** The keyset position `depth` entries down the stream (an "older" page a visitor reaches by paging). */
export function positionAt(sqlite: SqliteDatabase.Database, depth: number): { publishedAt: number; id: number } {
  const row = sqlite
    .prepare('SELECT published_at AS publishedAt, id FROM entries ORDER BY published_at DESC, id DESC LIMIT 1 OFFSET ?')
    .get(depth) as { publishedAt: number; id: number } | undefined;
  if (!row) throw new Error(`bench: no entry at depth ${depth}`);
  return row;
}
