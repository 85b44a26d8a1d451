import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { FetchResult } from '../../core/types.js';
import { digestFeed, refreshSource } from '../../refresh/index.js';
import { finishPollRun, getSource, recordFailure, recordSuccess, startPollRun } from '../../store/index.js';
import { LiveConfig } from '../../worker/index.js';
import { brokenFeedsYaml, feedsYaml } from '../../../test/fixtures/ops/feeds-yaml.js';
import { parsePrometheusText, sampleValue } from '../../../test/fixtures/ops/prometheus-text.js';
import { memoryLog } from '../../../test/fixtures/refresh/memory-log.js';
import { expectSecurityHeaders } from '../../../test/fixtures/web/assertions.js';
import { startPortal, type PortalOptions, type TestPortal } from '../../../test/fixtures/web/portal-fixture.js';
import type { RuntimeStatus } from '../status-report.js';
import { describeEachDatabase } from '../../../test/helpers/store.js';

describeEachDatabase('the operator pages', (kind) => {
  const NOW = Date.UTC(2026, 5, 1, 12, 0);
  const MINUTE = 60_000;
  const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

  let portal: TestPortal | undefined;
  afterEach(async () => {
    await portal?.close();
    portal = undefined;
  });

  const RUNTIME: RuntimeStatus = {
    pollSchedule: '*/30 * * * *',
    passRunning: false,
    config: {
      file: '/etc/portal/feeds.yaml',
      lastGoodLoadAt: NOW - 10 * MINUTE,
      lastAttemptAt: NOW - MINUTE,
      refused: { at: NOW - MINUTE, issues: ["/etc/portal/feeds.yaml:7:5: unknown key 'colour'", '/etc/portal/feeds.yaml:9:12: feed must be an http(s) URL <b>'] },
      sources: { total: 7, withFeed: 5, linkOnly: 2 },
    },
  };

  /** The fixture portal after a pass: one source failing and backing off, one moved, one gone, one never polled. */
  async function polledPortal(options: PortalOptions = {}): Promise<TestPortal> {
    portal = await startPortal({ kind, deps: { runtimeStatus: () => RUNTIME, ...options.deps }, ...options });
    const { db } = portal.store;
    const run = await startPollRun(db, 'schedule', NOW - 5 * MINUTE);
    await recordFailure(db, 'epatient-dave', { now: NOW - 4 * MINUTE, status: 503, error: 'fetch: HTTP 503 Service Unavailable', errorKind: 'http', durationMs: 40, nextPollAt: NOW + 26 * MINUTE });
    await recordFailure(db, 'epatient-dave', { now: NOW - 4 * MINUTE, status: 503, error: 'fetch: HTTP 503 Service Unavailable', errorKind: 'http', durationMs: 40, nextPollAt: NOW + 26 * MINUTE });
    await recordSuccess(db, 'health-it-buzz', { now: NOW - 4 * MINUTE, status: 304, durationMs: 12, nextPollAt: null, movedTo: 'https://www.healthit.example.gov/buzz/feed', owner: 'host-b:4242:worker' });
    await recordFailure(db, 'himss', { now: NOW - 4 * MINUTE, status: 410, error: 'fetch: HTTP 410 Gone', errorKind: 'gone', durationMs: 9, nextPollAt: null, gone: true });
    await finishPollRun(db, run, NOW - 3 * MINUTE, { sourcesDue: 5, fetched: 3, notModified: 1, errors: 2, entriesAdded: 0, entriesUpdated: 0 });
    return portal;
  }

  describe('GET /status.json', () => {
    it('gives every active source with its health, snake_case keys and ISO times', async () => {
      const { app } = await polledPortal();
      const response = await app.inject('/status.json');
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(response.headers['cache-control']).toBe('no-store');
      const body = response.json();
      expect(Object.keys(body)).toEqual(['generated_at', 'poll_schedule', 'pass_running', 'config', 'last_pass', 'totals', 'sources']);
      expect(body.generated_at).toBe(new Date(NOW).toISOString());
      expect(body.sources.map((s: { id: string }) => s.id)).toEqual(['regina-holliday', 'epatient-dave', 'health-it-buzz', 'mind-the-gap', 'himss', 'spm-facebook', 'onc-twitter']);
      const byId = Object.fromEntries(body.sources.map((s: { id: string }) => [s.id, s]));
      expect(Object.keys(byId['regina-holliday'])).toEqual([
        'id', 'title', 'category', 'site_url', 'feed_url', 'state', 'last_attempt_at', 'last_success_at', 'last_status', 'last_polled_by', 'last_error',
        'error_kind', 'last_duration_ms', 'error_count', 'backoff_until', 'in_backoff', 'next_poll_at', 'entry_count', 'newest_entry_at', 'moved_to', 'websub',
      ]);
      expect(byId['regina-holliday']).toMatchObject({ state: 'ok', last_status: 200, last_error: null, error_kind: null, error_count: 0, entry_count: 12, in_backoff: false, next_poll_at: null });
      expect(byId['regina-holliday'].newest_entry_at).toMatch(ISO);
      expect(byId['epatient-dave']).toMatchObject({
        state: 'failing',
        last_status: 503,
        last_error: 'HTTP 503',
        error_kind: 'http',
        error_count: 2,
        in_backoff: true,
        backoff_until: new Date(NOW + 26 * MINUTE).toISOString(),
        next_poll_at: new Date(NOW + 26 * MINUTE).toISOString(),
        last_attempt_at: new Date(NOW - 4 * MINUTE).toISOString(),
      });
      expect(byId['health-it-buzz']).toMatchObject({ state: 'ok', last_status: 304, last_polled_by: 'host-b:4242:worker', moved_to: 'https://www.healthit.example.gov/buzz/feed' });
      expect(byId.himss).toMatchObject({ state: 'gone', last_status: 410, last_error: 'Gone (HTTP 410)', error_kind: 'gone', next_poll_at: null, in_backoff: false });
      expect(byId['spm-facebook']).toMatchObject({ state: 'link-only', feed_url: null, last_attempt_at: null, next_poll_at: null, entry_count: 0 });
      expect(body.last_pass).toEqual({
        id: 1,
        trigger: 'schedule',
        started_at: new Date(NOW - 5 * MINUTE).toISOString(),
        finished_at: new Date(NOW - 3 * MINUTE).toISOString(),
        sources_due: 5,
        fetched: 3,
        not_modified: 1,
        errors: 2,
        entries_added: 0,
        entries_updated: 0,
      });
      expect(body.totals).toEqual({ sources: 7, ok: 3, failing: 1, in_backoff: 1, gone: 1, pending: 0, link_only: 2, entries: 60, feedback_responses: 0 });
    });

    it('shows the feeds file state with a refused edit and its FILE:LINE:COL issues, the file by its base name', async () => {
      const { app } = await polledPortal();
      const body = (await app.inject('/status.json')).json();
      expect(body.poll_schedule).toBe('*/30 * * * *');
      expect(body.pass_running).toBe(false);
      expect(body.config).toEqual({
        file: 'feeds.yaml',
        last_good_load_at: new Date(NOW - 10 * MINUTE).toISOString(),
        last_attempt_at: new Date(NOW - MINUTE).toISOString(),
        refused: { at: new Date(NOW - MINUTE).toISOString(), issues: ["feeds.yaml:7:5: unknown key 'colour'", 'feeds.yaml:9:12: feed must be an http(s) URL <b>'] },
        sources: { total: 7, with_feed: 5, link_only: 2 },
      });
    });

    it('says null, not made-up values, before any pass and without a runtime', async () => {
      portal = await startPortal({ kind, entries: {} });
      const body = (await portal.app.inject('/status.json')).json();
      expect(body).toMatchObject({ config: null, last_pass: null, poll_schedule: null, pass_running: null });
      expect(body.sources[0]).toMatchObject({ state: 'pending', last_attempt_at: null, last_success_at: null, entry_count: 0, newest_entry_at: null });
    });
  });

  /** A source's row of /status as text: tags out, each cell's data-label in front of it, spaces collapsed. */
  function sourceRow(html: string, id: string): string {
    const row = new RegExp(`<tr id="source-${id}"[\\s\\S]*?</tr>`).exec(html)?.[0] ?? '';
    return row
      .replace(/<td data-label="([^"]+)"[^>]*>/g, ' $1 ')
      .replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim();
  }

  describe('GET /status', () => {
    it('is an HTML page in the site layout with accessible tables', async () => {
      const { app } = await polledPortal();
      const response = await app.inject('/status');
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(response.headers['cache-control']).toBe('no-store');
      expectSecurityHeaders(response);
      const html = response.body;
      expect(html).toContain('<title>Status of the sources · Patient Engagement for Care Teams</title>');
      expect(html).toContain('class="skip-link"');
      expect(html).toContain('<caption id="sources-status-caption">');
      expect(html.match(/<th scope="col"/g)).toHaveLength(6);
      expect(html.match(/<th scope="row" role="rowheader">\s*<a href="\/sources\//g)).toHaveLength(7);
      const dave = sourceRow(html, 'epatient-dave');
      expect(dave).toContain('State Failing Error: HTTP 503 Consecutive errors: 2');
      expect(dave).toContain('HTTP status: 503');
      expect(dave).not.toContain('Polled by');
      expect(sourceRow(html, 'health-it-buzz')).toContain('Polled by: host-b:4242:worker');
      expect(html).not.toContain('Service Unavailable');
      expect(/<tr id="source-epatient-dave"[\s\S]*?<\/tr>/.exec(html)?.[0]).toMatch(
        new RegExp(`data-label="Next poll" role="cell">\\s*<time datetime="${new Date(NOW + 26 * MINUTE).toISOString()}">June 1, 2026[^<]*7:26 AM CDT</time>`),
      );
      expect(html).toContain('<a href="https://www.healthit.example.gov/buzz/feed">https://www.healthit.example.gov/buzz/feed</a>');
      expect(html).toContain('never, until its feed URL changes');
      expect(html).toContain('never (no feed)');
      expect(html).toContain('<tr><th scope="row">Not modified (304)</th><td>1</td></tr>');
    });

    it('shows a refused edit with each issue, escaped', async () => {
      const { app } = await polledPortal();
      const html = (await app.inject('/status')).body;
      expect(html).toContain('The last edit of the feeds file was refused');
      expect(html).toContain("<li><code>feeds.yaml:7:5: unknown key &#x27;colour&#x27;</code></li>");
      expect(html).not.toContain('/etc/portal');
      expect(html).toContain('feed must be an http(s) URL &lt;b&gt;');
      expect(html).not.toContain('URL <b>');
    });

    it('shows the page of a portal that has polled nothing yet', async () => {
      portal = await startPortal({ kind, entries: {} });
      const html = (await portal.app.inject('/status')).body;
      expect(html).toContain('No poll pass has run yet.');
      expect(html).toContain('Not polled yet');
      expect(html).not.toContain('The last edit of the feeds file was refused');
    });
  });

  describe('/status and /status.json keep operator details to the operator', () => {
    const INTERNAL_MESSAGE = 'fetch: connect ECONNREFUSED 10.0.0.5:8080';

    /** Refreshes one fixture source through a fetcher that fails as `result` says; returns the log. */
    async function failRefresh(app: TestPortal, id: string, result: Extract<FetchResult, { kind: 'error' }>) {
      const memory = memoryLog();
      const row = await getSource(app.store.db, id);
      const config = app.config.sources.find((source) => source.id === id);
      if (!row || !config) throw new Error(`no fixture source ${id}`);
      const deps = { db: app.store.db, fetchFeed: async () => result, digest: digestFeed, log: memory.log, now: () => NOW - MINUTE, fetchOptions: { timeoutMs: 1000, userAgent: 'test' } };
      const report = await refreshSource(deps, { row, config, defaultMaxEntries: 200 });
      return { report, memory };
    }

    it('show a refused connection to an internal address as "Could not connect", with the address only in the log', async () => {
      portal = await startPortal({ kind });
      const { report, memory } = await failRefresh(portal, 'epatient-dave', { kind: 'error', code: 'network', message: INTERNAL_MESSAGE, durationMs: 3 });
      expect(report.error).toBe(INTERNAL_MESSAGE);
      expect(memory.warnings().find((l) => l.source_id === 'epatient-dave')).toMatchObject({ error: INTERNAL_MESSAGE, error_kind: 'network' });

      const json = await portal.app.inject('/status.json');
      const page = await portal.app.inject('/status');
      const dave = (json.json() as { sources: { id: string }[] }).sources.find((s) => s.id === 'epatient-dave');
      expect(dave).toMatchObject({ state: 'failing', last_error: 'Could not connect', error_kind: 'network', error_count: 1 });
      expect(sourceRow(page.body, 'epatient-dave')).toContain('Error: Could not connect');
      for (const body of [json.body, page.body]) {
        expect(body).not.toContain('10.0.0.5');
        expect(body).not.toContain('ECONNREFUSED');
      }
    });

    it('give each kind its few words, and a failure recorded before kinds existed says only "Failed"', async () => {
      portal = await startPortal({ kind });
      const { db } = portal.store;
      const fail = (id: string, errorKind: 'timeout' | 'too-complex' | 'parse', error: string) =>
        recordFailure(db, id, { now: NOW - MINUTE, error, errorKind, durationMs: 1, nextPollAt: NOW + MINUTE });
      await fail('regina-holliday', 'timeout', 'fetch: timed out after 20000 ms');
      // A permanent redirect towards the refused address: its target is not shown as "moved to" either.
      await recordFailure(db, 'epatient-dave', {
        now: NOW - MINUTE, error: 'fetch: refused http://192.168.1.20/feed', errorKind: 'blocked', durationMs: 1, nextPollAt: NOW + MINUTE, movedTo: 'http://192.168.1.20/feed',
      });
      await fail('health-it-buzz', 'too-complex', 'digest: /srv/portal parse ran past 2000 ms');
      await fail('mind-the-gap', 'parse', 'parse: unexpected close tag at /var/lib/portal line 3');
      await db.updateTable('sources').set({ last_error: 'store: SQLITE_IOERR at /srv/portal/data', last_error_kind: null, error_count: 1 }).where('id', '=', 'himss').execute();

      const json = await portal.app.inject('/status.json');
      const words = Object.fromEntries((json.json() as { sources: { id: string; last_error: string | null; error_kind: string | null }[] }).sources.map((s) => [s.id, [s.error_kind, s.last_error]]));
      expect(words).toMatchObject({
        'regina-holliday': ['timeout', 'Timed out'],
        'epatient-dave': ['blocked', 'Refused: private address'],
        'health-it-buzz': ['too-complex', 'Too complex to read'],
        'mind-the-gap': ['parse', 'Not a readable feed'],
        himss: ['unknown', 'Failed'],
        'spm-facebook': [null, null],
      });
      const page = (await portal.app.inject('/status')).body;
      for (const shown of ['Timed out', 'Refused: private address', 'Too complex to read', 'Not a readable feed']) expect(page).toContain(`Error: ${shown}`);
      expect(sourceRow(page, 'himss')).toContain('Error: Failed');
      for (const body of [json.body, page]) {
        for (const hidden of ['192.168.1.20', '/srv/portal', '/var/lib/portal', 'SQLITE_IOERR', '20000 ms']) expect(body).not.toContain(hidden);
      }
    });

    it('name the feeds file by its base name, in the refused edit too: the server folder shows nowhere', async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'status-feeds-'));
      try {
        const file = path.join(dir, 'feeds.yaml');
        const sources = [{ id: 'alpha', feed: 'https://alpha.example.org/feed.xml' }];
        await writeFile(file, feedsYaml(sources));
        const runtime: RuntimeStatus = {};
        portal = await startPortal({ kind, deps: { runtimeStatus: () => runtime } });
        const live = new LiveConfig({ file, initial: portal.config, db: portal.store.db, log: memoryLog().log, now: () => NOW });
        await writeFile(file, brokenFeedsYaml(sources));
        expect((await live.reload('watch')).applied).toBe(false);
        runtime.config = live.state();
        expect(runtime.config.refused?.issues[0]?.startsWith(`${file}:7:5: `)).toBe(true);

        const json = await portal.app.inject('/status.json');
        const page = await portal.app.inject('/status');
        expect(json.json()).toMatchObject({ config: { file: 'feeds.yaml', refused: { issues: [expect.stringMatching(/^feeds\.yaml:7:5: unknown key 'colour'/)] } } });
        expect(page.body).toContain('<code>feeds.yaml:7:5: unknown key');
        expect(page.body).toContain('<tr><th scope="row">File</th><td><code>feeds.yaml</code></td></tr>');
        for (const body of [json.body, page.body]) {
          expect(body).not.toContain(dir);
          expect(body).not.toContain(tmpdir());
        }
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });

  describe('GET /healthz', () => {
    it('answers 200 ok while the database answers, through the ping given', async () => {
      let pings = 0;
      portal = await startPortal({ kind, deps: { pingDatabase: () => void (pings += 1) } });
      const response = await portal.app.inject('/healthz');
      expect(response.statusCode).toBe(200);
      expect(response.body).toBe('ok\n');
      expect(response.headers['cache-control']).toBe('no-store');
      expect(pings).toBe(1);
    });

    it('answers 503 once the database is closed', async () => {
      // No ping given: the route falls back to the stream-version read.
      const { app, store } = await startPortal({ kind });
      try {
        expect((await app.inject('/healthz')).statusCode).toBe(200);
        await store.close();
        const response = await app.inject('/healthz');
        expect(response.statusCode).toBe(503);
        expect(response.body).toBe('unavailable: the database does not answer\n');
      } finally {
        await app.close();
      }
    });

    it('answers 503 when the ping fails with an I/O error', async () => {
      portal = await startPortal({
        kind,
        deps: {
          pingDatabase: () => {
            throw new Error('disk I/O error');
          },
        },
      });
      expect((await portal.app.inject('/healthz')).statusCode).toBe(503);
    });
  });

  describe('GET /metrics', () => {
    it('is absent without a registry', async () => {
      portal = await startPortal({ kind });
      expect((await portal.app.inject('/metrics')).statusCode).toBe(404);
    });

    it('answers loopback peers by default, an IPv4-mapped one too, and refuses others with a 403 that carries no metric', async () => {
      const { app } = (portal = await startPortal({ kind, deps: { metrics: new Registry() } }));
      const scrape = (remoteAddress: string) => app.inject({ url: '/metrics', remoteAddress });
      for (const address of ['127.0.0.1', '127.0.0.53', '::1', '::ffff:127.0.0.1']) {
        expect((await scrape(address)).statusCode, address).toBe(200);
      }
      for (const address of ['10.0.0.5', '192.168.1.20', '::ffff:10.0.0.5', '2001:db8::1']) {
        const refused = await scrape(address);
        expect(refused.statusCode, address).toBe(403);
        expect(refused.body).toBe('forbidden: /metrics answers only the networks in METRICS_ALLOWED_NETWORKS\n');
        expect(refused.headers['cache-control']).toBe('no-store');
        expectSecurityHeaders(refused);
      }
    });

    it('answers the networks it is given instead, and never a request a proxy forwarded', async () => {
      const { app } = (portal = await startPortal({ kind, deps: { metrics: new Registry(), metricsAllowedNetworks: ['10.20.0.0/16', '2001:db8::7/128'] } }));
      const scrape = (remoteAddress: string, headers: Record<string, string> = {}) => app.inject({ url: '/metrics', remoteAddress, headers });
      expect((await scrape('10.20.3.4')).statusCode).toBe(200);
      expect((await scrape('2001:db8::7')).statusCode).toBe(200);
      expect((await scrape('127.0.0.1')).statusCode).toBe(403);
      expect((await scrape('10.21.0.1')).statusCode).toBe(403);
      expect((await scrape('10.20.3.4', { 'x-forwarded-for': '10.20.3.4' })).statusCode).toBe(403);
      expect((await scrape('10.20.3.4', { forwarded: 'for=10.20.3.4' })).statusCode).toBe(403);
    });

    it('serves the registry as Prometheus text, with HTTP metrics labelled by route pattern and default process metrics', async () => {
      const registry = new Registry();
      collectDefaultMetrics({ register: registry });
      portal = await startPortal({ kind, deps: { metrics: registry } });
      const { app } = portal;
      await app.inject('/sources/regina-holliday');
      await app.inject('/sources/himss');
      await app.inject('/no/such/page');
      await app.inject('/random-probe-123');
      await app.inject({ method: 'HEAD', url: '/healthz' });
      const response = await app.inject('/metrics');
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
      expect(response.headers['cache-control']).toBe('no-store');
      const families = parsePrometheusText(response.body);
      expect(families.get('portal_http_requests_total')?.type).toBe('counter');
      expect(families.get('portal_http_request_duration_seconds')?.type).toBe('histogram');
      expect(families.has('process_cpu_user_seconds_total')).toBe(true);
      expect(families.has('nodejs_heap_size_used_bytes')).toBe(true);
      expect(sampleValue(families, 'portal_http_requests_total', { method: 'GET', route: '/sources/:id', status_code: '200' })).toBe(2);
      expect(sampleValue(families, 'portal_http_requests_total', { method: 'GET', route: 'unmatched', status_code: '404' })).toBe(2);
      expect(sampleValue(families, 'portal_http_requests_total', { method: 'HEAD', route: '/healthz', status_code: '200' })).toBe(1);
      const routes = new Set(families.get('portal_http_requests_total')?.samples.map((s) => s.labels.route));
      expect([...routes].some((r) => r?.includes('regina') || r?.includes('probe'))).toBe(false);
      expect(sampleValue(families, 'portal_http_request_duration_seconds_count', { method: 'GET', route: '/sources/:id', status_code: '200' })).toBe(2);
    });
  });
});
