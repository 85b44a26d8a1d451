import { afterEach, describe, expect, it } from 'vitest';
import { HIGHLIGHT_END, HIGHLIGHT_START } from '../../store/index.js';
import { describeEachDatabase, makeEntry } from '../../../test/helpers/store.js';
import { startPortal, type TestPortal } from '../../../test/fixtures/web/portal-fixture.js';

describeEachDatabase('the search page', (kind) => {
  let portal: TestPortal | undefined;
  afterEach(async () => {
    await portal?.close();
    portal = undefined;
  });

  async function search(q: string | undefined, options: Parameters<typeof startPortal>[0] = {}) {
    portal ??= await startPortal({ kind, ...options });
    const url = q === undefined ? '/search' : `/search?q=${encodeURIComponent(q)}`;
    return portal.app.inject(url);
  }

  describe('GET /search', () => {
    it('finds entries by words in title and text, ranked, with <mark> highlights', async () => {
      const response = await search('caregivers');
      expect(response.statusCode).toBe(200);
      const html = response.body;
      expect(html).toContain('<h2 id="results-heading">10 results for “caregivers”</h2>');
      expect(html).toContain('<mark>Caregivers</mark> as members of the care team, part 3');
      expect(html).toContain('Notes on <mark>caregivers</mark> as members');
      expect(html).toContain('<a class="entry-source" href="/sources/health-it-buzz">Health IT Buzz</a>');
      expect(html).not.toContain(HIGHLIGHT_START);
      expect(html).not.toContain(HIGHLIGHT_END);
    });

    it('escapes hostile titles inside highlights', async () => {
      const html = (await search('script privacy')).body;
      expect(html).toContain('&lt;<mark>script</mark>&gt;alert(&quot;title&quot;)&lt;/<mark>script</mark>&gt; Portals &amp; <mark>privacy</mark>');
      expect(html).not.toContain('<script>');
      const attribute = (await search('onerror')).body;
      expect(attribute).toContain('&quot;&gt;&lt;img src&#x3D;x <mark>onerror</mark>&#x3D;alert(1)&gt; Engaging families');
      expect(attribute).not.toContain('<img src=x');
    });

    it('escapes a hostile search term wherever it is echoed', async () => {
      const q = '"><script>alert(1)</script><img src=x onerror=alert(2)>';
      const response = await search(q);
      expect(response.statusCode).toBe(200);
      expect(response.body).not.toContain('<script>alert');
      expect(response.body).not.toContain('<img src=x');
      expect(response.body).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    });

    it.each([
      ['FTS syntax', 'patient AND NEAR(care "team") OR title:* -x ^y'],
      ['unbalanced quotes', '"caregivers'],
      ['500 characters of noise', '%$#"*()-:^{}'.repeat(42).slice(0, 500)],
      ['500 characters of words', 'care '.repeat(100)],
      ['only punctuation', '***'],
    ])('answers %s with results or an empty list, never a 500', async (_what, q) => {
      const response = await search(q);
      expect(response.statusCode).toBe(200);
      expect(response.body).toContain('<h1>Search</h1>');
    });

    it('says so when nothing matches, or when no word was given', async () => {
      expect((await search('xylophone')).body).toContain('No results for “xylophone”');
      expect((await search('***')).body).toContain('Type one or more words');
      const blank = (await search(undefined)).body;
      expect(blank).toContain('<input id="search-q" name="q" type="search" maxlength="1000" value="">');
      expect(blank).not.toContain('results-heading');
    });

    it('rejects a query over 1000 characters with a 400 page', async () => {
      const response = await search('a'.repeat(1001));
      expect(response.statusCode).toBe(400);
    });

    it('drops stray highlight markers a feed might contain, keeping the tags balanced', async () => {
      const entries = {
        himss: [makeEntry('odd', { title: `Odd ${HIGHLIGHT_END}marker${HIGHLIGHT_START} engagement`, contentText: 'engagement' })],
      };
      const html = (await search('engagement', { entries })).body;
      expect(html).toContain('Odd marker <mark>engagement</mark>');
      expect(html.match(/<mark>/g)?.length).toBe(html.match(/<\/mark>/g)?.length);
    });
  });
});
