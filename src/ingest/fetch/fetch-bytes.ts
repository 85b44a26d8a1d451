// fetchBytes: one GET of a small resource that is not a feed (a site's page, an icon), as bytes,
// under the same limits as a feed's fetch: the network guard, redirects, a deadline and a size cap.
import type { CacheValidators, FetchErrorCode } from '../../core/types.js';
import { declaredLengthExceeds, discardBody, readBodyLimited } from './body.js';
import { startDeadline } from './deadline.js';
import { transportFor, DEFAULT_MAX_REDIRECTS, type FetchOptions } from './fetch-feed.js';
import { refusalIn } from './network-guard.js';
import { followRedirects, parseFeedUrl, type RedirectTrail } from './redirects.js';
import { ACCEPT_ENCODING, sendGet } from './request.js';
import { describeThrown, httpStatusMessage } from './results.js';

export type BytesResult =
  | { kind: 'ok'; bytes: Uint8Array; finalUrl: string; contentType?: string; etag?: string; lastModified?: string }
  | { kind: 'not-modified'; finalUrl: string }
  | { kind: 'error'; code: FetchErrorCode; message: string; status?: number };

/** Fetches `url` with `accept`; every failure comes back as a `kind: 'error'` result, never a throw. */
export async function fetchBytes(
  url: string,
  validators: CacheValidators,
  options: FetchOptions & { accept: string; maxBytes: number; signal?: AbortSignal | undefined },
): Promise<BytesResult> {
  const start = parseFeedUrl(url);
  if (!(start instanceof URL)) return { kind: 'error', code: start.code, message: start.message };
  const deadline = startDeadline(options.timeoutMs);
  const transport = transportFor(start, options);
  const headers: Record<string, string> = { accept: options.accept, 'accept-encoding': ACCEPT_ENCODING, 'user-agent': options.userAgent };
  if (validators.etag) headers['if-none-match'] = validators.etag;
  if (validators.lastModified) headers['if-modified-since'] = validators.lastModified;
  // The caller's signal (a process shutting down) ends the fetch as the deadline would.
  const signal = options.signal ? AbortSignal.any([deadline.signal, options.signal]) : deadline.signal;
  const request = { headers, signal, fetchImpl: transport.fetchImpl };
  try {
    const trail: RedirectTrail = {};
    const hop = await followRedirects(start, (next) => sendGet(next, request), options.maxRedirects ?? DEFAULT_MAX_REDIRECTS, trail);
    if (hop.kind === 'error') return { kind: 'error', code: hop.code, message: hop.message };
    const { response, finalUrl } = hop;
    if (response.status === 304) {
      discardBody(response);
      return { kind: 'not-modified', finalUrl };
    }
    if (response.status < 200 || response.status >= 300) {
      discardBody(response);
      return { kind: 'error', code: 'http', message: httpStatusMessage(response.status), status: response.status };
    }
    const tooLarge = { kind: 'error', code: 'too-large', message: `fetch: body is over the ${options.maxBytes}-byte limit` } as const;
    if (declaredLengthExceeds(response.headers, options.maxBytes)) {
      discardBody(response);
      return tooLarge;
    }
    const body = await readBodyLimited(response.body, options.maxBytes, signal);
    if (body.kind === 'too-large') return tooLarge;
    const result: BytesResult = { kind: 'ok', bytes: body.bytes, finalUrl };
    const contentType = response.headers.get('content-type');
    const etag = response.headers.get('etag');
    const lastModified = response.headers.get('last-modified');
    if (contentType) result.contentType = contentType;
    if (etag) result.etag = etag;
    if (lastModified) result.lastModified = lastModified;
    return result;
  } catch (error) {
    const refusal = refusalIn(error);
    if (refusal) return { kind: 'error', code: 'blocked', message: `fetch: ${refusal.message}` };
    if (deadline.expired()) return { kind: 'error', code: 'timeout', message: `fetch: timed out after ${options.timeoutMs} ms` };
    if (options.signal?.aborted) return { kind: 'error', code: 'network', message: 'fetch: stopped' };
    return { kind: 'error', code: 'network', message: `fetch: ${describeThrown(error)}` };
  } finally {
    deadline.clear();
    transport.release();
  }
}
