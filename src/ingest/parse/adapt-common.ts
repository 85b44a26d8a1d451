// What the feed and entry adapters share: the context, how bare text reads, bases, titles.
import { textConstructHtml, type DefaultKind } from './content.js';
import type { BaseOf } from './links.js';
import type { ContainerOutline } from './outline.js';
import { firstText, rawList, type RawRecord } from './raw.js';
import { clip, htmlToText, plainText } from './text.js';
import { resolveBaseChain } from './urls.js';

export interface AdaptContext {
  fetchUrl: string;
  now: number;
}

/** How bare text is read: Atom text constructs default to plain text, RSS elements hold HTML. */
export interface Flavour {
  titleKind: DefaultKind;
  contentKind: DefaultKind;
}

export const ATOM: Flavour = { titleKind: 'text', contentKind: 'text' };
export const RSS: Flavour = { titleKind: 'html', contentKind: 'html' };

/** Plain text of HTML, with nothing left that could read as markup. */
export function textOfHtml(html: string): string {
  return plainText(htmlToText(html));
}

/** The base for an element: its xml:base chain resolved from the document URL, else `fallback`. */
export function baseResolver(fetchUrl: string, fallback: string, container: ContainerOutline | undefined): BaseOf {
  return (element) => resolveBaseChain(fetchUrl, element?.bases ?? container?.bases ?? [], fallback);
}

export interface FeedFacts {
  id?: string;
  title?: string;
  link?: string;
  icon?: string;
  /** Atom's feed-level author applies to entries that name none. */
  author?: string;
}

/** Longest title kept: a longer one is a feed putting its text in the wrong element. */
const MAX_TITLE_LENGTH = 500;

export function titleOf(record: RawRecord, outline: ContainerOutline | undefined, flavour: Flavour): string {
  const html = textConstructHtml(rawList(record, 'title')[0], outline?.children.get('title'), flavour.titleKind);
  return clip(textOfHtml(html) || textOfHtml(firstText(record, ['dc:title']) ?? ''), MAX_TITLE_LENGTH);
}
