import type { FastifyInstance } from 'fastify';
import type { WebContext } from '../deps.js';

/** /feed.xml, /atom.xml, /feed.json and /opml.xml: the combined stream re-exported. */
export async function feedRoutes(_app: FastifyInstance, _ctx: WebContext): Promise<void> {
  // Filled in by the export work (issue 4).
}
