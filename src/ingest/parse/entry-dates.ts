// Which of an entry's date elements give its publication and update times.
import { parseFeedDate } from './dates.js';
import { rawList, textOf, type RawRecord } from './raw.js';

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
  /** Whether publishedAt is the fetch time standing in for a date missing, unreadable or in the future. */
  publishedAtGuessed: boolean;
  updatedAt?: number;
  dateText: string;
}

/** Publication date (else update date, else `now`) and update date, never later than `now`. */
export function datesOf(record: RawRecord, now: number): EntryDates {
  const published = findDate(record, PUBLISHED);
  const updated = findDate(record, UPDATED);
  const given = published.value ?? updated.value;
  const dates: EntryDates = {
    publishedAt: Math.min(given ?? now, now),
    publishedAtGuessed: given === undefined || given > now,
    dateText: published.text || updated.text,
  };
  if (updated.value !== undefined) dates.updatedAt = Math.min(updated.value, now);
  return dates;
}
