// Single fields of an entry (or the feed) read from rss-parser's raw elements.
import type { Enclosure } from '../../core/types.js';
import { parseFeedDate } from './dates.js';
import type { ElementOutline } from './outline.js';
import { attrOf, childList, rawList, textOf, type RawNode, type RawRecord } from './raw.js';
import { clip, collapseWhitespace } from './text.js';
import { absoluteHttpUrl } from './urls.js';

/** The base URL in force at an element of the pre-pass outline (or the entry's when unknown). */
export type BaseOf = (element?: ElementOutline) => string;

/** The outline of the i-th of `nodes`, trusted only when the pre-pass saw the same elements. */
function outlineAt(outlines: readonly ElementOutline[] | undefined, nodes: readonly RawNode[], i: number): ElementOutline | undefined {
  return outlines !== undefined && outlines.length === nodes.length ? outlines[i] : undefined;
}

interface LinkCandidate {
  href: string;
  rel: string;
  type: string;
  length?: string;
  element?: ElementOutline;
}

/** Every <link>: Atom's href/rel/type attributes, or RSS's text. */
export function linkCandidates(record: RawRecord, outlines: readonly ElementOutline[] | undefined): LinkCandidate[] {
  const nodes = rawList(record, 'link');
  return nodes.map((node, i) => ({
    href: (attrOf(node, 'href') ?? textOf(node)).trim(),
    rel: (attrOf(node, 'rel') ?? 'alternate').trim().toLowerCase(),
    type: (attrOf(node, 'type') ?? '').trim().toLowerCase(),
    length: attrOf(node, 'length'),
    element: outlineAt(outlines, nodes, i),
  }));
}

/** The page the entry (or feed) points to: the first HTML alternate link, else the first alternate. */
export function alternateLink(candidates: readonly LinkCandidate[], baseOf: BaseOf): string | undefined {
  const alternates = candidates.filter((c) => c.href !== '' && c.rel === 'alternate');
  const ordered = [...alternates.filter((c) => c.type === '' || c.type.includes('html')), ...alternates];
  for (const candidate of ordered) {
    const url = absoluteHttpUrl(candidate.href, baseOf(candidate.element));
    if (url !== undefined) return url;
  }
  return undefined;
}

/** RSS <guid> that is (by default) the permalink, when no <link> was given. */
export function permalinkGuid(record: RawRecord): string | undefined {
  const guid = rawList(record, 'guid')[0];
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

function personName(node: RawNode): string {
  const name = childList(node, 'name')[0] ?? childList(node, 'email')[0];
  const text = collapseWhitespace(name !== undefined ? textOf(name) : textOf(node));
  return clip(name !== undefined ? text : nameFromRssAuthor(text.slice(0, MAX_NAME_LENGTH * 2)), MAX_NAME_LENGTH);
}

/** dc:creator, Atom author name, RSS author, itunes:author, dc:contributor: the first one given. */
export function authorOf(record: RawRecord): string | undefined {
  for (const name of ['dc:creator', 'author', 'itunes:author', 'dc:contributor']) {
    for (const node of rawList(record, name)) {
      const person = personName(node);
      if (person) return person;
    }
  }
  return undefined;
}

/** RSS <category> text, Atom category label or term, dc:subject; trimmed, without repeats. */
export function categoriesOf(record: RawRecord): string[] {
  const seen = new Set<string>();
  const categories: string[] = [];
  for (const node of [...rawList(record, 'category'), ...rawList(record, 'dc:subject')]) {
    const text = clip(collapseWhitespace(textOf(node) || attrOf(node, 'label') || attrOf(node, 'term') || ''), MAX_CATEGORY_LENGTH);
    const key = text.toLowerCase();
    if (categories.length >= MAX_CATEGORIES) break;
    if (text && !seen.has(key)) {
      seen.add(key);
      categories.push(text);
    }
  }
  return categories;
}

function byteLength(text: string | undefined): number | undefined {
  const trimmed = text?.trim();
  if (!trimmed || !/^\d+$/.test(trimmed)) return undefined;
  const value = Number(trimmed);
  return Number.isSafeInteger(value) ? value : undefined;
}

function enclosure(url: string | undefined, type: string | undefined, length: string | undefined): Enclosure | undefined {
  if (url === undefined) return undefined;
  const result: Enclosure = { url };
  const mime = type?.trim();
  if (mime) result.type = mime;
  const bytes = byteLength(length);
  if (bytes !== undefined) result.length = bytes;
  return result;
}

function isMediaAttachment(node: RawNode): boolean {
  const medium = attrOf(node, 'medium')?.toLowerCase();
  const type = attrOf(node, 'type')?.toLowerCase() ?? '';
  return medium === 'audio' || medium === 'video' || /^(audio|video)\//.test(type);
}

/** RSS <enclosure>, Atom <link rel="enclosure">, audio/video media:content; absolute http(s) only. */
export function enclosuresOf(record: RawRecord, links: readonly LinkCandidate[], baseOf: BaseOf): Enclosure[] {
  const base = baseOf();
  const found = [
    ...rawList(record, 'enclosure').map((n) =>
      enclosure(absoluteHttpUrl(attrOf(n, 'url'), base), attrOf(n, 'type'), attrOf(n, 'length'))),
    ...links
      .filter((l) => l.rel === 'enclosure' && l.href !== '')
      .map((l) => enclosure(absoluteHttpUrl(l.href, baseOf(l.element)), l.type, l.length)),
    ...rawList(record, 'media:content')
      .filter(isMediaAttachment)
      .map((n) => enclosure(absoluteHttpUrl(attrOf(n, 'url'), base), attrOf(n, 'type'), attrOf(n, 'fileSize'))),
  ];
  const byUrl = new Map<string, Enclosure>();
  for (const item of found) if (item && !byUrl.has(item.url)) byUrl.set(item.url, item);
  return [...byUrl.values()];
}

const PUBLISHED = ['pubDate', 'published', 'dc:date', 'issued', 'dcterms:issued', 'created', 'dcterms:created'];
const UPDATED = ['updated', 'modified', 'dcterms:modified', 'atom:updated'];

interface FoundDate {
  /** The first date text given, readable or not (it keys the hash id of entries without one). */
  text: string;
  value?: number;
}

function findDate(record: RawRecord, names: readonly string[]): FoundDate {
  let text = '';
  for (const name of names) {
    for (const node of rawList(record, name)) {
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
  updatedAt?: number;
  dateText: string;
}

/** Publication date (else update date, else `now`) and update date, never later than `now`. */
export function datesOf(record: RawRecord, now: number): EntryDates {
  const published = findDate(record, PUBLISHED);
  const updated = findDate(record, UPDATED);
  const dates: EntryDates = {
    publishedAt: Math.min(published.value ?? updated.value ?? now, now),
    dateText: published.text || updated.text,
  };
  if (updated.value !== undefined) dates.updatedAt = Math.min(updated.value, now);
  return dates;
}
