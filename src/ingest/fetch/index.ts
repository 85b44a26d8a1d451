// The feed fetcher's public face.
export { fetchFeed, DEFAULT_MAX_BYTES, type FetchOptions } from './fetch-feed.js';
export { createNetworkGuard, type NetworkGuard, type NetworkGuardOptions, type NamingSource } from './network-guard.js';
export { decodeFeedBody } from './charset.js';
export { parseRetryAfter } from './retry-after.js';
export { fetchBytes, type BytesResult } from './fetch-bytes.js';
