import { copyFile, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import type http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { corpusRoot, describeWithCorpus } from '../../test/helpers/corpus.js';
import { refusedUrl, startLocalServer, type LocalServer } from '../../test/fixtures/fetch/local-server.js';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseFeedsText } from '../config/index.js';
import { FEEDS_IMPORT_USAGE, runFeedsImport, type FeedsImportDeps } from './feeds-import.js';
import { readOpml } from './opml-outlines.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fixture = (name: string) => path.join(repoRoot, 'test/fixtures/operators', name);
const corpusOpml = path.join(corpusRoot, 'opml/node-opmlparser/test/opml');
const NOW = Date.parse('2024-06-01T00:00:00Z');
const USER_AGENT = 'PortalTest/1 (+http://portal.test/)';

let dir: string;
let feedsFile: string;
let original: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'feeds-import-'));
  feedsFile = path.join(dir, 'feeds.yaml');
  await copyFile(fixture('feeds-commented.yaml'), feedsFile);
  original = await readFile(feedsFile, 'utf8');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs the command against the temporary feeds file, capturing what it prints. */
async function importOpml(...args: string[]) {
  return importWith({}, ...args);
}

async function importWith(extra: Partial<FeedsImportDeps>, ...args: string[]) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await runFeedsImport(args, {
    feedsFile,
    fetchTimeoutMs: 5000,
    userAgent: USER_AGENT,
    now: () => NOW,
    stdout: (s) => stdout.push(s),
    stderr: (s) => stderr.push(s),
    ...extra,
  });
  return { code, stdout: stdout.join(''), stderr: stderr.join('') };
}

async function sourcesNow() {
  const result = parseFeedsText(await readFile(feedsFile, 'utf8'), feedsFile);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.config.sources;
}

describe('runFeedsImport with nested outlines and duplicates', () => {
  it('adds each new feed once, filed by the folders that match the file\'s categories, and reports the duplicates', async () => {
    const opml = fixture('nested.opml');
    // The fixture's hosts are made up: --offline, as trying them is tested against a local server below.
    const result = await importOpml(opml, '--category', 'imported', '--offline');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const written = await readFile(feedsFile, 'utf8');
    expect(written.startsWith(original)).toBe(true);
    expect((await sourcesNow()).slice(2)).toEqual([
      {
        id: 'cafe-sante',
        title: 'Café Santé',
        site: 'https://cafe-sante.test/',
        feed: 'https://cafe-sante.test/feed/',
        description: 'Des patients qui parlent de leur santé.',
        // Its folder, "Advocacy", is one of the file's categories.
        category: 'advocacy',
      },
      {
        id: 'first-blog-2',
        title: 'First Blog',
        site: 'https://another-first.test/',
        feed: 'https://another-first.test/rss.xml',
        description: 'Posts from First Blog.',
        // The nearest folder counts: "Deeper folder" matches none, so --category.
        category: 'imported',
      },
      {
        id: 'health-policy-weekly',
        title: 'Health Policy Weekly',
        site: 'https://policy.test/',
        feed: 'https://policy.test/atom.xml',
        description: 'Posts from Health Policy Weekly.',
        category: 'imported',
      },
      {
        id: 'top-level-feed',
        title: 'Top Level Feed',
        site: 'https://top.test/',
        feed: 'https://top.test/index.xml',
        description: 'Posts from Top Level Feed.',
        category: 'imported',
      },
    ]);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe(
      `feeds:import: added 4 sources to ${feedsFile} from ${opml}, skipped 2 duplicates and 1 unusable outline`,
    );
    expect(lines).toContain(`  = http://FIRST.test/feed  already in ${feedsFile} as 'first-blog'`);
    expect(lines).toContain("  = https://cafe-sante.test/feed  listed twice in the OPML (added once, as 'cafe-sante')");
    expect(lines).toContain('  ! gopher://old.test/feed  not an http(s) address');
    expect(lines).toContain('  + cafe-sante            https://cafe-sante.test/feed/  [advocacy]');
    expect(lines).toContain('  + first-blog-2          https://another-first.test/rss.xml  [imported]');
    expect(lines).toContain(`Category 'imported' is new to ${feedsFile}, which used 'advocacy' and 'news': 3 sources filed under it.`);
    expect(lines).toContain('The new feeds were not tried (--offline): /status shows any that fail once the portal polls them.');
    expect(await readdir(dir)).toEqual(['feeds.yaml']);
  });

  it('imports nothing twice: a second run adds none and leaves the file as it was', async () => {
    await importOpml(fixture('nested.opml'), '--category', 'news', '--offline');
    const afterFirst = await readFile(feedsFile, 'utf8');
    // Nothing is new, so no category is needed this time.
    const again = await importOpml(fixture('nested.opml'));
    expect(again.code).toBe(0);
    expect(again.stdout.split('\n')[0]).toMatch(/added 0 sources .* skipped 6 duplicates and 1 unusable outline$/);
    expect(await readFile(feedsFile, 'utf8')).toBe(afterFirst);
  });
});

describe('runFeedsImport files new sources under the feeds file\'s categories', () => {
  it('refuses the whole import, before writing, when feeds would have no category of the file\'s', async () => {
    const result = await importOpml(fixture('nested.opml'));
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr:
        `feeds:import: 3 new feeds would have no category of ${feedsFile}, which files its sources under 'advocacy' and 'news' ` +
        "(not 'general'). These folders match none of them:\n" +
        '  Deeper folder      1 feed\n' +
        '  Research & Policy  1 feed\n' +
        '  (no folder)        1 feed\n' +
        'Give --category WORD to file them under one of those (or a new word), or rename the folders to match. Nothing imported.\n',
    });
    expect(await readFile(feedsFile, 'utf8')).toBe(original);
  });

  it('counts the feeds of each unmatched folder', async () => {
    const opml = await writeOpml(
      '<outline text="Blogs"><outline xmlUrl="https://a.test/f" text="A"/><outline xmlUrl="https://b.test/f" text="B"/></outline>',
    );
    const result = await importOpml(opml);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('2 new feeds would have no category');
    expect(result.stderr).toContain('\n  Blogs  2 feeds\n');
  });

  it("files unmatched feeds under 'general' when the file already does, and folders still match", async () => {
    await writeFile(feedsFile, original.replace('category: news', 'category: general'));
    const opml = await writeOpml(
      '<outline text="ADVOCACY"><outline xmlUrl="https://a.test/f" text="A"/></outline>' +
        '<outline text="Blogs"><outline xmlUrl="https://b.test/f" text="B"/></outline>',
    );
    const result = await importOpml(opml, '--offline');
    expect(result.code).toBe(0);
    expect((await sourcesNow()).slice(2).map((s) => [s.id, s.category])).toEqual([
      ['a', 'advocacy'],
      ['b', 'general'],
    ]);
    expect(result.stdout).not.toContain('is new to');
  });

  it('takes a --category the file already uses without a note', async () => {
    const result = await importOpml(fixture('nested.opml'), '--category', 'news', '--offline');
    expect(result.code).toBe(0);
    expect((await sourcesNow()).slice(2).map((s) => s.category)).toEqual(['advocacy', 'news', 'news', 'news']);
    expect(result.stdout).not.toContain('is new to');
  });
});

/** An OPML file of these outlines, in the temporary folder. */
async function writeOpml(outlines: string): Promise<string> {
  const file = path.join(dir, 'list.opml');
  await writeFile(file, `<?xml version="1.0"?><opml version="2.0"><head><title>t</title></head><body>${outlines}</body></opml>`);
  return file;
}

describe('runFeedsImport tries each new feed once', () => {
  const rss = (title: string) =>
    `<?xml version="1.0"?><rss version="2.0"><channel><title>${title}</title><link>https://x.test/</link>` +
    '<item><title>One</title><link>https://x.test/1</link></item></channel></rss>';
  let server: LocalServer;
  let internal: LocalServer;
  beforeAll(async () => {
    // Another service on this machine that no source and no OPML outline names.
    internal = await startLocalServer((_req, res) => res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss('Internal')));
    server = await startLocalServer((req, res) => {
      const pathname = new URL(req.url ?? '/', 'http://x').pathname;
      if (pathname.startsWith('/good')) res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss(pathname));
      else if (pathname === '/page.html') res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>A page</body></html>');
      else if (pathname === '/inside') res.writeHead(302, { location: `${internal.url}feed.xml` }).end();
      else res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    });
  });
  afterAll(async () => {
    await Promise.all([server.close(), internal.close()]);
  });
  beforeEach(() => {
    server.requests.length = 0;
    internal.requests.length = 0;
  });

  /** An OPML file with these feed URLs in the 'Advocacy' folder, which the file's categories match. */
  const opmlOf = (...urls: string[]) =>
    writeOpml(`<outline text="Advocacy">${urls.map((u, i) => `<outline text="Feed ${i + 1}" xmlUrl="${u}"/>`).join('')}</outline>`);

  it('imports every feed, warning once for each that could not be fetched or read, and counts them', async () => {
    const refused = await refusedUrl();
    const opml = await opmlOf(`${server.url}good.xml`, `${server.url}page.html`, `${server.url}missing.xml`, refused);
    const result = await importOpml(opml);
    expect(result.code).toBe(0);
    expect(result.stderr.split('\n')).toEqual([
      'feeds:import: trying each of the 4 new feeds once (--offline skips this)',
      `feeds:import: warning: 'feed-2' ${server.url}page.html could not be read now: parse: the document is an HTML page, not a feed`,
      `feeds:import: warning: 'feed-3' ${server.url}missing.xml could not be read now: fetch: HTTP 404 Not Found`,
      expect.stringMatching(new RegExp(`^feeds:import: warning: 'feed-4' ${refused} could not be read now: fetch: .*ECONNREFUSED`)),
      '',
    ]);
    // Imported all the same: a feed may be down for the day.
    expect((await sourcesNow()).slice(2).map((s) => s.id)).toEqual(['feed-1', 'feed-2', 'feed-3', 'feed-4']);
    expect(result.stdout).toContain(
      '\n3 could not be read now (see the warnings): they will show as failing on /status until they answer.\n',
    );
    expect(server.requests.map((r) => r.url).sort()).toEqual(['/good.xml', '/missing.xml', '/page.html']);
    expect(server.requests.every((r) => r.headers['user-agent'] === USER_AGENT)).toBe(true);
    expect(await readdir(dir)).toEqual(['feeds.yaml', 'list.opml']);
  });

  it('says so when every new feed answered, and tries nothing already in the file', async () => {
    const opml = await opmlOf(`${server.url}good-1.xml`, `${server.url}good-2.xml`);
    const first = await importOpml(opml);
    expect(first.stderr).toBe('feeds:import: trying each of the 2 new feeds once (--offline skips this)\n');
    expect(first.stdout).toContain('\nEach new feed answered and was read.\n');
    expect(server.requests).toHaveLength(2);
    const again = await importOpml(opml);
    expect(again).toMatchObject({ code: 0, stderr: '' });
    expect(server.requests).toHaveLength(2);
  });

  it('makes no request at all with --offline', async () => {
    const opml = await opmlOf(`${server.url}good.xml`, `${server.url}missing.xml`);
    const result = await importOpml(opml, '--offline');
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(server.requests).toHaveLength(0);
    expect((await sourcesNow()).slice(2)).toHaveLength(2);
  });

  it('makes no request when the import is refused', async () => {
    const opml = await writeOpml(`<outline text="Top" xmlUrl="${server.url}good.xml"/>`);
    const result = await importOpml(opml);
    expect(result.code).toBe(1);
    expect(server.requests).toHaveLength(0);
    expect(await readFile(feedsFile, 'utf8')).toBe(original);
  });

  it('reaches a private address only at origins the file or the OPML names', async () => {
    const opml = await opmlOf(`${server.url}inside`);
    const result = await importOpml(opml);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      `feeds:import: warning: 'feed-1' ${server.url}inside could not be read now: fetch: refused: ${internal.url} is on a private network and no source in the feeds file names it\n`,
    );
    expect(internal.requests).toHaveLength(0);
  });

  it('follows it with private networks allowed (ALLOW_PRIVATE_NETWORKS=on)', async () => {
    const result = await importWith({ allowPrivateNetworks: true }, await opmlOf(`${server.url}inside`));
    expect(result.stderr).not.toContain('warning');
    expect(internal.requests).toHaveLength(1);
  });

  it('tries 4 feeds at a time', async () => {
    // A server that answers only once 4 requests wait (or all that are left): the import finishes
    // only if 4 run together. That never more than 4 do is mapAtMost's own test (fetch-once.test.ts).
    const held: http.ServerResponse[] = [];
    let answered = 0;
    let mostAtOnce = 0;
    const total = 9;
    const slow = await startLocalServer((_req, res) => {
      held.push(res);
      mostAtOnce = Math.max(mostAtOnce, held.length);
      if (held.length === 4 || held.length === total - answered) {
        for (const r of held.splice(0)) {
          answered += 1;
          r.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss('Slow'));
        }
      }
    });
    try {
      const urls = Array.from({ length: total }, (_, i) => `${slow.url}feed-${i}.xml`);
      const result = await importOpml(await opmlOf(...urls));
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('Each new feed answered and was read.');
      expect(slow.requests).toHaveLength(total);
      expect(mostAtOnce).toBe(4);
    } finally {
      await slow.close();
    }
  });
});

describeWithCorpus('runFeedsImport with the public OPML corpus', () => {
  it('imports the top-100 list: every feed once, the file still valid', async () => {
    const result = await importOpml(path.join(corpusOpml, 'top100.opml'), '--category', 'news', '--offline');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const feeds = readOpml(await readFile(path.join(corpusOpml, 'top100.opml'), 'utf8'));
    if (!feeds.ok) throw new Error(feeds.message);
    const added = (await sourcesNow()).slice(2);
    const [, addedCount, duplicateCount] = /added (\d+) sources? .* skipped (\d+) duplicates?/.exec(result.stdout) ?? [];
    expect(added).toHaveLength(Number(addedCount));
    expect(Number(addedCount) + Number(duplicateCount)).toBe(feeds.feeds.length);
    expect(new Set(added.map((s) => s.id)).size).toBe(added.length);
    expect(added.find((s) => s.feed === 'http://feeds.feedburner.com/Techcrunch')).toMatchObject({
      id: 'techcrunch',
      title: 'TechCrunch',
      site: 'http://www.techcrunch.com/',
      category: 'news',
    });
  });

  it.each([
    ['no-outlines.opml', 'lists no feeds (no outline has an xmlUrl). Nothing imported.'],
    ['empty-head.opml', 'lists no feeds (no outline has an xmlUrl). Nothing imported.'],
    ['outline.opml', 'lists no feeds (no outline has an xmlUrl). Nothing imported.'],
    ['categories.opml', 'lists no feeds (no outline has an xmlUrl). Nothing imported.'],
    ['malformed.opml', 'not an OPML file: its first element is <outline>, not <opml>. Nothing imported.'],
  ])('refuses %s with a clear message and leaves the file alone', async (name, message) => {
    const opml = path.join(corpusOpml, name);
    expect(await importOpml(opml)).toEqual({ code: 1, stdout: '', stderr: `feeds:import: ${opml}${message.startsWith('not') ? ': ' : ' '}${message}\n` });
    expect(await readFile(feedsFile, 'utf8')).toBe(original);
  });
});

describe('runFeedsImport refusals and usage', () => {
  it('refuses what is not OPML, a missing file and a broken feeds file', async () => {
    const html = path.join(dir, 'page.opml');
    await writeFile(html, '<!doctype html><html><body>hi</body></html>');
    expect((await importOpml(html)).stderr).toBe(`feeds:import: ${html}: not an OPML file: its first element is <html>, not <opml>. Nothing imported.\n`);
    const empty = path.join(dir, 'empty.opml');
    await writeFile(empty, '');
    expect((await importOpml(empty)).stderr).toContain('not an OPML file: it holds no XML element');
    const noBody = path.join(dir, 'nobody.opml');
    await writeFile(noBody, '<opml version="2.0"><head/></opml>');
    expect((await importOpml(noBody)).stderr).toContain('not an OPML file: <opml> has no <body>');
    const missing = path.join(dir, 'missing.opml');
    expect(await importOpml(missing)).toEqual({ code: 1, stdout: '', stderr: `feeds:import: cannot read ${missing}: no such file\n` });
    expect((await importOpml(dir)).stderr).toBe(`feeds:import: cannot read ${dir}: it is a folder, not a file\n`);

    await writeFile(feedsFile, original.replace('id: link-only', 'id: first-blog'));
    const broken = await importOpml(fixture('nested.opml'));
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain("duplicate id 'first-blog'");
    expect(broken.stderr).toContain('fix them first (npm run feeds:check). Nothing imported.');
  });

  it.each([
    [[], 'give the OPML file to import'],
    [['a.opml', 'b.opml'], 'give one OPML file at a time'],
    [['a.opml', '--category', 'Two Words'], '--category must be one lowercase word'],
    [['a.opml', '--nope'], "Unknown option '--nope'"],
  ])('exits 2 with the usage line for %j', async (args, message) => {
    const result = await importOpml(...args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`feeds:import: ${message}`);
    expect(result.stderr.endsWith(`${FEEDS_IMPORT_USAGE}\n`)).toBe(true);
  });

  it('prints the usage line for --help', async () => {
    expect(await importOpml('-h')).toEqual({ code: 0, stdout: `${FEEDS_IMPORT_USAGE}\n`, stderr: '' });
  });
});

describe('readOpml', () => {
  it('reads attributes whatever their case, and folders from titles or text', () => {
    const result = readOpml(`<opml><body><outline title="Folder"><outline XMLURL="https://a.test/f" TEXT="A"/></outline>
      <outline text="B" xmlurl="https://b.test/f" title=""><outline text="child" xmlUrl="https://c.test/f"/></outline></body></opml>`);
    expect(result).toEqual({
      ok: true,
      feeds: [
        { xmlUrl: 'https://a.test/f', title: 'A', folder: 'Folder' },
        { xmlUrl: 'https://b.test/f', title: 'B' },
        { xmlUrl: 'https://c.test/f', title: 'child' },
      ],
    });
  });
});
