// The JSON Feed examples of the public corpus (jsonfeed-schema's, feedparser's) read as the spec
// means them: every item an entry with its id, link, dates and attachments; the script in
// feedparser's example gone once sanitized.
import path from 'node:path';
import { expect, it } from 'vitest';
import { describeWithCorpus } from '../../../test/helpers/corpus.js';
import { sanitizeEntry } from '../sanitize/index.js';
import { parseFeed } from './index.js';
import { corpusRoot, filesUnder, readCorpusFile } from './testing/corpus.js';

const NOW = Date.UTC(2025, 0, 1);
const FETCH_URL = 'https://example.org/feed.json';

interface Item {
  id: string;
  url?: string;
  title?: string;
  date_published?: string;
  attachments?: Array<{ url: string; mime_type: string; size_in_bytes?: number }>;
}

describeWithCorpus('the corpus JSON Feeds through parseFeed', () => {
  const examples = filesUnder(path.join(corpusRoot, 'schemas/jsonfeed/test/examples'));

  it.each(examples.map((file) => [path.relative(corpusRoot, file), file]))('%s', async (_name, file) => {
    const text = readCorpusFile(file);
    const document = JSON.parse(text) as { title: string; items: Item[] };
    const feed = await parseFeed(text, FETCH_URL, NOW);
    expect(feed.title).toBe(document.title);
    expect(feed.entries.map((e) => [e.entryId, e.link, e.title])).toEqual(document.items.map((i) => [i.id, i.url ?? '', i.title ?? '']));
    feed.entries.forEach((entry, i) => {
      const item = document.items[i]!;
      if (item.date_published) expect(entry.publishedAt).toBe(Date.parse(item.date_published));
      expect(entry.enclosures).toEqual(
        (item.attachments ?? []).map((a) => ({ url: a.url, type: a.mime_type, ...(a.size_in_bytes !== undefined && { length: a.size_in_bytes }) })),
      );
      expect(entry.contentText).not.toBe('');
    });
    expect(examples.length).toBeGreaterThanOrEqual(6);
  });

  it("feedparser's example: two entries, the author of each, and no script once sanitized", async () => {
    const feed = await parseFeed(readCorpusFile(path.join(corpusRoot, 'feedparser/tests/json/example.json')), FETCH_URL, NOW);
    expect(feed.title).toBe('My Example Feed');
    expect(feed.entries.map((e) => [e.entryId, e.author, e.categories])).toEqual([
      ['2', 'me', ['test', 'JSON']],
      ['1', 'you', []],
    ]);
    expect(sanitizeEntry(feed.entries[1]!, FETCH_URL).contentHtml).toBe('<p>Hello, world!</p>');
  });
});
