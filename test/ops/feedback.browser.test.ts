// The feedback form in a real browser with script off: Debian's Chromium through playwright-core.
// A person fills it by its labels and lands on the thank-you page; sent empty it comes back with
// its errors, summarised and linked to their fields; axe-core's WCAG 2.1 A/AA rules pass on the
// form and on its error page at 1280 and 375 px.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AxeResults } from 'axe-core';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listFeedback } from '../../src/store/index.js';
import { REPO_ROOT } from '../fixtures/ops/portal-process.js';
import { startPortal, type TestPortal } from '../fixtures/web/portal-fixture.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const required = process.env.CI === 'true';
const AXE = readFileSync(join(REPO_ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8');

describe.skipIf(!hasChromium && !required)('the feedback form in Chromium, script off', () => {
  let portal: TestPortal;
  let browser: Browser;
  let context: BrowserContext;
  /** For axe-core alone, which is a script: the pages have none, so they are the same with it on. */
  let axeContext: BrowserContext;
  let tempDir: string;
  let base: string;

  beforeAll(async () => {
    if (!hasChromium) throw new Error(`feedback browser test: ${CHROMIUM} is missing, and CI=true requires it`);
    tempDir = mkdtempSync(join(tmpdir(), 'feedback-browser-'));
    portal = await startPortal({ databasePath: join(tempDir, 'portal.db'), entries: {} });
    await portal.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(portal.app.server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 900 } });
    axeContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await axeContext?.close();
    await browser?.close();
    await portal?.close();
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  });

  /** A new page that records console errors (a CSP violation would be one). */
  async function newPage(width = 1280, height = 900, on = context): Promise<{ page: Page; errors: string[] }> {
    const page = await on.newPage();
    await page.setViewportSize({ width, height });
    const errors: string[] = [];
    page.on('console', (message) => {
      // Chromium reports every 4xx document as "Failed to load resource": expected here.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) errors.push(message.text());
    });
    return { page, errors };
  }

  /** axe-core's WCAG 2.1 A and AA rules, run by the test harness (the page itself has no script). */
  async function axeViolations(page: Page): Promise<string[]> {
    await page.evaluate(AXE);
    const results = await page.evaluate(
      () =>
        (globalThis as unknown as { axe: { run: (ctx: Document, options: object) => Promise<AxeResults> } }).axe.run(document, {
          runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
        }),
    );
    expect(results.passes.length).toBeGreaterThan(10);
    return results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join('; ')})`);
  }

  async function sendEmpty(page: Page): Promise<void> {
    await page.goto(`${base}/feedback`);
    const [response] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.getByRole('button', { name: 'Send feedback' }).click()]);
    expect(response.status()).toBe(400);
    await page.waitForLoadState();
  }

  it('is filled by its labels, sent, and lands on the thank-you page', async () => {
    const { page, errors } = await newPage();
    await page.goto(`${base}/feedback`);
    await page.getByRole('group', { name: /How useful was the portal/ }).getByLabel('4', { exact: true }).check();
    await page.getByLabel('Something else', { exact: true }).check();
    await page.getByLabel('If something else, what?').fill('Sources for a grant application');
    await page.getByRole('group', { name: /Did you find what you came for/ }).getByLabel('Partly').check();
    await page.getByLabel('Anything else you would like to tell us?').fill('More from North Dakota, please.');
    await page.getByLabel('Your email address, if you would like a reply').fill('nurse@example.org');
    await page.getByRole('button', { name: 'Send feedback' }).click();
    await page.waitForURL(`${base}/feedback/thanks`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Thank you');
    expect(await listFeedback(portal.store.db)).toMatchObject([
      { usefulness: 4, cameFor: 'other', cameForOther: 'Sources for a grant application', found: 'partly', comment: 'More from North Dakota, please.', email: 'nurse@example.org' },
    ]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('sent empty, comes back with a focused summary whose links lead to the fields', async () => {
    const { page, errors } = await newPage();
    await sendEmpty(page);
    expect(await page.title()).toMatch(/^Error: Feedback/);
    const summary = page.locator('#feedback-errors');
    expect(await summary.evaluate((element) => element === document.activeElement)).toBe(true);
    expect(await summary.getByRole('link').allTextContents()).toEqual([
      'Choose how useful the portal was, from 1 to 5.',
      'Choose what you came to the portal for.',
      'Say whether you found what you came for.',
    ]);
    // Each group names its error to a screen reader.
    const group = page.getByRole('group', { name: /How useful was the portal/ });
    expect(await group.getAttribute('aria-describedby')).toBe('feedback-usefulness-error');
    await summary.getByRole('link', { name: 'Choose what you came to the portal for.' }).click();
    expect(await page.locator('#feedback-came-for-news').evaluate((element) => element === document.activeElement)).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });

  it.each([
    [1280, 900],
    [375, 812],
  ])('passes axe-core WCAG 2.1 A/AA on the form and its error page at %i px, with no sideways scrolling', async (width, height) => {
    const { page, errors } = await newPage(width, height, axeContext);
    await page.goto(`${base}/feedback`);
    expect(await axeViolations(page)).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await sendEmpty(page);
    expect(await page.locator('.error-summary').count()).toBe(1);
    expect(await axeViolations(page)).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });
});
