// fetchFeed: one conditional GET of a feed URL, redirects, limits and charset included.
import type { CacheValidators, FetchResult } from '../../core/types.js';
import { startDeadline } from './deadline.js';
import { createNetworkGuard, refusalIn, type NetworkGuard } from './network-guard.js';
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
  /**
   * Where private networks may be reached: the process's guard, naming the feeds file's sources.
   * Without one, the fetch makes its own that names only the start URL's origin.
   */
  guard?: NetworkGuard;
  /** Replaces the guarded fetch, guard and all: tests that intercept Node's own fetch pass it here. */
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
  const transport = transportFor(start, options);
  try {
    return await fetchWithin(start, validators, options, transport.fetchImpl, deadline.signal, trail);
  } catch (error) {
    const refusal = refusalIn(error);
    if (refusal) return fetchError('blocked', `fetch: ${refusal.message}`, trail);
    if (deadline.expired()) return fetchError('timeout', `fetch: timed out after ${options.timeoutMs} ms`, trail);
    return fetchError('network', `fetch: ${describeThrown(error)}`, trail);
  } finally {
    deadline.clear();
    transport.release();
  }
}

/** The fetch to send with: the caller's own, the caller's guard, or a guard for this fetch alone. */
export function transportFor(start: URL, options: FetchOptions): { fetchImpl: typeof fetch; release: () => void } {
  const given = options.fetchImpl ?? options.guard?.fetch;
  if (given) return { fetchImpl: given, release: () => {} };
  // The start URL is the caller's own, so its origin is named; where its answers lead is not.
  const guard = createNetworkGuard({ namedSources: () => [{ feed: start.href }] });
  return { fetchImpl: guard.fetch, release: () => void guard.close().catch(() => undefined) };
}

/** The hops and the body read, all under one signal; throws on network errors and aborts. */
async function fetchWithin(
  start: URL,
  validators: CacheValidators,
  options: FetchOptions,
  fetchImpl: typeof fetch,
  signal: AbortSignal,
  trail: RedirectTrail,
): Promise<PendingResult> {
  const request = { headers: buildRequestHeaders(validators, options.userAgent), signal, fetchImpl };
  const send = (next: string) => sendGet(next, request);
  const hop = await followRedirects(start, send, options.maxRedirects ?? DEFAULT_MAX_REDIRECTS, trail);
  if (hop.kind === 'error') return hop;
  const limits = { maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES, signal, now: options.now ?? Date.now };
  return interpretResponse({ ...hop, ...definedOnly(trail) }, validators, limits);
}
