// fetchFeed's HTTP semantics, with nock 14 intercepting Node's fetch.
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fetchFeed, type FetchOptions } from './index.js';

const ORIGIN = 'https://feeds.example.org';
const URL_ = `${ORIGIN}/health/feed.xml`;
const FEED = '<?xml version="1.0"?><rss version="2.0"><channel><title>Care</title></channel></rss>';
// nock intercepts Node's own fetch, not the guarded undici fetch fetchFeed uses by default.
const options: FetchOptions = {
  timeoutMs: 5_000,
  userAgent: 'PatientEngagementPortal/0.1 (+https://portal.example.org/)',
  fetchImpl: globalThis.fetch,
};
const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending).toEqual([]);
});
afterAll(() => nock.enableNetConnect());

const feeds = () => nock(ORIGIN);

describe('conditional GET', () => {
  it('sends If-None-Match and If-Modified-Since and turns a 304 into not-modified with the new validators', async () => {
    feeds()
      .get('/health/feed.xml')
      .matchHeader('if-none-match', '"v1"')
      .matchHeader('if-modified-since', 'Tue, 14 Jan 2025 08:00:00 GMT')
      .reply(304, '', { etag: '"v2"', 'last-modified': 'Wed, 15 Jan 2025 08:00:00 GMT' });
    const result = await fetchFeed(URL_, { etag: '"v1"', lastModified: 'Tue, 14 Jan 2025 08:00:00 GMT' }, options);
    expect(result).toEqual({
      kind: 'not-modified',
      status: 304,
      finalUrl: URL_,
      etag: '"v2"',
      lastModified: 'Wed, 15 Jan 2025 08:00:00 GMT',
      durationMs: expect.any(Number),
    });
  });

  it('keeps the old validators when the 304 omits them', async () => {
    feeds().get('/health/feed.xml').reply(304);
    const result = await fetchFeed(URL_, { etag: 'W/"old"', lastModified: 'Tue, 14 Jan 2025 08:00:00 GMT' }, options);
    expect(result).toMatchObject({ kind: 'not-modified', etag: 'W/"old"', lastModified: 'Tue, 14 Jan 2025 08:00:00 GMT' });
  });

  it('sends no conditional headers when it has no validators', async () => {
    feeds()
      .get('/health/feed.xml')
      .matchHeader('if-none-match', (value) => value === undefined)
      .matchHeader('if-modified-since', (value) => value === undefined)
      .reply(200, FEED);
    expect(await fetchFeed(URL_, {}, options)).toMatchObject({ kind: 'ok' });
  });

  it('returns the body, the new ETag and Last-Modified on a 200', async () => {
    feeds()
      .get('/health/feed.xml')
      .reply(200, FEED, { 'content-type': 'application/rss+xml', etag: '"v3"', 'last-modified': 'Thu, 16 Jan 2025 08:00:00 GMT' });
    const result = await fetchFeed(URL_, { etag: '"v2"' }, options);
    expect(result).toEqual({
      kind: 'ok',
      status: 200,
      body: FEED,
      finalUrl: URL_,
      etag: '"v3"',
      lastModified: 'Thu, 16 Jan 2025 08:00:00 GMT',
      bytes: Buffer.byteLength(FEED),
      durationMs: expect.any(Number),
    });
  });

  it('leaves the validators out of a 200 that has none', async () => {
    feeds().get('/health/feed.xml').reply(200, FEED);
    const result = await fetchFeed(URL_, { etag: '"v2"' }, options);
    expect(result.kind === 'ok' && 'etag' in result).toBe(false);
  });
});

describe('request headers', () => {
  it('prefers feed types and names the portal', async () => {
    feeds()
      .get('/health/feed.xml')
      .matchHeader('accept', 'application/atom+xml, application/rss+xml, application/xml, text/xml, application/feed+json;q=0.9, application/json;q=0.8, */*;q=0.1')
      .matchHeader('accept-encoding', 'gzip, deflate, br')
      .matchHeader('user-agent', options.userAgent)
      .reply(200, FEED);
    expect(await fetchFeed(URL_, {}, options)).toMatchObject({ kind: 'ok' });
  });
});

describe('redirects', () => {
  it.each([301, 302, 303, 307, 308])('follows a %i', async (status) => {
    feeds().get('/health/feed.xml').reply(status, '', { location: `${ORIGIN}/new.xml` });
    feeds().get('/new.xml').reply(200, FEED);
    expect(await fetchFeed(URL_, {}, options)).toMatchObject({ kind: 'ok', body: FEED, finalUrl: `${ORIGIN}/new.xml` });
  });

  it('resolves relative Location headers against the current hop', async () => {
    feeds().get('/health/feed.xml').reply(302, '', { location: '../v2/feed.xml?x=1' });
    feeds().get('/v2/feed.xml').query({ x: '1' }).reply(302, '', { location: '//mirror.example.org/feed' });
    nock('https://mirror.example.org').get('/feed').reply(200, FEED);
    expect(await fetchFeed(URL_, {}, options)).toMatchObject({ kind: 'ok', finalUrl: 'https://mirror.example.org/feed' });
  });

  it('reports the last target of the leading permanent hops', async () => {
    feeds().get('/health/feed.xml').reply(301, '', { location: '/a.xml' });
    feeds().get('/a.xml').reply(308, '', { location: '/b.xml' });
    feeds().get('/b.xml').reply(302, '', { location: '/c.xml' });
    feeds().get('/c.xml').reply(301, '', { location: '/d.xml' });
    feeds().get('/d.xml').reply(200, FEED);
    const result = await fetchFeed(URL_, {}, options);
    expect(result).toMatchObject({ kind: 'ok', finalUrl: `${ORIGIN}/d.xml`, permanentRedirectTo: `${ORIGIN}/b.xml` });
  });

  it('reports no permanent move when the first hop is temporary', async () => {
    feeds().get('/health/feed.xml').reply(307, '', { location: '/a.xml' });
    feeds().get('/a.xml').reply(301, '', { location: '/b.xml' });
    feeds().get('/b.xml').reply(200, FEED);
    const result = await fetchFeed(URL_, {}, options);
    expect(result.kind).toBe('ok');
    expect('permanentRedirectTo' in result).toBe(false);
  });

  it('carries a permanent move onto a 304 and onto an error', async () => {
    feeds().get('/health/feed.xml').times(2).reply(301, '', { location: '/moved.xml' });
    feeds().get('/moved.xml').reply(304);
    feeds().get('/moved.xml').reply(404);
    const moved = `${ORIGIN}/moved.xml`;
    expect(await fetchFeed(URL_, { etag: '"e"' }, options)).toMatchObject({ kind: 'not-modified', permanentRedirectTo: moved });
    expect(await fetchFeed(URL_, {}, options)).toMatchObject({ kind: 'error', status: 404, permanentRedirectTo: moved });
  });

  it('follows exactly maxRedirects hops', async () => {
    for (let hop = 0; hop < 5; hop += 1) feeds().get(`/r${hop}`).reply(302, '', { location: `/r${hop + 1}` });
    feeds().get('/r5').reply(200, FEED);
    expect(await fetchFeed(`${ORIGIN}/r0`, {}, options)).toMatchObject({ kind: 'ok', finalUrl: `${ORIGIN}/r5` });
  });

  it('gives up after maxRedirects hops', async () => {
    for (let hop = 0; hop < 6; hop += 1) feeds().get(`/r${hop}`).reply(302, '', { location: `/r${hop + 1}` });
    const result = await fetchFeed(`${ORIGIN}/r0`, {}, options);
    expect(result).toMatchObject({ kind: 'error', code: 'too-many-redirects', message: 'fetch: more than 5 redirects' });
  });

  it('honours a smaller maxRedirects, even 0', async () => {
    feeds().get('/health/feed.xml').reply(301, '', { location: '/a.xml' });
    const result = await fetchFeed(URL_, {}, { ...options, maxRedirects: 0 });
    expect(result).toMatchObject({ kind: 'error', code: 'too-many-redirects', message: 'fetch: more than 0 redirects' });
  });

  it('stops a redirect loop', async () => {
    feeds().get('/loop').times(6).reply(302, '', { location: '/loop' });
    expect(await fetchFeed(`${ORIGIN}/loop`, {}, options)).toMatchObject({ code: 'too-many-redirects' });
  });

  it('refuses a redirect to a non-HTTP scheme', async () => {
    feeds().get('/health/feed.xml').reply(301, '', { location: 'file:///etc/passwd' });
    const result = await fetchFeed(URL_, {}, options);
    expect(result).toMatchObject({ kind: 'error', code: 'bad-url', message: 'fetch: unsupported URL scheme file: in file:///etc/passwd' });
  });

  it('reports a redirect without a Location header', async () => {
    feeds().get('/health/feed.xml').reply(302);
    const result = await fetchFeed(URL_, {}, options);
    expect(result).toMatchObject({ kind: 'error', code: 'http', status: 302, message: 'fetch: HTTP 302 Found without a Location header' });
  });
});

describe('URLs', () => {
  it.each([
    ['ftp://feeds.example.org/feed.xml', 'fetch: unsupported URL scheme ftp: in ftp://feeds.example.org/feed.xml'],
    ['javascript:alert(1)', 'fetch: unsupported URL scheme javascript: in javascript:alert(1)'],
    ['not a url', 'fetch: invalid URL "not a url"'],
    ['', 'fetch: invalid URL ""'],
  ])('refuses %j as bad-url without a request', async (url, message) => {
    expect(await fetchFeed(url, {}, options)).toEqual({ kind: 'error', code: 'bad-url', message, durationMs: expect.any(Number) });
  });
});

describe('HTTP errors', () => {
  it('turns 410 Gone into code gone', async () => {
    feeds().get('/health/feed.xml').reply(410, 'gone');
    const result = await fetchFeed(URL_, {}, options);
    expect(result).toEqual({ kind: 'error', code: 'gone', status: 410, message: 'fetch: HTTP 410 Gone', durationMs: expect.any(Number) });
  });

  it.each([
    [404, 'fetch: HTTP 404 Not Found'],
    [500, 'fetch: HTTP 500 Internal Server Error'],
    [403, 'fetch: HTTP 403 Forbidden'],
    [599, 'fetch: HTTP 599'],
  ])('turns %i into code http', async (status, message) => {
    feeds().get('/health/feed.xml').reply(status, 'nope');
    expect(await fetchFeed(URL_, {}, options)).toEqual({ kind: 'error', code: 'http', status, message, durationMs: expect.any(Number) });
  });

  it('reads Retry-After seconds on a 429', async () => {
    feeds().get('/health/feed.xml').reply(429, '', { 'retry-after': '120' });
    const result = await fetchFeed(URL_, {}, options);
    expect(result).toMatchObject({ kind: 'error', code: 'http', status: 429, retryAfterMs: 120_000, message: 'fetch: HTTP 429 Too Many Requests' });
  });

  it('reads a Retry-After HTTP date on a 503 against the injected clock', async () => {
    feeds().get('/health/feed.xml').reply(503, '', { 'retry-after': 'Wed, 15 Jan 2025 12:05:00 GMT' });
    const result = await fetchFeed(URL_, {}, { ...options, now: () => NOW });
    expect(result).toMatchObject({ code: 'http', status: 503, retryAfterMs: 300_000 });
  });

  it('ignores a garbage Retry-After', async () => {
    feeds().get('/health/feed.xml').reply(503, '', { 'retry-after': 'after lunch' });
    const result = await fetchFeed(URL_, {}, options);
    expect(result).toMatchObject({ code: 'http', status: 503 });
    expect('retryAfterMs' in result).toBe(false);
  });

  it('ignores Retry-After on other statuses', async () => {
    feeds().get('/health/feed.xml').reply(500, '', { 'retry-after': '60' });
    expect('retryAfterMs' in (await fetchFeed(URL_, {}, options))).toBe(false);
  });
});

describe('network failures', () => {
  it('turns a DNS failure into code network with the cause message', async () => {
    feeds().get('/health/feed.xml').replyWithError({ code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND feeds.example.org' });
    const result = await fetchFeed(URL_, {}, options);
    expect(result).toEqual({
      kind: 'error',
      code: 'network',
      message: 'fetch: getaddrinfo ENOTFOUND feeds.example.org',
      durationMs: expect.any(Number),
    });
  });

  it('never throws, whatever the injected fetch does', async () => {
    const throwing = (() => {
      throw new TypeError('fetch failed', { cause: new AggregateError([new Error('connect ECONNREFUSED ::1:443')]) });
    }) as typeof fetch;
    const nonsense = (async () => null) as unknown as typeof fetch;
    const rejectingWithString = (() => Promise.reject('boom')) as typeof fetch;
    expect(await fetchFeed(URL_, {}, { ...options, fetchImpl: throwing })).toMatchObject({
      code: 'network',
      message: 'fetch: connect ECONNREFUSED ::1:443',
    });
    expect(await fetchFeed(URL_, {}, { ...options, fetchImpl: nonsense })).toMatchObject({ kind: 'error', code: 'network' });
    expect(await fetchFeed(URL_, {}, { ...options, fetchImpl: rejectingWithString })).toMatchObject({ code: 'network', message: 'fetch: boom' });
  });

  it('times out an injected fetch that never answers and ignores the signal', async () => {
    const neverAnswers = (() => new Promise<Response>(() => undefined)) as typeof fetch;
    const result = await fetchFeed(URL_, {}, { ...options, timeoutMs: 200, fetchImpl: neverAnswers });
    expect(result).toMatchObject({ kind: 'error', code: 'timeout', message: 'fetch: timed out after 200 ms' });
  });

  it('times out a body that never ends even when the injected fetch ignores the signal', async () => {
    const endless = new ReadableStream<Uint8Array>({ start: (controller) => controller.enqueue(new TextEncoder().encode('<rss>')) });
    const ignoresSignal = (async () => new Response(endless, { status: 200 })) as typeof fetch;
    const result = await fetchFeed(URL_, {}, { ...options, timeoutMs: 200, fetchImpl: ignoresSignal });
    expect(result).toMatchObject({ kind: 'error', code: 'timeout', message: 'fetch: timed out after 200 ms' });
  });
});
