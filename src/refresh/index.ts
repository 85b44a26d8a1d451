// The refresh stage's public face: where fetch, parse, filter, sanitize and the store meet.
export { refreshSource, storePushedFeed } from './refresh-source.js';
export { Refresher, refreshAll, dueSources, DEFAULT_CONCURRENCY, DEFAULT_MAX_OPEN_FETCHES } from './refresher.js';
export { backoffMs, nextPollAfterFailure, nextPollAfterSuccess, BACKOFF_BASE_MS, BACKOFF_CAP_MS, RETRY_AFTER_CAP_MS } from './schedule.js';
export { contentHash } from './content-hash.js';
export { userAgent } from './user-agent.js';
export { startProductionRefresher, processIdentity, claimSettings, releaseClaimsOfDeadProcesses, type ProductionRefresher, type ProductionRefresherOptions } from './deps.js';
export { DigestPool, defaultDigestWorkers } from './digest-pool.js';
export { digestFeed, type DigestInput, type DigestOutput, type Digester } from './digest.js';
export type { ClaimSettings, FoundHub, DigestDeps, RefreshDeps, RefreshSource, RefreshAllOptions, RefreshAllResult, RefreshFetchOptions, FeedFetcher } from './types.js';
export { refreshIcons, ICON_CONCURRENCY, type IconRefreshDeps, type IconTally } from './icons.js';
export { WebSubSubscriber, startWebSub, signatureMatches, type WebSub, type WebSubOptions, type PushOutcome, type WebSubCallbacks, type WebSubSubscriberDeps } from './websub.js';
export { HubPinger, type HubPingerOptions, type PingOutcome } from './websub-publish.js';
