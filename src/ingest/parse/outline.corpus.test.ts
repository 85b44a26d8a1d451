// The outline's shortcut is never a different reading: over every corpus file parseFeed reads (the
// root alone, unless the feed uses xml:base or inline markup) gives exactly what the whole outline gives.
import path from 'node:path';
import { expect, it } from 'vitest';
import { describeWithCorpus } from '../../../test/helpers/corpus.js';
import { atomFeed } from './atom.js';
import { parseFeed } from './index.js';
import { readOutline } from './outline.js';
import { rssFeed } from './rss.js';
import { corpusRoot, feedparserFetchUrl, filesUnder, readCorpusFile } from './testing/corpus.js';

const NOW = Date.UTC(2025, 0, 1);

describeWithCorpus('the root-only outline against the whole one, over the corpus', () => {
  it('reads every feed exactly as the whole outline does', { timeout: 120_000 }, async () => {
    let compared = 0;
    const differ: string[] = [];
    for (const file of filesUnder(corpusRoot)) {
      const xml = readCorpusFile(file);
      // JSON Feeds have no outline: they are read by their own adapter.
      if (/^\s*[[{]/.test(xml)) continue;
      const fetchUrl = feedparserFetchUrl(file, xml);
      const feed = await parseFeed(xml, fetchUrl, NOW).catch(() => undefined);
      if (feed === undefined) continue;
      // The adapter takes the outline it is handed as the root's; a whole one is used as it is.
      const outline = readOutline(xml, 'whole');
      const whole = await (outline.root === 'feed' ? atomFeed : rssFeed)(xml, outline, { fetchUrl, now: NOW });
      compared += 1;
      if (JSON.stringify(feed) !== JSON.stringify(whole)) differ.push(path.relative(corpusRoot, file));
    }
    console.info(`outline: ${compared} corpus feeds compared with the whole outline`);
    expect(differ).toEqual([]);
    expect(compared).toBeGreaterThan(3500);
  });
});
