import { describe, expect, it } from 'vitest';
import type { NormalEntry } from '../../core/types.js';
import { safeHttpUrl, sanitizeEntry, sanitizeFeedMeta, sanitizeHtml } from './index.js';

const BASE = 'https://blog.example.org/posts/2024/';
const REL = 'rel="nofollow noopener noreferrer ugc"';

describe('sanitizeHtml: what stays', () => {
  it('keeps ordinary content markup', () => {
    const html =
      '<p>A <b>b</b> <i>i</i> <em>em</em> <strong>s</strong> <u>u</u> <s>s</s> <code>c</code> <kbd>k</kbd> <samp>s</samp> ' +
      '<sub>1</sub><sup>2</sup> <small>sm</small> <abbr title="HyperText">HT</abbr> <del>d</del><ins>i</ins> <span>sp</span></p>' +
      '<blockquote><p>q</p></blockquote><q>q</q><cite>c</cite><pre>pre\n  formatted</pre>' +
      '<ul><li>1</li></ul><ol><li>2</li></ol><dl><dt>t</dt><dd>d</dd></dl><hr>' +
      '<figure><img src="https://a.example/i.png" alt="i"><figcaption>cap</figcaption></figure><div>div</div>' +
      '<table><caption>c</caption><thead><tr><th colspan="2">h</th></tr></thead><tbody><tr><td rowspan="2">d</td></tr></tbody><tfoot><tr><td>f</td></tr></tfoot></table>';
    const clean = sanitizeHtml(html, BASE);
    for (const tag of ['p', 'b', 'i', 'em', 'strong', 'u', 's', 'code', 'kbd', 'samp', 'sub', 'sup', 'small', 'abbr', 'del', 'ins', 'span',
      'blockquote', 'q', 'cite', 'pre', 'ul', 'ol', 'li', 'dl', 'dt', 'dd', 'figure', 'figcaption', 'div',
      'table', 'caption', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td']) {
      expect(clean, tag).toContain(`<${tag}`);
    }
    expect(clean).toContain('<hr />');
    expect(clean).toContain('<img src="https://a.example/i.png" alt="i" />');
    expect(clean).toContain('<th colspan="2">');
    expect(clean).toContain('<td rowspan="2">');
    expect(clean).toContain('<abbr title="HyperText">');
    expect(clean).toContain('pre\n  formatted');
  });

  it('shifts headings down so entries never outrank the page (h1→h3, h2→h4 …)', () => {
    expect(sanitizeHtml('<h1>a</h1><h2>b</h2><h3>c</h3><h6>d</h6>', BASE)).toBe('<h3>a</h3><h4>b</h4><h5>c</h5><h6>d</h6>');
  });

  it('makes relative href, src and cite absolute against the base', () => {
    const clean = sanitizeHtml('<a href="../x">x</a><img src="i.png"><blockquote cite="/q">q</blockquote><a href="//cdn.example/y">y</a>', BASE);
    expect(clean).toContain(`<a href="https://blog.example.org/posts/x" ${REL}>x</a>`);
    expect(clean).toContain('<img src="https://blog.example.org/posts/2024/i.png" />');
    expect(clean).toContain('<blockquote cite="https://blog.example.org/q">');
    expect(clean).toContain(`<a href="https://cdn.example/y" ${REL}>y</a>`);
  });

  it('gives every outbound link the rel set and no target', () => {
    expect(sanitizeHtml('<a href="http://a.example/" target="_blank" rel="opener">a</a>', BASE))
      .toBe(`<a href="http://a.example/" ${REL}>a</a>`);
  });

  it('keeps mailto: links', () => {
    expect(sanitizeHtml('<a href="mailto:care@example.org">mail</a>', BASE)).toBe(`<a href="mailto:care@example.org" ${REL}>mail</a>`);
  });

  it('keeps the text of dropped wrappers, and the fallback of objects and media', () => {
    expect(sanitizeHtml('<font color="red">red</font> <center>mid</center>', BASE)).toBe('red mid');
    expect(sanitizeHtml('<object data="x.swf">Get <b>Flash</b></object>', BASE)).toBe('Get <b>Flash</b>');
    expect(sanitizeHtml('<video src="v.mp4">Download <a href="v.mp4">the video</a></video>', BASE))
      .toBe(`Download <a href="https://blog.example.org/posts/2024/v.mp4" ${REL}>the video</a>`);
  });

  it('keeps only numeric image sizes', () => {
    expect(sanitizeHtml('<img src="a.png" width="640px" height="100%">', BASE)).toBe('<img src="https://blog.example.org/posts/2024/a.png" width="640" />');
  });
});

describe('sanitizeHtml: what goes', () => {
  it('drops attributes outside the list (style, class, id, on*)', () => {
    expect(sanitizeHtml('<p style="color:red" class="c" id="i" onclick="x()" align="left">t</p>', BASE)).toBe('<p>t</p>');
  });

  it('drops script, style, iframe, forms and their content', () => {
    expect(sanitizeHtml('a<script>x()</script><style>p{}</style><iframe src="https://www.youtube-nocookie.com/embed/x">f</iframe><form><input name="q"><button>go</button></form>b', BASE)).toBe('ab');
  });

  it('drops 1×1 and 0×0 tracking images', () => {
    expect(sanitizeHtml('a<img src="https://t.example/p.gif" width="1" height="1">b<img src="/p.gif" width="0" height="0" />c', BASE)).toBe('abc');
  });

  it('drops images from known trackers whatever their size', () => {
    for (const src of [
      'http://feeds.feedburner.com/~r/Blog/~4/abc',
      'https://pixel.wp.com/b.gif?host=x',
      'https://stats.wordpress.com/b.gif?x=1',
      'https://blogger.googleusercontent.com/tracker/123-456?l=x',
    ]) {
      expect(sanitizeHtml(`<p>a<img src="${src}" width="20" height="20">b</p>`, BASE), src).toBe('<p>ab</p>');
    }
  });

  it('keeps ordinary feedburner images that are not tracking pixels', () => {
    expect(sanitizeHtml('<img src="http://feeds.feedburner.com/Blog.gif" alt="x">', BASE)).toContain('<img');
  });

  it('drops images whose source is not http(s), and links that are not http(s) or mailto', () => {
    expect(sanitizeHtml('<img src="data:image/png;base64,AAAA"><img src="ftp://a.example/i.png"><img>', BASE)).toBe('');
    expect(sanitizeHtml('<a href="ftp://a.example/f">f</a><a href="tel:123">t</a>', BASE)).toBe('<a>f</a><a>t</a>');
  });

  it('drops comments and CDATA', () => {
    expect(sanitizeHtml('a<!-- secret --><![CDATA[x]]>b', BASE)).toBe('ab');
  });

  it('is empty for empty input', () => {
    expect(sanitizeHtml('', BASE)).toBe('');
  });
});

describe('safeHttpUrl', () => {
  it('returns absolute http(s) URLs, resolving relative ones', () => {
    expect(safeHttpUrl('x', BASE)).toBe('https://blog.example.org/posts/2024/x');
    expect(safeHttpUrl('HTTP://A.EXAMPLE/Path', BASE)).toBe('http://a.example/Path');
  });

  it('returns "" for anything else', () => {
    for (const url of [undefined, '', '  ', 'javascript:alert(1)', 'mailto:a@b.example', 'data:,x', 'http://']) {
      expect(safeHttpUrl(url, BASE)).toBe('');
    }
  });
});

function rawEntry(fields: Partial<NormalEntry>): NormalEntry {
  return {
    entryId: 'id-1', title: 'T', link: 'https://blog.example.org/p', publishedAt: 1, categories: [], enclosures: [],
    contentHtml: '', contentText: '', excerpt: '', ...fields,
  };
}

describe('sanitizeEntry', () => {
  it('sanitizes content against the entry base and recomputes text and excerpt', () => {
    const entry = sanitizeEntry(
      rawEntry({
        contentHtml: '<p>Read <a href="more.html">more</a><script>alert("x")</script> here.</p>' + '<p>word </p>'.repeat(80),
        contentText: 'stale', excerpt: 'stale',
        baseUrl: 'https://media.example.org/posts/',
      }),
      'https://fetch.example.net/feed.xml',
    );
    expect(entry.contentHtml).toContain(`<a href="https://media.example.org/posts/more.html" ${REL}>more</a>`);
    expect(entry.contentHtml).not.toContain('script');
    expect(entry.contentText).toMatch(/^Read more here\. word word/);
    expect(entry.excerpt.endsWith('…')).toBe(true);
    expect(entry.excerpt.length).toBeLessThanOrEqual(301);
  });

  it('falls back to the given base URL when the entry has none', () => {
    const entry = sanitizeEntry(rawEntry({ contentHtml: '<img src="i.png">', link: '/p' }), 'https://fetch.example.net/feeds/a.xml');
    expect(entry.contentHtml).toBe('<img src="https://fetch.example.net/feeds/i.png" />');
    expect(entry.link).toBe('https://fetch.example.net/p');
  });

  it('makes title, author and categories plain text', () => {
    const entry = sanitizeEntry(
      rawEntry({ title: 'A <b>bold</b> &amp; <script>x</script> title', author: '<i>Jo</i>', categories: ['<b>Care</b>', 'care', ' '] }),
      BASE,
    );
    expect(entry.title).toBe('A bold &amp; x title');
    expect(entry.author).toBe('Jo');
    expect(entry.categories).toEqual(['Care']);
  });

  it('drops bidi controls and noncharacters from title, author and categories, and keeps them in content', () => {
    const entry = sanitizeEntry(
      rawEntry({
        title: 'Invoice \u202Efdp.exe\u202C ready\uFFFE \u{10FFFF}now',
        author: '\u2067Dana\u2069 \uFDD0Lee\u200F',
        categories: ['\u202Acare\u202C', 'ca\u061Cre', '\u{1FFFE}'],
        contentHtml: '<p dir="auto">\u05E9\u05DC\u05D5\u05DD\u200F 2024</p>',
      }),
      BASE,
    );
    expect(entry.title).toBe('Invoice fdp.exe ready now');
    expect(entry.author).toBe('Dana Lee');
    expect(entry.categories).toEqual(['care']);
    expect(entry.contentHtml).toContain('\u200F');
  });

  it('cuts the tags bidi controls held apart, and leaves no double space where they were', () => {
    expect(sanitizeEntry(rawEntry({ title: 'a <\u202Escript>alert(1)</script> \u202E b' }), BASE).title).toBe('a alert(1) b');
  });

  it('drops an author that is nothing but markup', () => {
    expect(sanitizeEntry(rawEntry({ author: '<img src=x onerror=alert(1)>' }), BASE).author).toBeUndefined();
  });

  it('keeps only http(s) links and enclosures, numeric lengths and MIME-like types', () => {
    const entry = sanitizeEntry(
      rawEntry({
        link: 'javascript:alert(1)',
        enclosures: [
          { url: 'https://cdn.example/a.mp3', type: 'audio/mpeg', length: 10 },
          { url: 'javascript:alert(1)', type: 'audio/mpeg' },
          { url: 'b.mp3', type: '<script>', length: -1 },
        ],
      }),
      BASE,
    );
    expect(entry.link).toBe('');
    expect(entry.enclosures).toEqual([
      { url: 'https://cdn.example/a.mp3', type: 'audio/mpeg', length: 10 },
      { url: 'https://blog.example.org/posts/2024/b.mp3' },
    ]);
  });

  it('leaves id and dates alone', () => {
    const entry = sanitizeEntry(rawEntry({ entryId: 'tag:x', publishedAt: 5, updatedAt: 6 }), BASE);
    expect([entry.entryId, entry.publishedAt, entry.updatedAt]).toEqual(['tag:x', 5, 6]);
  });
});

describe('sanitizeFeedMeta', () => {
  it('keeps a plain-text title and http(s) link and icon', () => {
    expect(sanitizeFeedMeta({ title: 'Care <b>blog</b>', link: '/', icon: 'javascript:x' }, BASE))
      .toEqual({ title: 'Care blog', link: 'https://blog.example.org/' });
  });

  it('drops bidi controls and noncharacters from the feed title', () => {
    expect(sanitizeFeedMeta({ title: 'Care \u202Egolb\u202C \u{EFFFF}news' }, BASE).title).toBe('Care golb news');
  });

  it('keeps a feed id only when it is an absolute URI without spaces or markup', () => {
    expect(sanitizeFeedMeta({ id: 'tag:blog.example.org,2024:care' }, BASE)).toEqual({ id: 'tag:blog.example.org,2024:care' });
    expect(sanitizeFeedMeta({ id: 'urn:uuid:60a76c80-d399-11d9-b93C-0003939e0af6' }, BASE).id).toBeDefined();
    for (const id of ['just words', 'blog-42', '<b>x</b>:y', 'tag:a "b"', '']) {
      expect(sanitizeFeedMeta({ id }, BASE).id).toBeUndefined();
    }
  });
});
