import type { FastifyInstance } from 'fastify';
import { getSource, listStreamTeasers } from '../../store/index.js';
import type { WebContext } from '../deps.js';
import { notFound } from '../errors.js';
import { feedAlternates } from '../views/chrome.js';
import { toEntryView, toSourceView } from '../views/models.js';
import { CACHED_ROUTE, htmlPage, siteTimeFormatter } from './render.js';

/** How many of a source's newest entries its page shows; the rest are one link away. */
export const SOURCE_PAGE_ENTRIES = 20;

const SLUG = /^[a-z0-9-]{1,64}$/;

/** GET /sources/:id: one source's description, links and newest entries. */
export async function sourceRoutes(app: FastifyInstance, ctx: WebContext): Promise<void> {
  app.get<{ Params: { id: string } }>(
    '/sources/:id',
    {
      ...CACHED_ROUTE,
      schema: { params: { type: 'object', properties: { id: { type: 'string', maxLength: 200 } } } },
    },
    (request, reply) => {
      const { id } = request.params;
      // Only well-formed ids reach the cache, so odd addresses cannot fill it.
      if (!SLUG.test(id)) throw notFound(`There is no source called “${id}”.`);
      const render = async () => htmlPage(await renderSource(app, ctx, id));
      return ctx.cache.serve(request, reply, `/sources/${id}`, render);
    },
  );
}

async function renderSource(app: FastifyInstance, ctx: WebContext, id: string): Promise<string> {
  const row = await getSource(ctx.db, id);
  // A source taken out of the feeds file keeps its rows but is no longer part of the portal.
  if (!row || row.active !== 1) throw notFound(`There is no source called “${id}”.`);
  const source = toSourceView(row);
  const page = source.linkOnly ? { entries: [] } : await listStreamTeasers(ctx.db, { sourceId: id, limit: SOURCE_PAGE_ENTRIES });
  const formatTime = siteTimeFormatter(ctx);
  return app.renderPage({
    template: 'source',
    path: source.path,
    title: source.title,
    description: source.description || `Conversations from ${source.title}.`,
    alternates: source.linkOnly ? undefined : feedAlternates(ctx.getConfig().site.title, { source: id }, source.title),
    data: {
      source,
      entries: page.entries.map((e) => toEntryView(e, formatTime)),
      hasOlder: 'older' in page && page.older !== undefined,
      allPath: `/conversations?source=${encodeURIComponent(id)}`,
    },
  });
}
