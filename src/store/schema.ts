import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

// Times are integers: milliseconds since the epoch. JSON columns are text.

export interface SourcesTable {
  id: string;
  title: string;
  site_url: string;
  feed_url: string | null;
  description: Generated<string>;
  category: Generated<string>;
  position: Generated<number>;
  /** 1 while the source is in the feeds file; 0 once removed (its rows stay, out of the stream). */
  active: Generated<number>;
  feed_title: string | null;
  feed_link: string | null;
  feed_icon: string | null;
  /** The feed's own Atom <id>, when it has one. */
  feed_atom_id: string | null;
  etag: string | null;
  last_modified: string | null;
  last_attempt_at: number | null;
  last_success_at: number | null;
  last_status: number | null;
  /** The full message of the last failure: for the log and the operator, never the public pages. */
  last_error: string | null;
  /** Its short machine word (a SourceErrorKind), for the public pages; null before migration 0006. */
  last_error_kind: string | null;
  last_duration_ms: number | null;
  error_count: Generated<number>;
  backoff_until: number | null;
  /** Earliest time the source may be fetched again (backoff, Retry-After or its poll interval). */
  next_poll_at: number | null;
  /** Until when its server asked for a pause (Retry-After on 429/503), which even an operator's poll honours; null before migration 0007. */
  retry_after_until: number | null;
  /** 1 after a 410 Gone: not polled until the operator changes its feed URL. */
  gone: Generated<number>;
  /** Target of a permanent redirect, reported to the operator. */
  moved_to: string | null;
  entry_count: Generated<number>;
  newest_entry_at: number | null;
  created_at: number;
  /** The process that holds the source now (migration 0007); null: free. */
  claimed_by: string | null;
  /** When that claim lapses (ms); past it the source is free whoever holds it. */
  claimed_until: number | null;
  /** The process whose fetch was recorded last. */
  last_polled_by: string | null;
}

export interface EntriesTable {
  id: Generated<number>;
  source_id: string;
  entry_id: string;
  title: string;
  link: string;
  author: string | null;
  published_at: number;
  updated_at: number | null;
  first_seen_at: number;
  /** Last time this row's content changed (insert or update). */
  changed_at: number;
  /** JSON array of strings. */
  categories: Generated<string>;
  /** JSON array of Enclosure. */
  enclosures: Generated<string>;
  content_html: string;
  content_text: string;
  excerpt: string;
  /** Hash of the entry as parsed, before sanitizing: equal hash, nothing to do. */
  content_hash: string;
  /** Key of the normalised link (core/post-keys.ts); null without a usable link (migration 0010). */
  link_key: string | null;
  /** Key of the folded title; null for an empty title. */
  title_key: string | null;
  /** The first stored entry of another source carrying the same post; null: this one is shown. */
  duplicate_of: number | null;
}

export interface PollRunsTable {
  id: Generated<number>;
  trigger: string;
  started_at: number;
  finished_at: number | null;
  sources_due: Generated<number>;
  fetched: Generated<number>;
  not_modified: Generated<number>;
  errors: Generated<number>;
  entries_added: Generated<number>;
  entries_updated: Generated<number>;
}

export interface MetaTable {
  key: string;
  value: number;
}

/** One answer to the feedback form (migration 0009): what the visitor chose and wrote, nothing of who they are. */
export interface FeedbackResponsesTable {
  id: Generated<number>;
  received_at: number;
  /** 1 (not useful) to 5 (very useful). */
  usefulness: number;
  /** A FeedbackPurpose word. */
  came_for: string;
  /** The visitor's own words when came_for is 'other'. */
  came_for_other: string | null;
  /** 'yes', 'partly' or 'no'. */
  found: string;
  /** Empty when the visitor wrote nothing. */
  comment: string;
  /** Only when the visitor asked for a reply. */
  email: string | null;
}

/** One post to the feedback form, for the rate limit: a keyed hash of the address, never the address. */
export interface FeedbackPostsTable {
  id: Generated<number>;
  address_hash: string;
  posted_at: number;
}

/** Values every process must share, made once by whichever needs one first. */
export interface SecretsTable {
  name: string;
  value: string;
}

/** A source's icon (migration 0011): the image columns are null until one passed the checks. */
export interface SourceIconsTable {
  source_id: string;
  /** Where the last search began: the feed's icon URL, else the site's address. */
  found_from: string;
  /** The last search (ms), made or not; the next is a day later unless found_from changes. */
  checked_at: number;
  /** Where the stored image came from. */
  url: string | null;
  /** image/png, image/gif, image/jpeg or image/x-icon, from the bytes themselves. */
  media_type: string | null;
  bytes: Buffer | null;
  /** SHA-256 of the bytes, hex: the served address and ETag carry it. */
  hash: string | null;
  etag: string | null;
  last_modified: string | null;
  /** When the stored image was last fetched or confirmed unchanged (ms). */
  fetched_at: number | null;
}

/** A WebSub subscription the portal asked a hub for (migration 0012). */
export interface WebSubSubscriptionsTable {
  /** Names the callback, /websub/TOKEN: random, so only the hub told it can call it. */
  token: string;
  source_id: string;
  hub: string;
  /** The feed URL subscribed to (the feed's rel="self", else its address). */
  topic: string;
  /** hub.secret: the key of the HMAC in a push's X-Hub-Signature. */
  secret: string;
  /** pending, live, denied or unsubscribed. */
  state: Generated<string>;
  /** What the portal last asked the hub: subscribe or unsubscribe. */
  requested_mode: Generated<string>;
  requested_at: number | null;
  verified_at: number | null;
  lease_seconds: number | null;
  lease_until: number | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

export interface Database {
  sources: SourcesTable;
  entries: EntriesTable;
  poll_runs: PollRunsTable;
  meta: MetaTable;
  feedback_responses: FeedbackResponsesTable;
  feedback_posts: FeedbackPostsTable;
  secrets: SecretsTable;
  source_icons: SourceIconsTable;
  /** Entries waiting for the full-text index (migration 0005; SQLite only). */
  entries_fts_pending: { id: number };
  websub_subscriptions: WebSubSubscriptionsTable;
}

export type SourceRow = Selectable<SourcesTable>;
export type NewSourceRow = Insertable<SourcesTable>;
export type SourceUpdate = Updateable<SourcesTable>;
export type EntryRow = Selectable<EntriesTable>;
export type NewEntryRow = Insertable<EntriesTable>;
export type PollRunRow = Selectable<PollRunsTable>;
export type FeedbackRow = Selectable<FeedbackResponsesTable>;
export type WebSubSubscriptionRow = Selectable<WebSubSubscriptionsTable>;
