// Building FetchResult values; fetchFeed adds durationMs last.
import { STATUS_CODES } from 'node:http';
import type { FetchErrorCode, FetchResult } from '../../core/types.js';

type WithoutDuration<T> = T extends unknown ? Omit<T, 'durationMs'> : never;

/** A FetchResult still waiting for its durationMs. */
export type PendingResult = WithoutDuration<FetchResult>;
export type PendingError = Extract<PendingResult, { kind: 'error' }>;

export function fetchError(
  code: FetchErrorCode,
  message: string,
  extra: { status?: number; retryAfterMs?: number; permanentRedirectTo?: string } = {},
): PendingError {
  return { kind: 'error', code, message, ...definedOnly(extra) };
}

/** "fetch: HTTP 404 Not Found", with the standard reason phrase whatever the server wrote. */
export function httpStatusMessage(status: number, note = ''): string {
  const reason = STATUS_CODES[status];
  return `fetch: HTTP ${status}${reason ? ` ${reason}` : ''}${note}`;
}

/**
 * The most telling message in a thrown value: undici wraps socket and DNS failures as
 * TypeError('fetch failed') with the real error as `cause`, Node's happy-eyeballs connect wraps
 * several attempts in an AggregateError with an empty message, and mocks may throw plain objects.
 */
export function describeThrown(error: unknown): string {
  let current: unknown = error;
  let best = '';
  for (let depth = 0; depth < 8 && typeof current === 'object' && current !== null; depth += 1) {
    best = stringField(current, 'message') || stringField(current, 'code') || best;
    const inner: unknown = current instanceof AggregateError ? current.errors[0] : undefined;
    current = (current as { cause?: unknown }).cause ?? inner;
  }
  return best || String(error);
}

/** Copies only the keys whose values are defined, so results carry no `key: undefined`. */
export function definedOnly<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<T>;
}

function stringField(value: object, key: string): string {
  const field = (value as Record<string, unknown>)[key];
  return typeof field === 'string' ? field : '';
}
