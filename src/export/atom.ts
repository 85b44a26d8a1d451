// Atom 1.0 (RFC 4287) over the combined stream. Each entry keeps its original id when it has a
// global one and says where it came from in <source>, as RFC 4287 section 4.2.11 asks of copies.
import { addElement, addText, newXmlDocument, serializeXml, type XmlNode } from './xml.js';
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

const ATOM_NS = 'http://www.w3.org/2005/Atom';
const GENERATOR = 'Patient Engagement portal';

export function writeAtom(feed: ExportFeed): string {
  const document = newXmlDocument();
  const root = addElement(document, 'feed', { xmlns: ATOM_NS });
  addText(root, 'id', feed.id);
  addText(root, 'title', feed.title, { type: 'text' });
  if (feed.description) addText(root, 'subtitle', feed.description, { type: 'text' });
  addText(root, 'updated', toRfc3339(feed.updatedAt));
  addElement(root, 'link', { rel: 'self', type: 'application/atom+xml', href: feed.selfUrl });
  if (feed.hubUrl) addElement(root, 'link', { rel: 'hub', href: feed.hubUrl });
  addElement(root, 'link', { rel: 'alternate', type: 'text/html', href: feed.alternateUrl });
  // The portal is the feed's author, so entries without one of their own stay valid.
  addPerson(root, 'author', feed.site.title, toHttpUrl(feed.site.url));
  addText(root, 'generator', GENERATOR);
  for (const entry of feed.entries) addEntry(root, entry, feed.site.url);
  return serializeXml(document);
}

function addEntry(root: XmlNode, entry: StreamEntry, siteUrl: string): void {
  const element = addElement(root, 'entry');
  addText(element, 'id', globalEntryId(entry, siteUrl));
  addText(element, 'title', entry.title, { type: 'text' });
  const link = toHttpUrl(entry.link);
  if (link) addElement(element, 'link', { rel: 'alternate', type: 'text/html', href: link });
  addText(element, 'published', toRfc3339(entry.publishedAt));
  addText(element, 'updated', toRfc3339(entryUpdatedAt(entry)));
  if (entry.author) addPerson(element, 'author', entry.author);
  for (const category of entry.categories) {
    if (category) addElement(element, 'category', { term: category });
  }
  addEnclosures(element, entry);
  if (entry.excerpt) addText(element, 'summary', entry.excerpt, { type: 'text' });
  addText(element, 'content', entryHtml(entry), { type: 'html' });
  addSource(element, entry);
}

function addPerson(parent: XmlNode, role: 'author', name: string, uri?: string): void {
  const person = addElement(parent, role);
  addText(person, 'name', name);
  if (uri) addText(person, 'uri', uri);
}

function addEnclosures(element: XmlNode, entry: StreamEntry): void {
  for (const enclosure of entry.enclosures) {
    const href = toHttpUrl(enclosure.url);
    if (!href) continue;
    addElement(element, 'link', {
      rel: 'enclosure',
      href,
      type: toMediaType(enclosure.type),
      length: toByteLength(enclosure.length),
    });
  }
}

/** The original feed: its own Atom id (else its address), title and links. */
function addSource(element: XmlNode, entry: StreamEntry): void {
  const source = addElement(element, 'source');
  const feedUrl = toHttpUrl(entry.sourceFeedUrl);
  const siteUrl = toHttpUrl(entry.sourceSiteUrl);
  const id = entry.sourceFeedAtomId ?? feedUrl ?? siteUrl;
  if (id) addText(source, 'id', id);
  addText(source, 'title', entry.sourceTitle, { type: 'text' });
  if (feedUrl) addElement(source, 'link', { rel: 'self', href: feedUrl });
  if (siteUrl) addElement(source, 'link', { rel: 'alternate', type: 'text/html', href: siteUrl });
}
