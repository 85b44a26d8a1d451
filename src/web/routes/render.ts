// Augments route options with `compress` and `decompress`.
import type {} from '@fastify/compress';
import type { Rendered } from '../cache.js';
import type { WebContext } from '../deps.js';
import type { ShownTime } from '../views/format.js';

export const HTML = 'text/html; charset=utf-8';

/**
 * Route options of the cached pages and feeds: the ResponseCache compresses their bodies once per
 * version, and a GET has no body to decompress, so @fastify/compress adds no hook to them at all.
 */
export const CACHED_ROUTE = { compress: false, decompress: false } as const;

export function htmlPage(body: string): Rendered {
  return { body, contentType: HTML };
}

/** Formats times in the site's zone, as the configuration in force says. */
export function siteTimeFormatter(ctx: WebContext): (ms: number) => ShownTime {
  return ctx.timeFormats.for(ctx.getConfig().site.timezone);
}
