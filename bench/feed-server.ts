// The ingest benchmark's feed host, in its own process: N synthetic feeds of M items each, RSS and
// Atom alternating, about 1 KB of HTML per item. Modes, set over IPC: 'conditional' (ETag, 304 on
// a match), 'always-200' (validators ignored), 'hang' (every tenth feed never answers). With
// `hostile`, also issue 16's hostile feed: /hostile.xml, and /hostile-big.xml over 1,000,000 characters.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostileFeed } from '../src/refresh/testing/hostile-feed.js';
import { syntheticFeed } from './lib/feeds.js';

const { feeds, items, hostile } = JSON.parse(process.argv[2] ?? '{}') as { feeds: number; items: number; hostile?: boolean };
const bodies = Array.from({ length: feeds }, (_, n) => syntheticFeed(n, items));
const hostileBodies = new Map<string, string>();
if (hostile) {
  hostileBodies.set('/hostile.xml', hostileFeed());
  // A comment pads it past the size the pool's ordinary workers take: it goes to a big worker.
  hostileBodies.set('/hostile-big.xml', hostileFeed().replace('<channel>', `<channel><!--${' '.repeat(100_000)}-->`));
}

let mode: 'conditional' | 'always-200' | 'hang' = 'conditional';
const hanging = new Set<http.ServerResponse>();

const server = http.createServer((request, response) => {
  const hostileBody = hostileBodies.get(request.url ?? '');
  if (hostileBody) return void response.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' }).end(hostileBody);
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
