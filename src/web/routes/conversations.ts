import type { FastifyInstance } from 'fastify';
import { listSourceSummaries, listStreamTeasers, type SourceSummary, type StreamPageOf } from '../../store/index.js';
import { badRequest } from '../errors.js';
import type { WebContext } from '../deps.js';
import { feedAlternates } from '../views/chrome.js';
import { toEntryView } from '../views/models.js';
import {
  conversationsQuerySchema,
  parseStreamFilter,
  streamQueryString,
  type ConversationsQuery,
  type StreamFilter,
} from './stream-query.js';
import { CACHED_ROUTE, htmlPage, siteTimeFormatter } from './render.js';

/** Entries per page of /conversations. */
export const CONVERSATIONS_PAGE_SIZE = 25;

/** GET /conversations: the whole stream, filtered by source or category, paged by keyset cursors. */
export async function conversationsRoutes(app: FastifyInstance, ctx: WebContext): Promise<void> {
  app.get<{ Querystring: ConversationsQuery }>(
    '/conversations',
    { ...CACHED_ROUTE, schema: { querystring: conversationsQuerySchema } },
    (request, reply) => {
      const filter = parseStreamFilter(request.query);
      const key = `/conversations${streamQueryString(filter)}`;
      const render = async () => htmlPage(await renderConversations(app, ctx, filter));
      return ctx.cache.serve(request, reply, key, render);
    },
  );
}

async function renderConversations(app: FastifyInstance, ctx: WebContext, filter: StreamFilter): Promise<string> {
  const sourceIcons = app.sourceIcons();
  const sources = await listSourceSummaries(ctx.db);
  const source = checkFilter(sources, filter);
  const page = await listStreamTeasers(ctx.db, {
    limit: CONVERSATIONS_PAGE_SIZE,
    ...(filter.source ? { sourceId: filter.source } : {}),
    ...(filter.category ? { category: filter.category } : {}),
    ...(filter.before ? { before: filter.before } : {}),
    ...(filter.after ? { after: filter.after } : {}),
  });
  const siteTitle = ctx.getConfig().site.title;
  const formatTime = siteTimeFormatter(ctx);
  const heading = headingFor(filter, source);
  return app.renderPage({
    template: 'conversations',
    path: '/conversations',
    title: pageTitle(heading, filter),
    description: 'Every conversation the portal has gathered, newest first.',
    alternates: feedAlternates(siteTitle, filter, filter.source || filter.category ? heading : undefined),
    sourceIcons,
    data: {
      heading,
      entries: page.entries.map((e) => toEntryView(e, formatTime)),
      filtered: Boolean(filter.source || filter.category),
      deeper: Boolean(filter.before || filter.after),
      pager: pagerLinks(filter, page),
      form: filterForm(sources, filter),
    },
  });
}

/** An unknown source or category is a visitor's mistake, named plainly (400), not an empty page. */
function checkFilter(sources: SourceSummary[], filter: StreamFilter): SourceSummary | undefined {
  const source = filter.source ? sources.find((s) => s.id === filter.source) : undefined;
  if (filter.source && !source) throw badRequest(`There is no source called “${filter.source}”.`);
  if (filter.category && !sources.some((s) => s.category === filter.category)) {
    throw badRequest(`There is no category called “${filter.category}”.`);
  }
  return source;
}

function headingFor(filter: StreamFilter, source: SourceSummary | undefined): string {
  if (source && filter.category) return `Conversations from ${source.title} in “${filter.category}”`;
  if (source) return `Conversations from ${source.title}`;
  if (filter.category) return `Conversations in “${filter.category}”`;
  return 'Conversations';
}

function pageTitle(heading: string, filter: StreamFilter): string {
  if (filter.before) return `${heading}, older`;
  if (filter.after) return `${heading}, newer`;
  return heading;
}

interface PagerLinks {
  any: boolean;
  newest?: string;
  newer?: string;
  older?: string;
}

function pagerLinks(filter: StreamFilter, page: StreamPageOf<unknown>): PagerLinks {
  const base = { source: filter.source, category: filter.category };
  const links: PagerLinks = { any: Boolean(page.newer || page.older) };
  if (page.newer) {
    links.newer = `/conversations${streamQueryString({ ...base, after: page.newer })}`;
    links.newest = `/conversations${streamQueryString(base)}`;
  }
  if (page.older) links.older = `/conversations${streamQueryString({ ...base, before: page.older })}`;
  return links;
}

function filterForm(sources: SourceSummary[], filter: StreamFilter) {
  const categories = [...new Set(sources.map((s) => s.category))].sort((a, b) => a.localeCompare(b));
  return {
    sources: sources
      .filter((s) => s.feed_url !== null)
      .map((s) => ({ id: s.id, title: s.title, selected: s.id === filter.source })),
    categories: categories.map((c) => ({ name: c, selected: c === filter.category })),
  };
}
