// The ingest benchmarks' synthetic feeds: RSS and Atom alternating, about 1 KB of HTML per item.
// The same arguments make the same bytes, so the feed host and the stage bench see one corpus.
import { createHash } from 'node:crypto';
import { articleHtml, rng, title } from './synthetic.js';

export interface SyntheticFeed {
  body: Buffer;
  etag: string;
  type: string;
}

const BASE = Date.UTC(2026, 8, 1);

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function rss(n: number, items: number, random: () => number): string {
  const entries = Array.from({ length: items }, (_, i) => {
    const date = new Date(BASE - (n * items + i) * 3_600_000).toUTCString();
    return `<item><title>${escapeXml(title(random))}</title><link>http://feeds.example.org/${n}/posts/${i}</link>
<guid isPermaLink="false">feed-${n}-post-${i}</guid><pubDate>${date}</pubDate><dc:creator>Writer ${n}</dc:creator>
<category>care</category><description>${escapeXml(articleHtml(random, 1000))}</description></item>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Feed ${n}</title>
<link>http://feeds.example.org/${n}/</link><description>Synthetic feed ${n}</description>
${entries.join('\n')}
</channel></rss>`;
}

function atom(n: number, items: number, random: () => number): string {
  const entries = Array.from({ length: items }, (_, i) => {
    const date = new Date(BASE - (n * items + i) * 3_600_000).toISOString();
    return `<entry><title>${escapeXml(title(random))}</title><link rel="alternate" href="http://feeds.example.org/${n}/posts/${i}"/>
<id>urn:feed-${n}:post-${i}</id><published>${date}</published><updated>${date}</updated><author><name>Writer ${n}</name></author>
<category term="care"/><content type="html">${escapeXml(articleHtml(random, 1000))}</content></entry>`;
  });
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Feed ${n}</title><id>urn:feed-${n}</id>
<link href="http://feeds.example.org/${n}/"/><updated>${new Date(BASE).toISOString()}</updated>
${entries.join('\n')}
</feed>`;
}

/** Feed n of a corpus: even ones RSS 2.0, odd ones Atom, `items` entries each. */
export function syntheticFeed(n: number, items: number): SyntheticFeed {
  const random = rng(n + 1);
  const text = n % 2 === 0 ? rss(n, items, random) : atom(n, items, random);
  const body = Buffer.from(text, 'utf8');
  return {
    body,
    etag: `"${createHash('sha1').update(body).digest('hex')}"`,
    type: n % 2 === 0 ? 'application/rss+xml; charset=utf-8' : 'application/atom+xml; charset=utf-8',
  };
}

/** The first `count` feeds of the corpus as text, as a fetch decodes them. */
export function syntheticBodies(count: number, items: number): string[] {
  return Array.from({ length: count }, (_, n) => syntheticFeed(n, items).body.toString('utf8'));
}
