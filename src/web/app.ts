import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import { ResponseCache, SERVE_STALE_FOR_MS, VersionTracker } from './cache.js';
import { answerClientError } from './client-errors.js';
import type { AppDeps, WebContext } from './deps.js';
import { defaultPublicDir, defaultTemplatesDir } from './paths.js';
import { compressionPlugin } from './plugins/compression.js';
import { answerFrameworkError, errorPagesPlugin } from './plugins/errors.js';
import { securityPlugin } from './plugins/security.js';
import { staticFilesPlugin } from './plugins/static-files.js';
import { viewsPlugin } from './plugins/views.js';
import { conversationsRoutes } from './routes/conversations.js';
import { feedbackRoutes } from './routes/feedback.js';
import { feedRoutes } from './routes/feeds.js';
import { homeRoutes } from './routes/home.js';
import { iconPaths, iconRoutes } from './routes/icons.js';
import { searchRoutes } from './routes/search.js';
import { sectionRoutes } from './routes/sections.js';
import { sourceRoutes } from './routes/sources.js';
import { probeRoutes, statusRoutes, type ProbeContext } from './routes/status.js';
import { webSubRoutes } from './routes/websub.js';
import { TimeFormats } from './views/format.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The caches the routes share: main.ts calls `webContext.versions.invalidate()` after a poll. */
    webContext: WebContext;
  }
}

/** The routes' shared state, made once per app (no module-level caches). */
export function createWebContext(deps: AppDeps, log?: FastifyBaseLogger): WebContext {
  const now = deps.now ?? Date.now;
  const versions = new VersionTracker(deps.readStreamVersion, 1000, now);
  const cache = new ResponseCache(versions, {
    serveStaleForMs: SERVE_STALE_FOR_MS,
    clock: now,
    onBackgroundError: (err, key) => log?.error({ err, page: key }, 'rendering a page failed; its last version was served'),
  });
  return { ...deps, now, versions, cache, timeFormats: new TimeFormats() };
}

/**
 * `read`'s answer, read again only when the stream version moved: storing an icon bumps it
 * (src/refresh/icons.ts), so the icons a page shows are read once per version, not once per render
 * (a round trip on every uncached page, ~0.5 ms of PostgreSQL's 5; bench/ANALYSIS.md, issue 18).
 * A failed read is not kept.
 */
function perVersion<T>(versions: VersionTracker, read: () => Promise<T>): () => Promise<T> {
  let kept: { version: number; value: Promise<T> } | undefined;
  return () => {
    const version = versions.current();
    if (kept?.version === version) return kept.value;
    const value = read();
    const entry = { version, value };
    kept = entry;
    value.catch(() => {
      if (kept === entry) kept = undefined;
    });
    return value;
  };
}

/**
 * The portal's Fastify app, ready for `inject` or `listen` (the caller listens). Outside-in: security
 * headers and compression for every response, static files, views, error pages, then the routes.
 */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({
    ...loggerOptions(deps.logger),
    logController: new OneLinePerResponse(),
    routerOptions: { ignoreTrailingSlash: true },
    // request.ip: the client a trusted proxy names, else the peer. /metrics checks the peer itself.
    ...(deps.trustedProxies && deps.trustedProxies.length > 0 ? { trustProxy: [...deps.trustedProxies] } : {}),
    // Fastify's own answers carry none of the security headers: these three paths answer for it.
    frameworkErrors: (error, request, reply) => void answerFrameworkError(app, error, request, reply),
    clientErrorHandler: (error, socket) => answerClientError(app.log, error, socket),
    // A request on an open connection while the server closes is served (with Connection: close),
    // not given Fastify's bare 503; the store closes only after the server has.
    return503OnClosing: false,
  });
  const ctx = createWebContext(deps, app.log);
  app.decorate('webContext', ctx);

  await app.register(securityPlugin);
  await app.register(compressionPlugin);
  await app.register(staticFilesPlugin, { publicDir: deps.publicDir ?? defaultPublicDir() });
  await app.register(viewsPlugin, {
    templatesDir: deps.templatesDir ?? defaultTemplatesDir(),
    getSite: () => ctx.getConfig().site,
    now: ctx.now,
    iconPaths: perVersion(ctx.versions, () => iconPaths(ctx.db)),
  });
  await app.register(errorPagesPlugin);

  await homeRoutes(app, ctx);
  await conversationsRoutes(app, ctx);
  await sourceRoutes(app, ctx);
  await searchRoutes(app, ctx);
  await sectionRoutes(app, ctx);
  await feedbackRoutes(app, ctx);
  await feedRoutes(app, ctx);
  await statusRoutes(app, ctx);
  await iconRoutes(app, ctx);
  await webSubRoutes(app, ctx);
  return app;
}

/** What a worker process serves on PORT: /healthz and /metrics, nothing else (no pages, no templates). */
export async function buildProbeApp(deps: ProbeContext & Pick<AppDeps, 'logger'>): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({
    ...loggerOptions(deps.logger),
    logController: new OneLinePerResponse(),
    clientErrorHandler: (error, socket) => answerClientError(app.log, error, socket),
    return503OnClosing: false,
  });
  await app.register(securityPlugin);
  app.setNotFoundHandler((_request, reply) =>
    reply.code(404).type('text/plain; charset=utf-8').send('not found: a worker process answers only /healthz and /metrics\n'),
  );
  await probeRoutes(app, deps);
  return app;
}

/**
 * One short line per response instead of Fastify's two full ones: visitors' mistakes and server
 * faults at info, so operators see them at the default level; successful responses at debug.
 * Fastify's other lines (stream errors and the like) stay as they are.
 */
class OneLinePerResponse extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const status = reply.statusCode;
    const line = { method: request.method, url: request.url, status, ms: Math.round(reply.elapsedTime * 10) / 10 };
    if (error) request.log.error({ ...line, err: error }, 'web: response failed');
    else if (status >= 400) request.log.info(line, 'web: response');
    else request.log.debug(line, 'web: response');
  }
}

function loggerOptions(logger: AppDeps['logger']): Pick<FastifyServerOptions, 'logger' | 'loggerInstance'> {
  if (logger === undefined || typeof logger === 'boolean') return { logger: logger ?? false };
  return { loggerInstance: logger } as Pick<FastifyServerOptions, 'loggerInstance'>;
}
