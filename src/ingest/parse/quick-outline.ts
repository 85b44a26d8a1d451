// Most feeds need nothing from the outline pre-pass but their root element's name: they have no
// xml:base and no inline XHTML. A plain scan reads that name (and whether the RSS channel opens
// the document) in microseconds; only a feed that needs more gets the full pre-pass.
import { CONTENT_ELEMENTS, type FeedOutline } from './outline.js';
import { attrOf, hasChildElements, rawList, type RawRecord } from './raw.js';

/** The root element's name when the document opens plainly; undefined when the full pre-pass must decide. */
function rootStart(xml: string): { name: string; end: number } | undefined {
  let pos = skipProlog(xml, 0);
  if (pos === undefined || xml[pos] !== '<') return undefined;
  const match = /^<([A-Za-z_][\w.:-]*)(?=[\s/>])[^<>]*>/.exec(xml.slice(pos, pos + 4096));
  if (!match) return undefined;
  pos += match[0].length;
  return match[0].endsWith('/>') ? undefined : { name: match[1] as string, end: pos };
}

/** Past whitespace, the XML declaration, processing instructions, comments and a simple DOCTYPE. */
function skipProlog(xml: string, from: number): number | undefined {
  let pos = from;
  for (;;) {
    while (pos < xml.length && /\s|\uFEFF/.test(xml[pos] as string)) pos += 1;
    if (xml.startsWith('<?', pos)) pos = after(xml, '?>', pos);
    else if (xml.startsWith('<!--', pos)) pos = after(xml, '-->', pos);
    else if (xml.startsWith('<!DOCTYPE', pos)) {
      const end = xml.indexOf('>', pos);
      // An internal subset may hold '>' of its own: leave that to the full pre-pass.
      if (end < 0 || xml.slice(pos, end).includes('[')) return undefined;
      pos = end + 1;
    } else return pos;
    if (pos < 0) return undefined;
  }
}

function after(xml: string, close: string, from: number): number {
  const end = xml.indexOf(close, from);
  return end < 0 ? -1 : end + close.length;
}

/**
 * The outline of a document that opens plainly with <feed>, or with <rss> or <rdf:RDF> whose first
 * child is <channel>: its root, and no entries (the adapter then reads every entry without one).
 * Undefined otherwise, or when the document uses xml:base: then the full pre-pass runs.
 */
export function quickOutline(xml: string): FeedOutline | undefined {
  if (xml.includes('xml:base')) return undefined;
  const root = rootStart(xml);
  if (!root) return undefined;
  const empty = { bases: [], links: [], children: new Map() };
  if (root.name === 'feed') return { rootName: 'feed', hasFeedElement: true, feed: empty, entries: [] };
  if (root.name !== 'rss' && root.name !== 'rdf:RDF') return undefined;
  const child = skipProlog(xml, root.end);
  if (child === undefined || !/^<channel[\s>]/.test(xml.slice(child, child + 9))) return undefined;
  return { rootName: root.name, hasFeedElement: true, feed: empty, entries: [] };
}

/** Elements the adapter reads as text constructs; inline XHTML in one needs its source text. */
const TEXT_CONSTRUCTS = [...CONTENT_ELEMENTS];

/** Whether any text construct of the feed or its entries holds markup inline or says it is XML. */
export function hasInlineMarkup(feed: RawRecord, items: readonly RawRecord[]): boolean {
  return [feed, ...items].some((record) =>
    TEXT_CONSTRUCTS.some((name) => {
      const node = rawList(record, name)[0];
      if (node === undefined) return false;
      const type = attrOf(node, 'type')?.toLowerCase() ?? '';
      const mode = attrOf(node, 'mode')?.toLowerCase() ?? '';
      return hasChildElements(node) || type.includes('xml') || mode.includes('xml');
    }),
  );
}
