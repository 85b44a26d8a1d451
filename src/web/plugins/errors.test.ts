import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { expectSecurityHeaders } from '../../../test/fixtures/web/assertions.js';
import { startPortal, type TestPortal } from '../../../test/fixtures/web/portal-fixture.js';
import { defaultTemplatesDir } from '../paths.js';

let portal: TestPortal | undefined;
let tempDir: string | undefined;
afterEach(async () => {
  await portal?.close();
  portal = undefined;
  if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  tempDir = undefined;
});

function captureLogs(): { lines: string[]; logger: pino.Logger } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, logger: pino({ level: 'info' }, stream) };
}

describe('the error handler', () => {
  it('logs a 500 with its real message while the visitor sees none of it', async () => {
    const { lines, logger } = captureLogs();
    portal = await startPortal({ deps: { logger } });
    portal.app.get('/boom', () => {
      throw new Error('store: disk I/O error');
    });
    const response = await portal.app.inject('/boom');
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('disk I/O');
    expect(response.headers['cache-control']).toBe('no-store');
    expectSecurityHeaders(response);
    const logged = lines.map((line) => JSON.parse(line) as { msg: string; err?: { message: string } });
    expect(logged.find((l) => l.msg === 'web: request failed')?.err?.message).toBe('store: disk I/O error');
  });

  it('shows a 4xx error a route chose with its own message', async () => {
    portal = await startPortal();
    const response = await portal.app.inject('/conversations?source=ghost');
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('There is no source called “ghost”.');
  });

  it('falls back to plain text when the error templates themselves fail', async () => {
    tempDir = mkdtempSync(join(tmpdir(), 'portal-templates-'));
    cpSync(defaultTemplatesDir(), tempDir, { recursive: true });
    writeFileSync(join(tempDir, 'pages', 'not-found.hbs'), '{{#if}}broken');
    portal = await startPortal({ deps: { templatesDir: tempDir } });
    const response = await portal.app.inject('/missing');
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(response.body).toBe('404 Page not found');
  });

  it('marks the navigation by the route, never by the URL asked for', async () => {
    portal = await startPortal();
    const refused = await portal.app.inject('/conversations?source=ghost');
    expect(refused.body).toContain('href="/conversations" aria-current="page"');
    const missing = await portal.app.inject('/%3Cscript%3E');
    expect(missing.statusCode).toBe(404);
    expect(missing.body).not.toContain('aria-current');
    expect(missing.body).not.toMatch(/<script|%3Cscript/i);
  });

  it('answers a body the content-type parser refuses with the headers and a page, never the body or the path', async () => {
    portal = await startPortal();
    portal.app.post('/echo', () => 'never');
    const response = await portal.app.inject({
      method: 'POST',
      url: '/echo?<script>',
      headers: { 'content-type': 'application/json' },
      payload: '{"<script>": ',
    });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expectSecurityHeaders(response);
    expect(response.body).not.toMatch(/<script/i);
    const unsupported = await portal.app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'text/x-<script>' }, payload: 'x' });
    expect(unsupported.statusCode).toBe(415);
    expectSecurityHeaders(unsupported);
    expect(unsupported.body).not.toMatch(/<script/i);
  });
});
