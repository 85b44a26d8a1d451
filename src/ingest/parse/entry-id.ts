// The stable id of an entry: what the feed calls its id, else its link, else a hash.
import { createHash } from 'node:crypto';

/** Ids longer than this are hashed: they key database rows and page anchors. */
const MAX_ID_LENGTH = 512;

export interface IdSources {
  /** RSS guid, Atom id or RDF rdf:about, as written. */
  guid?: string;
  link?: string;
  title: string;
  /** The entry's date text as written (not the parsed value, which may fall back to "now"). */
  dateText: string;
  /** Used only when there is neither title nor date, so such entries do not all collide. */
  contentText: string;
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export function entryIdOf(sources: IdSources): string {
  const given = sources.guid?.trim() || sources.link;
  if (given) return given.length > MAX_ID_LENGTH ? `hash:${sha256(given)}` : given;
  const key = sources.title || sources.dateText ? `${sources.title}\n${sources.dateText}` : `\n\n${sources.contentText}`;
  return `hash:${sha256(key)}`;
}
