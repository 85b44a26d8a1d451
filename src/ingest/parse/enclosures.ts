// Attachments of an entry: RSS <enclosure>, Atom <link rel="enclosure">, audio/video media:content.
import type { Enclosure } from '../../core/types.js';
import type { BaseOf, LinkCandidate } from './links.js';
import { attrOf, rawList, type RawNode, type RawRecord } from './raw.js';
import { absoluteHttpUrl } from './urls.js';

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
