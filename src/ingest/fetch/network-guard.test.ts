// The network guard on real sockets: a feed host on 127.0.0.1 that the feeds file names, and a
// second local service standing in for an internal one, which must never see a request it was
// not named for.
import type { LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startLocalServer, type LocalServer } from '../../../test/fixtures/fetch/local-server.js';
import { fetchFeed, type FetchOptions } from './fetch-feed.js';
import { createNetworkGuard, isPublicAddress, publicAddressesOnly, type NamingSource, type NetworkGuardOptions } from './network-guard.js';

const FEED = '<?xml version="1.0"?><rss version="2.0"><channel><title>Care</title></channel></rss>';
const SECRET = '<?xml version="1.0"?><rss version="2.0"><channel><title>Internal admin console</title></channel></rss>';
const options: FetchOptions = { timeoutMs: 5_000, userAgent: 'PortalTest/1.0 (+https://portal.example.org/)' };

let feedHost: LocalServer;
let internal: LocalServer;
/** Where the feed host's /feed.xml redirects; set by each test. */
let redirectTo: string;
let guards: { close(): Promise<void> }[];

beforeEach(async () => {
  redirectTo = '';
  guards = [];
  feedHost = await startLocalServer((req, res) => {
    if (req.url === '/feed.xml') res.writeHead(302, { location: redirectTo }).end();
    else res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(FEED);
  });
  internal = await startLocalServer((_req, res) => res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(SECRET));
});

afterEach(async () => {
  await Promise.all(guards.map((guard) => guard.close()));
  await Promise.all([feedHost.close(), internal.close()]);
});

const feedUrl = () => `${feedHost.url}feed.xml`;
const internalPort = () => new URL(internal.url).port;

/** A guard for the test, closed after it; by default the feeds file names only the feed host. */
function guardFor(named: NamingSource[], extra: Partial<NetworkGuardOptions> = {}) {
  const guard = createNetworkGuard({ namedSources: () => named, ...extra });
  guards.push(guard);
  return guard;
}

/** A resolver that answers every name with `addresses`, counting the questions. */
function fixedResolver(...addresses: string[]): LookupFunction & { calls: number } {
  const answer: LookupAddress[] = addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  const resolver = Object.assign(
    ((_hostname, lookupOptions, callback) => {
      resolver.calls += 1;
      const first = answer[0] as LookupAddress;
      queueMicrotask(() => (lookupOptions.all ? callback(null, answer) : callback(null, first.address, first.family)));
    }) as LookupFunction,
    { calls: 0 },
  );
  return resolver;
}

function refusedMessage(origin: string): string {
  return `fetch: refused: ${origin}/ is on a private network and no source in the feeds file names it`;
}

describe('a redirect from a named feed host to a private address', () => {
  it('is refused as blocked when no source names the target, and the internal service sees nothing', async () => {
    redirectTo = `${internal.url}admin`;
    const result = await fetchFeed(feedUrl(), {}, { ...options, guard: guardFor([{ feed: feedUrl() }]) });
    expect(result).toEqual({
      kind: 'error',
      code: 'blocked',
      message: refusedMessage(new URL(internal.url).origin),
      durationMs: expect.any(Number),
    });
    expect(feedHost.requests).toHaveLength(1);
    expect(internal.requests).toHaveLength(0);
  });

  it('is refused the same way by the guard fetchFeed makes for itself when given none', async () => {
    redirectTo = `${internal.url}admin`;
    expect(await fetchFeed(feedUrl(), {}, options)).toMatchObject({ code: 'blocked', message: refusedMessage(new URL(internal.url).origin) });
    expect(internal.requests).toHaveLength(0);
  });

  it('keeps the permanent move it saw before the refusal', async () => {
    redirectTo = `${internal.url}admin`;
    // A second named host whose feed moved for good to the feed host's, which then redirects.
    const moved = feedUrl();
    const host = await startLocalServer((_req, res) => res.writeHead(301, { location: moved }).end());
    try {
      const start = `${host.url}feed.xml`;
      const result = await fetchFeed(start, {}, { ...options, guard: guardFor([{ feed: start }, { site: feedHost.url }]) });
      expect(result).toMatchObject({ kind: 'error', code: 'blocked', permanentRedirectTo: moved });
    } finally {
      await host.close();
    }
    expect(internal.requests).toHaveLength(0);
  });

  it('is followed when a source names the target origin, by its feed or by its site', async () => {
    redirectTo = `${internal.url}feed.xml`;
    const byFeed = guardFor([{ feed: feedUrl() }, { feed: `${internal.url}other.xml` }]);
    expect(await fetchFeed(feedUrl(), {}, { ...options, guard: byFeed })).toMatchObject({ kind: 'ok', body: SECRET, finalUrl: redirectTo });
    const bySite = guardFor([{ feed: feedUrl() }, { site: internal.url }]);
    expect(await fetchFeed(feedUrl(), {}, { ...options, guard: bySite })).toMatchObject({ kind: 'ok', body: SECRET });
    expect(internal.requests).toHaveLength(2);
  });

  it('asks the feeds file again for each new connection, so an edit counts at once', async () => {
    redirectTo = `${internal.url}feed.xml`;
    let named: NamingSource[] = [{ feed: feedUrl() }];
    const guard = createNetworkGuard({ namedSources: () => named });
    guards.push(guard);
    expect(await fetchFeed(feedUrl(), {}, { ...options, guard })).toMatchObject({ code: 'blocked' });
    named = [...named, { feed: internal.url }];
    expect(await fetchFeed(feedUrl(), {}, { ...options, guard })).toMatchObject({ kind: 'ok', body: SECRET });
    expect(internal.requests).toHaveLength(1);
  });

  it('is followed everywhere when private networks are allowed (ALLOW_PRIVATE_NETWORKS=on)', async () => {
    redirectTo = `${internal.url}feed.xml`;
    const guard = guardFor([{ feed: feedUrl() }], { allowPrivateNetworks: true });
    expect(await fetchFeed(feedUrl(), {}, { ...options, guard })).toMatchObject({ kind: 'ok', body: SECRET });
    expect(internal.requests).toHaveLength(1);
  });

  it('does not trust the same host on another scheme or port', async () => {
    redirectTo = `${internal.url}feed.xml`;
    const sameHostOtherPort = guardFor([{ feed: feedUrl() }, { site: 'http://127.0.0.1/' }, { site: `https://127.0.0.1:${internalPort()}/` }]);
    expect(await fetchFeed(feedUrl(), {}, { ...options, guard: sameHostOtherPort })).toMatchObject({ code: 'blocked' });
    expect(internal.requests).toHaveLength(0);
  });
});

describe('every spelling of a private address', () => {
  // The address each spelling means, as the refusal names it (URL parsing normalises the spelling).
  it.each([
    ['http://0.0.0.0:PORT/', 'http://0.0.0.0:PORT'],
    ['http://2130706433:PORT/', 'http://127.0.0.1:PORT'],
    ['http://0x7f.1:PORT/', 'http://127.0.0.1:PORT'],
    ['http://0177.0.0.1:PORT/', 'http://127.0.0.1:PORT'],
    ['http://127.1.2.3:PORT/', 'http://127.1.2.3:PORT'],
    ['http://[::1]:PORT/', 'http://[::1]:PORT'],
    ['http://[::]:PORT/', 'http://[::]:PORT'],
    ['http://[::ffff:127.0.0.1]:PORT/', 'http://[::ffff:7f00:1]:PORT'],
    ['http://[::ffff:7f00:1]:PORT/', 'http://[::ffff:7f00:1]:PORT'],
    ['http://169.254.169.254/latest/meta-data/', 'http://169.254.169.254'],
    ['http://10.20.30.40:PORT/', 'http://10.20.30.40:PORT'],
    ['http://172.16.0.1/', 'http://172.16.0.1'],
    ['http://192.168.1.1:8080/', 'http://192.168.1.1:8080'],
    ['http://100.64.0.1/', 'http://100.64.0.1'],
    ['http://224.0.0.1/', 'http://224.0.0.1'],
    ['http://240.0.0.1/', 'http://240.0.0.1'],
    ['https://[fc00::1]/', 'https://[fc00::1]'],
    ['http://[fd12:3456::1]/', 'http://[fd12:3456::1]'],
    ['http://[fe80::1]/', 'http://[fe80::1]'],
    ['http://[ff02::1]/', 'http://[ff02::1]'],
  ])('a redirect to %s is refused before connecting', async (target, origin) => {
    redirectTo = target.replace('PORT', internalPort());
    const result = await fetchFeed(feedUrl(), {}, { ...options, guard: guardFor([{ feed: feedUrl() }]) });
    expect(result).toMatchObject({ kind: 'error', code: 'blocked', message: refusedMessage(origin.replace('PORT', internalPort())) });
    expect(internal.requests).toHaveLength(0);
  });
});

describe('host names', () => {
  it('refuses a name that resolves to loopback (localhost) unless its origin is named', async () => {
    redirectTo = `http://localhost:${internalPort()}/feed.xml`;
    const unnamed = await fetchFeed(feedUrl(), {}, { ...options, guard: guardFor([{ feed: feedUrl() }]) });
    expect(unnamed).toMatchObject({ kind: 'error', code: 'blocked' });
    expect(unnamed.kind === 'error' && unnamed.message).toMatch(
      new RegExp(`^fetch: refused: http://localhost:${internalPort()}/ resolves only to private network addresses \\(.*127\\.0\\.0\\.1.*\\) and no source in the feeds file names it$`),
    );
    expect(internal.requests).toHaveLength(0);

    // The named origin is the name, not the address it resolves to.
    const byAddress = guardFor([{ feed: feedUrl() }, { site: internal.url }]);
    expect(await fetchFeed(feedUrl(), {}, { ...options, guard: byAddress })).toMatchObject({ code: 'blocked' });
    const byName = guardFor([{ feed: feedUrl() }, { site: `http://localhost:${internalPort()}/` }]);
    expect(await fetchFeed(feedUrl(), {}, { ...options, guard: byName })).toMatchObject({ kind: 'ok', body: SECRET });
    expect(internal.requests).toHaveLength(1);
  });

  it('asks the resolver at connect time and refuses when every answer is private', async () => {
    const resolver = fixedResolver('10.1.2.3', '127.0.0.1', 'fd00::7');
    redirectTo = `http://intranet.example.org:${internalPort()}/feed.xml`;
    const result = await fetchFeed(feedUrl(), {}, { ...options, guard: guardFor([{ feed: feedUrl() }], { lookup: resolver }) });
    expect(result).toMatchObject({
      kind: 'error',
      code: 'blocked',
      message:
        `fetch: refused: http://intranet.example.org:${internalPort()}/ resolves only to private network addresses ` +
        '(10.1.2.3, 127.0.0.1, fd00::7) and no source in the feeds file names it',
    });
    // One connection, one question: the answer checked is the answer connected with.
    expect(resolver.calls).toBe(1);
    expect(internal.requests).toHaveLength(0);
  });

  it('resolves a named host name with the same resolver and connects as usual', async () => {
    const resolver = fixedResolver('127.0.0.1');
    redirectTo = `http://intranet.example.org:${internalPort()}/feed.xml`;
    const guard = guardFor([{ feed: feedUrl() }, { feed: redirectTo }], { lookup: resolver });
    expect(await fetchFeed(feedUrl(), {}, { ...options, guard })).toMatchObject({ kind: 'ok', body: SECRET, finalUrl: redirectTo });
    expect(resolver.calls).toBe(1);
  });
});

describe('publicAddressesOnly', () => {
  const ask = (lookup: LookupFunction, all: boolean) =>
    new Promise<{ error: Error | null; address: string | LookupAddress[]; family?: number | undefined }>((resolve) =>
      lookup('feeds.example.org', { all }, (error, address, family) => resolve({ error, address, family })),
    );

  it('passes on only the public addresses of a mixed answer, in the shape asked for', async () => {
    const filtered = publicAddressesOnly(fixedResolver('127.0.0.1', '93.184.215.14', '::ffff:10.0.0.1', '2606:2800:21f::1', '::1'));
    expect(await ask(filtered, true)).toEqual({
      error: null,
      address: [
        { address: '93.184.215.14', family: 4 },
        { address: '2606:2800:21f::1', family: 6 },
      ],
      family: undefined,
    });
    expect(await ask(filtered, false)).toEqual({ error: null, address: '93.184.215.14', family: 4 });
  });

  it('judges every answer afresh: a resolver answering public, then private, is refused the second time', async () => {
    let answers = 0;
    const rebinding: LookupFunction = (_hostname, _lookupOptions, callback) => {
      answers += 1;
      callback(null, [{ address: answers === 1 ? '93.184.215.14' : '127.0.0.1', family: 4 }]);
    };
    const filtered = publicAddressesOnly(rebinding);
    expect(await ask(filtered, false)).toMatchObject({ error: null, address: '93.184.215.14' });
    const second = await ask(filtered, false);
    expect(second.error?.message).toBe(
      'refused: feeds.example.org resolves only to private network addresses (127.0.0.1) and no source in the feeds file names it',
    );
  });

  it('passes resolver errors on unchanged', async () => {
    const failing: LookupFunction = (hostname, _lookupOptions, callback) =>
      callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), []);
    expect((await ask(publicAddressesOnly(failing), true)).error).toMatchObject({ code: 'ENOTFOUND' });
  });
});

describe('isPublicAddress', () => {
  it.each(['93.184.215.14', '8.8.8.8', '2606:2800:21f::1', '::ffff:8.8.8.8'])('%s is public', (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });

  it.each([
    '127.0.0.1',
    '0.0.0.0',
    '10.0.0.1',
    '172.31.255.255',
    '192.168.0.1',
    '169.254.169.254',
    '100.64.0.1',
    '224.0.0.251',
    '255.255.255.255',
    '192.0.2.1',
    '::',
    '::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    'fc00::1',
    'fe80::1',
    'ff02::1',
    '2001:db8::1',
    'not an address',
  ])('%s is not', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });
});
