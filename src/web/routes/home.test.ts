import { afterEach, describe, expect, it } from 'vitest';
import { allMatches, entryLinks } from '../../../test/fixtures/web/assertions.js';
import { makeEntry } from '../../../test/helpers/store.js';
import {
  HOSTILE_ATTRIBUTE_TITLE,
  HOSTILE_TITLE,
  NEWEST,
  fixtureEntries,
  startPortal,
  type TestPortal,
} from '../../../test/fixtures/web/portal-fixture.js';
import { bumpStreamVersion, listActiveSources, listStream, syncSources, type StreamEntry } from '../../store/index.js';
import { toEntryView, toSourceView } from '../views/models.js';
import { HOME_ENTRIES } from './home.js';
import { siteTimeFormatter } from './render.js';

let portal: TestPortal | undefined;
afterEach(async () => {
  await portal?.close();
  portal = undefined;
});

async function home(options: Parameters<typeof startPortal>[0] = {}): Promise<string> {
  portal = await startPortal(options);
  const response = await portal.app.inject('/');
  expect(response.statusCode).toBe(200);
  return response.body;
}

/** The fixture's entries, newest first (by published time, then by id as the store orders them). */
function newestLinks(count: number): string[] {
  return Object.values(fixtureEntries())
    .flat()
    .sort((a, b) => b.publishedAt - a.publishedAt)
    .map((e) => e.link)
    .slice(0, count);
}

describe('GET /', () => {
  it('shows the title, the tagline and the Get Motivated and Get Informed teasers', async () => {
    const html = await home();
    expect(html).toContain('<h1>Patient Engagement for Care Teams</h1>');
    expect(html).toContain('Advancing health information technology in Minnesota and North Dakota.');
    expect(html).toContain('<h2 id="motivated-heading">Get Motivated</h2>');
    expect(html).toContain('Why should you engage your patients?');
    expect(html).toContain('<a class="more" href="/get-motivated">');
    expect(html).toContain('<h2 id="informed-heading">Get Informed</h2>');
    expect(html).toContain('financial and political drivers behind the push for patient engagement');
    // "Read more" says what about, for screen-reader users who list the links.
    expect(html).toMatch(/href="\/get-informed">Read more<span class="visually-hidden"> about [^<]+<\/span>/);
  });

  it('lists the newest entries across all sources, at most 3 from each, newest first, with source, time and excerpt', async () => {
    const html = await home();
    const links = entryLinks(html);
    // Five sources with feeds, three each: the cap, not HOME_ENTRIES, fills this page.
    expect(links).toHaveLength(15);
    expect(new Set(links)).toEqual(new Set(newestLinks(15)));
    expect(links[0]).toBe('https://regina-holliday.example.org/posts/1');
    const sources = new Set(allMatches(html, /class="entry-source" href="\/sources\/([a-z0-9-]+)"/));
    expect(sources).toEqual(new Set(['regina-holliday', 'epatient-dave', 'health-it-buzz', 'mind-the-gap', 'himss']));
    // 15:00 UTC on 31 May is 10:00 in Chicago (CDT).
    expect(html).toContain(`<time datetime="${new Date(NEWEST).toISOString()}">May 31, 2026 at 10:00 AM CDT</time>`);
    expect(html).toContain('<p class="entry-excerpt">Notes on shared decision-making in primary care from Regina Holliday');
    expect(html).toContain('<a class="more" href="/conversations">All conversations, including older ones</a>');
  });

  it('lists every source with its description, link-only ones too', async () => {
    const html = await home();
    expect(html).toContain('<a href="/sources/regina-holliday">Regina Holliday&#x27;s Medical Advocacy Blog</a>');
    expect(html).toContain('A place where art, medicine, social media and pop-culture collide');
    expect(html).toContain('<a href="/sources/spm-facebook">Society for Participatory Medicine Facebook page</a>');
    expect(html).toContain('devoted to promoting the concept of participatory medicine');
    expect(html).toContain('<a href="/sources/onc-twitter">ONC Twitter</a>');
    expect(allMatches(html, /<li class="source">/)).toHaveLength(7);
  });

  it('shows the definition, Tools and Resources, Feedback and About', async () => {
    const html = await home();
    expect(html).toContain('<h2 id="definition-heading">What is patient engagement?</h2>');
    expect(html).toContain('Patient engagement refers to a set of tools, activities, and relationships');
    expect(html).toContain('<h2 id="tools-heading">Tools and Resources</h2>');
    expect(html).toContain('<h2 id="feedback-heading">Feedback</h2>');
    expect(html).toContain('We value your opinions!');
    expect(html).toContain('<h2 id="about-heading">About the Portal</h2>');
  });

  it('says "Nothing fetched yet" before the first poll, and still lists the sources', async () => {
    const html = await home({ entries: {} });
    expect(html).toContain('<strong>Nothing fetched yet.</strong>');
    expect(html).not.toContain('class="entries"');
    expect(html).toContain('<a href="/sources/himss">HIMSS Patient Engagement Blog Posts</a>');
  });

  it('escapes hostile titles: no tag, no attribute breaks out', async () => {
    const html = await home();
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;script&gt;alert(&quot;title&quot;)&lt;/script&gt; Portals &amp; privacy');
    expect(html).toContain('&quot;&gt;&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt; Engaging families');
    expect(HOSTILE_TITLE).toContain('<script>');
    expect(HOSTILE_ATTRIBUTE_TITLE).toContain('onerror');
  });

  it('never links a javascript: URL from a feed', async () => {
    const entries = fixtureEntries(3);
    const first = Object.values(entries)[0]![0]!;
    first.link = 'javascript:alert(1)';
    first.title = 'A post with a poisoned link';
    const html = await home({ entries });
    expect(html).not.toContain('javascript:');
    expect(html).toContain('<h3 class="entry-title">A post with a poisoned link</h3>');
  });

  it("renders the list of sources again when a source's title, description or kind changes", async () => {
    await home();
    const { app, store, config } = portal!;
    const changed = config.sources.map((s) =>
      s.id === 'himss' ? { ...s, title: 'HIMSS, renamed', description: 'Now described anew.' } : s.id === 'regina-holliday' ? { ...s, feed: undefined } : s,
    );
    await syncSources(store.db, changed, Date.now());
    await bumpStreamVersion(store.db);
    app.webContext.versions.invalidate();
    const html = (await app.inject('/')).body;
    const himss = /<li class="source">\s*<h3 class="source-title"><a href="\/sources\/himss">([^<]*)<\/a><\/h3>\s*<p class="source-description">([^<]*)</.exec(html);
    expect(himss?.slice(1)).toEqual(['HIMSS, renamed', 'Now described anew.']);
    expect(html).toMatch(/href="\/sources\/regina-holliday">[^<]*<\/a><\/h3>\s*(<p class="source-description">[^<]*<\/p>\s*)?<p class="source-kind">A link/);
  });

  it('is the same page, byte for byte, as one rendered from the full stream entries and source rows', async () => {
    const html = await home();
    const app = portal!.app;
    const db = portal!.store.db;
    // The fair cap applied by hand to the whole stream, as the oracle.
    const all = (await listStream(db, { limit: 1000 })).entries;
    const shown: (StreamEntry & { moreFromSource?: number })[] = [];
    for (const entry of all) {
      if (shown.length === HOME_ENTRIES) break;
      if (shown.filter((e) => e.sourceId === entry.sourceId).length < 3) shown.push({ ...entry });
    }
    for (const id of new Set(shown.map((e) => e.sourceId))) {
      const left = all.filter((e) => e.sourceId === id).length - shown.filter((e) => e.sourceId === id).length;
      const capped = shown.filter((e) => e.sourceId === id).length === 3;
      if (capped && left > 0) shown.findLast((e) => e.sourceId === id)!.moreFromSource = left;
    }
    const formatTime = siteTimeFormatter(app.webContext);
    const activeSources = await listActiveSources(db);
    const fromFullRows = await app.renderPage({
      template: 'home',
      path: '/',
      data: {
        entries: shown.map((e) => toEntryView(e, formatTime)),
        hasOlder: all.length > shown.length,
        sourceList: await app.renderFragment('source-list', () => ({ sources: activeSources.map(toSourceView), headingLevel: 3 })),
      },
    });
    expect(html).toBe(fromFullRows);
  });

  describe('a fair stream', () => {
    /** The fixture, with `burst` more entries from one source, all newer than any other. */
    function withBurst(sourceId: string, burst: number) {
      const entries = fixtureEntries(20);
      for (let i = 0; i < burst; i += 1) {
        entries[sourceId]!.push(
          makeEntry(`burst-${i}`, { title: `Burst post ${i}`, link: `https://${sourceId}.example.org/burst/${i}`, publishedAt: NEWEST + (i + 1) * 60_000 }),
        );
      }
      return entries;
    }

    it('shows at most 3 of a burst from one source, then the others, with a link to the rest of that source', async () => {
      const html = await home({ entries: withBurst('himss', 10) });
      const links = entryLinks(html);
      const burst = links.filter((link) => link.includes('/burst/'));
      expect(burst).toEqual(['https://himss.example.org/burst/9', 'https://himss.example.org/burst/8', 'https://himss.example.org/burst/7']);
      expect(links.filter((link) => link.startsWith('https://himss.'))).toHaveLength(3);
      expect(links).toHaveLength(15);
      // Seven of the burst and the source's four older fixture entries were left out.
      expect(html).toContain('<p class="entry-more"><a href="/conversations?source&#x3D;himss">11 more from HIMSS Patient Engagement Blog Posts</a></p>');
      expect(allMatches(html, /class="entry-more"/)).toHaveLength(5);
      const all = await portal!.app.inject('/conversations?source=himss');
      expect(entryLinks(all.body).filter((link) => link.includes('/burst/'))).toHaveLength(10);
      const whole = await portal!.app.inject('/conversations');
      expect(entryLinks(whole.body).slice(0, 10).every((link) => link.includes('/burst/'))).toBe(true);
    });

    it('takes its cap from site.per_source_on_home', async () => {
      portal = await startPortal({ entries: withBurst('himss', 10) });
      portal.config.site.perSourceOnHome = 5;
      const links = entryLinks((await portal.app.inject('/')).body);
      expect(links.filter((link) => link.includes('/burst/'))).toHaveLength(5);
      expect(links).toHaveLength(HOME_ENTRIES);
    });
  });
});
