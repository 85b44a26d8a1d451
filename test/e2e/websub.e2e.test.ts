// WebSub both ways, end to end (issue 20): the portal started as `npm start` starts it, a source on
// 127.0.0.1 naming a hub on the same server. The portal subscribes with a secret, the hub verifies
// over HTTP, pushes reach the pages (signed ones only, sanitized, within the size cap), the
// exported feeds name the portal's own hub, which is pinged after the pass (and again after a 500),
// and a source removed from the feeds file is unsubscribed.
import { createHmac } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/main.js';
import { eventually, feedsYaml } from '../fixtures/ops/feeds-yaml.js';
import { startFeedServer, type FeedServer } from '../fixtures/refresh/feed-server.js';

interface Verification {
  mode: string;
  challenge: string;
  status: number;
  body: string;
}

let dir: string;
let feedsFile: string;
let feeds: FeedServer;
let running: RunningServer;
let siteUrl: string;
const hubRequests: URLSearchParams[] = [];
const verifications: Verification[] = [];
const publishPings: URLSearchParams[] = [];

function atomFeed(entries: { id: string; title: string; html: string }[]): string {
  const items = entries.map(
    (e) => `<entry><id>urn:post:${e.id}</id><title>${e.title}</title><updated>2026-05-30T10:00:00Z</updated>
      <link href="https://blog.example.org/${e.id}"/><content type="html">${e.html.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</content></entry>`,
  );
  return `<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Care Blog</title><id>urn:care-blog</id>
    <updated>2026-05-30T10:00:00Z</updated><link rel="hub" href="${feeds.url}hub"/><link rel="self" href="${feeds.url}blog.xml"/>
    ${items.join('\n')}</feed>`;
}

function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => resolve(new URLSearchParams(body)));
  });
}

/** The hub: accepts (202), then verifies the intent at the callback as WebSub says, granting a 600 s lease. */
async function verifyIntent(form: URLSearchParams): Promise<void> {
  const mode = form.get('hub.mode')!;
  const challenge = `challenge-${verifications.length}`;
  const url = new URL(form.get('hub.callback')!);
  url.searchParams.set('hub.mode', mode);
  url.searchParams.set('hub.topic', form.get('hub.topic')!);
  url.searchParams.set('hub.challenge', challenge);
  if (mode === 'subscribe') url.searchParams.set('hub.lease_seconds', '600');
  const response = await fetch(url);
  verifications.push({ mode, challenge, status: response.status, body: await response.text() });
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function subscription(): { callback: string; secret: string; topic: string } {
  const form = hubRequests.find((r) => r.get('hub.mode') === 'subscribe')!;
  return { callback: form.get('hub.callback')!, secret: form.get('hub.secret')!, topic: form.get('hub.topic')! };
}

function push(body: string, signature?: string): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/atom+xml' };
  if (signature !== undefined) headers['x-hub-signature'] = signature;
  return fetch(subscription().callback, { method: 'POST', headers, body });
}

function sign(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

async function text(pathname: string): Promise<string> {
  const response = await fetch(new URL(pathname, siteUrl));
  expect(response.status).toBe(200);
  return response.text();
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'websub-e2e-'));
  feeds = await startFeedServer();
  feeds.route('/blog.xml', (_req, res) =>
    void res.writeHead(200, { 'content-type': 'application/atom+xml' }).end(atomFeed([{ id: 'first', title: 'First post', html: '<p>Hello</p>' }])),
  );
  feeds.route('/hub', (req, res) => {
    void readForm(req).then((form) => {
      hubRequests.push(form);
      res.writeHead(202).end();
      void verifyIntent(form);
    });
  });
  feeds.route('/publish', (req, res) => {
    void readForm(req).then((form) => {
      publishPings.push(form);
      // The first ping fails: the portal retries it.
      res.writeHead(publishPings.length === 1 ? 500 : 204).end();
    });
  });
  feedsFile = path.join(dir, 'feeds.yaml');
  // notes names the same server as its site: the network guard lets the portal reach the (loopback) hub after blog leaves.
  await writeFile(feedsFile, feedsYaml([{ id: 'blog', feed: `${feeds.url}blog.xml`, title: 'Care Blog' }, { id: 'notes', site: feeds.url }]));
  const port = await freePort();
  siteUrl = `http://127.0.0.1:${port}/`;
  const env = {
    FEEDS_FILE: feedsFile,
    DATABASE_PATH: path.join(dir, 'portal.db'),
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    POLL_SCHEDULE: '0 0 1 1 *',
    SITE_URL: siteUrl,
    WEBSUB: 'on',
    WEBSUB_HUB: `${feeds.url}publish`,
  };
  const started = await startServer({ env, isTTY: false, stdout: () => {}, stderr: () => {} }, { logDestination: { write: () => {} } });
  if (typeof started === 'number') throw new Error(`the portal did not start (exit ${started})`);
  running = started;
  await eventually(() => (verifications.length > 0 ? true : undefined), "the hub's verification of intent");
});

afterAll(async () => {
  await running?.close();
  await feeds?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('WebSub subscriber', () => {
  it('subscribes at the hub the feed names, with a secret and a callback under SITE_URL', () => {
    const form = hubRequests[0]!;
    expect(form.get('hub.mode')).toBe('subscribe');
    expect(form.get('hub.topic')).toBe(`${feeds.url}blog.xml`);
    expect(form.get('hub.callback')).toMatch(new RegExp(`^${siteUrl}websub/[\\w-]{32}$`));
    expect(form.get('hub.secret')).toMatch(/^[0-9a-f]{64}$/);
  });

  it("echoes the hub's challenge, and /status shows the subscription live", async () => {
    expect(verifications[0]).toMatchObject({ mode: 'subscribe', status: 200, body: 'challenge-0' });
    const status = JSON.parse(await text('/status.json')) as { sources: { id: string; websub: { state: string; lease_until: string } | null }[] };
    const blog = status.sources.find((s) => s.id === 'blog')!;
    expect(blog.websub?.state).toBe('live');
    expect(Date.parse(blog.websub!.lease_until)).toBeGreaterThan(Date.now());
    expect(status.sources.find((s) => s.id === 'notes')?.websub).toBeNull();
    expect(await text('/status')).toContain('WebSub: pushed by its hub');
  });

  it('refuses (404) a verification the portal never asked for: a wrong token or a wrong topic', async () => {
    const { callback, topic } = subscription();
    const query = (t: string) => `hub.mode=subscribe&hub.topic=${encodeURIComponent(t)}&hub.challenge=abc&hub.lease_seconds=60`;
    expect((await fetch(`${siteUrl}websub/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA?${query(topic)}`)).status).toBe(404);
    const wrongTopic = await fetch(`${callback}?${query('https://evil.example/feed')}`);
    expect(wrongTopic.status).toBe(404);
    expect(await wrongTopic.text()).not.toContain('abc');
  });

  it('shows a signed push on the pages within seconds, sanitized', async () => {
    const body = atomFeed([
      { id: 'pushed', title: 'Pushed conversation', html: '<p onclick="steal()">Fresh news</p><script>alert(1)</script><img src="x" onerror="alert(2)">' },
      { id: 'first', title: 'First post', html: '<p>Hello</p>' },
    ]);
    const response = await push(body, sign(body, subscription().secret));
    expect(response.status).toBeGreaterThanOrEqual(200);
    expect(response.status).toBeLessThan(300);
    const page = await eventually(async () => {
      const html = await text('/sources/blog');
      return html.includes('Pushed conversation') ? html : undefined;
    }, 'the pushed entry on the source page');
    expect(page).toContain('Fresh news');
    for (const mark of ['steal()', 'onerror', 'alert(']) expect(page).not.toContain(mark);
    expect(await text('/')).toContain('Pushed conversation');
  });

  it('drops a forged push and an unsigned one, answering 2xx', async () => {
    const forged = atomFeed([{ id: 'forged', title: 'Forged conversation', html: '<p>forged</p>' }]);
    const forgedAnswer = await push(forged, sign(forged, 'a guessed secret'));
    const unsigned = atomFeed([{ id: 'unsigned', title: 'Unsigned conversation', html: '<p>unsigned</p>' }]);
    const unsignedAnswer = await push(unsigned);
    expect([forgedAnswer.status, unsignedAnswer.status].every((s) => s >= 200 && s < 300)).toBe(true);
    // A signed push sent after them: once it shows, anything stored from the two would show too.
    const marker = atomFeed([{ id: 'marker', title: 'Marker conversation', html: '<p>ok</p>' }]);
    await push(marker, sign(marker, subscription().secret));
    const page = await eventually(async () => {
      const html = await text('/sources/blog');
      return html.includes('Marker conversation') ? html : undefined;
    }, 'the marker entry');
    expect(page).not.toContain('Forged conversation');
    expect(page).not.toContain('Unsigned conversation');
    expect(await text('/metrics')).toContain('portal_websub_pushes_total{outcome="bad-signature"} 2');
  });

  it("refuses (413) a push over the fetcher's size cap", async () => {
    const huge = `<feed>${'x'.repeat(5 * 1024 * 1024)}</feed>`;
    const response = await push(huge, sign(huge, subscription().secret));
    expect(response.status).toBe(413);
  });
});

describe('WebSub publisher', () => {
  it('names WEBSUB_HUB and the self URL in the Atom, RSS and JSON feeds', async () => {
    const hub = `${feeds.url}publish`;
    const atom = await text('/atom.xml');
    expect(atom).toContain(`<link rel="hub" href="${hub}"/>`);
    expect(atom).toContain(`href="${siteUrl}atom.xml"`);
    const rss = await text('/feed.xml');
    expect(rss).toContain(`<atom:link href="${hub}" rel="hub"/>`);
    expect(rss).toContain(`<atom:link href="${siteUrl}feed.xml" rel="self"`);
    const json = JSON.parse(await text('/feed.json')) as { feed_url: string; hubs: unknown };
    expect(json.feed_url).toBe(`${siteUrl}feed.json`);
    expect(json.hubs).toEqual([{ type: 'WebSub', url: hub }]);
  });

  it('pings the hub for each exported feed after the pass stored entries, retrying the one that got a 500', async () => {
    const feedUrls = ['feed.xml', 'atom.xml', 'feed.json'].map((name) => `${siteUrl}${name}`);
    await eventually(() => {
      const urls = new Set(publishPings.slice(1).map((p) => p.get('hub.url')));
      return feedUrls.every((url) => urls.has(url)) ? true : undefined;
    }, 'a ping for each feed after the first 500');
    expect(publishPings.every((p) => p.get('hub.mode') === 'publish')).toBe(true);
    expect(publishPings[0]!.get('hub.url')).toBe(feedUrls[0]);
    // The failed first ping was sent again.
    expect(publishPings.filter((p) => p.get('hub.url') === feedUrls[0]).length).toBeGreaterThanOrEqual(2);
    const metrics = await text('/metrics');
    expect(metrics).toContain('portal_websub_publish_pings_total{outcome="retried"} 1');
    expect(metrics).toMatch(/portal_websub_publish_pings_total\{outcome="sent"\} [3-9]/);
  });
});

describe('WebSub when a source leaves the feeds file', () => {
  it('unsubscribes, and the hub verifies the unsubscription', async () => {
    await writeFile(feedsFile, feedsYaml([{ id: 'notes', site: feeds.url }]));
    await running.reloadConfig('test');
    const unsubscribe = await eventually(() => hubRequests.find((r) => r.get('hub.mode') === 'unsubscribe'), 'the unsubscribe request');
    expect(unsubscribe.get('hub.callback')).toBe(subscription().callback);
    expect(unsubscribe.get('hub.topic')).toBe(`${feeds.url}blog.xml`);
    const verified = await eventually(() => verifications.find((v) => v.mode === 'unsubscribe'), 'the verification of the unsubscription');
    expect(verified).toMatchObject({ status: 200, body: verified.challenge });
    // Its pushes are refused from now on (410: the hub should stop).
    const body = atomFeed([{ id: 'late', title: 'Late', html: '<p>late</p>' }]);
    expect((await push(body, sign(body, subscription().secret))).status).toBe(410);
  });
});
