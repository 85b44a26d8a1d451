import type { Rendered } from '../cache.js';
import type { WebContext } from '../deps.js';
import { timeFormatter, type ShownTime } from '../views/format.js';

export const HTML = 'text/html; charset=utf-8';

export function htmlPage(body: string): Rendered {
  return { body, contentType: HTML };
}

/** Formats times in the site's zone, as the configuration in force says. */
export function siteTimeFormatter(ctx: WebContext): (ms: number) => ShownTime {
  return timeFormatter(ctx.getConfig().site.timezone);
}
