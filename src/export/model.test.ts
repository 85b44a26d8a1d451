import { describe, expect, it } from 'vitest';
import { streamEntry } from '../../test/fixtures/export/entries.js';
import {
  entryHtml,
  globalEntryId,
  lastChangedAt,
  mintedEntryId,
  mintedFeedId,
  rssGuid,
  toHttpUrl,
  toMediaType,
  toRfc3339,
  toRfc822,
} from './model.js';

const SITE = 'https://portal.example.org/';

describe('dates', () => {
  it('writes RFC 3339 in UTC, with milliseconds only when there are some', () => {
    expect(toRfc3339(Date.UTC(2026, 0, 5, 14, 30))).toBe('2026-01-05T14:30:00Z');
    expect(toRfc3339(Date.UTC(2026, 0, 5, 14, 30, 1, 250))).toBe('2026-01-05T14:30:01.250Z');
  });

  it('writes RFC 822 with a four-digit year and GMT', () => {
    expect(toRfc822(Date.UTC(2026, 0, 5, 14, 30))).toBe('Mon, 05 Jan 2026 14:30:00 GMT');
  });

  it('clamps times no format can say to the range they can', () => {
    expect(toRfc3339(-1)).toBe('1970-01-01T00:00:00Z');
    expect(toRfc3339(Number.NaN)).toBe('1970-01-01T00:00:00Z');
    expect(toRfc3339(8.64e15)).toBe('9999-12-31T23:59:59Z');
  });
});

describe('lastChangedAt', () => {
  it('is the newest changedAt among the entries, else the fallback', () => {
    const entries = [streamEntry({ changedAt: 5 }), streamEntry({ changedAt: 9 }), streamEntry({ changedAt: 7 })];
    expect(lastChangedAt(entries, 1)).toBe(9);
    expect(lastChangedAt([], 1)).toBe(1);
  });
});

describe('stable ids', () => {
  it('mints the same tag: id for the same source and entry id, and different ones otherwise', () => {
    const a = mintedEntryId({ sourceId: 's', entryId: 'x' }, SITE);
    expect(a).toBe(mintedEntryId({ sourceId: 's', entryId: 'x' }, SITE));
    expect(a).toMatch(/^tag:portal\.example\.org,2026:s\/[0-9a-f]{32}$/);
    expect(mintedEntryId({ sourceId: 't', entryId: 'x' }, SITE)).not.toBe(a);
    expect(mintedEntryId({ sourceId: 's', entryId: 'y' }, SITE)).not.toBe(a);
  });

  it('gives RSS the original id only when it is a permalink URL', () => {
    expect(rssGuid(streamEntry({ entryId: 'https://x.example/p' }), SITE)).toEqual({ value: 'https://x.example/p', isPermaLink: true });
    expect(rssGuid(streamEntry({ entryId: 'tag:x.example,2020:1' }), SITE).isPermaLink).toBe(false);
    expect(rssGuid(streamEntry({ entryId: 'https://x.example/a b' }), SITE).isPermaLink).toBe(false);
  });

  it('gives Atom and JSON Feed the original id when it is a global URI', () => {
    expect(globalEntryId(streamEntry({ entryId: 'urn:uuid:1' }), SITE)).toBe('urn:uuid:1');
    expect(globalEntryId(streamEntry({ entryId: 'post-1:draft' }), SITE)).toMatch(/^tag:/);
  });

  it('names each filtered feed with its own tag: id', () => {
    expect(mintedFeedId(SITE, {})).toBe('tag:portal.example.org,2026:stream');
    expect(mintedFeedId(SITE, { sourceId: 'a', category: 'b c' })).toBe('tag:portal.example.org,2026:stream/source/a/category/b%20c');
  });
});

describe('URLs and media types', () => {
  it('keeps absolute http(s) URLs in serialized form and nothing else', () => {
    expect(toHttpUrl('https://x.example/a b?q=<1>&r=2')).toBe('https://x.example/a%20b?q=%3C1%3E&r=2');
    expect(toHttpUrl('javascript:alert(1)')).toBeUndefined();
    expect(toHttpUrl('/relative')).toBeUndefined();
    expect(toHttpUrl('')).toBeUndefined();
  });

  it('accepts media types with parameters and refuses anything else', () => {
    expect(toMediaType('audio/mpeg')).toBe('audio/mpeg');
    expect(toMediaType(' text/html; charset=utf-8 ')).toBe('text/html; charset=utf-8');
    expect(toMediaType('mp3')).toBeUndefined();
    expect(toMediaType(undefined)).toBeUndefined();
  });
});

describe('entryHtml', () => {
  it('is the sanitized content, else the excerpt escaped so its text is not read as markup', () => {
    expect(entryHtml({ contentHtml: '<p>x</p>', excerpt: 'x' })).toBe('<p>x</p>');
    expect(entryHtml({ contentHtml: '', excerpt: `Tables & things <escaped> "q" 'a'` })).toBe(
      'Tables &amp; things &lt;escaped&gt; &quot;q&quot; &#39;a&#39;',
    );
  });
});
