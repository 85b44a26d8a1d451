// Proof by clients no one here wrote: Universal Feed Parser, xmllint and jing against RFC 4287's
// RELAX NG schema, ajv against the JSON Feed 1.1 schema, and rss-parser, all reading what the real
// routes serve over a database holding hostile entries.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Parser from 'rss-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanXmlText, globalEntryId, rssGuid } from '../../src/export/index.js';
import { listStream, type StreamEntry } from '../../src/store/index.js';
import { HOSTILE_SOURCES, HOSTILE_TITLE_CLEAN, SITE_URL } from '../fixtures/export/entries.js';
import { startFeedApp, type FeedApp } from '../fixtures/export/feed-app.js';
import { describeWithCorpus } from '../helpers/corpus.js';
import { atomRncPath, atomRngPath, jsonFeedValidator } from '../fixtures/export/json-feed-schema.js';
import { FEEDPARSER_SCRIPT, SYSTEM_PYTHON, findTools, requireTool, run } from '../fixtures/export/tools.js';
import { elements, parseXml } from '../fixtures/export/xml-dom.js';

const tools = findTools();

/** The filters every client reads: all, one source, a category with a limit, and an empty feed. */
const VARIANTS = [
  { query: '', filter: { limit: 50 } },
  { query: '?source=himss', filter: { sourceId: 'himss', limit: 50 } },
  { query: '?category=advocacy&limit=2', filter: { category: 'advocacy', limit: 2 } },
  { query: '?source=onc-facebook', filter: { sourceId: 'onc-facebook', limit: 50 } },
] as const;

interface Served {
  url: string;
  file: string;
  body: string;
  /** What the database holds for the same filter. */
  expected: StreamEntry[];
}

let feeds: FeedApp;
let outDir: string;
const served = new Map<string, Served>();

beforeAll(async () => {
  feeds = await startFeedApp();
  outDir = mkdtempSync(path.join(tmpdir(), 'portal-export-'));
  for (const [index, variant] of VARIANTS.entries()) {
    const { entries } = await listStream(feeds.store.db, { ...variant.filter, withContent: true });
    for (const route of ['/feed.xml', '/atom.xml', '/feed.json', '/opml.xml']) {
      const url = `${route}${variant.query}`;
      const response = await feeds.app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(200);
      const file = path.join(outDir, `${index}-${route.slice(1)}`);
      writeFileSync(file, response.body);
      served.set(url, { url, file, body: response.body, expected: entries });
    }
  }
  // The hostile fixtures really are in what the clients read.
  expect(served.get('/feed.xml')!.expected.map((e) => e.title)).toContain('AT&T <b> ]]> \u0001 \u{1F600}');
});

afterAll(async () => {
  await feeds?.close();
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

function servedAt(url: string): Served {
  const found = served.get(url);
  if (!found) throw new Error(`not served: ${url}`);
  return found;
}

/** The URLs the clients read for one route (known before anything is served, for it.each). */
function urlsOf(route: string): string[] {
  return VARIANTS.map((variant) => `${route}${variant.query}`);
}

function absolute(link: string): string | undefined {
  return link ? new URL(link).href : undefined;
}

const seconds = (ms: number) => Math.floor(ms / 1000);

// ---- Universal Feed Parser ----

interface FeedparserEntry {
  id: string | null;
  title: string | null;
  link: string | null;
  published: number | null;
  updated: number | null;
  author: string | null;
  tags: string[];
  enclosures: string[];
  source_title: string | null;
  has_content: boolean;
}

interface FeedparserResult {
  bozo: boolean;
  bozo_exception: string;
  version: string;
  title: string | null;
  link: string | null;
  self: string | null;
  updated: number | null;
  entries: FeedparserEntry[];
}

function feedparser(file: string): FeedparserResult {
  const result = run(SYSTEM_PYTHON, [FEEDPARSER_SCRIPT, file]);
  if (result.status !== 0) throw new Error(`feedparser failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as FeedparserResult;
}

function expectSameEntries(parsed: FeedparserResult, expected: StreamEntry[], idOf: (e: StreamEntry) => string): void {
  expect(parsed.entries).toHaveLength(expected.length);
  for (const [index, entry] of expected.entries()) {
    const read = parsed.entries[index]!;
    expect(read.title).toBe(cleanXmlText(entry.title));
    // Without a link of its own, feedparser falls back to a permalink id; either way nothing invented.
    if (entry.link) expect(read.link).toBe(absolute(entry.link));
    else expect([null, entry.entryId]).toContain(read.link);
    expect(read.id).toBe(idOf(entry));
    expect(read.published).toBe(seconds(entry.publishedAt));
    expect(read.author ?? null).toBe(entry.author === null ? null : cleanXmlText(entry.author));
    expect(read.tags).toEqual(entry.categories.map(cleanXmlText));
    expect(read.source_title).toBe(cleanXmlText(entry.sourceTitle));
    expect(read.has_content).toBe(true);
  }
}

describe("Universal Feed Parser reads the feeds as the database holds them", () => {
  it.for(urlsOf('/feed.xml'))('RSS %s: bozo false, same items, titles, links, ids and dates', (url, ctx) => {
    requireTool(tools.feedparser, (note) => ctx.skip(note));
    const { file, expected } = servedAt(url);
    const parsed = feedparser(file);
    expect(parsed.bozo, parsed.bozo_exception).toBe(false);
    expect(parsed.version).toBe('rss20');
    expect(parsed.self).toBe(`${SITE_URL}feed.xml${url.slice('/feed.xml'.length)}`);
    expectSameEntries(parsed, expected, (e) => rssGuid(e, SITE_URL).value);
    if (expected.length > 0) expect(parsed.updated).toBe(seconds(Math.max(...expected.map((e) => e.changedAt))));
  });

  it.for(urlsOf('/atom.xml'))('Atom %s: bozo false, same items, titles, links, ids and dates', (url, ctx) => {
    requireTool(tools.feedparser, (note) => ctx.skip(note));
    const { file, expected } = servedAt(url);
    const parsed = feedparser(file);
    expect(parsed.bozo, parsed.bozo_exception).toBe(false);
    expect(parsed.version).toBe('atom10');
    expectSameEntries(parsed, expected, (e) => globalEntryId(e, SITE_URL));
    for (const [index, entry] of expected.entries()) {
      expect(parsed.entries[index]!.updated).toBe(seconds(Math.max(entry.publishedAt, entry.updatedAt ?? 0)));
    }
  });

  it('reads the hostile title exactly, less the control character', (ctx) => {
    requireTool(tools.feedparser, (note) => ctx.skip(note));
    for (const url of ['/feed.xml', '/atom.xml']) {
      expect(feedparser(servedAt(url).file).entries[0]!.title).toBe(HOSTILE_TITLE_CLEAN);
    }
  });
});

// ---- RELAX NG validation of Atom ----

describeWithCorpus('Atom validates against the RFC 4287 RELAX NG schema', () => {
  it.for(urlsOf('/atom.xml'))('xmllint --relaxng atom.rng accepts %s', (url, ctx) => {
    requireTool(tools.xmllint, (note) => ctx.skip(note));
    const result = run('xmllint', ['--noout', '--relaxng', atomRngPath, servedAt(url).file]);
    expect(result.stderr).toMatch(/validates/);
    expect(result.status, result.stderr).toBe(0);
  });

  // One jing run for all four documents: it is a JVM, slow to start.
  it('jing -c atom.rnc accepts every served Atom document', (ctx) => {
    requireTool(tools.jing, (note) => ctx.skip(note));
    const result = run('jing', ['-c', atomRncPath, ...urlsOf('/atom.xml').map((url) => servedAt(url).file)]);
    // jing prints nothing on stdout for valid documents (stderr may hold Debian classpath warnings).
    expect(result.stdout, result.stdout).toBe('');
    expect(result.status, result.stdout).toBe(0);
  });

  it('both validators refuse an entry without an id (so passing means something)', (ctx) => {
    requireTool(tools.xmllint, (note) => ctx.skip(note));
    const broken = servedAt('/atom.xml').body.replace(/<id>[^<]*<\/id>/g, (match, offset: number) => (offset > 200 ? '' : match));
    const file = path.join(outDir, 'broken-atom.xml');
    writeFileSync(file, broken);
    expect(run('xmllint', ['--noout', '--relaxng', atomRngPath, file]).status).not.toBe(0);
    if (tools.jing.available) expect(run('jing', ['-c', atomRncPath, file]).status).not.toBe(0);
  });
});

// ---- Well-formedness by libxml2 ----

describe('xmllint finds every XML document well-formed', () => {
  it.for([...urlsOf('/feed.xml'), ...urlsOf('/opml.xml')])('%s', (url, ctx) => {
    requireTool(tools.xmllint, (note) => ctx.skip(note));
    const result = run('xmllint', ['--noout', servedAt(url).file]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});

// ---- JSON Feed 1.1 schema ----

describeWithCorpus('JSON Feed validates against the JSON Feed 1.1 schema (ajv)', () => {
  const validate = jsonFeedValidator();

  it.for(urlsOf('/feed.json'))('%s is valid and has the same items', (url) => {
    const { body, expected } = servedAt(url);
    const document = JSON.parse(body) as { items: { id: string; title: string; url?: string; date_published: string; _source: { id: string } }[] };
    expect(validate(document)).toEqual([]);
    expect(document.items.map((i) => i.title)).toEqual(expected.map((e) => cleanXmlText(e.title)));
    expect(document.items.map((i) => i.url)).toEqual(expected.map((e) => absolute(e.link)));
    expect(document.items.map((i) => i.id)).toEqual(expected.map((e) => globalEntryId(e, SITE_URL)));
    expect(document.items.map((i) => Date.parse(i.date_published))).toEqual(expected.map((e) => e.publishedAt));
    expect(document.items.map((i) => i._source.id)).toEqual(expected.map((e) => e.sourceId));
  });
});

// ---- OPML ----

describe('OPML is well-formed and lists every source with a feed', () => {
  it('has one rss outline per active source with a feed, with its xmlUrl', () => {
    const outlines = elements(parseXml(servedAt('/opml.xml').body), 'outline');
    const withFeeds = HOSTILE_SOURCES.filter((s) => s.feed !== undefined);
    expect(outlines.map((o) => [o.getAttribute('type'), o.getAttribute('text'), o.getAttribute('xmlUrl')])).toEqual(
      withFeeds.map((s) => ['rss', cleanXmlText(s.title), new URL(s.feed!).href]),
    );
  });

  it('reads back the same outlines through libxml2 (xmllint --xpath)', (ctx) => {
    requireTool(tools.xmllint, (note) => ctx.skip(note));
    const result = run('xmllint', ['--xpath', 'count(/opml[@version="2.0"]/body/outline[@type="rss"][@xmlUrl][@text])', servedAt('/opml.xml').file]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout.trim()).toBe(String(HOSTILE_SOURCES.filter((s) => s.feed !== undefined).length));
  });
});

// ---- rss-parser ----

describe("rss-parser's parseString round-trips RSS and Atom", () => {
  const parser = new Parser();

  it.for([...urlsOf('/feed.xml'), ...urlsOf('/atom.xml')])('%s: same titles and links', async (url) => {
    const { body, expected } = servedAt(url);
    const parsed = await parser.parseString(body);
    expect(parsed.items.map((i) => i.title)).toEqual(expected.map((e) => cleanXmlText(e.title)));
    expect(parsed.items.map((i) => i.link ?? undefined)).toEqual(expected.map((e) => absolute(e.link)));
    expect(parsed.items.map((i) => (i.isoDate ? Date.parse(i.isoDate) : undefined))).toEqual(
      expected.map((e) => seconds(e.publishedAt) * 1000),
    );
  });
});
