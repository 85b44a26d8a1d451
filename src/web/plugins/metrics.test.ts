import Fastify from 'fastify';
import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { TallyHistogram, httpMetricsPlugin } from './metrics.js';

const BOUNDS = [0.005, 0.01, 0.025, 0.05, 0.1];
const SECONDS = [0.001, 0.005, 0.0051, 0.02, 0.02, 0.3, 7, 0.099, 0, 0.05];
const LABELS = [
  { method: 'GET', route: '/', status_code: '200' },
  { method: 'GET', route: '/sources/:id', status_code: '200' },
  { method: 'HEAD', route: 'unmatched', status_code: '404' },
];

describe('TallyHistogram', () => {
  it('scrapes exactly as prom-client’s Histogram does for the same observations, byte for byte', async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const tally = new TallyHistogram('t_seconds', 'Time.', BOUNDS);
    ours.registerMetric(tally as unknown as Histogram);
    const histogram = new Histogram({ name: 't_seconds', help: 'Time.', labelNames: ['method', 'route', 'status_code'], buckets: BOUNDS, registers: [theirs] });
    const series = LABELS.map((labels) => tally.series(labels));
    SECONDS.forEach((seconds, i) => {
      const which = i % LABELS.length;
      tally.observe(series[which]!, seconds);
      histogram.observe(LABELS[which]!, seconds);
    });
    expect(await ours.metrics()).toBe(await theirs.metrics());
    expect(await ours.getMetricsAsJSON()).toEqual(JSON.parse(JSON.stringify(await theirs.getMetricsAsJSON())));
  });

  it('starts its series again from zero when the registry is reset', async () => {
    const registry = new Registry();
    const tally = new TallyHistogram('t_seconds', 'Time.', BOUNDS);
    registry.registerMetric(tally as unknown as Histogram);
    const series = tally.series(LABELS[0]!);
    tally.observe(series, 0.02);
    registry.resetMetrics();
    expect(await registry.metrics()).toContain('t_seconds_count{method="GET",route="/",status_code="200"} 0');
  });
});

describe('httpMetricsPlugin', () => {
  it('times and counts each response under its route pattern', async () => {
    const registry = new Registry();
    const app = Fastify();
    await app.register(httpMetricsPlugin, { registry });
    app.get('/items/:id', async () => 'ok');
    await app.inject('/items/1');
    await app.inject('/items/2');
    await app.inject('/nowhere');
    const text = await registry.metrics();
    expect(text).toContain('portal_http_requests_total{method="GET",route="/items/:id",status_code="200"} 2');
    expect(text).toContain('portal_http_request_duration_seconds_count{method="GET",route="/items/:id",status_code="200"} 2');
    expect(text).toContain('portal_http_request_duration_seconds_bucket{le="+Inf",method="GET",route="unmatched",status_code="404"} 1');
    await app.close();
  });
});
