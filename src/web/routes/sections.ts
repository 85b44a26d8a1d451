import type { FastifyInstance } from 'fastify';
import { listSourceSummaries } from '../../store/index.js';
import type { WebContext } from '../deps.js';
import { contributorViews, toSourceView } from '../views/models.js';
import { SECTIONS, type Section } from '../views/sections.js';
import { FEEDBACK_PATH } from './feedback.js';
import { CACHED_ROUTE, htmlPage } from './render.js';

/**
 * The static sections; their words are in templates/pages/<name>.hbs for an operator to edit.
 * /feedback carries the form, so routes/feedback.ts serves it.
 */
export async function sectionRoutes(app: FastifyInstance, ctx: WebContext): Promise<void> {
  for (const section of SECTIONS.filter((s) => s.path !== FEEDBACK_PATH)) {
    app.get(section.path, { ...CACHED_ROUTE }, (request, reply) =>
      ctx.cache.serve(request, reply, section.path, async () => htmlPage(await renderSection(app, ctx, section))),
    );
  }
}

async function renderSection(app: FastifyInstance, ctx: WebContext, section: Section): Promise<string> {
  // The sources are offered to every section's template, for lists an operator may want to show.
  const sources = (await listSourceSummaries(ctx.db)).map(toSourceView);
  return app.renderPage({
    template: section.template,
    path: section.path,
    title: section.title,
    description: section.description,
    data: { section, sources, linkOnlySources: sources.filter((s) => s.linkOnly), contributors: contributorViews(ctx.getConfig().site.contributors) },
  });
}
