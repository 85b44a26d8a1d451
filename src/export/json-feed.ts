// JSON Feed 1.1 over the combined stream; each item says where it came from in `_source`, and
// every source that carried it, the first first, in `_sources.carried_by` (the spec allows only
// objects as extensions, so the list sits inside one).
import {
  entryHtml,
  entryUpdatedAt,
  globalEntryId,
  toByteLength,
  toHttpUrl,
  toMediaType,
  toRfc3339,
  type ExportFeed,
  type StreamEntry,
} from './model.js';
// The same text rules as the XML formats, so the four feeds carry the same strings.
import { cleanXmlText as clean } from './xml-text.js';

export const JSON_FEED_VERSION = 'https://jsonfeed.org/version/1.1';

export interface JsonFeedItem {
  id: string;
  url?: string;
  title: string;
  content_html: string;
  summary?: string;
  date_published: string;
  date_modified: string;
  authors?: { name: string }[];
  tags?: string[];
  attachments?: { url: string; mime_type: string; size_in_bytes?: number }[];
  _source: { id: string; title: string; url?: string; feed_url?: string };
  _sources: { carried_by: { id: string; title: string }[] };
}

export interface JsonFeedDocument {
  version: string;
  title: string;
  home_page_url: string;
  feed_url: string;
  description?: string;
  /** WebSub hubs (JSON Feed 1.1 `hubs`). */
  hubs?: { type: string; url: string }[];
  authors: { name: string; url?: string }[];
  items: JsonFeedItem[];
}

export function writeJsonFeed(feed: ExportFeed): string {
  const document: JsonFeedDocument = {
    version: JSON_FEED_VERSION,
    title: clean(feed.title),
    home_page_url: feed.alternateUrl,
    feed_url: feed.selfUrl,
    ...(feed.description ? { description: clean(feed.description) } : {}),
    ...(feed.hubUrl ? { hubs: [{ type: 'WebSub', url: feed.hubUrl }] } : {}),
    authors: [withUrl({ name: clean(feed.site.title) }, toHttpUrl(feed.site.url))],
    items: feed.entries.map((entry) => toItem(entry, feed.site.url)),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

function toItem(entry: StreamEntry, siteUrl: string): JsonFeedItem {
  const tags = entry.categories.filter(Boolean).map(clean);
  const attachments = toAttachments(entry);
  const url = toHttpUrl(entry.link);
  return {
    id: globalEntryId(entry, siteUrl),
    ...(url ? { url } : {}),
    title: clean(entry.title),
    content_html: clean(entryHtml(entry)),
    ...(entry.excerpt ? { summary: clean(entry.excerpt) } : {}),
    date_published: toRfc3339(entry.publishedAt),
    date_modified: toRfc3339(entryUpdatedAt(entry)),
    ...(entry.author ? { authors: [{ name: clean(entry.author) }] } : {}),
    ...(tags.length > 0 ? { tags } : {}),
    ...(attachments.length > 0 ? { attachments } : {}),
    _source: toSource(entry),
    _sources: {
      carried_by: (entry.sources ?? [{ id: entry.sourceId, title: entry.sourceTitle }]).map(({ id, title }) => ({ id, title: clean(title) })),
    },
  };
}

function toAttachments(entry: StreamEntry): NonNullable<JsonFeedItem['attachments']> {
  return entry.enclosures.flatMap((enclosure) => {
    const url = toHttpUrl(enclosure.url);
    if (!url) return [];
    const size = toByteLength(enclosure.length);
    // mime_type is required by the spec; say "some bytes" when the source did not tell.
    const mimeType = toMediaType(enclosure.type) ?? 'application/octet-stream';
    return [{ url, mime_type: mimeType, ...(size !== undefined ? { size_in_bytes: size } : {}) }];
  });
}

function toSource(entry: StreamEntry): JsonFeedItem['_source'] {
  const url = toHttpUrl(entry.sourceSiteUrl);
  const feedUrl = toHttpUrl(entry.sourceFeedUrl);
  return {
    id: entry.sourceId,
    title: clean(entry.sourceTitle),
    ...(url ? { url } : {}),
    ...(feedUrl ? { feed_url: feedUrl } : {}),
  };
}

function withUrl<T extends object>(value: T, url: string | undefined): T & { url?: string } {
  return url ? { ...value, url } : value;
}
