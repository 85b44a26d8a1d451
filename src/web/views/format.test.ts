import { describe, expect, it } from 'vitest';
import { HIGHLIGHT_END as E, HIGHLIGHT_START as S } from '../../store/index.js';
import { TimeFormats, escapeHtml, highlightToHtml, safeHref, timeFormatter } from './format.js';

describe('highlightToHtml', () => {
  it('escapes the text first, then marks the matches', () => {
    expect(highlightToHtml(`<b>${S}care${E}</b> & "${S}team${E}"`)).toBe(
      '&lt;b&gt;<mark>care</mark>&lt;/b&gt; &amp; &quot;<mark>team</mark>&quot;',
    );
  });

  it('cannot be tricked into markup by matched text', () => {
    expect(highlightToHtml(`${S}<img src=x onerror=alert(1)>${E}`)).toBe('<mark>&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;</mark>');
  });

  it('drops unpaired or nested markers so <mark> tags always balance', () => {
    expect(highlightToHtml(`a${E}b${S}c`)).toBe('abc');
    expect(highlightToHtml(`${S}a${S}b${E}c${E}`)).toBe('a<mark>b</mark>c');
  });

  it('leaves text without markers as escaped text', () => {
    expect(highlightToHtml('plain')).toBe('plain');
    expect(highlightToHtml('')).toBe('');
  });
});

describe('escapeHtml', () => {
  it('escapes what Handlebars escapes', () => {
    expect(escapeHtml(`<a href="x" title='y'>\`=&</a>`)).toBe('&lt;a href&#x3D;&quot;x&quot; title&#x3D;&#x27;y&#x27;&gt;&#x60;&#x3D;&amp;&lt;/a&gt;');
  });
});

describe('safeHref', () => {
  it.each([
    ['https://example.org/a?b=c', 'https://example.org/a?b=c'],
    ['http://example.org', 'http://example.org/'],
    ['javascript:alert(1)', undefined],
    ['JavaScript:alert(1)', undefined],
    ['data:text/html,<script>', undefined],
    ['vbscript:x', undefined],
    ['/relative', undefined],
    ['', undefined],
    [null, undefined],
  ])('%s → %s', (input, expected) => {
    expect(safeHref(input)).toBe(expected);
  });
});

describe('timeFormatter', () => {
  const june1 = Date.UTC(2026, 5, 1, 17, 5);

  it('gives the ISO instant and a readable time in the site zone', () => {
    expect(timeFormatter('America/Chicago')(june1)).toEqual({
      iso: '2026-06-01T17:05:00.000Z',
      readable: 'June 1, 2026 at 12:05 PM CDT',
    });
    expect(timeFormatter('America/Chicago')(Date.UTC(2026, 0, 15, 6, 0)).readable).toBe('January 15, 2026 at 12:00 AM CST');
  });

  it('falls back to UTC for a zone it does not know, rather than failing the page', () => {
    expect(timeFormatter('Mars/Olympus_Mons')(june1).readable).toBe('June 1, 2026 at 5:05 PM UTC');
  });
});

describe('TimeFormats', () => {
  it('makes one formatter per zone and hands the same one back, each formatting in its own zone', () => {
    const formats = new TimeFormats();
    const chicago = formats.for('America/Chicago');
    expect(formats.for('America/Chicago')).toBe(chicago);
    expect(formats.for('UTC')).not.toBe(chicago);
    const june1 = Date.UTC(2026, 5, 1, 17, 5);
    expect(chicago(june1).readable).toBe('June 1, 2026 at 12:05 PM CDT');
    expect(formats.for('UTC')(june1).readable).toBe('June 1, 2026 at 5:05 PM UTC');
  });

  it('remembers what it formatted: the same instant gives the same answer, made once', () => {
    const chicago = new TimeFormats().for('America/Chicago');
    const june1 = Date.UTC(2026, 5, 1, 17, 5);
    const first = chicago(june1);
    expect(chicago(june1)).toBe(first);
    expect(first).toEqual(timeFormatter('America/Chicago')(june1));
    expect(Object.isFrozen(first)).toBe(true);
  });

  it('remembers a bounded number of instants, then forgets them and keeps formatting right', () => {
    const utc = new TimeFormats(3).for('UTC');
    const plain = timeFormatter('UTC');
    const instants = [0, 1, 2, 3].map((i) => Date.UTC(2026, 0, 1 + i, 9, 30));
    const first = utc(instants[0]!);
    for (const ms of instants.slice(1, 3)) utc(ms);
    expect(utc(instants[0]!)).toBe(first);
    // A fourth instant fills it past its bound: everything remembered goes.
    expect(utc(instants[3]!)).toEqual(plain(instants[3]!));
    const again = utc(instants[0]!);
    expect(again).not.toBe(first);
    expect(again).toEqual(plain(instants[0]!));
  });
});
