// Reads the feeds out of an OPML subscription list (OPML 1.0/2.0, as every aggregator exports it).
import { DomUtils, parseDocument } from 'htmlparser2';
import { cleanText } from './new-source.js';

/** One outline with an xmlUrl. */
export interface OpmlFeed {
  xmlUrl: string;
  htmlUrl?: string;
  /** The outline's title, else its text. */
  title?: string;
  description?: string;
  /** The text of the nearest enclosing outline that is not itself a feed: the reader's folder. */
  folder?: string;
}

export type OpmlResult = { ok: true; feeds: OpmlFeed[] } | { ok: false; message: string };

type Element = ReturnType<typeof DomUtils.findAll>[number];

/** Every feed in the OPML text, in document order, however deeply the outlines nest. */
export function readOpml(text: string): OpmlResult {
  // xmlMode: attribute names keep their case and only XML's entities are decoded. The parser is
  // forgiving about bad nesting; what it cannot find is an <opml> root, which is what we check.
  const document = parseDocument(text, { xmlMode: true });
  const root = document.children.find(DomUtils.isTag);
  if (root === undefined) return { ok: false, message: 'not an OPML file: it holds no XML element' };
  if (root.name.toLowerCase() !== 'opml') {
    return { ok: false, message: `not an OPML file: its first element is <${root.name}>, not <opml>` };
  }
  const body = childTags(root).find((el) => el.name.toLowerCase() === 'body');
  if (body === undefined) return { ok: false, message: 'not an OPML file: <opml> has no <body>' };
  const feeds: OpmlFeed[] = [];
  collectFeeds(body, undefined, feeds);
  return { ok: true, feeds };
}

function collectFeeds(parent: Element, folder: string | undefined, into: OpmlFeed[]): void {
  for (const outline of childTags(parent).filter((el) => el.name.toLowerCase() === 'outline')) {
    const attrs = lowerCaseAttributes(outline);
    const xmlUrl = cleanText(attrs['xmlurl']);
    const label = cleanText(attrs['title']) || cleanText(attrs['text']);
    if (xmlUrl) into.push(feedOf(xmlUrl, label, attrs, folder));
    // A feed's own children (rare) stay in the feed's folder; a plain outline is a folder.
    collectFeeds(outline, xmlUrl ? folder : label || folder, into);
  }
}

function feedOf(xmlUrl: string, label: string, attrs: Record<string, string>, folder: string | undefined): OpmlFeed {
  const htmlUrl = cleanText(attrs['htmlurl']);
  const description = cleanText(attrs['description']);
  return {
    xmlUrl,
    ...(htmlUrl && { htmlUrl }),
    ...(label && { title: label }),
    ...(description && { description }),
    ...(folder && { folder }),
  };
}

function childTags(el: Element): Element[] {
  return el.children.filter(DomUtils.isTag);
}

/** OPML writers disagree on case: xmlUrl, xmlurl, XMLURL. */
function lowerCaseAttributes(el: Element): Record<string, string> {
  return Object.fromEntries(Object.entries(el.attribs).map(([name, value]) => [name.toLowerCase(), value]));
}
