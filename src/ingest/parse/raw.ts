// Reading the raw xml2js values rss-parser hands over through customFields: an element is a string
// (text only), or an object with `_` (text) and `$` (attributes) and its children as arrays.

export type RawNode = string | RawElement;

export interface RawElement {
  _?: unknown;
  $?: Record<string, unknown>;
  [child: string]: unknown;
}

/** What rss-parser returns for the feed and for each item: named fields, raw ones under RAW_PREFIX. */
export type RawRecord = Record<string, unknown>;

export const RAW_PREFIX = 'raw:';

/** The key under which rss-parser stores the raw value of element `name` (see read.ts). */
export function rawKey(name: string): string {
  return RAW_PREFIX + name;
}

function isRawNode(value: unknown): value is RawNode {
  return typeof value === 'string' || (typeof value === 'object' && value !== null && !Array.isArray(value));
}

/** Every occurrence of child element `name` of a record (rss-parser item or feed). */
export function rawList(record: RawRecord, name: string): RawNode[] {
  const value = record[rawKey(name)];
  return Array.isArray(value) ? value.filter(isRawNode) : [];
}

/** The attributes of the record's own element (its `$`). */
export function rawAttrs(record: RawRecord): Record<string, unknown> {
  const value = record[rawKey('$')];
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

/** Children of a raw element (e.g. the <name> of an Atom <author>). */
export function childList(node: RawNode | undefined, name: string): RawNode[] {
  if (node === undefined || typeof node === 'string') return [];
  const value = node[name];
  return Array.isArray(value) ? value.filter(isRawNode) : [];
}

/** The element's own text (not that of its children). */
export function textOf(node: RawNode | undefined): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node;
  return typeof node._ === 'string' ? node._ : '';
}

export function attrOf(node: RawNode | undefined, name: string): string | undefined {
  if (node === undefined || typeof node === 'string') return undefined;
  const value = node.$?.[name];
  return typeof value === 'string' ? value : undefined;
}

/** Whether the element holds child elements (markup written inline rather than escaped). */
export function hasChildElements(node: RawNode | undefined): boolean {
  if (node === undefined || typeof node === 'string') return false;
  return Object.keys(node).some((key) => key !== '_' && key !== '$');
}

/** The first non-blank text among the elements `names`, tried in order. */
export function firstText(record: RawRecord, names: readonly string[]): string | undefined {
  for (const name of names) {
    for (const node of rawList(record, name)) {
      const text = textOf(node).trim();
      if (text) return text;
    }
  }
  return undefined;
}
