// fetchFeed against a real HTTP server on 127.0.0.1: encodings, deadlines, size caps, sockets.
import { readFileSync } from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { dribble, flood, refusedUrl, startLocalServer, type LocalServer } from '../../../test/fixtures/fetch/local-server.js';
import { DEFAULT_MAX_BYTES, fetchFeed, type FetchOptions } from './index.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const options: FetchOptions = { timeoutMs: 5_000, userAgent: 'PortalTest/1.0 (+https://portal.example.org/)' };
const FEED = '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Santé café</title></channel></rss>';

let server: LocalServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(handler: http.RequestListener): Promise<string> {
  server = await startLocalServer(handler);
  return `${server.url}feed.xml`;
}

function encodedFeed(encoding: string, encode: (text: string) => Buffer): http.RequestListener {
  return (_req, res) => {
    const body = encode(FEED);
    res.writeHead(200, { 'content-type': 'application/rss+xml', 'content-encoding': encoding, 'content-length': body.length });
    res.end(body);
  };
}

describe('fetchFeed over a local server', () => {
  it('sends the feed Accept, Accept-Encoding, User-Agent and validators on the wire', async () => {
    const url = await serve((_req, res) => res.writeHead(304).end());
    await fetchFeed(url, { etag: '"v1"', lastModified: 'Wed, 15 Jan 2025 12:00:00 GMT' }, options);
    const seen = server?.requests[0]?.headers;
    expect(seen?.accept).toBe('application/atom+xml, application/rss+xml, application/xml, text/xml, application/feed+json;q=0.9, application/json;q=0.8, */*;q=0.1');
    expect(seen?.['accept-encoding']).toBe('gzip, deflate, br');
    expect(seen?.['user-agent']).toBe(options.userAgent);
    expect(seen?.['if-none-match']).toBe('"v1"');
    expect(seen?.['if-modified-since']).toBe('Wed, 15 Jan 2025 12:00:00 GMT');
  });

  it.each([
    ['gzip', (text: string) => zlib.gzipSync(text)],
    ['deflate', (text: string) => zlib.deflateSync(text)],
    ['deflate', (text: string) => zlib.deflateRawSync(text)],
    ['br', (text: string) => zlib.brotliCompressSync(text)],
  ])('decodes a %s body and counts the decoded bytes', async (encoding, encode) => {
    const url = await serve(encodedFeed(encoding, encode));
    const result = await fetchFeed(url, {}, options);
    expect(result).toMatchObject({ kind: 'ok', status: 200, body: FEED, bytes: Buffer.byteLength(FEED) });
  });

  it('decodes the body by the charset the server names', async () => {
    const bytes = readFileSync(path.join(repoRoot, 'test/fixtures/fetch/windows-1252-declared.xml'));
    const url = await serve((_req, res) => res.writeHead(200, { 'content-type': 'text/xml; charset=windows-1252' }).end(bytes));
    const result = await fetchFeed(url, {}, options);
    expect(result.kind === 'ok' && result.body).toContain('\u201cCare teams\u201d cost \u20ac5 at the café');
  });

  it('times out when the body dribbles forever, body read included', async () => {
    let clientGone: Promise<void> | undefined;
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml' });
      res.write('<rss>');
      clientGone = dribble(res, ' ', 20);
    });
    const result = await fetchFeed(url, {}, { ...options, timeoutMs: 300 });
    expect(result).toMatchObject({ kind: 'error', code: 'timeout', message: 'fetch: timed out after 300 ms' });
    expect(result.kind === 'error' && result.status).toBeUndefined();
    await clientGone;
  });

  it('times out when the server never answers', async () => {
    const url = await serve(() => undefined);
    const result = await fetchFeed(url, {}, { ...options, timeoutMs: 300 });
    expect(result).toMatchObject({ kind: 'error', code: 'timeout', message: 'fetch: timed out after 300 ms' });
  });

  it('refuses a gzip bomb once the decoded bytes pass the default 5 MiB cap', async () => {
    const bomb = zlib.gzipSync(Buffer.alloc(32 * 1024 * 1024, ' '));
    expect(bomb.length).toBeLessThan(DEFAULT_MAX_BYTES / 50);
    const url = await serve(encodedFeed('gzip', () => bomb));
    const result = await fetchFeed(url, {}, options);
    expect(result).toMatchObject({ kind: 'error', code: 'too-large', message: `fetch: body is over the ${DEFAULT_MAX_BYTES}-byte limit` });
  });

  it('refuses an endless plain body past maxBytes and hangs up on it', async () => {
    let clientGone: Promise<void> | undefined;
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml' });
      clientGone = flood(res, Buffer.alloc(64 * 1024, 'x'));
    });
    const result = await fetchFeed(url, {}, { ...options, maxBytes: 1024 * 1024 });
    expect(result).toMatchObject({ kind: 'error', code: 'too-large', message: 'fetch: body is over the 1048576-byte limit' });
    await clientGone;
  });

  it('refuses early when Content-Length is over the cap, without waiting for the body', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml', 'content-length': String(DEFAULT_MAX_BYTES + 1) });
      res.write('<rss>'); // and nothing more: reading on would end in a timeout instead
    });
    const result = await fetchFeed(url, {}, { ...options, timeoutMs: 20_000 });
    expect(result).toMatchObject({
      kind: 'error',
      code: 'too-large',
      message: `fetch: Content-Length ${DEFAULT_MAX_BYTES + 1} is over the ${DEFAULT_MAX_BYTES}-byte limit`,
    });
  });

  it('accepts a streamed body of exactly maxBytes and refuses one byte more', async () => {
    const body = `<rss>${'x'.repeat(989)}</rss>`;
    expect(body.length).toBe(1000);
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml' }); // chunked: no Content-Length
      res.write(body.slice(0, 500));
      res.end(body.slice(500));
    });
    const result = await fetchFeed(url, {}, { ...options, maxBytes: 1000 });
    expect(result).toMatchObject({ kind: 'ok', bytes: 1000, body });
    const over = await fetchFeed(url, {}, { ...options, maxBytes: 999 });
    expect(over).toMatchObject({ kind: 'error', code: 'too-large' });
  });

  it('follows a relative permanent redirect on a real socket', async () => {
    const url = await serve((req, res) => {
      if (req.url === '/feed.xml') res.writeHead(301, { location: 'new/feed.xml' }).end('moved');
      else res.writeHead(200, { 'content-type': 'application/rss+xml', etag: '"n1"' }).end(FEED);
    });
    const result = await fetchFeed(url, {}, options);
    expect(result).toMatchObject({ kind: 'ok', body: FEED, etag: '"n1"', finalUrl: `${server?.url}new/feed.xml` });
    expect(result.permanentRedirectTo).toBe(`${server?.url}new/feed.xml`);
  });

  it('reports a refused connection as a network error, not a throw', async () => {
    const result = await fetchFeed(await refusedUrl(), {}, options);
    expect(result).toMatchObject({ kind: 'error', code: 'network' });
    expect(result.kind === 'error' && result.message).toMatch(/^fetch: connect ECONNREFUSED 127\.0\.0\.1:\d+$/);
  });
});
