import { describe, expect, it } from 'vitest';
import type { NormalEntry } from '../core/types.js';
import { contentHash } from './content-hash.js';

const entry: NormalEntry = {
  entryId: 'urn:1',
  title: 'Title',
  link: 'https://example.org/1',
  publishedAt: Date.UTC(2026, 0, 1),
  categories: ['a'],
  enclosures: [{ url: 'https://example.org/a.mp3', type: 'audio/mpeg' }],
  contentHtml: '<p>Hi</p>',
  excerpt: 'Hi',
  contentText: 'Hi',
};

describe('contentHash', () => {
  it('is the same for the same entry, whatever the key order', () => {
    const reordered = Object.fromEntries(Object.entries(entry).reverse()) as unknown as NormalEntry;
    expect(contentHash(reordered, false)).toBe(contentHash(entry, false));
  });

  it.each([
    ['title', { title: 'Other' }],
    ['content', { contentHtml: '<p>Bye</p>' }],
    ['link', { link: 'https://example.org/2' }],
    ['date', { publishedAt: 1 }],
    ['categories', { categories: ['b'] }],
  ])('changes when the %s changes', (_name, change) => {
    expect(contentHash({ ...entry, ...change }, false)).not.toBe(contentHash(entry, false));
  });

  it('reads neither contentText nor excerpt (they derive from contentHtml)', () => {
    const derived = { ...entry };
    Object.defineProperty(derived, 'contentText', { get: () => expect.fail('contentText was read'), enumerable: false });
    Object.defineProperty(derived, 'excerpt', { get: () => expect.fail('excerpt was read'), enumerable: false });
    expect(contentHash(derived, false)).toBe(contentHash(entry, false));
  });

  it('ignores a guessed date', () => {
    expect(contentHash({ ...entry, publishedAt: 12345 }, true)).toBe(contentHash(entry, true));
  });
});
