// Following redirects hop by hop, so we see each status and can report permanent moves.
import { definedOnly, fetchError, httpStatusMessage, type PendingError } from './results.js';

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const PERMANENT_STATUSES = new Set([301, 308]);

/** What the hops so far say; kept outside the result so a later failure can still report it. */
export interface RedirectTrail {
  /** The last target of the unbroken run of 301/308 hops at the start of the chain. */
  permanentRedirectTo?: string;
}

export type HopOutcome = { kind: 'response'; response: Response; finalUrl: string } | PendingError;

/** An absolute http: or https: URL, resolved against `base` when given; else an error. */
export function parseFeedUrl(raw: string, base?: string): URL | PendingError {
  let url: URL;
  try {
    url = new URL(raw, base);
  } catch {
    return fetchError('bad-url', `fetch: invalid URL ${JSON.stringify(raw)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return fetchError('bad-url', `fetch: unsupported URL scheme ${url.protocol} in ${url.href}`);
  }
  return url;
}

/**
 * GETs `start` and follows up to maxRedirects redirects, resolving relative Location headers.
 * Redirect bodies are discarded; the final response is returned unread.
 */
export async function followRedirects(
  start: URL,
  send: (url: string) => Promise<Response>,
  maxRedirects: number,
  trail: RedirectTrail,
): Promise<HopOutcome> {
  let current = start.href;
  let stillPermanent = true;
  for (let hops = 0; ; hops += 1) {
    const response = await send(current);
    if (!REDIRECT_STATUSES.has(response.status)) return { kind: 'response', response, finalUrl: current };
    void response.body?.cancel().catch(() => undefined);
    const next = nextHop(response, current, hops, maxRedirects, trail);
    if (!(next instanceof URL)) return next;
    stillPermanent &&= PERMANENT_STATUSES.has(response.status);
    if (stillPermanent) trail.permanentRedirectTo = next.href;
    current = next.href;
  }
}

/** The URL to go to next, or why we stop here. */
function nextHop(
  response: Response,
  current: string,
  hops: number,
  maxRedirects: number,
  trail: RedirectTrail,
): URL | PendingError {
  const extra = { permanentRedirectTo: trail.permanentRedirectTo };
  if (hops >= maxRedirects) {
    return fetchError('too-many-redirects', `fetch: more than ${maxRedirects} redirects`, extra);
  }
  const location = response.headers.get('location');
  if (!location) {
    const message = httpStatusMessage(response.status, ' without a Location header');
    return fetchError('http', message, { ...extra, status: response.status });
  }
  const next = parseFeedUrl(location, current);
  return next instanceof URL ? next : { ...next, ...definedOnly(extra) };
}
