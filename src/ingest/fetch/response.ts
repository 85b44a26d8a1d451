// Turning the final response of a fetch into a result.
import type { CacheValidators } from '../../core/types.js';
import { declaredLengthExceeds, discardBody, readBodyLimited } from './body.js';
import { decodeFeedBody } from './charset.js';
import { definedOnly, fetchError, httpStatusMessage, type PendingResult } from './results.js';
import { parseRetryAfter } from './retry-after.js';

const RETRYABLE_STATUSES = new Set([429, 503]);

export interface FinalResponse {
  response: Response;
  finalUrl: string;
  permanentRedirectTo?: string;
}

export interface ResponseLimits {
  maxBytes: number;
  signal: AbortSignal;
  now: () => number;
}

export async function interpretResponse(
  final: FinalResponse,
  validators: CacheValidators,
  limits: ResponseLimits,
): Promise<PendingResult> {
  const { status } = final.response;
  if (status === 304) return notModified(final, validators);
  if (status >= 200 && status < 300) return readFeed(final, limits);
  discardBody(final.response);
  return statusError(final, limits.now);
}

function notModified(final: FinalResponse, validators: CacheValidators): PendingResult {
  discardBody(final.response);
  const { headers } = final.response;
  return {
    kind: 'not-modified',
    status: 304,
    finalUrl: final.finalUrl,
    // A 304 may omit the validators; the ones we sent are still good then.
    ...definedOnly({
      etag: headers.get('etag') ?? validators.etag,
      lastModified: headers.get('last-modified') ?? validators.lastModified,
      permanentRedirectTo: final.permanentRedirectTo,
    }),
  };
}

async function readFeed(final: FinalResponse, limits: ResponseLimits): Promise<PendingResult> {
  const { response } = final;
  if (declaredLengthExceeds(response.headers, limits.maxBytes)) {
    discardBody(response);
    const declared = response.headers.get('content-length');
    return tooLarge(final, `fetch: Content-Length ${declared} is over the ${limits.maxBytes}-byte limit`);
  }
  const body = await readBodyLimited(response.body, limits.maxBytes, limits.signal);
  if (body.kind === 'too-large') return tooLarge(final, `fetch: body is over the ${limits.maxBytes}-byte limit`);
  return {
    kind: 'ok',
    status: response.status,
    body: decodeFeedBody(body.bytes, response.headers.get('content-type')),
    finalUrl: final.finalUrl,
    bytes: body.bytes.byteLength,
    ...definedOnly({
      etag: response.headers.get('etag') ?? undefined,
      lastModified: response.headers.get('last-modified') ?? undefined,
      permanentRedirectTo: final.permanentRedirectTo,
      link: response.headers.get('link') ?? undefined,
    }),
  };
}

function tooLarge(final: FinalResponse, message: string): PendingResult {
  return fetchError('too-large', message, { permanentRedirectTo: final.permanentRedirectTo });
}

function statusError(final: FinalResponse, now: () => number): PendingResult {
  const { status, headers } = final.response;
  const extra = { status, permanentRedirectTo: final.permanentRedirectTo };
  if (status === 410) return fetchError('gone', httpStatusMessage(status), extra);
  const retryAfterMs = RETRYABLE_STATUSES.has(status) ? parseRetryAfter(headers.get('retry-after'), now()) : undefined;
  return fetchError('http', httpStatusMessage(status), { ...extra, retryAfterMs });
}
