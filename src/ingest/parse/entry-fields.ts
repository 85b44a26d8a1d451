// The people and subjects of an entry (or feed): author name, categories.
import { attrOf, childList, rawList, textOf, type RawNode, type RawRecord } from './raw.js';
import { clip, collapseWhitespace } from './text.js';

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
