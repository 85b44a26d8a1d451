// The WebSub subscriber on both databases, against a hub on 127.0.0.1: what it asks the hub, which
// verifications and pushes it accepts, renewal, slower polls and unsubscribing removed sources.
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FeedsConfig, SourceConfig } from '../core/types.js';
import { getSource, listStream, syncSources, type OpenedStore } from '../store/index.js';
import { describeEachDatabase, freshStore, makeSource } from '../../test/helpers/store.js';
import { refreshHarness } from '../../test/fixtures/refresh/harness.js';
import { startFeedServer } from '../../test/fixtures/refresh/feed-server.js';
import { digestFeed } from './digest.js';
import { refreshSource } from './refresh-source.js';
import type { FoundHub, RefreshDeps } from './types.js';
import { signatureMatches, WebSubSubscriber, REQUESTED_LEASE_SECONDS } from './websub.js';

const SITE = 'https://portal.example.org/';
const TOPIC = 'https://blog.example.org/feed.xml';
const T0 = Date.UTC(2026, 5, 1, 12);

interface Hub {
  url: string;
  requests: URLSearchParams[];
  close(): Promise<void>;
}

async function startHub(): Promise<Hub> {
  const requests: URLSearchParams[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      requests.push(new URLSearchParams(body));
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hub`, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

function pushBody(title: string, html: string): string {
  return `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Blog</title><id>urn:blog</id>
    <entry><id>urn:${title}</id><title>${title}</title><updated>2026-05-30T10:00:00Z</updated><link href="https://blog.example.org/${title}"/>
    <content type="html">${html.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</content></entry></feed>`;
}

function sign(body: string, secret: string, method = 'sha256'): string {
  return `${method}=${createHmac(method, secret).update(body).digest('hex')}`;
}

describe('signatureMatches', () => {
  it('accepts sha1, sha256, sha384 and sha512 signatures of the body with the secret, nothing else', () => {
    const body = Buffer.from('<feed/>');
    for (const method of ['sha1', 'sha256', 'sha384', 'sha512']) {
      expect(signatureMatches(body, sign('<feed/>', 's3cret', method), 's3cret')).toBe(true);
      expect(signatureMatches(body, sign('<feed/>', 'other', method), 's3cret')).toBe(false);
    }
    expect(signatureMatches(body, undefined, 's3cret')).toBe(false);
    expect(signatureMatches(body, 'md5=abcd', 's3cret')).toBe(false);
    expect(signatureMatches(body, `sha256=${'0'.repeat(10)}`, 's3cret')).toBe(false);
  });
});

describeEachDatabase('WebSubSubscriber', (kind) => {
  let store: OpenedStore;
  let hub: Hub;
  let now: number;
  let sources: SourceConfig[];
  let subscriber: WebSubSubscriber;
  let streamChanges: number;

  const config = (): FeedsConfig => ({
    site: { title: 'Portal', tagline: '', url: SITE, timezone: 'UTC', maxEntries: 200 },
    sources,
  });

  beforeEach(async () => {
    store = await freshStore(kind);
    hub = await startHub();
    now = T0;
    streamChanges = 0;
    sources = [makeSource('blog', { feed: TOPIC })];
    await syncSources(store.db, sources, now);
    subscriber = new WebSubSubscriber({
      db: store.db,
      log: pino({ level: 'silent' }),
      now: () => now,
      fetch,
      timeoutMs: 5000,
      userAgent: 'portal-test',
      siteUrl: () => SITE,
      getConfig: config,
      digest: digestFeed,
      maxBodyBytes: 5 * 1024 * 1024,
      onStreamChanged: () => (streamChanges += 1),
    });
  });

  afterEach(async () => {
    await subscriber.settled();
    await hub.close();
    await store.close();
  });

  /** Finds a hub for the blog as a poll would, and returns what the portal asked the hub. */
  async function subscribe(): Promise<{ token: string; secret: string; callback: string }> {
    const row = (await getSource(store.db, 'blog'))!;
    subscriber.hubFound({ row, config: sources[0]!, defaultMaxEntries: 200 }, { hub: hub.url, topic: TOPIC });
    await subscriber.settled();
    const request = hub.requests.at(-1)!;
    const callback = request.get('hub.callback')!;
    return { token: callback.slice(`${SITE}websub/`.length), secret: request.get('hub.secret')!, callback };
  }

  async function verifySubscription(token: string, leaseSeconds = 600): Promise<void> {
    const answer = await subscriber.verify(token, { 'hub.mode': 'subscribe', 'hub.topic': TOPIC, 'hub.challenge': 'c-1', 'hub.lease_seconds': String(leaseSeconds) });
    expect(answer).toEqual({ status: 200, body: 'c-1' });
  }

  async function stateOf(token: string): Promise<string | undefined> {
    const row = await store.db.selectFrom('websub_subscriptions').select('state').where('token', '=', token).executeTakeFirst();
    return row?.state;
  }

  it('subscribes with a callback under SITE_URL that cannot be guessed and a random secret', async () => {
    const { token, secret, callback } = await subscribe();
    const request = hub.requests[0]!;
    expect(request.get('hub.mode')).toBe('subscribe');
    expect(request.get('hub.topic')).toBe(TOPIC);
    expect(request.get('hub.lease_seconds')).toBe(String(REQUESTED_LEASE_SECONDS));
    expect(callback).toMatch(/^https:\/\/portal\.example\.org\/websub\/[\w-]{32}$/);
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    expect(await stateOf(token)).toBe('pending');
    // The same hub and topic found again: no second request.
    await subscribe();
    expect(hub.requests).toHaveLength(1);
  });

  it('answers the verification of intent only for what it asked: right token, topic and mode', async () => {
    const { token } = await subscribe();
    expect(await subscriber.verify('not-a-token', { 'hub.mode': 'subscribe', 'hub.topic': TOPIC, 'hub.challenge': 'x' })).toEqual({ status: 404 });
    expect(await subscriber.verify(token, { 'hub.mode': 'subscribe', 'hub.topic': 'https://evil.example/feed', 'hub.challenge': 'x' })).toEqual({ status: 404 });
    expect(await subscriber.verify(token, { 'hub.mode': 'unsubscribe', 'hub.topic': TOPIC, 'hub.challenge': 'x' })).toEqual({ status: 404 });
    expect(await subscriber.verify(token, { 'hub.mode': 'subscribe', 'hub.topic': TOPIC })).toEqual({ status: 404 });
    expect(await stateOf(token)).toBe('pending');
    await verifySubscription(token);
    expect(await stateOf(token)).toBe('live');
    const row = await store.db.selectFrom('websub_subscriptions').selectAll().where('token', '=', token).executeTakeFirstOrThrow();
    expect(row.lease_until).toBe(T0 + 600_000);
  });

  it('records a denial from the hub', async () => {
    const { token } = await subscribe();
    expect(await subscriber.verify(token, { 'hub.mode': 'denied', 'hub.topic': TOPIC, 'hub.reason': 'not allowed' })).toEqual({ status: 200, body: '' });
    expect(await stateOf(token)).toBe('denied');
  });

  it('stores a signed push through the poll pipeline, sanitized; drops forged and unsigned ones with a 2xx', async () => {
    const { token, secret } = await subscribe();
    await verifySubscription(token);
    const hostile = pushBody('signed', '<p onclick="steal()">Hello</p><script>alert(1)</script><img src=x onerror=alert(2)>');
    expect(await subscriber.receive(token, Buffer.from(hostile), { signature: sign(hostile, secret, 'sha1'), contentType: 'application/atom+xml' })).toEqual({ status: 202 });
    const forged = pushBody('forged', '<p>forged</p>');
    expect(await subscriber.receive(token, Buffer.from(forged), { signature: sign(forged, 'guessed') })).toEqual({ status: 202 });
    const unsigned = pushBody('unsigned', '<p>unsigned</p>');
    expect(await subscriber.receive(token, Buffer.from(unsigned), {})).toEqual({ status: 202 });
    await subscriber.settled();
    const { entries } = await listStream(store.db, { limit: 10, withContent: true });
    expect(entries.map((e) => e.title)).toEqual(['signed']);
    expect(entries[0]!.contentHtml).toContain('Hello');
    expect(entries[0]!.contentHtml).not.toMatch(/onclick|onerror|<script|alert/);
    expect(streamChanges).toBe(1);
    expect(await subscriber.receive('unknown-token', Buffer.from(hostile), { signature: sign(hostile, secret) })).toEqual({ status: 404 });
  });

  it('polls a pushed source less often: four times its interval, at most a day', async () => {
    const { token } = await subscribe();
    await verifySubscription(token);
    const row = await getSource(store.db, 'blog');
    expect(row?.next_poll_at).toBe(T0 + 4 * 30 * 60_000);
    sources = [makeSource('blog', { feed: TOPIC, pollMinutes: 600 })];
    subscriber.afterPoll({ sourceId: 'blog', outcome: 'not-modified', added: 0, updated: 0, ms: 1 });
    await subscriber.settled();
    expect((await getSource(store.db, 'blog'))?.next_poll_at).toBe(T0 + 24 * 60 * 60_000);
  });

  it('asks again for a subscription the hub has not verified within the hour', async () => {
    await subscribe();
    now = T0 + 30 * 60_000;
    await subscriber.maintain();
    expect(hub.requests).toHaveLength(1);
    now = T0 + 61 * 60_000;
    await subscriber.maintain();
    expect(hub.requests.map((r) => r.get('hub.mode'))).toEqual(['subscribe', 'subscribe']);
  });

  it('renews a lease before it ends', async () => {
    const { token } = await subscribe();
    await verifySubscription(token, 600);
    now = T0 + 200_000;
    await subscriber.maintain();
    expect(hub.requests).toHaveLength(1);
    // Less than half the lease left: renewed with the same callback and secret.
    now = T0 + 400_000;
    await subscriber.maintain();
    expect(hub.requests).toHaveLength(2);
    expect(hub.requests[1]!.get('hub.mode')).toBe('subscribe');
    expect(hub.requests[1]!.get('hub.callback')).toBe(hub.requests[0]!.get('hub.callback'));
    expect(hub.requests[1]!.get('hub.secret')).toBe(hub.requests[0]!.get('hub.secret'));
  });

  it('unsubscribes when the source leaves the feeds file, and refuses its pushes (410) after', async () => {
    const { token, secret } = await subscribe();
    await verifySubscription(token);
    sources = [];
    await syncSources(store.db, sources, now);
    await subscriber.maintain();
    const request = hub.requests.at(-1)!;
    expect(request.get('hub.mode')).toBe('unsubscribe');
    expect(request.get('hub.topic')).toBe(TOPIC);
    expect(request.has('hub.secret')).toBe(false);
    // A subscribe verification no longer matches what the portal asked.
    expect(await subscriber.verify(token, { 'hub.mode': 'subscribe', 'hub.topic': TOPIC, 'hub.challenge': 'x' })).toEqual({ status: 404 });
    expect(await subscriber.verify(token, { 'hub.mode': 'unsubscribe', 'hub.topic': TOPIC, 'hub.challenge': 'bye' })).toEqual({ status: 200, body: 'bye' });
    expect(await stateOf(token)).toBe('unsubscribed');
    const body = pushBody('late', '<p>late</p>');
    expect(await subscriber.receive(token, Buffer.from(body), { signature: sign(body, secret) })).toEqual({ status: 410 });
    await subscriber.maintain();
    expect(hub.requests.filter((r) => r.get('hub.mode') === 'unsubscribe')).toHaveLength(1);
  });

  it('moves to a new hub: the old subscription is unsubscribed, a new one asked for', async () => {
    const first = await subscribe();
    await verifySubscription(first.token);
    const row = (await getSource(store.db, 'blog'))!;
    subscriber.hubFound({ row, config: sources[0]!, defaultMaxEntries: 200 }, { hub: `${hub.url}?v=2`, topic: TOPIC });
    await subscriber.settled();
    expect(hub.requests.map((r) => r.get('hub.mode'))).toEqual(['subscribe', 'unsubscribe', 'subscribe']);
    expect(hub.requests[2]!.get('hub.callback')).not.toBe(first.callback);
    expect(hub.requests[2]!.get('hub.secret')).not.toBe(first.secret);
  });
});

describe('a poll finds the hub', () => {
  it('from an HTTP Link header first, else from the feed, with rel="self" as the topic', async () => {
    const feeds = await startFeedServer();
    const atom = (hub: string) => `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>B</title><id>urn:b</id>
      <link rel="hub" href="${hub}"/><link rel="self" href="https://blog.example.org/atom"/>
      <entry><id>urn:1</id><title>One</title><updated>2026-05-30T10:00:00Z</updated></entry></feed>`;
    feeds.route('/with-header.xml', (_req, res) =>
      void res.writeHead(200, { 'content-type': 'application/atom+xml', link: '<https://header-hub.example/>; rel="hub", <https://blog.example.org/header-self>; rel="self"' }).end(atom('https://body-hub.example/')),
    );
    feeds.route('/body-only.xml', (_req, res) => void res.writeHead(200, { 'content-type': 'application/atom+xml' }).end(atom('https://body-hub.example/')));
    feeds.route('/no-hub.xml', (_req, res) => void res.writeHead(200, { 'content-type': 'application/atom+xml' }).end(atom('javascript:alert(1)')));
    const bench = await refreshHarness([
      makeSource('header', { feed: `${feeds.url}with-header.xml` }),
      makeSource('body', { feed: `${feeds.url}body-only.xml` }),
      makeSource('none', { feed: `${feeds.url}no-hub.xml` }),
    ]);
    const found: [string, FoundHub][] = [];
    const deps: RefreshDeps = { ...bench.deps, onHubFound: (source, hub) => void found.push([source.row.id, hub]) };
    try {
      for (const id of ['header', 'body', 'none']) await refreshSource(deps, await bench.source(id));
      expect(found).toEqual([
        ['header', { hub: 'https://header-hub.example/', topic: 'https://blog.example.org/header-self' }],
        ['body', { hub: 'https://body-hub.example/', topic: 'https://blog.example.org/atom' }],
      ]);
    } finally {
      await bench.close();
      await feeds.close();
    }
  });
});
