import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DEFAULT_METRICS_ALLOWED_NETWORKS } from '../../config/index.js';
import { inNetworks } from '../client-networks.js';
import type { WebContext } from '../deps.js';
import { httpMetricsPlugin } from '../plugins/metrics.js';
import { buildStatusReport, statusJson } from '../status-report.js';
import { toStatusPage } from '../status-view.js';
import { HTML, siteTimeFormatter } from './render.js';
import { messageOf } from '../../core/errors.js';

/** Operators' pages change with every poll: never stored by a browser or a proxy. */
const NO_STORE = 'no-store';

/** What /healthz and /metrics need: all a worker process serves. */
export type ProbeContext = Pick<WebContext, 'readStreamVersion' | 'pingDatabase' | 'metrics' | 'metricsAllowedNetworks'>;

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
  await probeRoutes(app, ctx);
}

/** /healthz, and /metrics when the process has a registry: every role serves these. */
export async function probeRoutes(app: FastifyInstance, ctx: ProbeContext): Promise<void> {
  app.get('/healthz', async (request, reply) => {
    reply.header('cache-control', NO_STORE).type('text/plain; charset=utf-8');
    try {
      await pingDatabase(ctx);
      return reply.send('ok\n');
    } catch (error) {
      // Expected when the disk or the file is gone: a warning without a stack, and a 503 for the checker.
      request.log.warn({ err_message: messageOf(error) }, 'healthz: the database does not answer');
      return reply.code(503).send('unavailable: the database does not answer\n');
    }
  });

  const registry = ctx.metrics;
  if (registry) {
    await app.register(httpMetricsPlugin, { registry });
    const mayScrape = scraperCheck(ctx.metricsAllowedNetworks ?? DEFAULT_METRICS_ALLOWED_NETWORKS);
    app.get('/metrics', async (request, reply) => {
      reply.header('cache-control', NO_STORE);
      // 403 rather than 404: a refused scraper's operator sees why; that /metrics exists is in the README anyway.
      if (!mayScrape(request)) return reply.code(403).type('text/plain; charset=utf-8').send(METRICS_REFUSED);
      const text = await registry.metrics();
      return reply.type(registry.contentType).send(text);
    });
  }
}

const METRICS_REFUSED = 'forbidden: /metrics answers only the networks in METRICS_ALLOWED_NETWORKS\n';

/**
 * The connection's peer must be in the networks. A request a proxy forwarded is refused whatever
 * its peer: the proxy's address (often loopback) says nothing of the client behind it.
 */
function scraperCheck(cidrs: readonly string[]): (request: FastifyRequest) => boolean {
  const allowed = inNetworks(cidrs);
  return (request) => {
    const forwarded = request.headers.forwarded !== undefined || request.headers['x-forwarded-for'] !== undefined;
    return !forwarded && allowed(request.socket.remoteAddress);
  };
}

/** The ping main.ts gave (a SELECT 1), else a read of the stream version. */
async function pingDatabase(ctx: ProbeContext): Promise<void> {
  if (ctx.pingDatabase) await ctx.pingDatabase();
  else await ctx.readStreamVersion();
}
