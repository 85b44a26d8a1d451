// RSS 2.0 (with the RSS Advisory Board's profile) over the combined stream.
import { addElement, addText, newXmlDocument, serializeXml, type XmlNode } from './xml.js';
import {
  entryHtml,
  rssGuid,
  sourceFeedUrl,
  toByteLength,
  toHttpUrl,
  toMediaType,
  toRfc822,
  type ExportFeed,
  type StreamEntry,
} from './model.js';

const ATOM_NS = 'http://www.w3.org/2005/Atom';
const DC_NS = 'http://purl.org/dc/elements/1.1/';
const GENERATOR = 'Patient Engagement portal';

export function writeRss(feed: ExportFeed): string {
  const document = newXmlDocument();
  const rss = addElement(document, 'rss', { version: '2.0', 'xmlns:atom': ATOM_NS, 'xmlns:dc': DC_NS });
  const channel = addElement(rss, 'channel');
  addText(channel, 'title', feed.title);
  addText(channel, 'link', feed.alternateUrl);
  addText(channel, 'description', feed.description || feed.title);
  addElement(channel, 'atom:link', { href: feed.selfUrl, rel: 'self', type: 'application/rss+xml' });
  if (feed.hubUrl) addElement(channel, 'atom:link', { href: feed.hubUrl, rel: 'hub' });
  addText(channel, 'lastBuildDate', toRfc822(feed.updatedAt));
  addText(channel, 'docs', 'https://www.rssboard.org/rss-specification');
  addText(channel, 'generator', GENERATOR);
  for (const entry of feed.entries) addItem(channel, entry, feed.site.url);
  return serializeXml(document);
}

function addItem(channel: XmlNode, entry: StreamEntry, siteUrl: string): void {
  const item = addElement(channel, 'item');
  addText(item, 'title', entry.title);
  const link = toHttpUrl(entry.link);
  if (link) addText(item, 'link', link);
  const guid = rssGuid(entry, siteUrl);
  addText(item, 'guid', guid.value, { isPermaLink: String(guid.isPermaLink) });
  addText(item, 'pubDate', toRfc822(entry.publishedAt));
  if (entry.author) addText(item, 'dc:creator', entry.author);
  for (const category of entry.categories) {
    if (category) addText(item, 'category', category);
  }
  addEnclosure(item, entry);
  const description = entryHtml(entry);
  if (description) addText(item, 'description', description);
  const origin = sourceFeedUrl(entry);
  if (origin) addText(item, 'source', entry.sourceTitle, { url: origin });
}

/** The profile allows one enclosure per item, with length and type required: the first usable one. */
function addEnclosure(item: XmlNode, entry: StreamEntry): void {
  for (const enclosure of entry.enclosures) {
    const url = toHttpUrl(enclosure.url);
    if (!url) continue;
    addElement(item, 'enclosure', {
      url,
      // Both are required; the profile says 0 for an unknown length.
      length: toByteLength(enclosure.length) ?? 0,
      type: toMediaType(enclosure.type) ?? 'application/octet-stream',
    });
    return;
  }
}
