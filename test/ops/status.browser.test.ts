// /status in a real browser: Debian's Chromium through playwright-core, axe-core's WCAG 2.1 AA rules
// on a page with failing, gone, moved and link-only sources and a refused feeds-file edit.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AxeResults } from 'axe-core';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finishPollRun, recordFailure, recordSuccess, startPollRun } from '../../src/store/index.js';
import { REPO_ROOT } from '../fixtures/ops/portal-process.js';
import { startPortal, type TestPortal } from '../fixtures/web/portal-fixture.js';

const CHROMIUM = '/usr/bin/chromium';
const NOW = Date.UTC(2026, 5, 1, 12, 0);
const MINUTE = 60_000;
const hasChromium = existsSync(CHROMIUM);
const required = process.env.CI === 'true';

describe.skipIf(!hasChromium && !required)('/status in Chromium', () => {
  let portal: TestPortal;
  let context: BrowserContext;
  let tempDir: string;

  beforeAll(async () => {
    if (!hasChromium) throw new Error(`status browser test: ${CHROMIUM} is missing, and CI=true requires it`);
    tempDir = mkdtempSync(join(tmpdir(), 'status-browser-'));
    portal = await startPortal({
      databasePath: join(tempDir, 'portal.db'),
      deps: {
        runtimeStatus: () => ({
          pollSchedule: '*/30 * * * *',
          passRunning: false,
          config: {
            file: '/srv/portal/feeds.yaml',
            lastGoodLoadAt: NOW - 10 * MINUTE,
            lastAttemptAt: NOW - MINUTE,
            refused: { at: NOW - MINUTE, issues: ["/srv/portal/feeds.yaml:7:5: unknown key 'colour'"] },
            sources: { total: 7, withFeed: 5, linkOnly: 2 },
          },
        }),
      },
    });
    const { db } = portal.store;
    const run = await startPollRun(db, 'schedule', NOW - 5 * MINUTE);
    await recordFailure(db, 'epatient-dave', { now: NOW - 4 * MINUTE, status: 503, error: 'fetch: HTTP 503', errorKind: 'http', durationMs: 40, nextPollAt: NOW + 26 * MINUTE });
    await recordSuccess(db, 'health-it-buzz', { now: NOW - 4 * MINUTE, status: 304, durationMs: 12, nextPollAt: null, movedTo: 'https://moved.example.org/feed' });
    await recordFailure(db, 'himss', { now: NOW - 4 * MINUTE, status: 410, error: 'fetch: HTTP 410 Gone', errorKind: 'gone', durationMs: 9, nextPollAt: null, gone: true });
    // A long address must wrap, not push the page wider.
    await db
      .updateTable('sources')
      .set({ feed_url: `https://reginaholliday.blogspot.example.com/feeds/posts/default?alt=rss&max-results=200&orderby=published&${'x'.repeat(60)}=1` })
      .where('id', '=', 'regina-holliday')
      .execute();
    await finishPollRun(db, run, NOW - 3 * MINUTE, { sourcesDue: 5, fetched: 3, notModified: 1, errors: 2, entriesAdded: 0, entriesUpdated: 0 });
    await portal.app.listen({ host: '127.0.0.1', port: 0 });
    context = await chromium.launchPersistentContext(join(tempDir, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
      viewport: { width: 1280, height: 900 },
    });
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await portal?.close();
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  });

  it.each([
    [1280, 900],
    [375, 812],
  ])('shows every column of every source without scrolling sideways at %i px', async (width, height) => {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.setViewportSize({ width, height });
    const port = (portal.app.server.address() as AddressInfo).port;
    await page.goto(`http://127.0.0.1:${port}/status`);
    const layout = await page.evaluate(() => {
      const table = document.getElementById('sources-status-caption')!.closest('table')!;
      const cells = Array.from(table.querySelectorAll<HTMLElement>('tbody th, tbody td'));
      return {
        viewport: window.innerWidth,
        columns: table.querySelectorAll('thead th').length,
        pageWidth: document.documentElement.scrollWidth,
        cells: cells.length,
        outside: cells.filter((cell) => {
          const box = cell.getBoundingClientRect();
          // Stacked on a phone, each cell spans its card; side by side, none is squeezed to a sliver.
          const narrowest = window.innerWidth < 768 ? window.innerWidth * 0.6 : 40;
          return box.left < 0 || box.right > window.innerWidth + 0.5 || box.width < narrowest;
        }).length,
        clipped: cells.filter((cell) => cell.scrollWidth > cell.clientWidth + 1).length,
      };
    });
    expect(layout.pageWidth).toBeLessThanOrEqual(layout.viewport);
    expect(layout.cells).toBe(7 * layout.columns);
    expect(layout).toMatchObject({ outside: 0, clipped: 0 });
    // Stacked on a phone, each cell names itself; on a desktop the column headers do.
    const label = await page.evaluate(() => getComputedStyle(document.querySelector('tr[id^="source-"] td')!, '::before').content);
    expect(label).toBe(width < 768 ? '"State: "' : 'none');
  });

  it('passes axe-core WCAG 2.1 AA at 375 px too', async () => {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.setViewportSize({ width: 375, height: 812 });
    const port = (portal.app.server.address() as AddressInfo).port;
    await page.goto(`http://127.0.0.1:${port}/status`);
    await page.evaluate(readFileSync(join(REPO_ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8'));
    const results = await page.evaluate(
      () =>
        (globalThis as unknown as { axe: { run: (ctx: Document, options: object) => Promise<AxeResults> } }).axe.run(document, {
          runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
        }),
    );
    expect(results.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('passes axe-core WCAG 2.1 AA with no console error (no CSP violation)', async () => {
    const page = context.pages()[0] ?? (await context.newPage());
    const errors: string[] = [];
    page.on('console', (message) => void (message.type() === 'error' && errors.push(message.text())));
    const port = (portal.app.server.address() as AddressInfo).port;
    const response = await page.goto(`http://127.0.0.1:${port}/status`);
    expect(response?.status()).toBe(200);
    expect(await page.locator('table caption').first().textContent()).toContain("Each source's last poll");
    expect(await page.locator('tr[id^="source-"] > th[scope="row"]').count()).toBe(7);
    await page.evaluate(readFileSync(join(REPO_ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8'));
    const results = await page.evaluate(
      () =>
        (globalThis as unknown as { axe: { run: (ctx: Document, options: object) => Promise<AxeResults> } }).axe.run(document, {
          runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
        }),
    );
    expect(results.passes.length).toBeGreaterThan(10);
    expect(results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join('; ')})`)).toEqual([]);
    expect(errors).toEqual([]);
  });
});
