// What every format's adapter fills the normal form with: bases, titles and content, links, people,
// categories, enclosures, dates, and the entry itself with its id and plain text.
import { createHash } from 'node:crypto';
import type { Enclosure, NormalEntry, ParsedFeed } from '../../core/types.js';
import { textConstructHtml, type DefaultKind } from './content.js';
import { parseFeedDate } from './dates.js';
import type { ContainerOutline, ElementOutline } from './outline.js';
import { clip, collapseWhitespace, makeExcerpt, plainText, textOfHtml } from './text.js';
import { absoluteHttpUrl, resolveBaseChain } from './urls.js';
import { attrOf, children, firstText, textOf, type XmlElement, type XmlNode } from './xml.js';

export interface AdaptContext {
  /** The URL the document came from: relative links resolve against it last. */
  fetchUrl: string;
  /** The fetch time in ms: later dates are clamped to it, missing dates take it. */
  now: number;
}

/** The base URL in force at an element of the outline (or at its container when unknown). */
export type BaseOf = (element?: ElementOutline) => string;

/** The base for an element: its xml:base chain resolved from the document URL, else `fallback`. */
export function baseResolver(fetchUrl: string, fallback: string, container: ContainerOutline | undefined): BaseOf {
  return (element) => resolveBaseChain(fetchUrl, element?.bases ?? container?.bases ?? [], fallback);
}

/** The entries' outlines, paired by position; none if the two readers ever disagree on the entries. */
export function entryOutlines(entries: readonly ContainerOutline[], items: readonly XmlElement[]): readonly ContainerOutline[] {
  return entries.length === items.length ? entries : [];
}

/** Longest title kept: a longer one is a feed putting its text in the wrong element. */
const MAX_TITLE_LENGTH = 500;

/** Plain-text title: the <title> text construct, else dc:title. */
export function titleOf(element: XmlElement, outline: ContainerOutline | undefined, kind: DefaultKind): string {
  const html = textConstructHtml(children(element, 'title')[0], outline?.children.get('title'), kind);
  return clip(textOfHtml(html) || textOfHtml(firstText(element, ['dc:title']) ?? ''), MAX_TITLE_LENGTH);
}

/** A title the feed gives as plain text (JSON Feed's): nothing in it is read as markup or entities. */
export function plainTitle(text: string): string {
  return clip(plainText(text), MAX_TITLE_LENGTH);
}

export interface Content {
  html: string;
  /** The base for the relative URLs in `html`. */
  baseUrl: string;
}

/** The first of the content elements `names` that has any (they are in order of preference). */
export function contentOf(element: XmlElement, outline: ContainerOutline | undefined, names: readonly string[], kind: DefaultKind, baseOf: BaseOf): Content {
  for (const name of names) {
    const child = outline?.children.get(name);
    const html = textConstructHtml(children(element, name)[0], child, kind);
    if (html) return { html, baseUrl: baseOf(child) };
  }
  return { html: '', baseUrl: baseOf() };
}

export interface LinkCandidate {
  href: string;
  rel: string;
  type: string;
  length?: string;
  element?: ElementOutline;
}

/** Every <link>: Atom's href/rel/type attributes, or RSS's text; with its outline when the counts agree. */
export function linkCandidates(element: XmlElement, outlines: readonly ElementOutline[] | undefined): LinkCandidate[] {
  const nodes = children(element, 'link');
  const paired = outlines !== undefined && outlines.length === nodes.length ? outlines : [];
  return nodes.map((node, i) => ({
    href: (attrOf(node, 'href') ?? textOf(node)).trim(),
    rel: (attrOf(node, 'rel') ?? 'alternate').trim().toLowerCase(),
    type: (attrOf(node, 'type') ?? '').trim().toLowerCase(),
    length: attrOf(node, 'length'),
    element: paired[i],
  }));
}

/** The page an entry (or feed) points to: the first HTML alternate link, else the first alternate. */
export function alternateLink(candidates: readonly LinkCandidate[], baseOf: BaseOf): string | undefined {
  const alternates = candidates.filter((c) => c.href !== '' && c.rel === 'alternate');
  const ordered = [...alternates.filter((c) => c.type === '' || c.type.includes('html')), ...alternates];
  for (const candidate of ordered) {
    const url = absoluteHttpUrl(candidate.href, baseOf(candidate.element));
    if (url !== undefined) return url;
  }
  return undefined;
}

/** RSS <guid> that is (by default) the permalink, for an entry without a link. */
export function permalinkGuid(element: XmlElement): string | undefined {
  const guid = children(element, 'guid')[0];
  if (attrOf(guid, 'isPermaLink')?.trim().toLowerCase() === 'false') return undefined;
  return absoluteHttpUrl(textOf(guid).trim());
}

/** Longest author name and category kept, and most categories per entry: past these it is junk. */
const MAX_NAME_LENGTH = 200;
const MAX_CATEGORY_LENGTH = 100;
const MAX_CATEGORIES = 50;

/** "jane@example.org (Jane Doe)" → "Jane Doe"; RSS's author element is an e-mail address. */
function nameFromRssAuthor(text: string): string {
  return /^[^\s@]+@\S+\s*\((.+)\)$/.exec(text)?.[1]?.trim() ?? text;
}

function personName(node: XmlNode): string {
  const name = children(node, 'name')[0] ?? children(node, 'email')[0];
  const text = collapseWhitespace(name !== undefined ? textOf(name) : textOf(node));
  return clip(name !== undefined ? text : nameFromRssAuthor(text.slice(0, MAX_NAME_LENGTH * 2)), MAX_NAME_LENGTH);
}

/** The first person named by the elements `names` (Atom's <name> inside, or RSS's text), tried in order. */
export function authorOf(element: XmlElement, names: readonly string[]): string | undefined {
  for (const name of names) {
    for (const node of children(element, name)) {
      const person = personName(node);
      if (person) return person;
    }
  }
  return undefined;
}

/** A person's name as given in plain text (JSON Feed's author name): whitespace collapsed, clipped. */
export function personNameText(text: string): string {
  return clip(collapseWhitespace(text.slice(0, MAX_NAME_LENGTH * 2)), MAX_NAME_LENGTH);
}

/** RSS <category> text, Atom category label or term, dc:subject; trimmed, without repeats. */
export function categoriesOf(element: XmlElement): string[] {
  const nodes = [...children(element, 'category'), ...children(element, 'dc:subject')];
  return uniqueCategories(nodes.map((node) => textOf(node) || attrOf(node, 'label') || attrOf(node, 'term') || ''));
}

/** Category texts trimmed and clipped, empty ones and repeats (in any case) dropped, at most MAX_CATEGORIES. */
export function uniqueCategories(texts: readonly string[]): string[] {
  const seen = new Set<string>();
  const categories: string[] = [];
  for (const raw of texts) {
    if (categories.length >= MAX_CATEGORIES) break;
    const text = clip(collapseWhitespace(raw), MAX_CATEGORY_LENGTH);
    const key = text.toLowerCase();
    if (text && !seen.has(key)) {
      seen.add(key);
      categories.push(text);
    }
  }
  return categories;
}

/** A byte count written as digits (XML attributes) or as a JSON number; anything else is unknown. */
function byteLength(given: string | number | undefined): number | undefined {
  if (typeof given === 'number') return Number.isSafeInteger(given) && given >= 0 ? given : undefined;
  const trimmed = given?.trim();
  if (!trimmed || !/^\d+$/.test(trimmed)) return undefined;
  const value = Number(trimmed);
  return Number.isSafeInteger(value) ? value : undefined;
}

/** An enclosure of an absolute `url` (undefined: none), with its type and length when they can be read. */
export function enclosure(url: string | undefined, type: string | undefined, length: string | number | undefined): Enclosure | undefined {
  if (url === undefined) return undefined;
  const result: Enclosure = { url };
  const mime = type?.trim();
  if (mime) result.type = mime;
  const bytes = byteLength(length);
  if (bytes !== undefined) result.length = bytes;
  return result;
}

function isMediaAttachment(node: XmlNode): boolean {
  const medium = attrOf(node, 'medium')?.toLowerCase();
  const type = attrOf(node, 'type')?.toLowerCase() ?? '';
  return medium === 'audio' || medium === 'video' || /^(audio|video)\//.test(type);
}

/** RSS <enclosure>, Atom <link rel="enclosure">, audio/video media:content; absolute http(s) only, one per URL. */
export function enclosuresOf(element: XmlElement, links: readonly LinkCandidate[], baseOf: BaseOf): Enclosure[] {
  const base = baseOf();
  const found = [
    ...children(element, 'enclosure').map((n) =>
      enclosure(absoluteHttpUrl(attrOf(n, 'url'), base), attrOf(n, 'type'), attrOf(n, 'length'))),
    ...links
      .filter((l) => l.rel === 'enclosure' && l.href !== '')
      .map((l) => enclosure(absoluteHttpUrl(l.href, baseOf(l.element)), l.type, l.length)),
    ...children(element, 'media:content')
      .filter(isMediaAttachment)
      .map((n) => enclosure(absoluteHttpUrl(attrOf(n, 'url'), base), attrOf(n, 'type'), attrOf(n, 'fileSize'))),
  ];
  const byUrl = new Map<string, Enclosure>();
  for (const item of found) if (item && !byUrl.has(item.url)) byUrl.set(item.url, item);
  return [...byUrl.values()];
}

export interface FoundDate {
  /** The first date text given, readable or not (it keys the hash id of entries without one). */
  text: string;
  value?: number;
}

/** A date given as text (a JSON Feed's RFC 3339 date): read, or kept as text when it cannot be. */
export function foundDate(raw: string | undefined): FoundDate {
  const text = raw?.trim() ?? '';
  const value = text ? parseFeedDate(text) : undefined;
  return value === undefined ? { text } : { text, value };
}

function findDate(element: XmlElement, names: readonly string[]): FoundDate {
  let text = '';
  for (const name of names) {
    for (const node of children(element, name)) {
      const raw = textOf(node).trim();
      if (!raw) continue;
      text ||= raw;
      const value = parseFeedDate(raw);
      if (value !== undefined) return { text, value };
    }
  }
  return { text };
}

export interface EntryDates {
  publishedAt: number;
  /** Whether publishedAt is the fetch time standing in for a date missing, unreadable or in the future. */
  publishedAtGuessed: boolean;
  updatedAt?: number;
  /** The date as written (not the parsed value, which may fall back to "now"). */
  dateText: string;
}

/** The first readable of the `published` dates (else of the `updated` ones, else `now`), and of the `updated` ones; never later than `now`. */
export function datesOf(element: XmlElement, published: readonly string[], updated: readonly string[], now: number): EntryDates {
  return entryDates(findDate(element, published), findDate(element, updated), now);
}

/** The published date (else the updated one, else `now`) and the updated one; never later than `now`. */
export function entryDates(found: FoundDate, changed: FoundDate, now: number): EntryDates {
  const given = found.value ?? changed.value;
  const dates: EntryDates = {
    publishedAt: Math.min(given ?? now, now),
    publishedAtGuessed: given === undefined || given > now,
    dateText: found.text || changed.text,
  };
  if (changed.value !== undefined) dates.updatedAt = Math.min(changed.value, now);
  return dates;
}

/** Ids longer than this are hashed: they key database rows and page anchors. */
const MAX_ID_LENGTH = 512;

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export interface EntryFields {
  /** What the feed calls the entry's id (RSS guid, Atom id, RDF rdf:about), as written. */
  givenId: string | undefined;
  link: string;
  title: string;
  content: Content;
  dates: EntryDates;
  author: string | undefined;
  categories: string[];
  enclosures: Enclosure[];
}

/**
 * The stable id of an entry: what the feed calls its id, else its link, else a hash of its title and
 * date, or of its text when it has neither (so such entries do not all collide).
 */
function entryIdOf(fields: EntryFields, contentText: () => string): string {
  const given = fields.givenId?.trim() || fields.link;
  if (given) return given.length > MAX_ID_LENGTH ? `hash:${sha256(given)}` : given;
  const { title, dates } = fields;
  return `hash:${sha256(title || dates.dateText ? `${title}\n${dates.dateText}` : `\n\n${contentText()}`)}`;
}

/**
 * The entry in the normal form, with its id. Its plain text (contentText, excerpt) is worked out when
 * first read: the digest's sanitizer makes its own from what survives, so most entries never need it.
 */
export function normalEntry(fields: EntryFields): NormalEntry {
  let text: string | undefined;
  const contentText = (): string => (text ??= textOfHtml(fields.content.html));
  const entry: NormalEntry = {
    entryId: entryIdOf(fields, contentText),
    title: fields.title,
    link: fields.link,
    publishedAt: fields.dates.publishedAt,
    publishedAtGuessed: fields.dates.publishedAtGuessed,
    categories: fields.categories,
    enclosures: fields.enclosures,
    contentHtml: fields.content.html,
    baseUrl: fields.content.baseUrl,
    get contentText() {
      return contentText();
    },
    get excerpt() {
      return makeExcerpt(contentText());
    },
  };
  if (fields.author) entry.author = fields.author;
  if (fields.dates.updatedAt !== undefined) entry.updatedAt = fields.dates.updatedAt;
  return entry;
}

/** The feed in the normal form: its entries, and whichever facts it gave. */
export function parsedFeed(entries: NormalEntry[], facts: { title: string; link?: string; icon?: string; id?: string }): ParsedFeed {
  const parsed: ParsedFeed = { entries };
  if (facts.title) parsed.title = facts.title;
  if (facts.link) parsed.link = facts.link;
  if (facts.icon) parsed.icon = facts.icon;
  if (facts.id) parsed.id = facts.id;
  return parsed;
}
