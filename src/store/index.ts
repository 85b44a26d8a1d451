// The store's public face: the database (SQLite or PostgreSQL) and its repositories. No network, no ingest code.
export { openStore, openMigratedStore, migrateStore, migrateToLatest, storeTargetOf, type Db, type OpenedStore, type StoreTarget } from './database.js';
export type { DatabaseKind } from './dialect.js';
export type { Database, SourceRow, EntryRow, PollRunRow, FeedbackRow, WebSubSubscriptionRow } from './schema.js';
export {
  syncSources,
  listActiveSources,
  listDueSources,
  listGoneSources,
  listPausedSources,
  getSource,
  recordSuccess,
  recordFailure,
  listSourceHealth,
  countStoredEntries,
  type SuccessState,
  type FailureState,
  type DueOptions,
} from './sources.js';
export { saveFetch, getEntryHashes, type StoredEntryInput, type SaveOutcome } from './entries.js';
export {
  listStream,
  type StreamQuery,
  type StreamEntry,
  type StreamPage,
  type StreamCursorPosition,
  listStreamTeasers,
  listHomeTeasers,
  type StreamTeaser,
  type StreamPageOf,
  type HomeTeaser,
  type HomePage,
  type SourceCredit,
} from './stream.js';
export { listSourceSummaries, type SourceSummary } from './source-list.js';
export { searchEntries, toFtsQuery, RANKED_MATCHES, HIGHLIGHT_START, HIGHLIGHT_END, type SearchHit } from './search.js';
export { startPollRun, finishPollRun, latestPollRun, pollRunColumns, tallyPollRuns, type PollRunTotals, type PassTally } from './polls.js';
export { readStreamVersion, bumpStreamVersion, pingDatabase, refreshPlannerStatistics } from './meta.js';
export { claimDueSources, claimSource, renewClaim, releaseClaim, listClaimOwners, releaseClaimsOf, type ClaimTerms, type SourceClaimTerms } from './claims.js';
export { copyStore, TargetNotEmpty, type CopyReport } from './copy.js';
export { indexPendingEntries, countPendingEntries, INDEX_BATCH } from './search-index.js';
export {
  saveFeedback,
  deleteFeedbackBefore,
  listFeedback,
  countFeedback,
  admitFeedbackPost,
  sharedSecret,
  type FeedbackResponse,
  type StoredFeedback,
  type PostLimit,
  type PostAdmission,
} from './feedback.js';
export {
  listIconsDue, claimIconCheck, releaseIconCheck, saveIcon, confirmIcon, getIcon, listIconHashes, ICON_RECHECK_MS,
  type IconDue, type FoundIcon, type StoredIcon,
} from './icons.js';
export {
  findSubscription,
  currentSubscription,
  createSubscription,
  markRequested,
  markRequestFailed,
  markVerified,
  markDenied,
  markUnsubscribed,
  listLeasesEndingBefore,
  listUnverifiedSince,
  listSubscriptionsOfRemovedSources,
  listSubscriptionSummaries,
  hasLiveSubscription,
  deferNextPoll,
  type NewSubscription,
  type SubscriptionSummary,
  type WebSubMode,
  type WebSubState,
} from './websub.js';
