// The exported feeds: pure writers over the stored stream, and what the routes need to describe a filter.
export { writeRss } from './rss.js';
export { writeAtom } from './atom.js';
export { writeJsonFeed, JSON_FEED_VERSION, type JsonFeedDocument, type JsonFeedItem } from './json-feed.js';
export { writeOpml, type OpmlSource, type OpmlHead } from './opml.js';
export {
  lastChangedAt,
  mintedEntryId,
  mintedFeedId,
  rssGuid,
  globalEntryId,
  toRfc3339,
  toRfc822,
  type ExportFeed,
  type StreamEntry,
} from './model.js';
export { cleanXmlText } from './xml-text.js';
export {
  parseFeedQuery,
  describeFeed,
  FEED_FORMATS,
  DEFAULT_LIMIT,
  MAX_LIMIT,
  type FeedFormat,
  type FeedFilter,
  type FeedQueryResult,
  type FeedDescription,
  type KnownSource,
  type SiteInfo,
  canonicalQuery,
} from './feed-query.js';
