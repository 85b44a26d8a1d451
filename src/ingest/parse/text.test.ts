// The plain-text helpers the parser and the sanitizer share.
import { describe, expect, it } from 'vitest';
import { clip, collapseWhitespace, htmlToText, makeExcerpt, plainText, textToHtml } from './text.js';

describe('htmlToText', () => {
  it('strips tags, decodes entities, collapses whitespace', () => {
    expect(htmlToText('<p>AT&amp;T  <b>news</b>\n\t&eacute;t&#233;&nbsp;!</p>')).toBe('AT&T news été !');
  });

  it('keeps words apart where blocks meet', () => {
    expect(htmlToText('<p>one</p><p>two</p>three<br>four<li>five</li>')).toBe('one two three four five');
  });

  it('drops the text of script, style and similar elements', () => {
    expect(htmlToText('safe<script>alert(1)</script> <style>p{}</style>text<noscript>x</noscript>')).toBe('safe text');
  });

  it('drops control characters', () => {
    expect(htmlToText('a\u0000b\u0007c\u200bd')).toBe('abc\u200bd');
  });
});

describe('plainText', () => {
  it('removes whatever still reads as a tag, without decoding entities', () => {
    expect(plainText('AT&amp;T <b>news</b>')).toBe('AT&amp;T news');
    expect(plainText('Plain text with <script> shown')).toBe('Plain text with shown');
  });

  it('cannot be tricked into reassembling a tag', () => {
    for (const tricky of ['<<script>script>alert(1)<</script>/script>', '<<<a>a>a>', '<img src=x onerror=alert(1)', '<<!---->!-- x']) {
      expect(plainText(tricky), tricky).not.toMatch(/<[a-zA-Z/!?]/);
    }
    expect(plainText('<<script>script>alert(1)<</script>/script>')).toBe('script>alert(1)/script>');
  });

  it('leaves comparisons alone', () => {
    expect(plainText('1 < 2 and 3 > 2, 1<2')).toBe('1 < 2 and 3 > 2, 1<2');
  });

  it('is idempotent', () => {
    const once = plainText('a <i>b</i> &lt;c&gt;');
    expect(plainText(once)).toBe(once);
  });

  it('treats undefined as empty', () => {
    expect(plainText(undefined)).toBe('');
  });
});

describe('textToHtml', () => {
  it('escapes text and keeps line breaks', () => {
    expect(textToHtml(' 1 < 2 & "x"\nnext ')).toBe('1 &lt; 2 &amp; &quot;x&quot;<br>next');
  });
});

describe('collapseWhitespace', () => {
  it('turns runs of any whitespace into one space and trims', () => {
    expect(collapseWhitespace('  a \n\t b\u00a0 c  ')).toBe('a b c');
  });
});

describe('makeExcerpt', () => {
  it('returns short text unchanged', () => {
    expect(makeExcerpt('short text')).toBe('short text');
  });

  it('cuts long text at a word boundary and adds an ellipsis', () => {
    const text = 'word '.repeat(100).trim();
    const excerpt = makeExcerpt(text);
    expect(excerpt.endsWith('word…')).toBe(true);
    expect(excerpt.length).toBeLessThanOrEqual(301);
    expect(excerpt.length).toBeGreaterThan(250);
  });

  it('drops trailing punctuation before the ellipsis', () => {
    expect(makeExcerpt('alpha beta, gamma delta', 12)).toBe('alpha beta…');
  });

  it('cuts a single very long word hard, never through a surrogate pair', () => {
    const excerpt = makeExcerpt('😀'.repeat(200), 301);
    expect(excerpt.endsWith('😀…')).toBe(true);
    expect(excerpt).not.toMatch(/[\uD800-\uDBFF]…$/);
  });
});

describe('clip', () => {
  it('keeps short text and cuts long text to at most the limit', () => {
    expect(clip('short', 10)).toBe('short');
    const clipped = clip('word '.repeat(50), 40);
    expect(clipped.length).toBeLessThanOrEqual(40);
    expect(clipped.endsWith('…')).toBe(true);
  });
});
