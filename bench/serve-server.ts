// The server side of the serving benchmark, in its own process so its CPU accounting is its own.
// It runs the portal (as production builds it) and a bare Fastify app whose routes send the very
// bytes the portal sends (same compression), then answers the parent's IPC: 'cpu-start' / 'cpu-stop'.
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { createLogger } from '../src/log.js';
import { openMigratedStore, readStreamVersion } from '../src/store/index.js';
import { buildApp } from '../src/web/index.js';
import { realConfig } from './lib/fill.js';

interface Args {
  dbPath: string;
  paths: string[];
  acceptEncoding: string;
  logLevel: string;
}

const args = JSON.parse(process.argv[2] ?? '{}') as Args;

async function portalApp(): Promise<FastifyInstance> {
  const store = await openMigratedStore({ kind: 'sqlite', path: args.dbPath });
  const config = await realConfig();
  // As main.ts wires it, logging at the given level to a sink (stdout would measure the pipe).
  const log = createLogger({ level: args.logLevel, destination: pino.destination({ dest: '/dev/null', sync: true }) });
  return buildApp({
    db: store.db,
    getConfig: () => config,
    getSiteUrl: () => config.site.url,
    readStreamVersion: () => readStreamVersion(store.db),
    logger: log.child({ component: 'web' }),
    // As in production: /metrics on, so every response is counted and timed.
    metrics: new Registry(),
  });
}

/** One bare route per portal path, sending the portal's own response bytes and content headers. */
async function bareApp(portal: FastifyInstance): Promise<{ app: FastifyInstance; sizes: number[] }> {
  const app = Fastify({ logger: false });
  const sizes: number[] = [];
  for (const [index, path] of args.paths.entries()) {
    const response = await portal.inject({ method: 'GET', url: path, headers: { 'accept-encoding': args.acceptEncoding } });
    if (response.statusCode !== 200) throw new Error(`bench: ${path} answered ${response.statusCode}`);
    const body = response.rawPayload;
    const contentType = String(response.headers['content-type']);
    const encoding = response.headers['content-encoding'];
    sizes.push(body.length);
    app.get(`/bare/${index}`, (_request, reply) => {
      reply.header('content-type', contentType);
      if (encoding !== undefined) reply.header('content-encoding', String(encoding));
      return reply.send(body);
    });
    // The same, with every header the portal sent (security, caching): the whole response's bytes.
    const headers = responseHeaders(response.headers);
    app.get(`/bare-headers/${index}`, (_request, reply) => reply.headers(headers).send(body));
  }
  return { app, sizes };
}

/** The portal's response headers but those Node writes itself for every response. */
function responseHeaders(sent: Record<string, unknown>): Record<string, string> {
  const own = new Set(['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding']);
  return Object.fromEntries(Object.entries(sent).filter(([name]) => !own.has(name)).map(([name, value]) => [name, String(value)]));
}

async function main(): Promise<void> {
  const portal = await portalApp();
  await portal.listen({ host: '127.0.0.1', port: 0 });
  const bare = await bareApp(portal);
  await bare.app.listen({ host: '127.0.0.1', port: 0 });
  let start = process.cpuUsage();
  process.on('message', (message: { cmd: string }) => {
    if (message.cmd === 'cpu-start') {
      start = process.cpuUsage();
      process.send?.({ cmd: 'cpu-started' });
    } else if (message.cmd === 'cpu-stop') {
      const used = process.cpuUsage(start);
      process.send?.({ cmd: 'cpu', micros: used.user + used.system });
    } else if (message.cmd === 'exit') {
      void Promise.all([portal.close(), bare.app.close()]).then(() => process.exit(0));
    }
  });
  process.send?.({
    cmd: 'ready',
    portalPort: (portal.server.address() as AddressInfo).port,
    barePort: (bare.app.server.address() as AddressInfo).port,
    sizes: bare.sizes,
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
