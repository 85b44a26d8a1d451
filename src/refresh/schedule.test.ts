import { describe, expect, it } from 'vitest';
import { BACKOFF_CAP_MS, RETRY_AFTER_CAP_MS, backoffMs, nextPollAfterFailure, nextPollAfterSuccess, retryAfterUntil } from './schedule.js';

const MIN = 60_000;

describe('backoffMs', () => {
  it.each([
    [1, 15 * MIN],
    [2, 30 * MIN],
    [3, 60 * MIN],
    [4, 120 * MIN],
    [7, 960 * MIN],
    [8, BACKOFF_CAP_MS],
    [50, BACKOFF_CAP_MS],
    [5000, BACKOFF_CAP_MS],
  ])('after %i consecutive errors waits %i ms', (errors, expected) => {
    expect(backoffMs(errors)).toBe(expected);
  });
});

describe('nextPollAfterFailure', () => {
  const now = Date.UTC(2026, 0, 1);

  it('uses the backoff when there is no Retry-After', () => {
    expect(nextPollAfterFailure(now, 2)).toBe(now + 30 * MIN);
  });

  it('waits for a Retry-After longer than the backoff', () => {
    expect(nextPollAfterFailure(now, 1, 3 * 60 * MIN)).toBe(now + 3 * 60 * MIN);
  });

  it('keeps the backoff when Retry-After is shorter', () => {
    expect(nextPollAfterFailure(now, 3, 10_000)).toBe(now + 60 * MIN);
  });

  it('caps Retry-After at seven days', () => {
    expect(nextPollAfterFailure(now, 1, 365 * 24 * 60 * MIN)).toBe(now + RETRY_AFTER_CAP_MS);
  });
});

describe('retryAfterUntil', () => {
  const now = Date.UTC(2026, 0, 1);

  it('is the end of the pause the server asked for, capped at seven days', () => {
    expect(retryAfterUntil(now, 10_000)).toBe(now + 10_000);
    expect(retryAfterUntil(now, 365 * 24 * 60 * MIN)).toBe(now + RETRY_AFTER_CAP_MS);
  });

  it('is none without a Retry-After, or with one already past', () => {
    expect(retryAfterUntil(now, undefined)).toBeUndefined();
    expect(retryAfterUntil(now, 0)).toBeUndefined();
  });
});

describe('nextPollAfterSuccess', () => {
  it('is every pass without an interval, else now plus the interval', () => {
    expect(nextPollAfterSuccess(1000)).toBeNull();
    expect(nextPollAfterSuccess(1000, 90)).toBe(1000 + 90 * MIN);
  });
});
