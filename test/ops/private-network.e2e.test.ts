// A feed that redirects to another service on the portal's machine, end to end: the serve
// process's start-up pass and `npm run poll` refuse it as the source's error, the internal
// service sees no request, and nothing of its content reaches any page, search or feed.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runPoll, type PollRow } from '../../src/cli/poll.js';
import { startServer, type CommandIo, type RunningServer } from '../../src/main.js';
import { eventually, feedsYaml, type YamlSource } from '../fixtures/ops/feeds-yaml.js';
import { fixture, plainFeed, startFeedServer, type FeedServer } from '../fixtures/refresh/feed-server.js';

const SECRET_MARK = 'root token 5ecret-70ken';
const SECRET_FEED = `<?xml version="1.0"?>
<rss version="2.0"><channel><title>Internal admin console</title><link>http://internal.invalid/</link>
<item><title>Internal admin console: reset every password</title><guid>secret-1</guid>
<description>${SECRET_MARK}</description></item></channel></rss>`;

let dir: string;
/** The feed host the feeds file names: a real blog, and a feed that redirects to the internal service. */
let feeds: FeedServer;
/** Another service on 127.0.0.1 that no source names. */
let internal: FeedServer;
let running: RunningServer | undefined;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'private-network-'));
  feeds = await startFeedServer();
  internal = await startFeedServer();
  feeds.route('/blog.xml', plainFeed(() => fixture('blog-v1.xml')));
  feeds.route('/sneaky.xml', (_req, res) => void res.writeHead(302, { location: `${internal.url}secret.xml` }).end());
  internal.route('/secret.xml', plainFeed(() => SECRET_FEED));
});

afterEach(async () => {
  await running?.close();
  running = undefined;
  await Promise.all([feeds.close(), internal.close()]);
  await rm(dir, { recursive: true, force: true });
});

const SOURCES = (): YamlSource[] => [
  { id: 'blog', feed: `${feeds.url}blog.xml` },
  { id: 'sneaky', feed: `${feeds.url}sneaky.xml` },
];

async function env(sources: YamlSource[], extra: Record<string, string> = {}): Promise<Record<string, string>> {
  const file = path.join(dir, 'feeds.yaml');
  await writeFile(file, feedsYaml(sources));
  return { FEEDS_FILE: file, DATABASE_PATH: path.join(dir, 'portal.db'), FETCH_TIMEOUT_MS: '5000', LOG_LEVEL: 'info', ...extra };
}

function refusal(): string {
  return `fetch: refused: ${internal.url} is on a private network and no source in the feeds file names it`;
}

describe('serve: a feed redirected to an internal service', () => {
  it('fails as the source’s error on /status.json; the internal service sees nothing and no page shows its content', async () => {
    const lines: string[] = [];
    const out = { stderr: '' };
    const io: CommandIo = {
      env: await env(SOURCES(), { PORT: '0', HOST: '127.0.0.1', POLL_SCHEDULE: '0 0 1 1 *' }),
      isTTY: false,
      stdout: () => {},
      stderr: (s) => void (out.stderr += s),
    };
    const started = await startServer(io, { logDestination: { write: (line: string) => void lines.push(line) } });
    if (typeof started === 'number') throw new Error(`serve exited ${started}: ${out.stderr}`);
    running = started;
    await eventually(() => lines.find((l) => l.includes('"msg":"poll pass finished"')), 'the start-up pass');
    expect(lines.find((l) => l.includes('"source_id":"sneaky"'))).toContain(JSON.stringify(refusal()).slice(1, -1));

    const status = (await (await fetch(`${running.url}status.json`)).json()) as { sources: Record<string, unknown>[] };
    expect(status.sources).toEqual([
      expect.objectContaining({ id: 'blog', state: 'ok', entry_count: 3 }),
      // Public pages say the kind; the full refusal is the operator's (logs, npm run poll).
      expect.objectContaining({ id: 'sneaky', state: 'failing', entry_count: 0, error_count: 1, error_kind: 'blocked', last_error: 'Refused: private address' }),
    ]);
    expect(feeds.hits('/sneaky.xml')).toBe(1);
    expect(internal.hits('/secret.xml')).toBe(0);

    const pages = ['', 'sources/sneaky', 'sources/blog', 'search?q=admin', 'search?q=password', 'feed.xml', 'atom.xml', 'feed.json', 'status'];
    for (const page of pages) {
      const response = await fetch(`${running.url}${page}`);
      expect(response.status, page).toBe(200);
      const text = await response.text();
      expect(text, page).not.toContain(SECRET_MARK);
      expect(text, page).not.toContain('reset every password');
    }
    // The blog's entries are there, so the pages above were not simply empty.
    expect(await (await fetch(`${running.url}feed.json`)).text()).toContain('Patient engagement in rural clinics');
  });
});

describe('npm run poll: a feed redirected to an internal service', () => {
  async function poll(environment: Record<string, string>): Promise<PollRow[]> {
    const out = { stdout: '', stderr: '' };
    const code = await runPoll(['--json'], {
      env: environment,
      version: '9.9.9',
      stdout: (s) => void (out.stdout += s),
      stderr: (s) => void (out.stderr += s),
    });
    expect(code, out.stderr).toBe(0);
    return JSON.parse(out.stdout) as PollRow[];
  }

  it('reports the refusal as the source’s error and stores nothing', async () => {
    const rows = await poll(await env(SOURCES()));
    expect(rows.find((r) => r.id === 'sneaky')).toMatchObject({ outcome: 'error', status: null, new: 0, error: refusal() });
    expect(rows.find((r) => r.id === 'blog')).toMatchObject({ outcome: 'updated', new: 3 });
    expect(internal.hits('/secret.xml')).toBe(0);
  });

  it('follows the redirect when another source names the internal origin as its site', async () => {
    const rows = await poll(await env([...SOURCES(), { id: 'intranet', site: internal.url }]));
    expect(rows.find((r) => r.id === 'sneaky')).toMatchObject({ outcome: 'updated', new: 1 });
    expect(internal.hits('/secret.xml')).toBe(1);
  });

  it('follows the redirect with ALLOW_PRIVATE_NETWORKS=on', async () => {
    const rows = await poll(await env(SOURCES(), { ALLOW_PRIVATE_NETWORKS: 'on' }));
    expect(rows.find((r) => r.id === 'sneaky')).toMatchObject({ outcome: 'updated', new: 1 });
    expect(internal.hits('/secret.xml')).toBe(1);
  });
});
