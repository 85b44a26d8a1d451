// POST /feedback through app.inject, on both databases: stored and 303, or the form with its
// errors (400), too large (413), the wrong type (415), too many (429), the honeypot, bad bytes.
// Every answer carries the security headers, none is a 5xx, and no page shows what was sent.
import type { LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expectNoInlineCode, expectSecurityHeaders } from '../../../test/fixtures/web/assertions.js';
import { startPortal, type TestPortal } from '../../../test/fixtures/web/portal-fixture.js';
import { describeEachDatabase } from '../../../test/helpers/store.js';
import { countFeedback, listFeedback } from '../../store/index.js';

const FORM = 'application/x-www-form-urlencoded';
const VALID = { usefulness: '4', came_for: 'other', came_for_other: 'A grant application', found: 'partly', comment: 'Zanzibarian words\r\nover two lines', email: 'nurse@example.org', website: '' };

function encode(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

describeEachDatabase('POST /feedback', (kind) => {
  let portal: TestPortal;
  let clock: number;
  beforeEach(async () => {
    clock = Date.UTC(2026, 5, 1, 12, 0);
    portal = await startPortal({ kind, entries: {}, deps: { now: () => clock, feedback: { secret: 'test-secret-0123456789', retentionDays: 30 } } });
  });
  afterEach(async () => {
    await portal.close();
  });

  const post = (payload: string | Buffer, options: { type?: string | null; address?: string } = {}): Promise<LightMyRequestResponse> =>
    portal.app.inject({
      method: 'POST',
      url: '/feedback',
      payload,
      headers: options.type === null ? {} : { 'content-type': options.type ?? FORM },
      remoteAddress: options.address ?? '203.0.113.7',
    });

  function expectAnswer(response: LightMyRequestResponse, status: number): void {
    expect(response.statusCode).toBe(status);
    expectSecurityHeaders(response);
    if (status !== 303) expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
  }

  it('shows the form: labelled fields, grouped choices, the hidden trap field, no script', async () => {
    const response = await portal.app.inject('/feedback');
    expectAnswer(response, 200);
    const html = response.body;
    expectNoInlineCode(html);
    expect(html).toContain('<form class="feedback-form" action="/feedback" method="post"');
    expect(html.match(/<fieldset/g)).toHaveLength(3);
    expect(html.match(/<legend>/g)).toHaveLength(3);
    for (const id of ['feedback-came-for-other-text', 'feedback-comment', 'feedback-email', 'feedback-website', 'feedback-usefulness-5', 'feedback-found-no']) {
      expect(html).toContain(`<label for="${id}">`);
    }
    expect(html).toMatch(/<div class="feedback-trap" aria-hidden="true">[\s\S]*name="website" tabindex="-1" autocomplete="off"/);
    expect(html).not.toContain('error-summary');
  });

  it('stores a valid response and answers 303 to the thank-you page', async () => {
    const response = await post(encode(VALID));
    expectAnswer(response, 303);
    expect(response.headers.location).toBe('/feedback/thanks');
    expect(await listFeedback(portal.store.db)).toEqual([
      {
        id: expect.any(Number),
        receivedAt: clock,
        usefulness: 4,
        cameFor: 'other',
        cameForOther: 'A grant application',
        found: 'partly',
        comment: 'Zanzibarian words\nover two lines',
        email: 'nurse@example.org',
      },
    ]);
    const thanks = await portal.app.inject('/feedback/thanks');
    expectAnswer(thanks, 200);
    expect(thanks.body).toContain('<h1>Thank you</h1>');
  });

  it('sends an empty form back with 400, a summary linking to each field, and errors tied to their fields', async () => {
    const response = await post('');
    expectAnswer(response, 400);
    const html = response.body;
    expectNoInlineCode(html);
    expect(html).toContain('<title>Error: Feedback');
    expect(html).toMatch(/<div class="error-summary" id="feedback-errors" tabindex="-1" autofocus/);
    expect([...html.matchAll(/<li><a href="(#[^"]+)">/g)].map((m) => m[1])).toEqual(['#feedback-usefulness-1', '#feedback-came-for-news', '#feedback-found-yes']);
    expect(html).toContain('<fieldset class="form-group has-error" aria-describedby="feedback-usefulness-error">');
    expect(html).toContain('<p class="error-message" id="feedback-usefulness-error">');
    expect(html).toMatch(/id="feedback-usefulness-1" name="usefulness" value="1" aria-invalid="true"/);
    expect(await countFeedback(portal.store.db)).toBe(0);
  });

  it('keeps what was sent, escaped, when the form comes back', async () => {
    const response = await post(encode({ ...VALID, usefulness: '9', email: 'not an email', comment: '</textarea><script>alert(1)</script>' }));
    expectAnswer(response, 400);
    const html = response.body;
    expectNoInlineCode(html);
    expect(html).toContain('&lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;</textarea>');
    expect(html).toMatch(/id="feedback-came-for-other" name="came_for" value="other" checked/);
    expect(html).toMatch(/id="feedback-found-partly" name="found" value="partly" checked/);
    expect(html).toContain('value="A grant application"');
    expect(html).toMatch(/id="feedback-email"[^>]*value="not an email" aria-describedby="feedback-email-hint feedback-email-error" aria-invalid="true"/);
    expect([...html.matchAll(/<li><a href="(#[^"]+)">/g)].map((m) => m[1])).toEqual(['#feedback-usefulness-1', '#feedback-email']);
    // "Something else" needs its words.
    const other = await post(encode({ ...VALID, came_for_other: '' }));
    expectAnswer(other, 400);
    expect(other.body).toContain('<a href="#feedback-came-for-other-text">Say what else you came for.</a>');
  });

  it('refuses a body over 16 KB with 413, and a comment over 4,000 characters with 400', async () => {
    const large = await post(encode({ ...VALID, comment: 'x'.repeat(17 * 1024) }));
    expectAnswer(large, 413);
    expect(large.body).toContain('Shorten your comment');
    const long = await post(encode({ ...VALID, comment: 'x'.repeat(4001) }));
    expectAnswer(long, 400);
    expect(long.body).toContain('Shorten your comment to 4,000 characters or fewer (it has 4,001)');
    expect(await countFeedback(portal.store.db)).toBe(0);
  });

  it.each([
    ['JSON', 'application/json', JSON.stringify(VALID)],
    ['plain text', 'text/plain', encode(VALID)],
    ['multipart', 'multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="usefulness"\r\n\r\n4\r\n--x--\r\n'],
    ['a form in Latin-1', `${FORM}; charset=iso-8859-1`, encode(VALID)],
    ['no type and no body', null, ''],
  ])('refuses %s with 415', async (_name, type, payload) => {
    const response = await post(payload, { type });
    expectAnswer(response, 415);
    expect(await countFeedback(portal.store.db)).toBe(0);
  });

  it.each([
    ['bytes that are not UTF-8', Buffer.from([0x63, 0x6f, 0x6d, 0x6d, 0x65, 0x6e, 0x74, 0x3d, 0xff, 0xfe])],
    ['an escape of a byte that is not UTF-8', 'comment=%ff'],
    ['a truncated UTF-8 escape', 'comment=%E0%A4%A'],
    ['a malformed escape', 'comment=100%zz'],
    ['an escaped surrogate', 'comment=%ED%A0%80'],
    ['a NUL', 'usefulness=4&comment=a%00b'],
  ])('answers %s with 400, never a 5xx', async (_name, payload) => {
    const response = await post(payload);
    expectAnswer(response, 400);
    expect(response.body).toContain('could not be read');
    expect(await countFeedback(portal.store.db)).toBe(0);
  });

  it('takes five posts from one address in ten minutes; the sixth gets 429 with Retry-After', async () => {
    for (let i = 0; i < 5; i += 1) {
      clock += 60_000;
      expectAnswer(await post(encode(VALID)), 303);
    }
    clock += 60_000;
    const refused = await post(encode(VALID));
    expectAnswer(refused, 429);
    // The first post leaves the window 10 minutes after it came, 5 minutes from now.
    expect(refused.headers['retry-after']).toBe('300');
    expect(refused.body).toContain('please send yours again in 5 minutes');
    expect(refused.headers['cache-control']).toBe('no-store');
    // Another address is counted apart; and once the window has moved on, this one may post again.
    expectAnswer(await post(encode(VALID), { address: '198.51.100.4' }), 303);
    clock += 300_000;
    expectAnswer(await post(encode(VALID)), 303);
    expect(await countFeedback(portal.store.db)).toBe(7);
  });

  it('counts an IPv6 address by its /64', async () => {
    for (let i = 0; i < 5; i += 1) expectAnswer(await post(encode(VALID), { address: `2001:db8:1:2::${i + 1}` }), 303);
    expectAnswer(await post(encode(VALID), { address: '2001:db8:1:2:ffff::9' }), 429);
    expectAnswer(await post(encode(VALID), { address: '2001:db8:1:3::1' }), 303);
  });

  it('answers a filled honeypot like a success, and stores nothing', async () => {
    const response = await post(encode({ ...VALID, website: 'https://spam.example/' }));
    expectAnswer(response, 303);
    expect(response.headers.location).toBe('/feedback/thanks');
    expect(await countFeedback(portal.store.db)).toBe(0);
  });

  it('deletes responses older than the retention when a new one comes', async () => {
    expectAnswer(await post(encode(VALID)), 303);
    clock += 31 * 86_400_000;
    expectAnswer(await post(encode({ ...VALID, comment: 'later' })), 303);
    expect((await listFeedback(portal.store.db)).map((r) => r.comment)).toEqual(['later']);
  });

  it('never shows what a visitor sent on a public page, feed or search; /status gives only the count', async () => {
    expectAnswer(await post(encode({ ...VALID, comment: 'Quokkaword secret remark', email: 'quokka@example.org' })), 303);
    // Search finds nothing (the page repeats the words asked for, so it is checked by its results).
    const search = await portal.app.inject('/search?q=Quokkaword');
    expect(search.body).toContain('No conversations match');
    expect(search.body).not.toContain('quokka@example.org');
    for (const url of ['/', '/conversations', '/feed.xml', '/atom.xml', '/feed.json', '/feedback', '/feedback/thanks', '/status', '/status.json', '/sitemap.xml']) {
      const response = await portal.app.inject(url);
      expect(response.statusCode, url).toBeLessThan(500);
      expect(response.body, url).not.toContain('Quokkaword');
      expect(response.body, url).not.toContain('quokka@example.org');
    }
    const status = await portal.app.inject('/status.json');
    expect(JSON.parse(status.body).totals.feedback_responses).toBe(1);
    expect((await portal.app.inject('/status')).body).toContain('1 feedback response');
  });
});

describe('POST /feedback behind a proxy', () => {
  let portal: TestPortal;
  afterEach(async () => {
    await portal.close();
  });

  const post = (address: string, forwardedFor: string) =>
    portal.app.inject({ method: 'POST', url: '/feedback', payload: encode(VALID), headers: { 'content-type': FORM, 'x-forwarded-for': forwardedFor }, remoteAddress: address });

  it('counts each client a trusted proxy names apart, and ignores what an untrusted peer claims', async () => {
    portal = await startPortal({ entries: {}, deps: { trustedProxies: ['10.0.0.2/32'] } });
    for (let i = 0; i < 5; i += 1) expect((await post('10.0.0.2', '198.51.100.1')).statusCode).toBe(303);
    expect((await post('10.0.0.2', '198.51.100.1')).statusCode).toBe(429);
    expect((await post('10.0.0.2', '198.51.100.2')).statusCode).toBe(303);
    // Not a trusted proxy: its own address counts, whatever it forwards.
    for (let i = 0; i < 5; i += 1) expect((await post('203.0.113.9', `192.0.2.${i}`)).statusCode).toBe(303);
    expect((await post('203.0.113.9', '192.0.2.99')).statusCode).toBe(429);
  });
});

