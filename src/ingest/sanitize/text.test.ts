// textOfSanitizedHtml must read sanitized HTML exactly as a full HTML parse (htmlToText) would.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeWithCorpus } from '../../../test/helpers/corpus.js';
import { parseFeed } from '../parse/index.js';
import { corpusRoot, feedparserFetchUrl, filesUnder, readCorpusFile } from '../parse/testing/corpus.js';
import { htmlToText, plainText } from '../parse/text.js';
import { sanitizeHtml } from './index.js';
import { textOfSanitizedHtml } from './text.js';

const BASE = 'https://example.org/blog/';

function bothReadings(dirty: string): { fast: string; parsed: string } {
  const clean = sanitizeHtml(dirty, BASE);
  return { fast: textOfSanitizedHtml(clean), parsed: plainText(htmlToText(clean)) };
}

describe('textOfSanitizedHtml', () => {
  it.each([
    '<p>One</p><p>two &amp; three</p>',
    'a<b>b</b>c<br>d',
    '<script>alert(1)</script>Visible &lt;script&gt;alert(2)&lt;/script&gt; text',
    '<ul><li>x</li><li>y</li></ul><h1>Head</h1>after',
    '<a href="https://e.org/?a=1&b=2" title="x > y">link</a> &quot;quoted&quot; &nbsp;&eacute; &#60;b&#62;',
    '<img src="https://e.org/i.png" alt="a > b"> caption<table><tr><td>1</td><td>2</td></tr></table>',
    '&lt;&lt;b&gt;script&gt; stray < and > and &amp;lt;',
    '',
  ])('reads %j as the HTML parser does', (dirty) => {
    const { fast, parsed } = bothReadings(dirty);
    expect(fast).toBe(parsed);
  });
});

const SANITIZE_DIR = path.join(corpusRoot, 'feedparser/tests/wellformed/sanitize');

describeWithCorpus('textOfSanitizedHtml over the sanitize corpus', () => {
  it('reads every entry of the 745 cases as the HTML parser does', async () => {
    const files = filesUnder(SANITIZE_DIR);
    expect(files.length).toBeGreaterThan(700);
    for (const file of files) {
      const text = readCorpusFile(file);
      const fetchUrl = feedparserFetchUrl(file, text);
      const feed = await parseFeed(text, fetchUrl, Date.UTC(2025, 0, 1));
      for (const entry of feed.entries) {
        const clean = sanitizeHtml(entry.contentHtml, fetchUrl);
        expect({ file, text: textOfSanitizedHtml(clean) }).toEqual({ file, text: plainText(htmlToText(clean)) });
      }
    }
  });
});
