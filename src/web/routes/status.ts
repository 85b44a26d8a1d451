import type { FastifyInstance } from 'fastify';
import type { WebContext } from '../deps.js';
import { httpMetricsPlugin } from '../plugins/metrics.js';
import { buildStatusReport, statusJson } from '../status-report.js';
import { toStatusPage } from '../status-view.js';
import { HTML, siteTimeFormatter } from './render.js';

/** Operators' pages change with every poll: never stored by a browser or a proxy. */
const NO_STORE = 'no-store';

/** /status, /status.json, /healthz and /metrics: what operators watch. */
export async function statusRoutes(app: FastifyInstance, ctx: WebContext): Promise<void> {
  app.get('/status', async (_request, reply) => {
    const report = await buildStatusReport(ctx.db, ctx.now(), ctx.runtimeStatus?.() ?? null);
    const html = await app.renderPage({
      template: 'status',
      path: '/status',
      title: 'Status of the sources',
      description: "Each source's last poll, errors and stored entries, and the state of the feeds file.",
      data: { ...toStatusPage(report, siteTimeFormatter(ctx)) },
    });
    return reply.header('cache-control', NO_STORE).type(HTML).send(html);
  });

  app.get('/status.json', async (_request, reply) => {
    const report = await buildStatusReport(ctx.db, ctx.now(), ctx.runtimeStatus?.() ?? null);
    return reply.header('cache-control', NO_STORE).type('application/json; charset=utf-8').send(JSON.stringify(statusJson(report), null, 2));
  });

  app.get('/healthz', (request, reply) => {
    reply.header('cache-control', NO_STORE).type('text/plain; charset=utf-8');
    try {
      pingDatabase(ctx);
      return reply.send('ok\n');
    } catch (error) {
      // Expected when the disk or the file is gone: a warning without a stack, and a 503 for the checker.
      request.log.warn({ err_message: error instanceof Error ? error.message : String(error) }, 'healthz: the database does not answer');
      return reply.code(503).send('unavailable: the database does not answer\n');
    }
  });

  const registry = ctx.metrics;
  if (registry) {
    await app.register(httpMetricsPlugin, { registry });
    app.get('/metrics', async (_request, reply) => {
      const text = await registry.metrics();
      return reply.header('cache-control', NO_STORE).type(registry.contentType).send(text);
    });
  }
}

/** A SELECT 1 through the raw handle main.ts gave, else the stream-version read (also on the raw handle). */
function pingDatabase(ctx: WebContext): void {
  if (ctx.pingDatabase) ctx.pingDatabase();
  else ctx.readStreamVersion();
}
