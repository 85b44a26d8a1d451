// Shared test helpers: a fresh migrated database, and entries/sources to fill it with.
import { createHash } from 'node:crypto';
import type { SourceConfig } from '../../src/core/types.js';
import { indexPendingEntries, openMigratedStore, saveFetch, syncSources, type OpenedStore, type StoredEntryInput } from '../../src/store/index.js';

export async function freshStore(): Promise<OpenedStore> {
  return openMigratedStore(':memory:');
}

export function makeSource(id: string, overrides: Partial<SourceConfig> = {}): SourceConfig {
  return {
    id,
    title: `Source ${id}`,
    site: `https://${id}.example.org/`,
    feed: `https://${id}.example.org/feed.xml`,
    description: `The ${id} blog.`,
    category: 'advocacy',
    ...overrides,
  };
}

export function makeEntry(entryId: string, overrides: Partial<StoredEntryInput> = {}): StoredEntryInput {
  const base: StoredEntryInput = {
    entryId,
    title: `Entry ${entryId}`,
    link: `https://example.org/posts/${entryId}`,
    author: 'A. Writer',
    publishedAt: Date.UTC(2026, 0, 1),
    categories: ['care'],
    enclosures: [],
    contentHtml: `<p>Text of ${entryId}</p>`,
    contentText: `Text of ${entryId}`,
    excerpt: `Text of ${entryId}`,
    contentHash: '',
    ...overrides,
  };
  return { ...base, contentHash: overrides.contentHash ?? hashOf(base) };
}

function hashOf(entry: StoredEntryInput): string {
  const { contentHash: _ignored, ...rest } = entry;
  return createHash('sha256').update(JSON.stringify(rest)).digest('hex');
}

/** Syncs the given sources and stores the given entries for each, as one successful fetch each. */
export async function seed(
  store: OpenedStore,
  sources: SourceConfig[],
  entriesBySource: Record<string, StoredEntryInput[]>,
  now = Date.UTC(2026, 5, 1),
): Promise<void> {
  await syncSources(store.db, sources, now);
  for (const [sourceId, entries] of Object.entries(entriesBySource)) {
    await saveFetch(store.db, sourceId, entries, { now, durationMs: 1, nextPollAt: null, status: 200, maxEntries: 200 });
  }
  // As a pass ends: everything stored is searchable.
  await indexPendingEntries(store.db);
}
