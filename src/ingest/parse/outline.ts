// A light pre-pass over the feed XML for what rss-parser (xml2js) throws away: the root element,
// xml:base on every level, and the source text of inline XHTML content (xml2js keeps neither the
// order of mixed text and elements nor attributes in a usable place).
import { Parser } from 'htmlparser2';

/** One element of interest: the xml:base values in force there (outermost first), its attributes. */
export interface ElementOutline {
  bases: string[];
  attrs: Record<string, string>;
  /** Source text between the start and end tags (only for the content-bearing elements). */
  inner?: string;
}

export interface EntryOutline {
  bases: string[];
  /** Every <link> child, in document order (the same order xml2js keeps). */
  links: ElementOutline[];
  /** The first child of each name. */
  children: Map<string, ElementOutline>;
}

export interface FeedOutline {
  /** Name of the document element as written ('rss', 'feed', 'rdf:RDF', 'html'…); '' if none. */
  rootName: string;
  /** Whether the element rss-parser reads the feed-level fields from exists (the RSS channel). */
  hasFeedElement: boolean;
  feed: EntryOutline;
  entries: EntryOutline[];
}

/** Children whose source text is kept, because they may hold inline XHTML. */
export const CONTENT_ELEMENTS = new Set([
  'title', 'content', 'summary', 'description', 'content:encoded', 'body', 'xhtml:body', 'fullitem',
  'subtitle', 'tagline',
]);

interface Frame {
  name: string;
  bases: string[];
  /** Where the element's content starts in the source, and where to store it when it closes. */
  innerStart: number;
  record?: ElementOutline;
  /** The outline this element's children are recorded into (the feed or an entry). */
  container?: EntryOutline;
}

function newContainer(bases: string[]): EntryOutline {
  return { bases, links: [], children: new Map() };
}

/** Where rss-parser looks for entries, per root element: depth and name of entry elements. */
function isEntryElement(root: string, depth: number, name: string, parent: Frame | undefined, channel: Frame | undefined): boolean {
  if (root === 'feed') return depth === 1 && name === 'entry';
  if (root === 'rdf:RDF') return depth === 1 && name === 'item';
  if (root === 'rss') return depth === 2 && name === 'item' && parent !== undefined && parent === channel;
  return false;
}

export function outlineFeed(xml: string): FeedOutline {
  const outline: FeedOutline = { rootName: '', hasFeedElement: false, feed: newContainer([]), entries: [] };
  const stack: Frame[] = [];
  let channel: Frame | undefined;

  const parser = new Parser(
    {
      onopentag(name, attrs) {
        const parent = stack[stack.length - 1];
        const depth = stack.length;
        const base = attrs['xml:base'];
        const bases = base === undefined ? (parent?.bases ?? []) : [...(parent?.bases ?? []), base];
        const frame: Frame = { name, bases, innerStart: parser.endIndex + 1 };
        if (depth === 0) {
          if (outline.rootName) return void stack.push(frame); // a second root: ill-formed, sax will say so
          outline.rootName = name;
        }
        const root = outline.rootName;
        if (isFeedElement(root, depth, name) && !outline.hasFeedElement) {
          outline.hasFeedElement = true;
          outline.feed = newContainer(bases);
          frame.container = outline.feed;
          if (root === 'rss') channel = frame;
        } else if (isEntryElement(root, depth, name, parent, channel)) {
          frame.container = newContainer(bases);
          outline.entries.push(frame.container);
        } else if (parent?.container) {
          frame.record = recordChild(parent.container, name, { bases, attrs });
        }
        stack.push(frame);
      },
      onclosetag() {
        const frame = stack.pop();
        if (frame?.record && CONTENT_ELEMENTS.has(frame.name)) {
          frame.record.inner = parser.startIndex >= frame.innerStart ? xml.slice(frame.innerStart, parser.startIndex) : '';
        }
      },
    },
    { xmlMode: true },
  );
  parser.write(xml);
  parser.end();
  return outline;
}

function isFeedElement(root: string, depth: number, name: string): boolean {
  if (root === 'feed') return depth === 0;
  return depth === 1 && name === 'channel' && (root === 'rss' || root === 'rdf:RDF');
}

function recordChild(container: EntryOutline, name: string, element: ElementOutline): ElementOutline | undefined {
  if (name === 'link') container.links.push(element);
  if (container.children.has(name)) return name === 'link' ? element : undefined;
  container.children.set(name, element);
  return element;
}
