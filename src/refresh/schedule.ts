// When a source may be fetched next: its poll interval after a success, a growing backoff after
// failures, and never sooner than a server's Retry-After.

const MINUTE_MS = 60_000;
export const BACKOFF_BASE_MS = 15 * MINUTE_MS;
export const BACKOFF_CAP_MS = 24 * 60 * MINUTE_MS;
export const RETRY_AFTER_CAP_MS = 7 * 24 * 60 * MINUTE_MS;

/** 15 min after the first failure, doubling with each one after, never more than 24 h. */
export function backoffMs(consecutiveErrors: number): number {
  const exponent = Math.max(0, consecutiveErrors - 1);
  // 2^7 × 15 min already passes the cap; stop before the power grows without bound.
  return Math.min(BACKOFF_BASE_MS * 2 ** Math.min(exponent, 16), BACKOFF_CAP_MS);
}

/** The next poll after a failure: the backoff, or the server's Retry-After (capped at 7 days) when later. */
export function nextPollAfterFailure(now: number, consecutiveErrors: number, retryAfterMs?: number): number {
  return Math.max(now + backoffMs(consecutiveErrors), retryAfterUntil(now, retryAfterMs) ?? now);
}

/**
 * Until when the server asked not to be fetched (its Retry-After, capped at 7 days), or undefined
 * when it asked for no pause (no Retry-After, or one already past).
 */
export function retryAfterUntil(now: number, retryAfterMs: number | undefined): number | undefined {
  if (retryAfterMs === undefined || retryAfterMs <= 0) return undefined;
  return now + Math.min(retryAfterMs, RETRY_AFTER_CAP_MS);
}

/** The next poll after a success: the source's interval, or null (every pass) when it has none. */
export function nextPollAfterSuccess(now: number, pollMinutes?: number): number | null {
  return pollMinutes === undefined ? null : now + pollMinutes * MINUTE_MS;
}
