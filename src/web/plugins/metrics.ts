// HTTP metrics of the web server, on the registry main.ts made. Labelled by the route's URL
// pattern ('/sources/:id'), never the raw URL, so a crawler cannot grow the label set.
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import fp from 'fastify-plugin';
import { Counter, type Metric, type Registry } from 'prom-client';

export interface HttpMetricsOptions {
  registry: Registry;
}

/** The label for requests no route matched (404s, probes for random paths). */
export const UNMATCHED_ROUTE = 'unmatched';

const DURATION_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

const LABEL_NAMES = ['method', 'route', 'status_code'] as const;

type Labels = Record<(typeof LABEL_NAMES)[number], string>;

/** One method × route × status: its durations by bucket, and how many responses it had. */
interface Series {
  labels: Labels;
  /** Responses per bucket (not cumulative); the last slot is past every bound (+Inf). */
  counts: number[];
  sum: number;
  answered: number;
}

/**
 * The duration histogram as plain tallies, read by the registry when scraped. prom-client's own
 * Histogram checks and hashes its labels on every observe, even through a bound child (several µs a
 * response, the largest cost the metrics added to a cached page); here an observe is a bucket search
 * and three additions. Scraped, it gives what prom-client's Histogram gives for the same observations.
 */
export class TallyHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly all: Series[] = [];

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly bounds: readonly number[],
  ) {}

  /** A new series; the caller keeps it and counts into it with `observe`. */
  series(labels: Labels): Series {
    const series = { labels, counts: new Array<number>(this.bounds.length + 1).fill(0), sum: 0, answered: 0 };
    this.all.push(series);
    return series;
  }

  observe(series: Series, seconds: number): void {
    let slot = 0;
    while (slot < this.bounds.length && seconds > (this.bounds[slot] as number)) slot += 1;
    series.counts[slot] = (series.counts[slot] ?? 0) + 1;
    series.sum += seconds;
    series.answered += 1;
  }

  /** What the registry formats: prom-client's Histogram.get() shape (cumulative buckets, +Inf, sum, count). */
  async get() {
    const values = this.all.flatMap((series) => {
      const bucket = `${this.name}_bucket`;
      let cumulative = 0;
      const buckets = this.bounds.map((le, slot) => {
        cumulative += series.counts[slot] ?? 0;
        return { labels: { le, ...series.labels }, value: cumulative, metricName: bucket, exemplar: null };
      });
      return [
        ...buckets,
        { labels: { le: '+Inf', ...series.labels }, value: series.answered, metricName: bucket, exemplar: null },
        { labels: { ...series.labels }, value: series.sum, metricName: `${this.name}_sum` },
        { labels: { ...series.labels }, value: series.answered, metricName: `${this.name}_count` },
      ];
    });
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  reset(): void {
    for (const series of this.all) {
      series.counts.fill(0);
      series.sum = 0;
      series.answered = 0;
    }
  }
}

/**
 * Counts every response and times it, from arrival to the last byte handed to the socket. Per
 * response: one map lookup and a few additions on tallies made when the series first appeared (no
 * label object per request); the registry reads the histogram and the request counter off them when
 * scraped.
 */
export const httpMetricsPlugin = fp<HttpMetricsOptions>(
  async (app, { registry }) => {
    const series = new Map<string, Series>();
    const duration = new TallyHistogram(
      'portal_http_request_duration_seconds',
      'Time to answer an HTTP request.',
      DURATION_BUCKETS_SECONDS,
    );
    // The registry only calls get() and reset() on a metric; its type names prom-client's own classes.
    registry.registerMetric(duration as unknown as Metric);
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
        tally = duration.series({ method: request.method, route, status_code: String(reply.statusCode) });
        series.set(key, tally);
      }
      duration.observe(tally, reply.elapsedTime / 1000);
      done();
    });
  },
  { name: 'portal-http-metrics' },
);

function routeOf(request: FastifyRequest): string {
  // A 404 from the not-found handler has no pattern; neither does a request refused before routing.
  return request.routeOptions.url ?? UNMATCHED_ROUTE;
}
