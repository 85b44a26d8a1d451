// HTTP metrics of the web server, on the registry main.ts made. Labelled by the route's URL
// pattern ('/sources/:id'), never the raw URL, so a crawler cannot grow the label set.
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import fp from 'fastify-plugin';
import { Counter, Histogram, type Registry } from 'prom-client';

export interface HttpMetricsOptions {
  registry: Registry;
}

/** The label for requests no route matched (404s, probes for random paths). */
export const UNMATCHED_ROUTE = 'unmatched';

const DURATION_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

const LABEL_NAMES = ['method', 'route', 'status_code'] as const;

/** One method × route × status: its histogram child bound once, and how many responses it had. */
interface Series {
  labels: Record<(typeof LABEL_NAMES)[number], string>;
  observe: (seconds: number) => void;
  answered: number;
}

/**
 * Counts every response and times it, from arrival to the last byte handed to the socket. Per
 * response: one map lookup and one observe on a histogram child bound when the series first appeared
 * (no label object per request); the request counter is filled from the same tallies when scraped.
 */
export const httpMetricsPlugin = fp<HttpMetricsOptions>(
  async (app, { registry }) => {
    const series = new Map<string, Series>();
    const duration = new Histogram({
      name: 'portal_http_request_duration_seconds',
      help: 'Time to answer an HTTP request.',
      labelNames: LABEL_NAMES,
      buckets: DURATION_BUCKETS_SECONDS,
      registers: [registry],
    });
    new Counter({
      name: 'portal_http_requests_total',
      help: 'HTTP requests answered.',
      labelNames: LABEL_NAMES,
      registers: [registry],
      collect() {
        this.reset();
        for (const { labels, answered } of series.values()) this.inc(labels, answered);
      },
    });
    app.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
      const route = routeOf(request);
      const key = `${request.method} ${reply.statusCode} ${route}`;
      let tally = series.get(key);
      if (tally === undefined) {
        const labels = { method: request.method, route, status_code: String(reply.statusCode) };
        const child = duration.labels(labels);
        tally = { labels, observe: (seconds) => child.observe(seconds), answered: 0 };
        series.set(key, tally);
      }
      tally.answered += 1;
      tally.observe(reply.elapsedTime / 1000);
      done();
    });
  },
  { name: 'portal-http-metrics' },
);

function routeOf(request: FastifyRequest): string {
  // A 404 from the not-found handler has no pattern; neither does a request refused before routing.
  return request.routeOptions.url ?? UNMATCHED_ROUTE;
}
