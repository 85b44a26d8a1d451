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
  const sourceIcons = app.sourceIcons();
  const [page, summaries] = await Promise.all([listHomeTeasers(ctx.db, { limit: HOME_ENTRIES, perSource }), listSourceSummaries(ctx.db)]);
  const formatTime = siteTimeFormatter(ctx);
  // The page renders about once a second while a pass stores entries; the list of sources changes
  // far less often, and with 1,000 sources rendering it was most of the page: ~10 ms of the event
  // loop each time, which visitors waited behind (bench/ANALYSIS.md, issue 18). Kept while what it
  // shows of each source (the fields below, and its icon) is the same.
  const shown = JSON.stringify(summaries.map((s) => [s.id, s.title, s.description, s.feed_url === null]));
  const sourceList = () => ({ sources: summaries.map(toSourceView), headingLevel: 3 });
  return app.renderPage({
    template: 'home',
    path: '/',
    sourceIcons,
    data: {
      entries: page.entries.map((e) => toEntryView(e, formatTime)),
      hasOlder: page.hasMore,
      ...(summaries.length > 0 ? { sourceList: await app.renderFragment('source-list', sourceList, shown, sourceIcons) } : {}),
    },
  });
}
