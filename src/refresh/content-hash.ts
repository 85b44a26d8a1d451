// The content hash of an entry as parsed (before sanitizing): an equal hash means nothing to write.
import { createHash } from 'node:crypto';
import type { NormalEntry } from '../core/types.js';

/**
 * Hashes every field a reader could see change. A guessed date (the parser's "now" when the feed
 * gave none) is left out, or the entry would look changed at every poll. contentText and excerpt
 * are left out too: they derive from contentHtml (and the parser computes them only when read).
 */
export function contentHash(entry: NormalEntry, publishedAtGuessed: boolean): string {
  // A fixed field order, so the hash does not depend on how the parser built the object.
  const fields = [
    entry.entryId,
    entry.title,
    entry.link,
    entry.author ?? null,
    publishedAtGuessed ? null : entry.publishedAt,
    entry.updatedAt ?? null,
    entry.categories,
    entry.enclosures.map((e) => [e.url, e.type ?? null, e.length ?? null]),
    entry.contentHtml,
    // The base changes what the sanitizer makes of relative URLs.
    entry.baseUrl ?? null,
  ];
  return createHash('sha256').update(JSON.stringify(fields)).digest('base64url');
}
