// fetchFeed: one conditional GET of a feed URL, redirects, limits and charset included.
import type { CacheValidators, FetchResult } from '../../core/types.js';
import { startDeadline } from './deadline.js';
import { followRedirects, parseFeedUrl, type RedirectTrail } from './redirects.js';
import { buildRequestHeaders, sendGet } from './request.js';
import { interpretResponse } from './response.js';
import { definedOnly, describeThrown, fetchError, type PendingResult } from './results.js';

export const DEFAULT_MAX_BYTES = 5 * 1024 * 1024;
export const DEFAULT_MAX_REDIRECTS = 5;

export interface FetchOptions {
  /** Bounds the whole request, every redirect and the body read included. */
  timeoutMs: number;
  /** Cap on the body after gzip/deflate/br decoding; default 5 MiB. */
  maxBytes?: number;
  /** Default 5. */
  maxRedirects?: number;
  userAgent: string;
  /** Defaults to globalThis.fetch (undici). */
  fetchImpl?: typeof fetch;
  /** Clock for Retry-After dates; defaults to Date.now. */
  now?: () => number;
}

/** Fetches one feed; every failure comes back as a `kind: 'error'` result, never a throw. */
export async function fetchFeed(url: string, validators: CacheValidators, options: FetchOptions): Promise<FetchResult> {
  const started = performance.now();
  let result: PendingResult;
  try {
    result = await fetchUntimed(url, validators, options);
  } catch (error) {
    result = fetchError('network', `fetch: ${describeThrown(error)}`);
  }
  return { ...result, durationMs: Math.round(performance.now() - started) };
}

async function fetchUntimed(url: string, validators: CacheValidators, options: FetchOptions): Promise<PendingResult> {
  const start = parseFeedUrl(url);
  if (!(start instanceof URL)) return start;
  const deadline = startDeadline(options.timeoutMs);
  const trail: RedirectTrail = {};
  try {
    return await fetchWithin(start, validators, options, deadline.signal, trail);
  } catch (error) {
    if (deadline.expired()) return fetchError('timeout', `fetch: timed out after ${options.timeoutMs} ms`, trail);
    return fetchError('network', `fetch: ${describeThrown(error)}`, trail);
  } finally {
    deadline.clear();
  }
}

/** The hops and the body read, all under one signal; throws on network errors and aborts. */
async function fetchWithin(
  start: URL,
  validators: CacheValidators,
  options: FetchOptions,
  signal: AbortSignal,
  trail: RedirectTrail,
): Promise<PendingResult> {
  const request = {
    headers: buildRequestHeaders(validators, options.userAgent),
    signal,
    fetchImpl: options.fetchImpl ?? globalThis.fetch,
  };
  const send = (next: string) => sendGet(next, request);
  const hop = await followRedirects(start, send, options.maxRedirects ?? DEFAULT_MAX_REDIRECTS, trail);
  if (hop.kind === 'error') return hop;
  const limits = { maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES, signal, now: options.now ?? Date.now };
  return interpretResponse({ ...hop, ...definedOnly(trail) }, validators, limits);
}
