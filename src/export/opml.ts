// OPML 2.0 subscription list of the sources that have feeds (http://opml.org/spec2.opml).
import { toHttpUrl } from './model.js';
import { addElement, addText, newXmlDocument, serializeXml } from './xml.js';

/** What OPML needs of a source; `SourceRow` from the store fits. */
export interface OpmlSource {
  id: string;
  title: string;
  site_url: string;
  feed_url: string | null;
  description: string;
  category: string;
}

export interface OpmlHead {
  title: string;
  /** The portal's address, as OPML's ownerId. */
  ownerUrl?: string;
}

/** One `type="rss"` outline per source with a feed, in the given order; link-only sources are left out. */
export function writeOpml(sources: readonly OpmlSource[], head: OpmlHead): string {
  const document = newXmlDocument();
  const opml = addElement(document, 'opml', { version: '2.0' });
  const headElement = addElement(opml, 'head');
  addText(headElement, 'title', head.title);
  const owner = toHttpUrl(head.ownerUrl);
  if (owner) addText(headElement, 'ownerId', owner);
  addText(headElement, 'docs', 'http://opml.org/spec2.opml');
  const body = addElement(opml, 'body');
  for (const source of sources) {
    const xmlUrl = toHttpUrl(source.feed_url);
    if (!xmlUrl) continue;
    addElement(body, 'outline', {
      type: 'rss',
      text: source.title,
      title: source.title,
      xmlUrl,
      htmlUrl: toHttpUrl(source.site_url),
      description: source.description || undefined,
      // OPML's category is RSS-style: a word without slashes is a tag.
      category: source.category || undefined,
    });
  }
  return serializeXml(document);
}
