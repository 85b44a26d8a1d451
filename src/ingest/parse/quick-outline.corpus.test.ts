// The quick outline is a shortcut, never a different reading: over every corpus file, parseFeed
// (quick outline when it can) gives exactly what the full pre-pass gives, or the same error.
import path from 'node:path';
import { expect, it } from 'vitest';
import { describeWithCorpus } from '../../../test/helpers/corpus.js';
import { parseFeed } from './index.js';
import { outlineFeed } from './outline.js';
import { quickOutline } from './quick-outline.js';
import { readFeed } from './read.js';
import { adaptFeed } from './rss-adapter.js';
import { corpusRoot, feedparserFetchUrl, filesUnder, readCorpusFile } from './testing/corpus.js';

const NOW = Date.UTC(2025, 0, 1);

/** What parseFeed gave before the quick outline: the full pre-pass, always. */
async function withFullOutline(xml: string, fetchUrl: string): Promise<unknown> {
  return adaptFeed(await readFeed(xml), outlineFeed(xml), { fetchUrl, now: NOW });
}

/** Entries with their lazily computed text read out, so the comparison sees every field. */
function plain(feed: Awaited<ReturnType<typeof parseFeed>>): unknown {
  return { ...feed, entries: feed.entries.map((e) => ({ ...e, contentText: e.contentText, excerpt: e.excerpt })) };
}

describeWithCorpus('the quick outline against the full pre-pass, over the corpus', () => {
  it('reads every feed the quick way exactly as the full pre-pass does', { timeout: 120_000 }, async () => {
    let quick = 0;
    let compared = 0;
    const differ: string[] = [];
    for (const file of filesUnder(corpusRoot)) {
      if (!/\.(xml|rss|rdf|atom)$/i.test(file)) continue;
      const xml = readCorpusFile(file);
      const outline = quickOutline(xml);
      if (!outline) continue;
      quick += 1;
      expect(outline.rootName).toBe(outlineFeed(xml).rootName);
      const fetchUrl = feedparserFetchUrl(file, xml);
      const fast = await parseFeed(xml, fetchUrl, NOW).then(plain, (e: Error) => `error ${e.message}`);
      const full = await withFullOutline(xml, fetchUrl).then((f) => plain(f as never), (e: Error) => `error ${e.message}`);
      if (typeof fast !== 'string' && typeof full !== 'string') compared += 1;
      if (JSON.stringify(fast) !== JSON.stringify(full)) differ.push(path.relative(corpusRoot, file));
    }
    console.info(`quick outline: ${quick} corpus files read the quick way, ${compared} of them compared as feeds`);
    expect(differ).toEqual([]);
    expect(compared).toBeGreaterThan(1000);
  });
});
