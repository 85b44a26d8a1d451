// HTTP metrics of the web server, on the registry main.ts made. Labelled by the route's URL
// pattern ('/sources/:id'), never the raw URL, so a crawler cannot grow the label set.
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { Counter, Histogram, type Registry } from 'prom-client';

export interface HttpMetricsOptions {
  registry: Registry;
}

/** The label for requests no route matched (404s, probes for random paths). */
export const UNMATCHED_ROUTE = 'unmatched';

const DURATION_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** Counts every response and times it, from arrival to the last byte handed to the socket. */
export const httpMetricsPlugin = fp<HttpMetricsOptions>(
  async (app, { registry }) => {
    const labelNames = ['method', 'route', 'status_code'] as const;
    const requests = new Counter({ name: 'portal_http_requests_total', help: 'HTTP requests answered.', labelNames, registers: [registry] });
    const duration = new Histogram({
      name: 'portal_http_request_duration_seconds',
      help: 'Time to answer an HTTP request.',
      labelNames,
      buckets: DURATION_BUCKETS_SECONDS,
      registers: [registry],
    });
    app.addHook('onResponse', async (request, reply) => {
      const labels = { method: request.method, route: routeOf(request), status_code: String(reply.statusCode) };
      requests.inc(labels);
      duration.observe(labels, reply.elapsedTime / 1000);
    });
  },
  { name: 'portal-http-metrics' },
);

function routeOf(request: FastifyRequest): string {
  // A 404 from the not-found handler has no pattern; neither does a request refused before routing.
  return request.routeOptions.url ?? UNMATCHED_ROUTE;
}
