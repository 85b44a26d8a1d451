import { copyFile, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import type http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseFeedsText } from '../config/index.js';
import { refusedUrl, startLocalServer, type LocalServer } from '../../test/fixtures/fetch/local-server.js';
import { FEEDS_ADD_USAGE, runFeedsAdd, type FeedsAddDeps } from './feeds-add.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fixture = (name: string) => path.join(repoRoot, 'test/fixtures/operators', name);
const NOW = Date.parse('2024-06-01T00:00:00Z');
/** feeds-commented.yaml files its sources under 'advocacy' and 'news', not 'general': tests not about categories choose one. */
const FILED = ['--category', 'advocacy'] as const;

/** The site the tests add from: pages, the feeds they name, and feeds at usual places. */
async function siteHandler(): Promise<http.RequestListener> {
  const files = {
    page: await readFile(fixture('site-page.html'), 'utf8'),
    rss: await readFile(fixture('care-notes.rss'), 'utf8'),
    atom: await readFile(fixture('plain.atom'), 'utf8'),
    json: await readFile(fixture('caregiver-circle.json'), 'utf8'),
  };
  // WordPress names its REST API with rel="alternate" type="application/json" on every page: JSON, but no feed.
  const restApiLink = '<link rel="alternate" type="application/json" href="/wp-json/wp/v2/pages/7">';
  const routes: Record<string, [string, string]> = {
    '/notes/': ['text/html; charset=utf-8', files.page],
    '/notes/feed.xml': ['application/rss+xml', files.rss],
    '/notes/feed.json': ['application/feed+json', '{"version":"https://jsonfeed.org/version/1.1","title":"x","items":[]}'],
    '/journal.atom': ['application/atom+xml', files.atom],
    '/quiet/': ['text/html', '<html><head><title>Quiet</title></head><body>No feed links here.</body></html>'],
    '/bare/': ['text/html', '<html><head><title>Bare</title></head><body>No feed anywhere.</body></html>'],
    '/quiet/feed/': ['application/rss+xml', files.rss.replace('Care Team Notes', 'Quiet Blog')],
    '/broken/': ['text/html', '<link rel="alternate" type="application/rss+xml" href="/broken/feed.xml">'],
    '/broken/feed.xml': ['text/html', '<html><body>Oops, not a feed</body></html>'],
    '/circle/': ['text/html', `<title>Circle</title>${restApiLink}<link rel="alternate" type="application/feed+json" href="feed.json">`],
    '/circle/feed.json': ['application/feed+json', files.json],
    '/rest-only/': ['text/html', `<title>Only an API</title>${restApiLink}`],
    '/wp-json/wp/v2/pages/7': ['application/json', '{"id":7,"title":{"rendered":"About"}}'],
  };
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/old-feed') {
      res.writeHead(301, { location: '/journal.atom' }).end();
      return;
    }
    const route = routes[url.pathname];
    if (!route) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': route[0] }).end(route[1]);
  };
}

let server: LocalServer;
let dir: string;
let feedsFile: string;
let original: string;

beforeAll(async () => {
  server = await startLocalServer(await siteHandler());
});
afterAll(async () => {
  await server.close();
});
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'feeds-add-'));
  feedsFile = path.join(dir, 'feeds.yaml');
  await copyFile(fixture('feeds-commented.yaml'), feedsFile);
  original = await readFile(feedsFile, 'utf8');
  server.requests.length = 0;
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs the command against the temporary feeds file, capturing what it prints. */
async function add(...args: string[]) {
  return addWith({}, ...args);
}

async function addWith(extra: Partial<FeedsAddDeps>, ...args: string[]) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await runFeedsAdd(args, {
    feedsFile,
    fetchTimeoutMs: 5000,
    userAgent: 'PortalTest/1 (+http://portal.test/)',
    stdout: (s) => stdout.push(s),
    stderr: (s) => stderr.push(s),
    now: () => NOW,
    ...extra,
  });
  return { code, stdout: stdout.join(''), stderr: stderr.join('') };
}

/** The sources in the file now; fails when the file does not validate. */
async function sourcesNow() {
  const result = parseFeedsText(await readFile(feedsFile, 'utf8'), feedsFile);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.config.sources;
}

describe('runFeedsAdd: finding the feed', () => {
  it('discovers the feed a site page names and appends it, keeping the file byte for byte', async () => {
    const result = await add(`${server.url}notes/`, ...FILED);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const written = await readFile(feedsFile, 'utf8');
    expect(written.startsWith(original)).toBe(true);
    expect(written).toContain('# a comment at the end of the last item');
    expect((await sourcesNow()).at(-1)).toEqual({
      id: 'care-team-notes',
      title: 'Care Team Notes',
      // The page the operator gave, not the feed's own <link>.
      site: `${server.url}notes/`,
      feed: `${server.url}notes/feed.xml`,
      description: 'Notes from a Minnesota care team on engaging patients in their own care.',
      category: 'advocacy',
    });
    expect(result.stdout).toContain(`feeds:add: added 'care-team-notes' to ${feedsFile}`);
    expect(result.stdout).toContain(`found through <link rel="alternate"> on ${server.url}notes/`);
    expect(result.stdout).toContain('entries:     2 in the feed now');
    // The RSS link was preferred over the JSON Feed one the page names first.
    expect(server.requests.map((r) => r.url)).toEqual(['/notes/', '/notes/feed.xml']);
    expect(server.requests[0]!.headers['user-agent']).toBe('PortalTest/1 (+http://portal.test/)');
    expect(await readdir(dir)).toEqual(['feeds.yaml']);
  });

  it('takes a feed URL directly, with the operator’s id, category, title and description', async () => {
    const result = await add(
      `${server.url}journal.atom`,
      '--id',
      'journal',
      '--category=Research',
      '--title',
      '  The   Journal ',
      '--description',
      'Hand-written.',
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect((await sourcesNow()).at(-1)).toEqual({
      id: 'journal',
      title: 'The Journal',
      site: server.url,
      feed: `${server.url}journal.atom`,
      description: 'Hand-written.',
      category: 'research',
    });
    expect(result.stdout).toContain('the address given is the feed');
    expect(result.stdout).toContain(`  category:    research (new to ${feedsFile}, which uses 'advocacy' and 'news')\n`);
  });

  it("takes the site from a feed's own link when the feed itself is given", async () => {
    expect((await add(`${server.url}notes/feed.xml`, ...FILED)).code).toBe(0);
    expect((await sourcesNow()).at(-1)).toMatchObject({ feed: `${server.url}notes/feed.xml`, site: 'https://care-notes.test/' });
  });

  it('describes a feed that says nothing of itself, and names it from its title', async () => {
    expect((await add(`${server.url}journal.atom`, ...FILED)).code).toBe(0);
    expect((await sourcesNow()).at(-1)).toMatchObject({
      id: 'plain-atom-journal',
      title: 'Plain Atom Journal',
      description: 'Posts from Plain Atom Journal.',
    });
  });

  it('records where a permanent redirect points, and says so', async () => {
    const result = await add(`${server.url}old-feed`, '--id', 'moved', ...FILED);
    expect(result.code).toBe(0);
    expect((await sourcesNow()).at(-1)?.feed).toBe(`${server.url}journal.atom`);
    expect(result.stdout).toContain(`${server.url}old-feed redirects permanently to ${server.url}journal.atom`);
  });

  it('says, before trying them, which usual feed addresses it tries when the page names none', async () => {
    let requestsWhenTold = -1;
    const result = await addWith(
      { stderr: () => void (requestsWhenTold = requestsWhenTold < 0 ? server.requests.length : requestsWhenTold) },
      `${server.url}quiet/`,
      ...FILED,
    );
    expect(result.code).toBe(0);
    // Only the page itself had been asked for when the notice was printed.
    expect(requestsWhenTold).toBe(1);
    expect((await sourcesNow()).at(-1)).toMatchObject({ id: 'quiet-blog', site: `${server.url}quiet/`, feed: `${server.url}quiet/feed/` });
    expect(result.stdout).toContain(`found at a usual feed address under ${server.url}quiet/`);
    expect(server.requests.map((r) => r.url)).toEqual(['/quiet/', '/quiet/feed', '/quiet/feed/']);
  });

  it('prints the notice on standard error, every usual address listed, then refuses when none has a feed', async () => {
    const result = await add(`${server.url}bare/`, ...FILED);
    expect(result.code).toBe(1);
    const tried = ['feed', 'feed/', 'rss.xml', 'atom.xml', 'feeds/posts/default', 'index.xml'];
    const addresses = [...tried.map((p) => `${server.url}bare/${p}`), ...tried.map((p) => `${server.url}${p}`)];
    expect(result.stderr).toBe(
      `feeds:add: ${server.url}bare/ is not a feed and names none with <link rel="alternate">; trying the usual feed addresses:\n` +
        addresses.map((a) => `  ${a}\n`).join('') +
        `feeds:add: ${server.url}bare/ is not a feed (parse: the document is an HTML page, not a feed) and names none with ` +
        '<link rel="alternate">; none of the 12 usual addresses tried has one either. Find the feed address on the site and give it directly.\n',
    );
    expect(server.requests.map((r) => r.url)).toEqual(['/bare/', ...addresses.map((a) => new URL(a).pathname)]);
    expect(await readFile(feedsFile, 'utf8')).toBe(original);
  });

  it('refuses a page whose named feed does not parse, saying which and why', async () => {
    const result = await add(`${server.url}broken/`, ...FILED);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${server.url}broken/ names a feed, but none could be read:`);
    expect(result.stderr).toContain(`${server.url}broken/feed.xml: parse: the document is an HTML page, not a feed`);
    expect(await readFile(feedsFile, 'utf8')).toBe(original);
  });

  it('takes a JSON Feed URL directly, its title, description and home page with it', async () => {
    const result = await add(`${server.url}circle/feed.json`, ...FILED);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect((await sourcesNow()).at(-1)).toEqual({
      id: 'caregiver-circle',
      title: 'Caregiver Circle',
      site: 'https://caregiver-circle.test/',
      feed: `${server.url}circle/feed.json`,
      description: 'Stories from family caregivers in North Dakota, published only as a JSON Feed.',
      category: 'advocacy',
    });
    expect(result.stdout).toContain('entries:     2 in the feed now');
  });

  it('adds the JSON Feed of a page that names no other, trying it before a bare application/json link', async () => {
    const result = await add(`${server.url}circle/`, ...FILED);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect((await sourcesNow()).at(-1)).toMatchObject({ id: 'caregiver-circle', site: `${server.url}circle/`, feed: `${server.url}circle/feed.json` });
    expect(result.stdout).toContain(`found through <link rel="alternate"> on ${server.url}circle/`);
    expect(server.requests.map((r) => r.url)).toEqual(['/circle/', '/circle/feed.json']);
  });

  it('refuses a page whose only JSON link is not a feed, saying what it is', async () => {
    const result = await add(`${server.url}rest-only/`, ...FILED);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${server.url}rest-only/ names a feed, but none could be read:`);
    expect(result.stderr).toContain(`${server.url}wp-json/wp/v2/pages/7: parse: the document is JSON, not a feed: it has no "version"`);
    expect(await readFile(feedsFile, 'utf8')).toBe(original);
  });

  it('refuses a page with no feed anywhere, and an address that does not answer', async () => {
    const missing = await add(`${server.url}nowhere`, ...FILED);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^feeds:add: cannot fetch http:\/\/127\.0\.0\.1:\d+\/nowhere: fetch: .*404/);
    const refused = await add(await refusedUrl(), ...FILED);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^feeds:add: cannot fetch .*: fetch: /);
    expect(await readFile(feedsFile, 'utf8')).toBe(original);
  });
});

describe('runFeedsAdd: categories follow the feeds file', () => {
  it("refuses, before any request, a source with no --category when the file does not use 'general'", async () => {
    const result = await add(`${server.url}notes/`);
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr:
        `feeds:add: no --category given, and ${feedsFile} files no source under 'general': its categories are 'advocacy' and 'news'. ` +
        'Choose one with --category (or a new word). Nothing added.\n',
    });
    expect(server.requests).toHaveLength(0);
    expect(await readFile(feedsFile, 'utf8')).toBe(original);
  });

  it("files it under 'general' when the file already does", async () => {
    await writeFile(feedsFile, original.replace('category: news', 'category: general'));
    const result = await add(`${server.url}notes/`);
    expect(result.code).toBe(0);
    expect((await sourcesNow()).at(-1)?.category).toBe('general');
    expect(result.stdout).toContain('  category:    general\n');
  });

  it("files it under 'general' in a file with no sources yet", async () => {
    await writeFile(feedsFile, original.slice(0, original.indexOf('sources:')) + 'sources: []\n');
    const result = await add(`${server.url}notes/`);
    expect(result.code).toBe(0);
    expect(await sourcesNow()).toMatchObject([{ id: 'care-team-notes', category: 'general' }]);
    expect(result.stdout).toContain('  category:    general\n');
  });

  it('takes one of the file’s categories without a note', async () => {
    const result = await add(`${server.url}notes/`, '--category', 'News');
    expect(result.code).toBe(0);
    expect((await sourcesNow()).at(-1)?.category).toBe('news');
    expect(result.stdout).toContain('  category:    news\n');
  });
});

describe('runFeedsAdd: private networks', () => {
  // A site the operator names on the command line, whose page links a feed on another local
  // service that no source names: the stand-in for an internal one.
  let internal: LocalServer;
  let site: LocalServer;
  beforeAll(async () => {
    const rss = await readFile(fixture('care-notes.rss'), 'utf8');
    internal = await startLocalServer((_req, res) => res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss));
    const page = `<html><head><title>Linker</title><link rel="alternate" type="application/rss+xml" href="${internal.url}feed.xml"></head></html>`;
    site = await startLocalServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(page));
  });
  afterAll(async () => {
    await Promise.all([internal.close(), site.close()]);
  });
  beforeEach(() => {
    internal.requests.length = 0;
  });

  it('refuses a feed link that leads to a private origin no source names; the internal service sees nothing', async () => {
    const result = await add(site.url, ...FILED);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `feeds:add: ${site.url} names a feed, but none could be read:\n` +
        `  ${internal.url}feed.xml: fetch: refused: ${internal.url} is on a private network and no source in the feeds file names it\n`,
    );
    expect(internal.requests).toHaveLength(0);
    expect(await readFile(feedsFile, 'utf8')).toBe(original);
  });

  it('follows it when private networks are allowed (ALLOW_PRIVATE_NETWORKS=on)', async () => {
    const result = await addWith({ allowPrivateNetworks: true }, site.url, '--id', 'linked', ...FILED);
    expect(result.stderr).toBe('');
    expect((await sourcesNow()).at(-1)).toMatchObject({ id: 'linked', feed: `${internal.url}feed.xml` });
    expect(internal.requests).toHaveLength(1);
  });
});

describe('runFeedsAdd: duplicates and a broken file', () => {
  it('refuses a feed already listed, whatever its spelling', async () => {
    expect((await add(`${server.url}notes/`, ...FILED)).code).toBe(0);
    const afterFirst = await readFile(feedsFile, 'utf8');
    const again = await add(`${server.url}notes/`, '--id', 'other-id', ...FILED);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(
      `feeds:add: ${feedsFile} already lists ${server.url}notes/feed.xml as source 'care-team-notes'. Nothing added.\n`,
    );
    const direct = await add(`${server.url.replace('http:', 'https:')}notes/feed.xml/`);
    expect(direct.code).toBe(1);
    expect(await readFile(feedsFile, 'utf8')).toBe(afterFirst);
  });

  it('refuses an id in use before fetching anything', async () => {
    const result = await add(`${server.url}notes/`, '--id', 'first-blog');
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `feeds:add: the id 'first-blog' is already used in ${feedsFile}; choose another with --id. Nothing added.\n`,
    );
    expect(server.requests).toHaveLength(0);
  });

  it('refuses a guessed id that clashes, asking for --id', async () => {
    await writeFile(feedsFile, original.replace('id: link-only', 'id: care-team-notes'));
    const result = await add(`${server.url}notes/`, ...FILED);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("the id 'care-team-notes' is already used");
    expect(result.stderr).toContain('give this one its own with --id');
  });

  it('refuses to edit a feeds file that does not validate, before any fetch', async () => {
    await writeFile(feedsFile, original.replace('category: news', 'category: Not A Word'));
    const result = await add(`${server.url}notes/`);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^${feedsFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: 'category' must be`));
    expect(result.stderr).toContain('fix them first (npm run feeds:check). Nothing added.');
    expect(server.requests).toHaveLength(0);
  });

  it('says so when the feeds file is missing', async () => {
    await rm(feedsFile);
    const result = await add(`${server.url}notes/`);
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: `feeds:add: cannot read ${feedsFile}: no such file (set FEEDS_FILE to its path)\n`,
    });
  });
});

describe('runFeedsAdd: usage', () => {
  it.each([
    [[], 'give the address of a site or a feed'],
    [['https://a.test/', 'https://b.test/'], 'give one address at a time'],
    [['ftp://a.test/feed'], "'ftp://a.test/feed' is not an http(s) address"],
    [['https://a.test/', '--id', 'Bad Id'], '--id must be lowercase letters'],
    [['https://a.test/', '--category', 'two words'], '--category must be one lowercase word'],
    [['https://a.test/', '--title', '  '], '--title is empty'],
    [['https://a.test/', '--bogus'], "Unknown option '--bogus'"],
    [['https://a.test/', '--id'], "Option '--id <value>' argument missing"],
  ])('exits 2 with the usage line for %j', async (args, message) => {
    const result = await add(...args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`feeds:add: ${message}`);
    expect(result.stderr.endsWith(`${FEEDS_ADD_USAGE}\n`)).toBe(true);
    expect(server.requests).toHaveLength(0);
  });

  it('prints the usage line for --help', async () => {
    expect(await add('--help')).toEqual({ code: 0, stdout: `${FEEDS_ADD_USAGE}\n`, stderr: '' });
  });
});
