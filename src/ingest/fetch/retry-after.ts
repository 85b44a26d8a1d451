// Retry-After (RFC 9110 §10.2.3): delay-seconds or an HTTP-date.

const DELAY_SECONDS = /^\d+$/;
// The three HTTP-date forms: IMF-fixdate, obsolete RFC 850, and asctime.
const HTTP_DATE = [
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/,
  /^(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), \d{2}-(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)-\d{2} \d{2}:\d{2}:\d{2} GMT$/,
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/,
];

/**
 * Milliseconds from `now` until the server says to retry; 0 for a date already past;
 * undefined for a missing or malformed value (Date.parse alone accepts too much garbage).
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  const trimmed = value?.trim();
  if (!trimmed) return undefined;
  if (DELAY_SECONDS.test(trimmed)) return secondsToMs(trimmed);
  if (!HTTP_DATE.some((form) => form.test(trimmed))) return undefined;
  // asctime carries no zone; HTTP says it is GMT.
  const when = Date.parse(trimmed.endsWith('GMT') ? trimmed : `${trimmed} GMT`);
  return Number.isNaN(when) ? undefined : Math.max(0, when - now);
}

function secondsToMs(digits: string): number | undefined {
  const ms = Number(digits) * 1000;
  return Number.isSafeInteger(ms) ? ms : undefined;
}
