// Where feeds usually live, for a page that names none (WordPress, Blogger, Hugo, Jekyll ...).

/** Tried in this order: WordPress first, as the most common publisher. */
export const COMMON_FEED_PATHS: readonly string[] = [
  'feed',
  'feed/',
  'rss.xml',
  'atom.xml',
  'feeds/posts/default',
  'index.xml',
];

/**
 * Candidate feed URLs for `pageUrl`: under the page's own folder first (a blog at
 * example.org/blog/ has its feed at /blog/feed/), then at the site's root; each URL once.
 */
export function commonFeedUrls(pageUrl: string): string[] {
  if (!URL.canParse(pageUrl)) return [];
  const page = new URL(pageUrl);
  const folder = new URL('./', page).href;
  const root = new URL('/', page).href;
  const bases = folder === root ? [root] : [folder, root];
  const urls = bases.flatMap((base) => COMMON_FEED_PATHS.map((path) => new URL(path, base).href));
  return [...new Set(urls)];
}
