import type { FastifyInstance } from 'fastify';
import { searchEntries, toFtsQuery } from '../../store/index.js';
import type { WebContext } from '../deps.js';
import { toSearchResultView } from '../views/models.js';
import { HTML, siteTimeFormatter } from './render.js';

/** Most results one search shows. */
export const SEARCH_LIMIT = 30;

const searchQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: { q: { type: 'string', maxLength: 1000 } },
} as const;

/** GET /search?q=: ranked full-text search with highlighted excerpts. Not cached: queries are endless. */
export async function searchRoutes(app: FastifyInstance, ctx: WebContext): Promise<void> {
  app.get<{ Querystring: { q?: string } }>('/search', { schema: { querystring: searchQuerySchema } }, async (request, reply) => {
    const query = (request.query.q ?? '').trim();
    const hasWords = toFtsQuery(query) !== '';
    const hits = hasWords ? await searchEntries(ctx.db, query, SEARCH_LIMIT) : [];
    const formatTime = siteTimeFormatter(ctx);
    const html = await app.renderPage({
      template: 'search',
      path: '/search',
      title: query ? `Search results for “${query}”` : 'Search',
      description: 'Search every conversation the portal has gathered.',
      data: {
        query,
        asked: query !== '',
        hasWords,
        results: hits.map((hit) => toSearchResultView(hit, formatTime)),
        resultsHeading: resultsHeading(hits.length, query),
        limited: hits.length === SEARCH_LIMIT,
      },
    });
    return reply.type(HTML).header('cache-control', 'no-cache').send(html);
  });
}

function resultsHeading(count: number, query: string): string {
  if (count === 0) return `No results for “${query}”`;
  const noun = count === 1 ? 'result' : 'results';
  return count === SEARCH_LIMIT ? `The ${count} best results for “${query}”` : `${count} ${noun} for “${query}”`;
}
