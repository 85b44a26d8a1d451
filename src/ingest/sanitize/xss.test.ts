import { describe, expect, it } from 'vitest';
import { XSS_VECTORS } from '../../../test/fixtures/sanitize/xss-vectors.js';
import { sanitizeEntry, sanitizeHtml } from './index.js';
import { findSanitizeViolations } from './violations.js';

const BASE = 'https://blog.example.org/posts/';

describe('XSS vectors through sanitizeHtml', () => {
  it('the list is long enough to mean something', () => {
    expect(XSS_VECTORS.length).toBeGreaterThanOrEqual(60);
  });

  it('each vector is a violation before sanitizing (the checker sees it) or harmless text', () => {
    // Guards the checker itself: most vectors must trip it when left raw.
    const caught = XSS_VECTORS.filter((html) => findSanitizeViolations(html).length > 0);
    expect(caught.length).toBeGreaterThan(XSS_VECTORS.length * 0.8);
  });

  it.each(XSS_VECTORS.map((v, i) => [i, v] as const))('vector %i leaves nothing active: %s', (_i, html) => {
    const clean = sanitizeHtml(html, BASE);
    expect(findSanitizeViolations(clean)).toEqual([]);
    // Sanitizing is stable: running it again finds nothing more to remove.
    expect(sanitizeHtml(clean, BASE)).toBe(clean);
    expect(clean).not.toMatch(/<(script|style|iframe|object|embed|form|svg|math|base|meta|link)\b/i);
    expect(clean).not.toMatch(/\son\w+\s*=/i);
    expect(clean).not.toMatch(/srcdoc|target=/i);
  });

  it.each(XSS_VECTORS.map((v, i) => [i, v] as const))('vector %i as a whole entry: no field carries it', (_i, html) => {
    const entry = sanitizeEntry(
      {
        entryId: 'x', title: html, link: 'javascript:alert(1)', author: html, publishedAt: 0,
        categories: [html], enclosures: [{ url: 'javascript:alert(1)' }], contentHtml: html, contentText: '', excerpt: '',
      },
      BASE,
    );
    for (const field of [entry.title, entry.author ?? '', entry.contentHtml, entry.excerpt, ...entry.categories]) {
      expect(findSanitizeViolations(field)).toEqual([]);
    }
    expect(entry.link).toBe('');
    expect(entry.enclosures).toEqual([]);
  });
});
