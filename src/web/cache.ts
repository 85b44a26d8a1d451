import { createHash } from 'node:crypto';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** What a route renders once per stream version; the cache keeps it and its compressed forms. */
export interface Rendered {
  body: string | Buffer;
  contentType: string;
  /** When what the body shows last changed; defaults to when it was rendered. */
  lastModified?: Date;
  /** Cache-Control for browsers and proxies; default: revalidate every time. */
  cacheControl?: string;
}

interface CachedResponse {
  version: number;
  /** When it was rendered (the clock's ms): how stale it may be served while the next renders. */
  renderedAt: number;
  identity: Buffer;
  gzip?: Buffer;
  br?: Buffer;
  etag: string;
  lastModified: string;
  lastModifiedMs: number;
  contentType: string;
  cacheControl: string;
}

/**
 * Knows the stream's version: the stored counter, read at most every `maxAgeMs`, or at once after
 * `invalidate()` (a poll in this process changed entries). `current()` answers at once: a read
 * that returns a promise (the database's) refreshes the known version in the background, and the
 * last known one is served meanwhile. While none is known (before the first read, after an
 * invalidate) it answers a number of its own that no cached response carries, so nothing cached
 * is served until the read comes back.
 */
export class VersionTracker {
  private known = -1;
  private readAt = 0;
  private lastInvalidatedAt = Number.NEGATIVE_INFINITY;
  /** Unknown versions handed out so far: each is -unknowns, never seen twice. */
  private unknowns = 1;
  /** The read in flight, if any; one at a time. */
  private reading: Promise<void> | undefined;

  constructor(
    private readonly readVersion: () => number | Promise<number>,
    private readonly maxAgeMs = 1000,
    private readonly clock: () => number = Date.now,
  ) {}

  current(): number {
    const now = this.clock();
    if (this.known < 0 || now - this.readAt >= this.maxAgeMs) this.read(now);
    return this.known;
  }

  /** When invalidate() was last called (the clock's ms): pages rendered before then are out of date. */
  get invalidatedAt(): number {
    return this.lastInvalidatedAt;
  }

  invalidate(): void {
    this.lastInvalidatedAt = this.clock();
    this.unknowns += 1;
    this.known = -this.unknowns;
    // A read begun before now may give the version from before the change: it is not waited for, nor kept.
    this.reading = undefined;
  }

  private read(now: number): void {
    if (this.reading) return;
    const version = this.readVersion();
    if (typeof version === 'number') return this.learn(version, now);
    const unknownsAtStart = this.unknowns;
    const reading: Promise<void> = version.then(
      (read) => {
        if (this.unknowns === unknownsAtStart) this.learn(read, now);
      },
      // The database did not answer: keep what is known, and ask again on the next request.
      () => undefined,
    );
    this.reading = reading;
    void reading.finally(() => {
      if (this.reading === reading) this.reading = undefined;
    });
  }

  private learn(version: number, readAt: number): void {
    this.known = version;
    this.readAt = readAt;
  }
}

const MIN_COMPRESS_BYTES = 860;

/** Quality 4: about gzip -6's size, made once per version; higher qualities cost the first request after a poll. */
const BROTLI_OPTIONS = (size: number) => ({
  params: { [zlib.BROTLI_PARAM_QUALITY]: 4, [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT, [zlib.BROTLI_PARAM_SIZE_HINT]: size },
});

type Encoding = 'br' | 'gzip' | 'identity';

/**
 * How long after it was rendered a page may still be served while its next version renders: the
 * stream changes about once a second while a pass stores entries, and the visitor who comes first
 * after each change would otherwise wait for the render on a machine the pass keeps busy
 * (bench/ANALYSIS.md, issue 18). Well inside the 10 s in which a stored entry must show.
 */
export const SERVE_STALE_FOR_MS = 5000;

/**
 * Rendered pages and feeds, kept until the stream changes. Compressed bytes are made once per
 * version and encoding (compression is the largest per-request cost), and conditional requests
 * are answered with 304. A key renders once per version however many ask for it at once. With
 * `serveStaleForMs` (the portal's is SERVE_STALE_FOR_MS): when the stream changed in another
 * process (a version read from the database), the page the cache has is served while the new one
 * renders, if it is younger than that; a page rendered before this process's own last change
 * (`invalidate()`), or an older one, is never served stale: the request waits for the new render.
 */
export interface ResponseCacheOptions {
  /** Responses kept at most, the least recently used dropped first. */
  maxEntries?: number;
  /** How old a page may be served while its next version renders; 0 (the default): never. */
  serveStaleForMs?: number;
  clock?: () => number;
  /** Told of a render that failed while a stale page was served; the next request renders again. */
  onBackgroundError?: (error: unknown, key: string) => void;
}

export class ResponseCache {
  private readonly entries = new Map<string, CachedResponse>();
  /** Renders under way, one per key: the version each is for. */
  private readonly rendering = new Map<string, { version: number; done: Promise<CachedResponse> }>();
  private readonly maxEntries: number;
  private readonly serveStaleForMs: number;
  private readonly clock: () => number;
  private readonly onBackgroundError: (error: unknown, key: string) => void;

  constructor(
    private readonly versions: VersionTracker,
    options: ResponseCacheOptions = {},
  ) {
    this.maxEntries = options.maxEntries ?? 500;
    this.serveStaleForMs = options.serveStaleForMs ?? 0;
    this.clock = options.clock ?? Date.now;
    this.onBackgroundError = options.onBackgroundError ?? (() => {});
  }

  /**
   * Serves `key` from the cache, or renders it (once per version) and serves that. A hit is answered
   * synchronously (no promise, no extra turn of the event loop): a map lookup and header sets.
   */
  serve(request: FastifyRequest, reply: FastifyReply, key: string, render: () => Promise<Rendered>): FastifyReply | Promise<FastifyReply> {
    const version = this.versions.current();
    const cached = this.entries.get(key);
    if (cached?.version === version) return sendCached(request, reply, this.touch(key, cached));
    const fresh = this.renderOnce(key, version, render);
    if (cached && cached.renderedAt > this.versions.invalidatedAt && this.clock() - cached.renderedAt < this.serveStaleForMs) {
      fresh.catch((error: unknown) => this.onBackgroundError(error, key));
      return sendCached(request, reply, cached);
    }
    return fresh.then((rendered) => sendCached(request, reply, rendered));
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  /** Map order is insertion order: re-inserting keeps the most recently used last. */
  private touch(key: string, hit: CachedResponse): CachedResponse {
    this.entries.delete(key);
    this.entries.set(key, hit);
    return hit;
  }

  private renderOnce(key: string, version: number, render: () => Promise<Rendered>): Promise<CachedResponse> {
    const underWay = this.rendering.get(key);
    if (underWay?.version === version) return underWay.done;
    const done = this.renderFresh(key, version, render).finally(() => {
      if (this.rendering.get(key)?.done === done) this.rendering.delete(key);
    });
    this.rendering.set(key, { version, done });
    return done;
  }

  private async renderFresh(key: string, version: number, render: () => Promise<Rendered>): Promise<CachedResponse> {
    const rendered = await render();
    const fresh = keepDatesHonest(toCached(rendered, version, this.clock()), this.entries.get(key));
    this.touch(key, fresh);
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    return fresh;
  }
}

function toCached(rendered: Rendered, version: number, renderedAt: number): CachedResponse {
  const identity = Buffer.isBuffer(rendered.body) ? rendered.body : Buffer.from(rendered.body, 'utf8');
  const modified = rendered.lastModified ?? new Date();
  // HTTP dates have whole seconds; compare in those.
  const lastModifiedMs = Math.floor(modified.getTime() / 1000) * 1000;
  return {
    version,
    renderedAt,
    identity,
    etag: `"${createHash('sha1').update(identity).digest('base64url').slice(0, 27)}"`,
    lastModified: new Date(lastModifiedMs).toUTCString(),
    lastModifiedMs,
    contentType: rendered.contentType,
    cacheControl: rendered.cacheControl ?? 'public, max-age=0, must-revalidate',
  };
}

/**
 * A re-render with the same bytes keeps the old Last-Modified (clients' copies are still good); one
 * with new bytes gets a later one than before, even within the same second, so If-Modified-Since
 * never answers 304 for changed content.
 */
function keepDatesHonest(fresh: CachedResponse, previous: CachedResponse | undefined): CachedResponse {
  if (!previous) return fresh;
  if (previous.etag === fresh.etag) return { ...fresh, lastModified: previous.lastModified, lastModifiedMs: previous.lastModifiedMs };
  if (fresh.lastModifiedMs > previous.lastModifiedMs) return fresh;
  const later = previous.lastModifiedMs + 1000;
  return { ...fresh, lastModified: new Date(later).toUTCString(), lastModifiedMs: later };
}

function sendCached(request: FastifyRequest, reply: FastifyReply, cached: CachedResponse): FastifyReply {
  const encoding = chooseEncoding(request.headers['accept-encoding'], cached.identity.length);
  reply
    .header('etag', cached.etag)
    .header('last-modified', cached.lastModified)
    .header('cache-control', cached.cacheControl)
    .header('vary', 'Accept-Encoding');
  if (isNotModified(request, cached)) return reply.code(304).send();
  reply.header('content-type', cached.contentType);
  if (encoding === 'br') {
    cached.br ??= brotliCompressSync(cached.identity, BROTLI_OPTIONS(cached.identity.length));
    return reply.header('content-encoding', 'br').send(cached.br);
  }
  if (encoding === 'gzip') {
    cached.gzip ??= gzipSync(cached.identity, { level: 6 });
    return reply.header('content-encoding', 'gzip').send(cached.gzip);
  }
  return reply.send(cached.identity);
}

/** RFC 9110: If-None-Match wins over If-Modified-Since when both are sent. */
function isNotModified(request: FastifyRequest, cached: CachedResponse): boolean {
  const ifNoneMatch = request.headers['if-none-match'];
  if (ifNoneMatch !== undefined) {
    return ifNoneMatch
      .split(',')
      .map((tag) => tag.trim().replace(/^W\//, ''))
      .some((tag) => tag === cached.etag || tag === '*');
  }
  const ifModifiedSince = request.headers['if-modified-since'];
  if (ifModifiedSince === undefined) return false;
  const since = Date.parse(ifModifiedSince);
  return !Number.isNaN(since) && cached.lastModifiedMs <= since;
}

/** Picks br or gzip by the client's Accept-Encoding (q=0 refuses); small bodies go as they are. */
export function chooseEncoding(header: string | undefined, size: number): Encoding {
  if (!header || size < MIN_COMPRESS_BYTES) return 'identity';
  const accepted = new Map<string, number>();
  for (const part of header.toLowerCase().split(',')) {
    const [name, ...params] = part.trim().split(';');
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    if (name) accepted.set(name.trim(), q === undefined ? 1 : Number(q));
  }
  const weight = (name: string) => accepted.get(name) ?? (accepted.has('*') ? (accepted.get('*') ?? 0) : 0);
  if (weight('br') > 0 && weight('br') >= weight('gzip')) return 'br';
  if (weight('gzip') > 0) return 'gzip';
  return 'identity';
}
