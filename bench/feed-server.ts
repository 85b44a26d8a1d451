// The ingest benchmark's feed host, in its own process: N synthetic feeds of M items each, RSS and
// Atom alternating, about 1 KB of HTML per item. Modes, set over IPC: 'conditional' (ETag, 304 on
// a match), 'always-200' (validators ignored), 'hang' (every tenth feed never answers).
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { articleHtml, rng, title } from './lib/synthetic.js';

const { feeds, items } = JSON.parse(process.argv[2] ?? '{}') as { feeds: number; items: number };
const BASE = Date.UTC(2026, 8, 1);

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function rss(n: number, random: () => number): string {
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

function atom(n: number, random: () => number): string {
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

const bodies = Array.from({ length: feeds }, (_, n) => {
  const random = rng(n + 1);
  const text = n % 2 === 0 ? rss(n, random) : atom(n, random);
  const body = Buffer.from(text, 'utf8');
  return {
    body,
    etag: `"${createHash('sha1').update(body).digest('hex')}"`,
    type: n % 2 === 0 ? 'application/rss+xml; charset=utf-8' : 'application/atom+xml; charset=utf-8',
  };
});

let mode: 'conditional' | 'always-200' | 'hang' = 'conditional';
const hanging = new Set<http.ServerResponse>();

const server = http.createServer((request, response) => {
  const match = /^\/feeds\/(\d+)\.xml$/.exec(request.url ?? '');
  const feed = match ? bodies[Number(match[1])] : undefined;
  if (!feed) return void response.writeHead(404).end();
  const n = Number(match?.[1]);
  if (mode === 'hang' && n % 10 === 0) {
    // Never answers: the client's timeout is the only way out.
    hanging.add(response);
    response.on('close', () => hanging.delete(response));
    return;
  }
  if (mode === 'conditional' && request.headers['if-none-match'] === feed.etag) {
    return void response.writeHead(304, { etag: feed.etag }).end();
  }
  const headers: http.OutgoingHttpHeaders = { 'content-type': feed.type, 'content-length': feed.body.length };
  if (mode === 'conditional') headers.etag = feed.etag;
  response.writeHead(200, headers).end(feed.body);
});

server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const totalBytes = bodies.reduce((sum, b) => sum + b.body.length, 0);
  process.send?.({ cmd: 'ready', port: (server.address() as AddressInfo).port, totalBytes });
});

process.on('message', (message: { cmd: string; mode?: typeof mode }) => {
  if (message.cmd === 'mode' && message.mode) {
    mode = message.mode;
    for (const response of hanging) response.destroy();
    process.send?.({ cmd: 'mode-set' });
  } else if (message.cmd === 'exit') {
    for (const response of hanging) response.destroy();
    server.close(() => process.exit(0));
    server.closeAllConnections();
  }
});
