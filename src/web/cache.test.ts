import type * as zlibModule from 'node:zlib';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ResponseCache, VersionTracker, chooseEncoding } from './cache.js';

// Counts how often the cache compresses, without changing what compression gives.
const zlibCalls = vi.hoisted(() => ({ gzip: 0, br: 0 }));
vi.mock('node:zlib', async (importOriginal) => {
  const real = await importOriginal<typeof zlibModule>();
  return {
    ...real,
    gzipSync: (...args: Parameters<typeof real.gzipSync>) => {
      zlibCalls.gzip += 1;
      return real.gzipSync(...args);
    },
    brotliCompressSync: (...args: Parameters<typeof real.brotliCompressSync>) => {
      zlibCalls.br += 1;
      return real.brotliCompressSync(...args);
    },
  };
});

const BIG_BODY = `<p>${'Patient engagement. '.repeat(200)}</p>`;

interface Harness {
  app: FastifyInstance;
  cache: ResponseCache;
  renders: Record<string, number>;
  setVersion: (v: number) => void;
}

async function harness(maxEntries = 500): Promise<Harness> {
  let version = 1;
  const versions = new VersionTracker(() => version, 0);
  const cache = new ResponseCache(versions, { maxEntries });
  const renders: Record<string, number> = {};
  const app = Fastify();
  app.get<{ Params: { key: string } }>('/:key', (request, reply) =>
    cache.serve(request, reply, request.params.key, async () => {
      renders[request.params.key] = (renders[request.params.key] ?? 0) + 1;
      return {
        body: `${BIG_BODY}<p>${request.params.key} v${version}</p>`,
        contentType: 'text/html; charset=utf-8',
        lastModified: new Date(Date.UTC(2026, 5, 1, 12, 0, 0, 700)),
      };
    }),
  );
  await app.ready();
  return { app, cache, renders, setVersion: (v) => (version = v) };
}

let open: FastifyInstance | undefined;
afterEach(async () => {
  await open?.close();
  open = undefined;
  zlibCalls.gzip = 0;
  zlibCalls.br = 0;
});

async function start(maxEntries?: number): Promise<Harness> {
  const h = await harness(maxEntries);
  open = h.app;
  return h;
}

describe('ResponseCache conditional requests', () => {
  it('answers a matching If-None-Match with 304 and no body', async () => {
    const { app } = await start();
    const first = await app.inject('/home');
    expect(first.statusCode).toBe(200);
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await app.inject({ url: '/home', headers: { 'if-none-match': etag } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    expect(again.headers.etag).toBe(etag);
  });

  it('accepts weak and listed tags and *, and refuses other tags', async () => {
    const { app } = await start();
    const etag = (await app.inject('/home')).headers.etag as string;
    for (const header of [`W/${etag}`, `"other", ${etag}`, '*']) {
      expect((await app.inject({ url: '/home', headers: { 'if-none-match': header } })).statusCode).toBe(304);
    }
    expect((await app.inject({ url: '/home', headers: { 'if-none-match': '"other"' } })).statusCode).toBe(200);
  });

  it('answers If-Modified-Since at or after Last-Modified with 304, before it with 200', async () => {
    const { app } = await start();
    const first = await app.inject('/home');
    expect(first.headers['last-modified']).toBe('Mon, 01 Jun 2026 12:00:00 GMT');
    const at = await app.inject({ url: '/home', headers: { 'if-modified-since': 'Mon, 01 Jun 2026 12:00:00 GMT' } });
    expect(at.statusCode).toBe(304);
    const before = await app.inject({ url: '/home', headers: { 'if-modified-since': 'Mon, 01 Jun 2026 11:59:59 GMT' } });
    expect(before.statusCode).toBe(200);
    const garbage = await app.inject({ url: '/home', headers: { 'if-modified-since': 'yesterday-ish' } });
    expect(garbage.statusCode).toBe(200);
  });

  it('lets If-None-Match win over If-Modified-Since', async () => {
    const { app } = await start();
    await app.inject('/home');
    const response = await app.inject({
      url: '/home',
      headers: { 'if-none-match': '"stale"', 'if-modified-since': 'Tue, 01 Jun 2100 00:00:00 GMT' },
    });
    expect(response.statusCode).toBe(200);
  });
});

describe('ResponseCache rendering and compression', () => {
  it('renders once per version and compresses once per version and encoding', async () => {
    const { app, renders } = await start();
    const bodies: Buffer[] = [];
    for (let i = 0; i < 3; i += 1) {
      const gz = await app.inject({ url: '/home', headers: { 'accept-encoding': 'gzip' } });
      expect(gz.headers['content-encoding']).toBe('gzip');
      expect(gz.headers.vary).toBe('Accept-Encoding');
      bodies.push(gunzipSync(gz.rawPayload));
      const br = await app.inject({ url: '/home', headers: { 'accept-encoding': 'gzip, br' } });
      expect(br.headers['content-encoding']).toBe('br');
      expect(brotliDecompressSync(br.rawPayload).toString()).toContain('home v1');
    }
    expect(renders.home).toBe(1);
    expect(zlibCalls).toEqual({ gzip: 1, br: 1 });
    expect(bodies.every((b) => b.toString().includes('home v1'))).toBe(true);
  });

  it('sends small bodies and clients without Accept-Encoding the identity bytes', async () => {
    const { app } = await start();
    const plain = await app.inject({ url: '/home', headers: { 'accept-encoding': '' } });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toContain('home v1');
    expect(plain.headers['content-type']).toBe('text/html; charset=utf-8');
  });

  it('renders again, with a new ETag, when the stream version changes', async () => {
    const { app, renders, setVersion } = await start();
    const before = await app.inject('/home');
    setVersion(2);
    const after = await app.inject({ url: '/home', headers: { 'if-none-match': before.headers.etag as string } });
    expect(after.statusCode).toBe(200);
    expect(after.body).toContain('home v2');
    expect(after.headers.etag).not.toBe(before.headers.etag);
    expect(renders.home).toBe(2);
  });

  it('keeps Last-Modified when a new version renders the same bytes, and moves it on when they change', async () => {
    let body = 'same';
    const versions = { value: 1 };
    const cache = new ResponseCache(new VersionTracker(() => versions.value, 0));
    const app = Fastify();
    open = app;
    // Every render claims the same second: only the cache can keep the dates apart.
    const fixed = new Date(Date.UTC(2026, 5, 1, 12, 0, 0));
    app.get('/', (request, reply) => cache.serve(request, reply, 'k', async () => ({ body, contentType: 'text/plain', lastModified: fixed })));
    const first = await app.inject('/');
    versions.value = 2;
    const unchanged = await app.inject({ url: '/', headers: { 'if-modified-since': first.headers['last-modified'] as string } });
    expect(unchanged.statusCode).toBe(304);
    body = 'changed';
    versions.value = 3;
    const changed = await app.inject({ url: '/', headers: { 'if-modified-since': first.headers['last-modified'] as string } });
    expect(changed.statusCode).toBe(200);
    expect(changed.body).toBe('changed');
    expect(Date.parse(changed.headers['last-modified'] as string)).toBe(fixed.getTime() + 1000);
  });

  it('does not cache a render that throws', async () => {
    let calls = 0;
    const cache = new ResponseCache(new VersionTracker(() => 1, 0));
    const app = Fastify();
    open = app;
    app.get('/', (request, reply) =>
      cache.serve(request, reply, 'k', async () => {
        calls += 1;
        if (calls === 1) throw new Error('render: boom');
        return { body: 'ok', contentType: 'text/plain' };
      }),
    );
    expect((await app.inject('/')).statusCode).toBe(500);
    expect((await app.inject('/')).body).toBe('ok');
    expect(cache.size).toBe(1);
  });

  it('keeps at most maxEntries, dropping the least recently used', async () => {
    const { app, cache, renders } = await start(2);
    await app.inject('/a');
    await app.inject('/b');
    await app.inject('/a'); // a is now the most recently used
    await app.inject('/c'); // evicts b
    expect(cache.size).toBe(2);
    await app.inject('/a');
    await app.inject('/b');
    expect(renders).toEqual({ a: 1, b: 2, c: 1 });
    cache.clear();
    expect(cache.size).toBe(0);
  });
});

describe('ResponseCache renders once per version, and may serve the last page meanwhile', () => {
  /** A cache over a version the test sets, whose renders wait until the test lets them finish. */
  function gated(options: { serveStaleForMs?: number; readFromDatabase?: boolean } = {}) {
    let version = 1;
    let now = 1_000_000;
    // The database's read answers in a later turn, as the portal's does; the default, at once.
    const tracker = new VersionTracker(options.readFromDatabase ? () => Promise.resolve(version) : () => version, 0, () => now);
    const failures: string[] = [];
    const cache = new ResponseCache(tracker, { ...options, clock: () => now, onBackgroundError: (error) => failures.push(String(error)) });
    const waiting: (() => void)[] = [];
    let renders = 0;
    let failNext = false;
    const app = Fastify();
    open = app;
    app.get('/', (request, reply) =>
      cache.serve(request, reply, 'home', async () => {
        renders += 1;
        const body = `home v${version}`;
        const fail = failNext;
        failNext = false;
        await new Promise<void>((done) => waiting.push(done));
        if (fail) throw new Error('render: boom');
        return { body, contentType: 'text/plain' };
      }),
    );
    const finishRenders = async () => {
      while (waiting.length === 0) await new Promise((done) => setImmediate(done));
      for (const done of waiting.splice(0)) done();
    };
    /** Lets a render no request waits for finish, and the cache keep (or drop) what it gave. */
    const finishBackgroundRender = async () => {
      await finishRenders();
      await new Promise((done) => setImmediate(done));
    };
    const get = async () => {
      const answer = app.inject('/');
      // A request that waits for a render is let through once the render is under way.
      const settled = await Promise.race([answer.then(() => true), new Promise((done) => setTimeout(() => done(false), 20))]);
      if (!settled) await finishRenders();
      return (await answer).body;
    };
    return {
      app, cache, tracker, failures, get, finishRenders, finishBackgroundRender,
      renders: () => renders,
      setVersion: (v: number) => void (version = v),
      advance: (ms: number) => void (now += ms),
      failNextRender: () => void (failNext = true),
    };
  }

  it('renders a key once for requests that come while its render is under way', async () => {
    const page = gated();
    const answers = [page.app.inject('/'), page.app.inject('/'), page.app.inject('/')];
    await page.finishRenders();
    expect((await Promise.all(answers)).map((a) => a.body)).toEqual(['home v1', 'home v1', 'home v1']);
    expect(page.renders()).toBe(1);
  });

  it('without serveStaleForMs, the first request after a change waits for the new page', async () => {
    const page = gated();
    expect(await page.get()).toBe('home v1');
    page.setVersion(2);
    expect(await page.get()).toBe('home v2');
    expect(page.renders()).toBe(2);
  });

  it('with serveStaleForMs, serves the last page while the new one renders, then the new one', async () => {
    const page = gated({ serveStaleForMs: 5000 });
    expect(await page.get()).toBe('home v1');
    page.setVersion(2);
    page.advance(1000);
    // Answered at once with the page from before the change, while version 2 renders.
    expect((await page.app.inject('/')).body).toBe('home v1');
    expect((await page.app.inject('/')).body).toBe('home v1');
    await page.finishBackgroundRender();
    expect((await page.app.inject('/')).body).toBe('home v2');
    expect(page.renders()).toBe(2);
  });

  it('waits for the new page when the last one is older than serveStaleForMs', async () => {
    const page = gated({ serveStaleForMs: 5000 });
    expect(await page.get()).toBe('home v1');
    page.setVersion(2);
    page.advance(5000);
    expect(await page.get()).toBe('home v2');
  });

  it("waits for the new page after this process's own change (invalidate), stale or not", async () => {
    const page = gated({ serveStaleForMs: 5000, readFromDatabase: true });
    expect(await page.get()).toBe('home v1');
    page.setVersion(2);
    page.tracker.invalidate();
    expect(await page.get()).toBe('home v2');
    // And once the database's read has come back with the new version: a page rendered before
    // the change is still not served (here the request that renders it waits).
    page.setVersion(3);
    page.advance(10);
    page.tracker.invalidate();
    page.tracker.current();
    await new Promise((done) => setImmediate(done));
    expect(page.tracker.current()).toBe(3);
    expect(await page.get()).toBe('home v3');
  });

  it('reports a render that failed behind a stale page, and renders again on the next request', async () => {
    const page = gated({ serveStaleForMs: 5000 });
    expect(await page.get()).toBe('home v1');
    page.setVersion(2);
    page.failNextRender();
    expect((await page.app.inject('/')).body).toBe('home v1');
    await page.finishBackgroundRender();
    expect(page.failures).toEqual(['Error: render: boom']);
    expect(await page.get()).toBe('home v1');
    await page.finishBackgroundRender();
    expect((await page.app.inject('/')).body).toBe('home v2');
    expect(page.renders()).toBe(3);
  });
});

describe('VersionTracker', () => {
  it('reads the stored version at most once per maxAgeMs, and at once after invalidate()', () => {
    let stored = 5;
    let reads = 0;
    let now = 1000;
    const tracker = new VersionTracker(
      () => {
        reads += 1;
        return stored;
      },
      1000,
      () => now,
    );
    expect(tracker.current()).toBe(5);
    stored = 6;
    now += 999;
    expect(tracker.current()).toBe(5);
    now += 1;
    expect(tracker.current()).toBe(6);
    stored = 7;
    tracker.invalidate();
    expect(tracker.current()).toBe(7);
    expect(reads).toBe(3);
  });
});

describe('VersionTracker over an asynchronous read (the database)', () => {
  /** A read that resolves only when the test says so. */
  function slowStore(initial: number) {
    let stored = initial;
    const pending: (() => void)[] = [];
    return {
      set: (v: number) => void (stored = v),
      read: () => new Promise<number>((resolve) => pending.push(() => resolve(stored))),
      reads: () => pending.length,
      answer: async () => {
        for (const resolve of pending.splice(0)) resolve();
        await new Promise((resolve) => setImmediate(resolve));
      },
    };
  }

  it('serves the last known version while a read is in flight, at most one read at a time, once per maxAgeMs', async () => {
    const store = slowStore(5);
    let now = 1000;
    const tracker = new VersionTracker(store.read, 1000, () => now);
    const unknown = tracker.current();
    expect(unknown).toBeLessThan(0);
    expect(tracker.current()).toBe(unknown);
    expect(store.reads()).toBe(1);
    await store.answer();
    expect(tracker.current()).toBe(5);
    store.set(6);
    now += 999;
    expect(tracker.current()).toBe(5);
    expect(store.reads()).toBe(0);
    now += 1;
    expect(tracker.current()).toBe(5);
    expect(tracker.current()).toBe(5);
    expect(store.reads()).toBe(1);
    await store.answer();
    expect(tracker.current()).toBe(6);
  });

  it('after invalidate() answers a version no cached response carries until a read begun after it answers', async () => {
    const store = slowStore(5);
    const tracker = new VersionTracker(store.read, 1000, () => 1000);
    const first = tracker.current();
    await store.answer();
    expect(tracker.current()).toBe(5);
    store.set(6);
    tracker.invalidate();
    const afterChange = tracker.current();
    expect([first, 5, 6]).not.toContain(afterChange);
    // A read begun before the next invalidate() comes back too late: its answer is not kept.
    tracker.invalidate();
    const again = tracker.current();
    expect([first, 5, 6, afterChange]).not.toContain(again);
    await store.answer();
    expect(tracker.current()).toBe(6);
  });

  it('keeps the last known version when a read fails, and asks again', async () => {
    let fail = false;
    let reads = 0;
    const tracker = new VersionTracker(
      async () => {
        reads += 1;
        if (fail) throw new Error('database gone');
        return 3;
      },
      0,
    );
    tracker.current();
    await new Promise((resolve) => setImmediate(resolve));
    expect(tracker.current()).toBe(3);
    fail = true;
    await new Promise((resolve) => setImmediate(resolve));
    expect(tracker.current()).toBe(3);
    await new Promise((resolve) => setImmediate(resolve));
    expect(tracker.current()).toBe(3);
    expect(reads).toBeGreaterThanOrEqual(3);
  });
});

describe('chooseEncoding', () => {
  it.each([
    ['gzip, deflate, br', 2000, 'br'],
    ['gzip', 2000, 'gzip'],
    ['br;q=0, gzip', 2000, 'gzip'],
    ['br;q=0.5, gzip;q=0.8', 2000, 'gzip'],
    ['*', 2000, 'br'],
    ['gzip;q=0, br;q=0', 2000, 'identity'],
    ['deflate', 2000, 'identity'],
    [undefined, 2000, 'identity'],
    ['br', 100, 'identity'],
  ] as const)('%s for %i bytes → %s', (header, size, expected) => {
    expect(chooseEncoding(header, size)).toBe(expected);
  });
});
