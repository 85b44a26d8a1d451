// Why a source failed, as the public status pages say it: a machine word and a few plain words.
// The full message (which can name internal hosts, addresses and paths) stays in the log.
import type { SourceErrorKind } from '../core/types.js';

/** A stored kind this version knows, or 'unknown' (a failure recorded before kinds were, or by a newer version). */
export type ShownErrorKind = SourceErrorKind | 'unknown';

const WORDS: Readonly<Record<Exclude<ShownErrorKind, 'http'>, string>> = {
  timeout: 'Timed out',
  'too-large': 'Too large',
  'too-many-redirects': 'Too many redirects',
  gone: 'Gone (HTTP 410)',
  network: 'Could not connect',
  'bad-url': 'Not a usable feed URL',
  blocked: 'Refused: private address',
  parse: 'Not a readable feed',
  'too-complex': 'Too complex to read',
  internal: 'Internal error',
  unknown: 'Failed',
};

function isSourceErrorKind(kind: string): kind is SourceErrorKind {
  return kind !== 'unknown' && (kind === 'http' || Object.hasOwn(WORDS, kind));
}

/** The kind stored with a failure (sources.last_error_kind) as the pages may show it; null when there was no failure. */
export function shownErrorKind(storedKind: string | null, failed: boolean): ShownErrorKind | null {
  if (storedKind !== null && isSourceErrorKind(storedKind)) return storedKind;
  return failed ? 'unknown' : null;
}

/** "Timed out", "HTTP 503", "Not a readable feed": what a visitor reads for a kind. */
export function errorWords(kind: ShownErrorKind, status: number | null): string {
  if (kind === 'http') return status === null ? 'HTTP error' : `HTTP ${status}`;
  return WORDS[kind];
}
