// feedparser's xml:base and relative-URL cases (corpus wellformed/base): the link outcomes.
import path from 'node:path';
import { expect, it } from 'vitest';
import { describeWithCorpus } from '../../../test/helpers/corpus.js';
import type { NormalEntry, ParsedFeed } from '../../core/types.js';
import { sanitizeEntry } from '../sanitize/index.js';
import { parseFeed } from './index.js';
import { corpusRoot, feedparserFetchUrl, filesUnder, headerLine, readCorpusFile } from './testing/corpus.js';

const BASE_DIR = path.join(corpusRoot, 'feedparser/tests/wellformed/base');
const NOW = Date.UTC(2025, 0, 1);

/** `not bozo and LHS == 'VALUE'` → [LHS, VALUE], with Python's escapes in VALUE undone. */
function simpleExpectation(expect: string | undefined): [string, string] | undefined {
  const match = /^not bozo and (.+?) == '((?:[^'\\]|\\.)*)'$/.exec(expect ?? '');
  if (!match) return undefined;
  const value = match[2]!.replace(/\\u([0-9a-fA-F]{4})|\\(.)/g, (_all, hex: string | undefined, char: string | undefined) =>
    hex ? String.fromCharCode(parseInt(hex, 16)) : char === 'n' ? '\n' : (char ?? ''));
  return [match[1]!, value];
}

/** What the portal keeps for each feedparser field these cases test. */
const OUR_FIELD: Record<string, (feed: ParsedFeed, entry: NormalEntry | undefined) => string | undefined> = {
  "entries[0]['link']": (_feed, entry) => entry?.link,
  "entries[0]['links'][0]['href']": (_feed, entry) => entry?.link,
  "feed['link']": (feed) => feed.link,
  "feed['links'][0]['href']": (feed) => feed.link,
  "entries[0]['content'][0]['base']": (_feed, entry) => entry?.baseUrl,
  "entries[0]['summary_detail']['base']": (_feed, entry) => entry?.baseUrl,
  // The sanitized content's first link, which the sanitizer made absolute.
  "entries[0]['content'][0]['value']": (_feed, entry) => firstHref(entry),
  "entries[0]['summary']": (_feed, entry) => firstHref(entry),
  "entries[0]['description']": (_feed, entry) => firstHref(entry),
};

function firstHref(entry: NormalEntry | undefined): string | undefined {
  return entry === undefined ? undefined : /href="([^"]*)"/.exec(entry.contentHtml)?.[1];
}

/** feedparser's expected value reduced to what we compare: the URL (of its link), WHATWG-normalised. */
function expectedUrl(value: string): string {
  return new URL(/href="([^"]*)"/.exec(value)?.[1] ?? value).href;
}

/** Cases whose expectation the portal does not share, and why. */
const NOT_OURS: Record<string, string> = {
  'cdf_item_abstract_xml_base.xml': "Microsoft CDF is not RSS or Atom: parseFeed refuses it",
  'feed_link_xml_base_iri.xml': "feedparser's links[0] is a rel=\"self\" link; the portal's feed link is the alternate one",
  'entry_summary_xml_base_inherit_3.xml': 'the entry also has <content>, which the portal prefers (its base is the content one)',
  'entry_summary_xml_base_inherit_4.xml': 'the entry also has <content>, which the portal prefers (its base is the content one)',
};

interface Case {
  name: string;
  file: string;
  field: string;
  value: string;
}

function linkCases(): Case[] {
  const cases: Case[] = [];
  for (const file of filesUnder(BASE_DIR)) {
    const expectation = simpleExpectation(headerLine(readCorpusFile(file), 'Expect'));
    const name = path.basename(file);
    if (expectation && expectation[0] in OUR_FIELD && !(name in NOT_OURS)) {
      cases.push({ name, file, field: expectation[0], value: expectation[1] });
    }
  }
  return cases;
}

describeWithCorpus('xml:base and relative links: feedparser corpus', () => {
  const cases = linkCases();

  it('covers a good handful of entry and feed link cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    expect(cases.filter((c) => /link|links/.test(c.field)).length).toBeGreaterThanOrEqual(8);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const text = readCorpusFile(c.file);
    const fetchUrl = feedparserFetchUrl(c.file, text);
    const feed = await parseFeed(text, fetchUrl, NOW);
    const entry = feed.entries[0] && sanitizeEntry(feed.entries[0], fetchUrl);
    expect(OUR_FIELD[c.field]!(feed, entry)).toBe(expectedUrl(c.value));
  });

  it('the unsafe xml:base (javascript:) is skipped for the one in force around it', async () => {
    const file = path.join(BASE_DIR, 'unsafe_base.xml');
    const feed = await parseFeed(readCorpusFile(file), 'http://127.0.0.1:8097/unsafe_base.xml', NOW);
    expect(feed.entries[0]?.baseUrl).toBe('http://example.com/');
  });

  it('a relative xml:base chain resolves from the document URL', async () => {
    const file = path.join(BASE_DIR, 'http_relative_xml_base_2.xml');
    const feed = await parseFeed(readCorpusFile(file), 'http://example.com/', NOW);
    expect(feed.entries[0]?.baseUrl).toBe('http://example.com/entry/base/');
  });
});
