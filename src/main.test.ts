import { existsSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import net from 'node:net';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parsePrometheusText, sampleValue } from '../test/fixtures/ops/prometheus-text.js';
import { fixture, plainFeed, startFeedServer, type FeedServer } from '../test/fixtures/refresh/feed-server.js';
import { main, packageVersion, startServer, type CommandIo, type RunningServer } from './main.js';
import { openStore } from './store/index.js';
import { createTestSchema, describeOnPostgres, type TestSchema } from '../test/helpers/store.js';

let dir: string;
let feeds: FeedServer;
let running: RunningServer | undefined;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'main-test-'));
  feeds = await startFeedServer();
  feeds.route('/blog.xml', plainFeed(() => fixture('blog-v1.xml')));
});

afterEach(async () => {
  await running?.close();
  running = undefined;
  await feeds.close();
  await rm(dir, { recursive: true, force: true });
});

async function feedsFile(text?: string): Promise<string> {
  const file = path.join(dir, 'feeds.yaml');
  await writeFile(
    file,
    text ??
      [
        'site:',
        '  title: Test Portal',
        '  tagline: For tests.',
        '  url: https://portal.example.org/',
        'sources:',
        '  - id: blog',
        '    title: The Blog',
        '    site: https://blog.example.org/',
        `    feed: ${feeds.url}blog.xml`,
        '    description: A blog.',
        '    category: advocacy',
        '',
      ].join('\n'),
  );
  return file;
}

function captureIo(env: Record<string, string>): { io: CommandIo; out: { stdout: string; stderr: string } } {
  const out = { stdout: '', stderr: '' };
  return {
    out,
    io: { env, isTTY: false, stdout: (s) => void (out.stdout += s), stderr: (s) => void (out.stderr += s) },
  };
}

describe('main', () => {
  it('refuses an unknown command with exit 2', async () => {
    const { io, out } = captureIo({});
    expect(await main(['frobnicate'], io)).toBe(2);
    expect(out.stderr).toContain('unknown command "frobnicate"');
  });

  it.each(['feeds:add', 'feeds:import'])('wires %s: without arguments it prints its usage and exits 2', async (name) => {
    const { io, out } = captureIo({ FEEDS_FILE: await feedsFile() });
    expect(await main([name], io)).toBe(2);
    expect(out.stderr).toContain(`usage: npm run ${name} --`);
  });

  it('imports an OPML file into FEEDS_FILE, trying the new feed once with the portal\'s user agent', async () => {
    feeds.route('/care.xml', plainFeed(() => fixture('blog-v1.xml')));
    const file = await feedsFile();
    const opml = path.join(path.dirname(file), 'list.opml');
    await writeFile(
      opml,
      '<?xml version="1.0"?><opml version="2.0"><head><title>x</title></head><body>' +
        `<outline text="Care blog" type="rss" xmlUrl="${feeds.url}care.xml" htmlUrl="https://care.example.org/"/>` +
        '</body></opml>',
    );
    const { io, out } = captureIo({ FEEDS_FILE: file });
    expect(await main(['feeds:import', opml, '--category', 'advocacy'], io)).toBe(0);
    expect(await readFile(file, 'utf8')).toContain(`${feeds.url}care.xml`);
    expect(out.stdout).toMatch(/added 1/i);
    expect(out.stdout).toContain('Each new feed answered and was read.');
    expect(feeds.hits('/care.xml')).toBe(1);
    expect(feeds.headersOf('/care.xml')[0]?.['user-agent']).toContain(packageVersion());
  });

  it('runs feeds:check on FEEDS_FILE', async () => {
    const { io, out } = captureIo({ FEEDS_FILE: await feedsFile() });
    expect(await main(['feeds:check'], io)).toBe(0);
    expect(out.stdout).toContain('OK, 1 source');
  });

  it('reads the version from package.json', () => {
    expect(packageVersion()).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('startServer', () => {
  const env = async (extra: Record<string, string> = {}) => ({
    FEEDS_FILE: await feedsFile(),
    DATABASE_PATH: path.join(dir, 'data', 'portal.db'),
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    ...extra,
  });

  it('exits 1 with a clear message for a bad setting', async () => {
    const { io, out } = captureIo(await env({ PORT: 'eighty' }));
    expect(await startServer(io)).toBe(1);
    expect(out.stderr).toContain('PORT="eighty"');
  });

  it('exits 1 with FILE:LINE:COL lines for a bad feeds file, before opening the database', async () => {
    const settings = await env();
    const file = await feedsFile('site:\n  title: T\nsources: []\nbogus: true\n');
    const { io, out } = captureIo(settings);
    expect(await startServer(io)).toBe(1);
    expect(out.stderr.trim().split('\n').every((l) => /^.+:\d+:\d+: /.test(l) && l.startsWith(file))).toBe(true);
    expect(existsSync(path.join(dir, 'data'))).toBe(false);
  });

  it('serves the site with the scheduler off, and polls nothing', async () => {
    const { io } = captureIo(await env({ POLL_SCHEDULE: 'off' }));
    const started = await startServer(io, { logDestination: { write: () => {} } });
    expect(typeof started).not.toBe('number');
    running = started as RunningServer;
    const home = await fetch(running.url);
    expect(home.status).toBe(200);
    expect(await home.text()).toContain('The Blog');
    await running.close();
    running = undefined;
    expect(feeds.hits('/blog.xml')).toBe(0);
  });

  it('wires /healthz, /status.json and /metrics: the pass is counted, the config state shown', async () => {
    const lines: string[] = [];
    const { io } = captureIo(await env({ POLL_SCHEDULE: '0 0 1 1 *' }));
    running = (await startServer(io, { logDestination: { write: (line: string) => void lines.push(line) } })) as RunningServer;
    while (!lines.some((l) => l.includes('"msg":"poll pass finished"'))) await new Promise((resolve) => setTimeout(resolve, 10));
    const health = await fetch(`${running.url}healthz`);
    expect([health.status, await health.text()]).toEqual([200, 'ok\n']);
    const statusText = await (await fetch(`${running.url}status.json`)).text();
    expect(statusText).not.toContain(dir);
    const status = JSON.parse(statusText) as Record<string, unknown>;
    expect(status.config).toMatchObject({ file: 'feeds.yaml', refused: null, sources: { total: 1, with_feed: 1, link_only: 0 } });
    expect(status.poll_schedule).toBe('0 0 1 1 *');
    expect(status.last_pass).toMatchObject({ trigger: 'startup', sources_due: 1, fetched: 1, entries_added: 3 });
    expect(status.sources).toMatchObject([{ id: 'blog', state: 'ok', entry_count: 3, last_status: 200 }]);
    const families = parsePrometheusText(await (await fetch(`${running.url}metrics`)).text());
    expect(sampleValue(families, 'portal_polls_total', { outcome: 'updated' })).toBe(1);
    expect(sampleValue(families, 'portal_entries_added_total', { trigger: 'startup' })).toBe(3);
    expect(sampleValue(families, 'portal_poll_passes_total', { trigger: 'startup' })).toBe(1);
    expect(sampleValue(families, 'portal_feeds_file_refused')).toBe(0);
    expect(sampleValue(families, 'portal_fetch_bytes_total')).toBe(Buffer.byteLength(fixture('blog-v1.xml')));
    expect(sampleValue(families, 'portal_fetch_duration_seconds_count', { result: 'ok' })).toBe(1);
    expect(sampleValue(families, 'portal_sources_in_backoff')).toBe(0);
    expect(sampleValue(families, 'portal_poll_last_pass_timestamp_seconds')).toBeGreaterThan(0);
    expect(sampleValue(families, 'portal_http_requests_total', { method: 'GET', route: '/status.json', status_code: '200' })).toBe(1);
    expect(families.has('process_resident_memory_bytes')).toBe(true);
  });

  it('as a web process serves the pages and never polls, whatever the schedule', async () => {
    const { io } = captureIo(await env({ POLL_SCHEDULE: '* * * * * *' }));
    running = (await startServer(io, { role: 'web', logDestination: { write: () => {} } })) as RunningServer;
    expect(await running.ready).toBe(true);
    expect((await fetch(running.url)).status).toBe(200);
    // Its own POLL_SCHEDULE is not the workers': it names no schedule and no running pass, and says why.
    expect(await (await fetch(`${running.url}status.json`)).json()).toMatchObject({ poll_schedule: null, pass_running: null, sources: [{ id: 'blog', state: 'pending' }] });
    const page = await (await fetch(`${running.url}status`)).text();
    expect(page).toContain('This web process never polls');
    expect(page).not.toContain('Poll schedule:');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(feeds.hits('/blog.xml')).toBe(0);
  });

  it('as a worker polls and answers only /healthz and /metrics', async () => {
    const lines: string[] = [];
    const { io } = captureIo(await env({ POLL_SCHEDULE: '0 0 1 1 *' }));
    running = (await startServer(io, { role: 'worker', logDestination: { write: (line: string) => void lines.push(line) } })) as RunningServer;
    while (!lines.some((l) => l.includes('"msg":"poll pass finished"'))) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(feeds.hits('/blog.xml')).toBe(1);
    expect((await fetch(`${running.url}healthz`)).status).toBe(200);
    const metrics = await (await fetch(`${running.url}metrics`)).text();
    expect(metrics).toContain('portal_polls_total{outcome="updated"} 1');
    for (const page of ['', 'status.json', 'feed.xml']) expect((await fetch(`${running.url}${page}`)).status).toBe(404);
    expect(lines.find((l) => l.includes('"msg":"portal listening"'))).toMatch(/"role":"worker","process":"[^"]+:\d+:worker"/);
  });

  it('gives /metrics the networks METRICS_ALLOWED_NETWORKS names: a loopback scraper outside them is refused', async () => {
    const { io } = captureIo(await env({ POLL_SCHEDULE: 'off', METRICS_ALLOWED_NETWORKS: '10.0.0.0/8' }));
    running = (await startServer(io, { logDestination: { write: () => {} } })) as RunningServer;
    expect((await fetch(`${running.url}metrics`)).status).toBe(403);
  });

  it('runs a first poll at start-up in the background, and close waits for it', async () => {
    const lines: string[] = [];
    const { io } = captureIo(await env({ POLL_SCHEDULE: '0 0 1 1 *' }));
    const started = await startServer(io, { logDestination: { write: (line: string) => void lines.push(line) } });
    running = started as RunningServer;
    while (feeds.hits('/blog.xml') === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    await running.close();
    running = undefined;
    const store = openStore({ kind: 'sqlite', path: path.join(dir, 'data', 'portal.db') });
    try {
      const entries = await store.db.selectFrom('entries').select('entry_id').orderBy('entry_id').execute();
      expect(entries.map((e) => e.entry_id)).toEqual(['post-1', 'post-2', 'post-3']);
      const run = await store.db.selectFrom('poll_runs').selectAll().executeTakeFirstOrThrow();
      expect(run).toMatchObject({ trigger: 'startup', entries_added: 3 });
      expect(run.finished_at).not.toBeNull();
    } finally {
      await store.close();
    }
    expect(feeds.headersOf('/blog.xml')[0]?.['user-agent']).toBe(`PatientEngagementPortal/${packageVersion()} (+https://portal.example.org/)`);
    expect(lines.some((l) => l.includes('"msg":"portal listening"'))).toBe(true);
  });
});

describeOnPostgres('startServer and poll with DATABASE_URL', () => {
  let schema: TestSchema;
  beforeEach(async () => {
    schema = await createTestSchema();
  });
  afterEach(async () => {
    await running?.close();
    running = undefined;
    await schema.drop();
  });

  const env = async (extra: Record<string, string> = {}) => ({
    FEEDS_FILE: await feedsFile(),
    DATABASE_PATH: path.join(dir, 'data', 'portal.db'),
    DATABASE_URL: schema.url,
    PORT: '0',
    HOST: '127.0.0.1',
    ...extra,
  });

  it('serves and polls on PostgreSQL, leaving DATABASE_PATH untouched', async () => {
    const lines: string[] = [];
    const { io } = captureIo(await env({ POLL_SCHEDULE: '0 0 1 1 *' }));
    running = (await startServer(io, { logDestination: { write: (line: string) => void lines.push(line) } })) as RunningServer;
    while (!lines.some((l) => l.includes('"msg":"poll pass finished"'))) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(lines.find((l) => l.includes('"msg":"portal listening"'))).toContain(`"database":"${schema.url}"`);
    expect((await fetch(`${running.url}healthz`)).status).toBe(200);
    const status = (await (await fetch(`${running.url}status.json`)).json()) as { sources: unknown[] };
    expect(status.sources).toMatchObject([{ id: 'blog', state: 'ok', entry_count: 3 }]);
    const found = await (await fetch(`${running.url}search?q=rural`)).text();
    expect(found).toContain('<mark>');
    expect(existsSync(path.join(dir, 'data'))).toBe(false);
    const store = openStore({ kind: 'postgres', url: schema.url });
    try {
      const rows = await store.db.selectFrom('entries').select('entry_id').orderBy('entry_id').execute();
      expect(rows.map((row) => row.entry_id)).toEqual(['post-1', 'post-2', 'post-3']);
    } finally {
      await store.close();
    }
  });

  it('runs npm run poll against DATABASE_URL', async () => {
    const { io, out } = captureIo(await env());
    expect(await main(['poll', '--json'], io)).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject([{ id: 'blog', outcome: 'updated', new: 3 }]);
    expect(existsSync(path.join(dir, 'data'))).toBe(false);
  });

  it('waits for a server that does not answer yet, /healthz 503 meanwhile, then starts on its own once it answers', async () => {
    // The server's address at first leads nowhere; then a TCP proxy there leads to the real server.
    const real = new URL(schema.url);
    const port = await freePort();
    const url = new URL(schema.url);
    url.hostname = '127.0.0.1';
    url.port = String(port);
    url.password = 'hunter2';
    const lines: string[] = [];
    const { io } = captureIo(await env({ DATABASE_URL: url.toString(), POLL_SCHEDULE: '0 0 1 1 *' }));
    const started = await startServer(io, { logDestination: { write: (line: string) => void lines.push(line) }, databaseRetryMs: 50 });
    expect(typeof started).not.toBe('number');
    running = started as RunningServer;
    while (lines.filter((l) => l.includes('the database does not answer')).length < 2) await new Promise((resolve) => setTimeout(resolve, 10));
    const waiting = await fetch(`${running.url}healthz`);
    expect(waiting.status).toBe(503);
    expect(lines.join('')).not.toContain('hunter2');
    expect(lines.find((l) => l.includes('the database does not answer'))).toContain('"database":"postgres://');
    expect(feeds.hits('/blog.xml')).toBe(0);

    const proxy = await startTcpProxy(port, real.hostname, Number(real.port || 5432));
    try {
      expect(await running.ready).toBe(true);
      expect((await fetch(`${running.url}healthz`)).status).toBe(200);
      while (!lines.some((l) => l.includes('"msg":"poll pass finished"'))) await new Promise((resolve) => setTimeout(resolve, 10));
      const status = (await (await fetch(`${running.url}status.json`)).json()) as { sources: unknown[] };
      expect(status.sources).toMatchObject([{ id: 'blog', state: 'ok', entry_count: 3 }]);
      await running.close();
      running = undefined;
    } finally {
      await proxy.close();
    }
  });

  it('records a pass cut short when the server goes away mid-pass, half-writes nothing, and recovers on its own', async () => {
    const real = new URL(schema.url);
    const port = await freePort();
    const url = new URL(schema.url);
    url.hostname = '127.0.0.1';
    url.port = String(port);
    const target = [real.hostname, Number(real.port || 5432)] as const;
    let proxy = await startTcpProxy(port, ...target);
    const held: ServerResponse[] = [];
    feeds.route('/blog.xml', (_req, res) => void held.push(res));
    const lines: string[] = [];
    const { io } = captureIo(await env({ DATABASE_URL: url.toString(), POLL_SCHEDULE: '*/2 * * * * *', FETCH_TIMEOUT_MS: '3000' }));
    running = (await startServer(io, { logDestination: { write: (line: string) => void lines.push(line) } })) as RunningServer;
    try {
      expect(await running.ready).toBe(true);
      while (held.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      // The database goes away while the feed is being fetched; then the feed answers.
      await proxy.close();
      for (const res of held.splice(0)) res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(fixture('blog-v1.xml'));
      while (!lines.some((l) => l.includes('"msg":"poll pass failed"'))) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(lines.some((l) => l.includes('"source_id":"blog"') && l.includes('"outcome":"error"'))).toBe(true);
      expect((await fetch(`${running.url}healthz`)).status).toBe(503);

      feeds.route('/blog.xml', plainFeed(() => fixture('blog-v1.xml')));
      proxy = await startTcpProxy(port, ...target);
      while (!lines.some((l) => l.includes('"source_id":"blog"') && l.includes('"outcome":"updated"'))) await new Promise((resolve) => setTimeout(resolve, 20));
      expect((await fetch(`${running.url}healthz`)).status).toBe(200);
      const status = (await (await fetch(`${running.url}status.json`)).json()) as { sources: unknown[] };
      expect(status.sources).toMatchObject([{ id: 'blog', state: 'ok', entry_count: 3, last_polled_by: expect.stringMatching(/:serve$/) }]);
      await running.close();
      running = undefined;
    } finally {
      await proxy.close();
    }
  });

  it('stops the start for good when the server refuses the database named (no such database)', async () => {
    const url = new URL(schema.url);
    url.pathname = '/no_such_database_here';
    const lines: string[] = [];
    const { io } = captureIo(await env({ DATABASE_URL: url.toString() }));
    running = (await startServer(io, { logDestination: { write: (line: string) => void lines.push(line) }, databaseRetryMs: 50 })) as RunningServer;
    expect(await running.ready).toBe(false);
    expect(lines.some((l) => l.includes('"level":60') && l.includes('could not start'))).toBe(true);
  });
});

/** A loopback port nothing listens on (for now). */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Forwards every connection to 127.0.0.1:`port` on to `host`:`targetPort`. */
async function startTcpProxy(port: number, host: string, targetPort: number): Promise<{ close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, host);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
