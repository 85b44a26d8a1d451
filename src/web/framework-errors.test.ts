// Answers the framework gives before any route or hook runs (a URL it cannot decode, a request the
// HTTP parser refuses), read off a raw socket: each carries the security headers and nothing of
// the request.
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPortal, type TestPortal } from '../../test/fixtures/web/portal-fixture.js';

let portal: TestPortal;
let port: number;

beforeAll(async () => {
  portal = await startPortal();
  await portal.app.listen({ host: '127.0.0.1', port: 0 });
  port = (portal.app.server.address() as AddressInfo).port;
});

afterAll(async () => {
  await portal.close();
});

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Writes `request` as it is and reads until the server closes the connection (every answer here
 * closes it). Written, not ended: a client's end would let the server drop the connection unanswered.
 */
function sendRaw(request: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    socket.setTimeout(5000, () => socket.destroy(new Error('the server neither answered nor closed within 5 s')));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(parseResponse(Buffer.concat(chunks).toString('latin1'))));
    socket.write(request);
  });
}

function parseResponse(text: string): RawResponse {
  const split = text.indexOf('\r\n\r\n');
  const [statusLine = '', ...headerLines] = text.slice(0, split).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body: text.slice(split + 4) };
}

function expectSafeAnswer(response: RawResponse, status: number): void {
  expect(response.status).toBe(status);
  expect(response.headers['content-security-policy']).toContain("script-src 'none'");
  expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
  expect(response.headers['x-content-type-options']).toBe('nosniff');
  expect(response.headers['x-frame-options']).toBe('DENY');
  expect(response.headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
  expect(response.headers['content-type']).not.toContain('json');
  expect(response.body).not.toMatch(/<script/i);
  expect(response.body).not.toContain('%3C');
  expect(response.body).not.toContain('%ff');
}

const close = 'Host: 127.0.0.1\r\nConnection: close\r\n\r\n';

describe('answers the framework gives on its own', () => {
  it('a URL that cannot be decoded (/%ff%3Cscript%3E) gets the 400 page, not the URL', async () => {
    const response = await sendRaw(`GET /%ff%3Cscript%3E HTTP/1.1\r\n${close}`);
    expectSafeAnswer(response, 400);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.body).toContain('<h1>That request could not be understood</h1>');
    expect(response.body).toContain('could not be read');
  });

  it('a raw "<script>" after a bad escape (/%ff<script>) is refused without being echoed', async () => {
    const response = await sendRaw(`GET /%ff<script>alert(1)</script> HTTP/1.1\r\n${close}`);
    expectSafeAnswer(response, 400);
    expect(response.body).not.toContain('alert(1)');
  });

  it('a path parameter past maxParamLength gets a 414 page instead of JSON naming the path', async () => {
    const response = await sendRaw(`GET /sources/${'x'.repeat(150)}%3Cscript%3E HTTP/1.1\r\n${close}`);
    expectSafeAnswer(response, 414);
    expect(response.body).toContain('<h1>That address is too long</h1>');
    expect(response.body).not.toContain('xxxxxxxx');
  });

  it('headers past the size limit get a 431 with the security headers', async () => {
    const response = await sendRaw(`GET /<script> HTTP/1.1\r\nX-Big: ${'a'.repeat(20_000)}\r\n${close}`);
    expectSafeAnswer(response, 431);
    expect(response.body).toBe('431 Request Header Fields Too Large\n');
    expect(response.headers.connection).toBe('close');
  });

  it('a malformed request line gets a 400 with the security headers', async () => {
    const response = await sendRaw(`GET /<script>alert(1)</script> HTTX/1.1\r\n${close}`);
    expectSafeAnswer(response, 400);
    expect(response.body).toBe('400 Bad Request\n');
  });

  it('a request that is not HTTP at all gets the same 400', async () => {
    const response = await sendRaw('<script>alert(1)</script>\r\n\r\n');
    expectSafeAnswer(response, 400);
  });

  it('a 404 for an escaped script path keeps the headers and shows no part of the path', async () => {
    const response = await sendRaw(`GET /%3Cscript%3Ealert(1)%3C/script%3E HTTP/1.1\r\n${close}`);
    expectSafeAnswer(response, 404);
    expect(response.body).toContain('<h1>Page not found</h1>');
    expect(response.body).not.toContain('alert(1)');
  });
});

describe('a request that arrives while the server closes', () => {
  it('is served with the security headers and Connection: close, not answered by the framework', async () => {
    const closing = await startPortal();
    let release: () => void = () => {};
    let entered: () => void = () => {};
    const slowEntered = new Promise<void>((resolve) => (entered = resolve));
    closing.app.get('/slow', async () => {
      entered();
      await new Promise<void>((resolve) => (release = resolve));
      return 'slow\n';
    });
    await closing.app.listen({ host: '127.0.0.1', port: 0 });
    const socket = connect({ host: '127.0.0.1', port: (closing.app.server.address() as AddressInfo).port });
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.write('GET /slow HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await slowEntered;
    // The connection is busy, so closing leaves it open; the next request on it arrives during the close.
    const appClosed = closing.app.close();
    socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await new Promise((resolve) => setTimeout(resolve, 50));
    release();
    await closed;
    await appClosed;
    await closing.store.close();
    const text = Buffer.concat(chunks).toString('latin1');
    const second = parseResponse(text.slice(text.indexOf('HTTP/1.1', 1)));
    expect(second.status).toBe(200);
    expect(second.body).toBe('ok\n');
    expect(second.headers.connection).toBe('close');
    expect(second.headers['x-frame-options']).toBe('DENY');
    expect(second.headers['content-security-policy']).toContain("script-src 'none'");
  });
});
