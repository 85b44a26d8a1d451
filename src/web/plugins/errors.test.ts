import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
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
});
