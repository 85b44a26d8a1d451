// Every feed-like file of the public corpus (feedparser's and the W3C validator's test cases) goes
// through parseFeed then sanitizeEntry: nothing but a FeedParseError may escape, and nothing the
// portal shows may carry a sanitize violation.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { describeWithCorpus } from '../../../test/helpers/corpus.js';
import { findSanitizeViolations, sanitizeEntry, sanitizeFeedMeta } from '../sanitize/index.js';
import { FeedParseError, parseFeed } from './index.js';
import { corpusRoot, feedparserFetchUrl, filesUnder, readCorpusFile } from './testing/corpus.js';

const NOW = Date.UTC(2025, 0, 1);

/** One test per folder keeps each well inside vitest's time limit on a small machine. */
function folders(): string[] {
  const subfolders = (dir: string) =>
    readdirSync(path.join(corpusRoot, dir), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => `${dir}/${e.name}`);
  const feedparser = subfolders('feedparser/tests').flatMap((dir) => (dir.endsWith('/wellformed') ? subfolders(dir) : [dir]));
  return [...feedparser, ...subfolders('feedvalidator/testcases')].sort();
}

interface Tally {
  files: number;
  parsed: number;
  parseErrors: number;
  entries: number;
  /** Anything other than a FeedParseError, or a violation in a shown field: must stay empty. */
  problems: string[];
}

function shownFields(feed: { title?: string; link?: string; icon?: string }, entries: ReturnType<typeof sanitizeEntry>[]): string[] {
  return [
    feed.title ?? '', feed.link ?? '', feed.icon ?? '',
    ...entries.flatMap((e) => [e.title, e.link, e.author ?? '', e.contentHtml, e.excerpt, ...e.categories, ...e.enclosures.map((x) => x.url)]),
  ];
}

async function runFile(file: string, tally: Tally): Promise<void> {
  const text = readCorpusFile(file);
  const fetchUrl = feedparserFetchUrl(file, text);
  try {
    const feed = await parseFeed(text, fetchUrl, NOW);
    const entries = feed.entries.map((entry) => sanitizeEntry(entry, fetchUrl));
    const violations = shownFields(sanitizeFeedMeta(feed, fetchUrl), entries).flatMap(findSanitizeViolations);
    if (violations.length > 0) tally.problems.push(`${file}: ${violations.join('; ')}`);
    tally.parsed += 1;
    tally.entries += entries.length;
  } catch (error) {
    if (error instanceof FeedParseError && error.message.startsWith('parse: ')) tally.parseErrors += 1;
    else tally.problems.push(`${file}: ${error instanceof Error ? error.stack : String(error)}`);
  }
}

const totals: Tally = { files: 0, parsed: 0, parseErrors: 0, entries: 0, problems: [] };

describeWithCorpus('the public corpus through parseFeed and sanitizeEntry', () => {
  it.each(folders())('%s', async (folder) => {
    const tally: Tally = { files: 0, parsed: 0, parseErrors: 0, entries: 0, problems: [] };
    for (const file of filesUnder(path.join(corpusRoot, folder))) {
      tally.files += 1;
      await runFile(file, tally);
    }
    expect(tally.problems).toEqual([]);
    expect(tally.files).toBeGreaterThan(0);
    totals.files += tally.files;
    totals.parsed += tally.parsed;
    totals.parseErrors += tally.parseErrors;
    totals.entries += tally.entries;
  });

  it('read the whole corpus, most of it as feeds', () => {
    // Printed for the record: how much of the corpus reads as a feed.
    console.info(`corpus: ${totals.files} files, ${totals.parsed} parsed (${totals.entries} entries), ${totals.parseErrors} FeedParseError`);
    expect(totals.files).toBeGreaterThan(3700);
    expect(totals.parsed).toBeGreaterThan(totals.files * 0.9);
  });
});
