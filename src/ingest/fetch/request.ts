// The one GET each hop makes.
import type { CacheValidators } from '../../core/types.js';

/**
 * The XML feed types first; JSON Feed's types after them, so a server offering both sends RSS or
 * Atom; anything else only as a last resort (some servers send feeds as text/html).
 */
export const FEED_ACCEPT =
  'application/atom+xml, application/rss+xml, application/xml, text/xml, application/feed+json;q=0.9, application/json;q=0.8, */*;q=0.1';

/** Undici's fetch decodes gzip, deflate (zlib or raw) and br bodies even when we set this ourselves. */
export const ACCEPT_ENCODING = 'gzip, deflate, br';

export function buildRequestHeaders(validators: CacheValidators, userAgent: string): Record<string, string> {
  const headers: Record<string, string> = {
    accept: FEED_ACCEPT,
    'accept-encoding': ACCEPT_ENCODING,
    'user-agent': userAgent,
  };
  if (validators.etag) headers['if-none-match'] = validators.etag;
  if (validators.lastModified) headers['if-modified-since'] = validators.lastModified;
  return headers;
}

export interface GetRequest {
  headers: Record<string, string>;
  signal: AbortSignal;
  fetchImpl: typeof fetch;
}

/**
 * One GET that never follows redirects itself: we follow them to see each hop. Rejects with
 * the signal's reason on abort even if an injected fetch ignores the signal.
 */
export function sendGet(url: string, request: GetRequest): Promise<Response> {
  const pending = request.fetchImpl(url, {
    method: 'GET',
    headers: request.headers,
    redirect: 'manual',
    signal: request.signal,
  });
  return rejectOnAbort(pending, request.signal);
}

function rejectOnAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
