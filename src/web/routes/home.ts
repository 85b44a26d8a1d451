import type { FastifyInstance } from 'fastify';
import { DEFAULT_PER_SOURCE_ON_HOME } from '../../config/index.js';
import { listHomeTeasers, listSourceSummaries } from '../../store/index.js';
import type { WebContext } from '../deps.js';
import { toEntryView, toSourceView } from '../views/models.js';
import { CACHED_ROUTE, htmlPage, siteTimeFormatter } from './render.js';

/** How many of the newest entries the home page shows. */
export const HOME_ENTRIES = 20;

/** GET /: the tagline, the sections' teasers, Current Conversations and the sources. */
export async function homeRoutes(app: FastifyInstance, ctx: WebContext): Promise<void> {
  app.get('/', { ...CACHED_ROUTE }, (request, reply) =>
    ctx.cache.serve(request, reply, '/', async () => htmlPage(await renderHome(app, ctx))),
  );
}

async function renderHome(app: FastifyInstance, ctx: WebContext): Promise<string> {
  const perSource = ctx.getConfig().site.perSourceOnHome ?? DEFAULT_PER_SOURCE_ON_HOME;
  const [page, sources] = await Promise.all([listHomeTeasers(ctx.db, { limit: HOME_ENTRIES, perSource }), listSourceSummaries(ctx.db)]);
  const formatTime = siteTimeFormatter(ctx);
  return app.renderPage({
    template: 'home',
    path: '/',
    data: {
      entries: page.entries.map((e) => toEntryView(e, formatTime)),
      hasOlder: page.hasMore,
      sources: sources.map(toSourceView),
    },
  });
}
