// The one pass over a feed's XML besides rss-parser (htmlparser2): the root element as written, and,
// for a feed that needs them, what xml2js drops: xml:base on every level and inline XHTML's source.
import { Parser } from 'htmlparser2';

/** One child element of the feed or of an entry. */
export interface ElementOutline {
  /** The xml:base values in force there, outermost first. */
  bases: string[];
  /** Its source text between the start and end tags. */
  inner?: string;
}

/** The feed's element (RSS <channel>, Atom <feed>) or one entry's. */
export interface ContainerOutline {
  bases: string[];
  /** Every <link> child, in document order (the same order xml2js keeps). */
  links: ElementOutline[];
  /** The first child of each name. */
  children: Map<string, ElementOutline>;
}

export interface Outline {
  /** Name of the document element as written ('rss', 'feed', 'rdf:RDF', 'html'…); '' if none. */
  root: string;
  /** Whether the element rss-parser reads the feed-level fields from exists (RSS's <channel>; Atom's root). */
  hasChannel: boolean;
  feed: ContainerOutline;
  /** Every entry in document order; empty when only the root was read. */
  entries: ContainerOutline[];
}

/** 'root' stops once the root and its channel are known; 'whole' reads every entry. */
export type OutlineDepth = 'root' | 'whole';

interface Frame {
  name: string;
  bases: string[];
  /** Where the element's content starts in the source. */
  innerStart: number;
  /** Where to store its source text when it closes. */
  record?: ElementOutline;
  /** The outline this element's children are recorded into (the feed or an entry). */
  container?: ContainerOutline;
}

function newContainer(bases: string[]): ContainerOutline {
  return { bases, links: [], children: new Map() };
}

function isChannel(root: string, depth: number, name: string): boolean {
  if (root === 'feed') return depth === 0;
  return depth === 1 && name === 'channel' && (root === 'rss' || root === 'rdf:RDF');
}

/** Where rss-parser looks for entries, per root element: depth and name of entry elements. */
function isEntry(root: string, depth: number, name: string, parent: Frame | undefined, channel: Frame | undefined): boolean {
  if (root === 'feed') return depth === 1 && name === 'entry';
  if (root === 'rdf:RDF') return depth === 1 && name === 'item';
  if (root === 'rss') return depth === 2 && name === 'item' && parent !== undefined && parent === channel;
  return false;
}

/** Whether nothing further in the document can change the root or whether it has a channel. */
function rootKnown(outline: Outline): boolean {
  return outline.root !== '' && (outline.hasChannel || (outline.root !== 'rss' && outline.root !== 'rdf:RDF'));
}

export function readOutline(xml: string, depth: OutlineDepth): Outline {
  const outline: Outline = { root: '', hasChannel: false, feed: newContainer([]), entries: [] };
  const stack: Frame[] = [];
  let channel: Frame | undefined;

  const parser = new Parser(
    {
      onopentag(name, attrs) {
        const parent = stack[stack.length - 1];
        const level = stack.length;
        const base = attrs['xml:base'];
        const bases = base === undefined ? (parent?.bases ?? []) : [...(parent?.bases ?? []), base];
        const frame: Frame = { name, bases, innerStart: parser.endIndex + 1 };
        if (level === 0) {
          if (outline.root) return void stack.push(frame); // a second root: ill-formed, sax will say so
          outline.root = name;
        }
        const root = outline.root;
        if (isChannel(root, level, name) && !outline.hasChannel) {
          outline.hasChannel = true;
          outline.feed = newContainer(bases);
          frame.container = outline.feed;
          if (root === 'rss') channel = frame;
        } else if (isEntry(root, level, name, parent, channel)) {
          frame.container = newContainer(bases);
          outline.entries.push(frame.container);
        } else if (parent?.container) {
          frame.record = recordChild(parent.container, name, { bases });
        }
        stack.push(frame);
        if (depth === 'root' && rootKnown(outline)) parser.pause();
      },
      onclosetag() {
        const frame = stack.pop();
        if (frame?.record) {
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

function recordChild(container: ContainerOutline, name: string, element: ElementOutline): ElementOutline | undefined {
  if (name === 'link') container.links.push(element);
  if (container.children.has(name)) return name === 'link' ? element : undefined;
  container.children.set(name, element);
  return element;
}
