import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  canonicalQuery,
  describeFeed,
  FEED_FORMATS,
  lastChangedAt,
  parseFeedQuery,
  writeAtom,
  writeJsonFeed,
  writeOpml,
  writeRss,
  type ExportFeed,
  type FeedFilter,
  type KnownSource,
  type SiteInfo,
} from '../../export/index.js';
import { listActiveSources, listStream, type SourceRow } from '../../store/index.js';
import type { Rendered } from '../cache.js';
import type { WebContext } from '../deps.js';
import { CACHED_ROUTE } from './render.js';

type ItemFormat = 'rss' | 'atom' | 'json';

/** OPML's limit when the request names none: no cut at all (and a cache key no given limit can share). */
const ALL_SOURCES = Number.MAX_SAFE_INTEGER;

const WRITERS: Readonly<Record<ItemFormat, (feed: ExportFeed) => string>> = {
  rss: writeRss,
  atom: writeAtom,
  json: writeJsonFeed,
};

/** /feed.xml, /atom.xml, /feed.json and /opml.xml: the combined stream re-exported. */
export async function feedRoutes(app: FastifyInstance, ctx: WebContext): Promise<void> {
  for (const format of ['rss', 'atom', 'json'] as const) {
    app.get(FEED_FORMATS[format].path, { ...CACHED_ROUTE }, (request, reply) =>
      withFilter(ctx, request, reply, (filter, source) =>
        ctx.cache.serve(request, reply, cacheKey(format, filter), () => renderItems(ctx, format, filter, source)),
      ),
    );
  }
  const opmlClock = bodyChangeClock(ctx.now);
  app.get(FEED_FORMATS.opml.path, { ...CACHED_ROUTE }, (request, reply) =>
    withFilter(ctx, request, reply, (filter, source) => {
      // Without ?limit= the list has every source with a feed, however many: an operator moving
      // 1,000 sources to another reader needs them all. ?limit=N (1..200) still cuts it.
      const opmlFilter = filter.limitGiven ? filter : { ...filter, limit: ALL_SOURCES };
      const key = cacheKey('opml', opmlFilter);
      return ctx.cache.serve(request, reply, key, () => renderOpml(ctx, opmlFilter, source, (body) => opmlClock(key, body)));
    }),
  );
}

/** Parses and checks the query against the feeds file; a bad one gets a 400 in plain words. */
function withFilter(
  ctx: WebContext,
  request: FastifyRequest,
  reply: FastifyReply,
  serve: (filter: FeedFilter, source: KnownSource | undefined) => FastifyReply | Promise<FastifyReply>,
): FastifyReply | Promise<FastifyReply> {
  const sources = knownSources(ctx);
  const parsed = parseFeedQuery(queryString(request.url), sources);
  if (!parsed.ok) {
    return reply.code(400).header('cache-control', 'no-store').type('text/plain; charset=utf-8').send(`${parsed.message}\n`);
  }
  const source = sources.find((s) => s.id === parsed.filter.sourceId);
  return serve(parsed.filter, source);
}

function knownSources(ctx: WebContext): KnownSource[] {
  return ctx.getConfig().sources.map(({ id, title, description, category }) => ({ id, title, description, category }));
}

function queryString(url: string): string {
  const mark = url.indexOf('?');
  return mark < 0 ? '' : url.slice(mark + 1);
}

function cacheKey(format: keyof typeof FEED_FORMATS, filter: FeedFilter): string {
  return `${FEED_FORMATS[format].path}${canonicalQuery(filter, { withLimit: 'always' })}`;
}

function siteInfo(ctx: WebContext): SiteInfo {
  const { title, tagline } = ctx.getConfig().site;
  return { title, tagline, url: ctx.getSiteUrl() };
}

async function renderItems(ctx: WebContext, format: ItemFormat, filter: FeedFilter, source: KnownSource | undefined): Promise<Rendered> {
  const { entries } = await listStream(ctx.db, {
    ...(filter.sourceId !== undefined ? { sourceId: filter.sourceId } : {}),
    ...(filter.category !== undefined ? { category: filter.category } : {}),
    limit: filter.limit,
    withContent: true,
  });
  const site = siteInfo(ctx);
  const updatedAt = entries.length > 0 ? lastChangedAt(entries, 0) : await emptyFeedTime(ctx, filter);
  const feed: ExportFeed = {
    ...describeFeed(format, filter, site, source),
    site: { title: site.title, url: site.url },
    ...(ctx.webSubHub !== undefined ? { hubUrl: ctx.webSubHub } : {}),
    updatedAt,
    entries,
  };
  return { body: WRITERS[format](feed), contentType: FEED_FORMATS[format].contentType, lastModified: new Date(updatedAt) };
}

/** An empty feed still needs a stable date: when its newest matching source was added (else the epoch). */
async function emptyFeedTime(ctx: WebContext, filter: FeedFilter): Promise<number> {
  const matching = matchingSources(await listActiveSources(ctx.db), filter);
  return matching.reduce((newest, source) => Math.max(newest, source.created_at), 0);
}

function matchingSources(rows: readonly SourceRow[], filter: FeedFilter): SourceRow[] {
  return rows.filter(
    (row) =>
      (filter.sourceId === undefined || row.id === filter.sourceId) &&
      (filter.category === undefined || row.category === filter.category),
  );
}

async function renderOpml(
  ctx: WebContext,
  filter: FeedFilter,
  source: KnownSource | undefined,
  changedAt: (body: string) => Date,
): Promise<Rendered> {
  const rows = matchingSources(await listActiveSources(ctx.db), filter).filter((row) => row.feed_url !== null);
  const site = siteInfo(ctx);
  const body = writeOpml(rows.slice(0, filter.limit), { title: describeFeed('opml', filter, site, source).title, ownerUrl: site.url });
  return { body, contentType: FEED_FORMATS.opml.contentType, lastModified: changedAt(body) };
}

/**
 * Sources carry no "changed at", so OPML's Last-Modified is when its body was first seen in this
 * form: re-rendering an identical list (after a poll changed only entries) keeps the old time.
 */
function bodyChangeClock(now: () => number, maxKeys = 200): (key: string, body: string) => Date {
  const seen = new Map<string, { fingerprint: string; since: number }>();
  return (key, body) => {
    const fingerprint = createHash('sha1').update(body).digest('hex');
    const known = seen.get(key);
    if (known?.fingerprint === fingerprint) return new Date(known.since);
    if (!known && seen.size >= maxKeys) seen.clear();
    const since = now();
    seen.set(key, { fingerprint, since });
    return new Date(since);
  };
}
