// Feed discovery: from a site's page to the feeds it publishes.
export { discoverFeeds, FEED_MEDIA_TYPES, type DiscoveredFeed } from './discover.js';
export { commonFeedUrls, COMMON_FEED_PATHS } from './common-paths.js';
export { describePage, describeFeed, type PageFacts } from './describe.js';
