// The WebSub subscriber (W3C WebSub): subscribes to the hubs sources name, answers the hubs'
// verifications of intent for what it asked only, stores signed pushes through the same digest
// and save as a poll, renews leases, and unsubscribes sources that left the feeds file.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import type { FeedsConfig, RefreshReport, SourceConfig } from '../core/types.js';
import { messageOf } from '../core/errors.js';
import { decodeFeedBody } from '../ingest/index.js';
import {
  createSubscription,
  currentSubscription,
  deferNextPoll,
  findSubscription,
  getSource,
  hasLiveSubscription,
  indexPendingEntries,
  listLeasesEndingBefore,
  listSubscriptionsOfRemovedSources,
  listUnverifiedSince,
  markDenied,
  markRequested,
  markRequestFailed,
  markUnsubscribed,
  markVerified,
  type Db,
  type WebSubMode,
  type WebSubSubscriptionRow,
} from '../store/index.js';
import type { Digester } from './digest.js';
import { HubPinger, type PingOutcome } from './websub-publish.js';
import { storePushedFeed } from './refresh-source.js';
import type { FoundHub, RefreshSource } from './types.js';

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

/** The lease asked for; the hub decides the one it grants. */
export const REQUESTED_LEASE_SECONDS = 10 * 24 * 60 * 60;
/** A subscription the hub has not verified after this long is asked for again. */
export const UNVERIFIED_RETRY_MS = 60 * MINUTE_MS;
/** A lease is renewed when less than this remains (or half the lease, for short ones). */
export const RENEW_AHEAD_MS = DAY_MS;
/** A pushed source is still polled, this many times less often (capped at a day), in case a push is lost. */
export const PUSHED_POLL_FACTOR = 4;
/** The interval a source without poll_minutes is taken to have: the default schedule's half hour. */
export const DEFAULT_POLL_MINUTES = 30;

/** What the web routes need of the subscriber (/websub/:token). */
export interface WebSubCallbacks {
  /** Pushes larger than this are refused (413): the fetcher's size cap. */
  readonly maxBodyBytes: number;
  /** A hub's GET: the challenge to echo (200), or 404 for anything the portal did not ask. */
  verify(token: string, query: Readonly<Record<string, string | undefined>>): Promise<{ status: 200; body: string } | { status: 404 }>;
  /** A hub's POST: 2xx even when its signature fails (WebSub asks it), 404/410 when there is no such subscription. */
  receive(token: string, body: Buffer, headers: { signature?: string; contentType?: string }): Promise<{ status: number }>;
}

export interface WebSubSubscriberDeps {
  db: Db;
  log: Logger;
  now: () => number;
  /** The fetcher's network guard's fetch: hub URLs come from remote feeds. */
  fetch: typeof fetch;
  /** Bounds every request to a hub (FETCH_TIMEOUT_MS). */
  timeoutMs: number;
  userAgent: string;
  /** SITE_URL, ending in '/': callbacks are SITE_URL/websub/TOKEN. */
  siteUrl: () => string;
  getConfig: () => FeedsConfig;
  /** Where pushed bodies are parsed and sanitized: the digest pool, off the main thread. */
  digest: Digester;
  /** The fetcher's size cap. */
  maxBodyBytes: number;
  /** A push stored new or changed entries: caches let go, the publisher pings its hub. */
  onStreamChanged?: () => void;
  /** Counted on /metrics (portal_websub_pushes_total). */
  onPush?: (outcome: PushOutcome) => void;
}

/** What became of a hub's push: taken to be stored, dropped for its signature, refused (no such subscription, or ended). */
export type PushOutcome = 'accepted' | 'bad-signature' | 'gone' | 'unknown';

export class WebSubSubscriber implements WebSubCallbacks {
  readonly maxBodyBytes: number;
  /** Requests to hubs and stored pushes still running: close() and tests wait for them. */
  private readonly running = new Set<Promise<unknown>>();
  /** Sources whose subscription is being changed now: a second discovery waits for the next one. */
  private readonly changing = new Set<string>();
  /** Pushes of one source are stored one after another, in the order they came. */
  private readonly pushChains = new Map<string, Promise<unknown>>();

  constructor(private readonly deps: WebSubSubscriberDeps) {
    this.maxBodyBytes = deps.maxBodyBytes;
  }

  /** Resolves once every request and push started so far has ended. */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  // ---- subscribing ----

  /**
   * A poll found a hub for the source (RefreshDeps.onHubFound). Subscribes when the source has no
   * subscription to this hub and topic yet, unsubscribing one to another; in the background.
   */
  readonly hubFound = (source: RefreshSource, found: FoundHub): void => {
    const id = source.row.id;
    if (this.changing.has(id)) return;
    this.changing.add(id);
    this.track(this.replaceSubscription(id, found).finally(() => this.changing.delete(id)));
  };

  private async replaceSubscription(sourceId: string, found: FoundHub): Promise<void> {
    const { db, now } = this.deps;
    const current = await currentSubscription(db, sourceId);
    if (current && current.hub === found.hub && current.topic === found.topic) return;
    if (current) await this.request(current, 'unsubscribe');
    const row = await createSubscription(db, { sourceId, hub: found.hub, topic: found.topic, token: randomToken(), secret: randomSecret() }, now());
    this.deps.log.info({ source_id: sourceId, hub: found.hub, topic: found.topic }, 'websub: subscribing');
    await this.request(row, 'subscribe');
  }

  /**
   * Renews leases that end soon, asks again for subscriptions never verified, and unsubscribes
   * those of sources that left the feeds file. Called by the worker after each pass.
   */
  async maintain(): Promise<void> {
    const { db, now } = this.deps;
    const at = now();
    const renew = (await listLeasesEndingBefore(db, at + RENEW_AHEAD_MS)).filter((row) => row.lease_until! - at < renewAheadMs(row));
    const retry = await listUnverifiedSince(db, at - UNVERIFIED_RETRY_MS);
    const removed = await listSubscriptionsOfRemovedSources(db);
    const removedTokens = new Set(removed.map((row) => row.token));
    const work = [
      ...removed.map((row) => this.request(row, 'unsubscribe')),
      ...[...renew, ...retry].filter((row) => !removedTokens.has(row.token)).map((row) => this.request(row, 'subscribe')),
    ];
    await this.track(Promise.all(work));
  }

  /**
   * One form POST to the hub. What the portal asks is written first: a hub may verify intent
   * before it even answers. Redirects are not followed (they would carry the secret elsewhere).
   */
  private async request(row: WebSubSubscriptionRow, mode: WebSubMode): Promise<void> {
    const { db, now, log } = this.deps;
    await markRequested(db, row.token, mode, now());
    const form = new URLSearchParams({ 'hub.mode': mode, 'hub.topic': row.topic, 'hub.callback': this.callbackUrl(row.token) });
    if (mode === 'subscribe') {
      // Sent to http hubs too (WebSub says SHOULD only over https): without it no push could be trusted.
      form.set('hub.lease_seconds', String(REQUESTED_LEASE_SECONDS));
      form.set('hub.secret', row.secret);
    }
    let failure: string | undefined;
    try {
      const response = await this.deps.fetch(row.hub, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': this.deps.userAgent },
        body: form.toString(),
        redirect: 'manual',
        signal: AbortSignal.timeout(this.deps.timeoutMs),
      });
      await response.body?.cancel().catch(() => undefined);
      if (response.status < 200 || response.status > 299) failure = `websub: the hub answered HTTP ${response.status}`;
    } catch (error) {
      failure = `websub: the hub could not be reached: ${messageOf(error)}`;
    }
    if (failure === undefined) return;
    log.warn({ source_id: row.source_id, hub: row.hub, mode, error: failure }, 'websub: request refused');
    await markRequestFailed(db, row.token, failure, now());
    // A source that left the file is given up on even if its hub will not hear it: pushes get 410.
    if (mode === 'unsubscribe') await markUnsubscribed(db, row.token, now());
  }

  private callbackUrl(token: string): string {
    return new URL(`websub/${token}`, this.deps.siteUrl()).href;
  }

  // ---- the hub's calls ----

  async verify(token: string, query: Readonly<Record<string, string | undefined>>): Promise<{ status: 200; body: string } | { status: 404 }> {
    const { db, now, log } = this.deps;
    const row = await findSubscription(db, token);
    const mode = query['hub.mode'];
    if (!row || row.state === 'unsubscribed' || query['hub.topic'] !== row.topic) return { status: 404 };
    if (mode === 'denied') {
      if (row.requested_mode !== 'subscribe') return { status: 404 };
      await markDenied(db, token, `websub: the hub denied the subscription${query['hub.reason'] ? `: ${query['hub.reason']}` : ''}`, now());
      log.warn({ source_id: row.source_id, hub: row.hub, reason: query['hub.reason'] }, 'websub: subscription denied');
      return { status: 200, body: '' };
    }
    const challenge = query['hub.challenge'];
    if ((mode !== 'subscribe' && mode !== 'unsubscribe') || mode !== row.requested_mode || challenge === undefined || challenge === '') {
      return { status: 404 };
    }
    const lease = Number(query['hub.lease_seconds']);
    const leaseSeconds = Number.isSafeInteger(lease) && lease > 0 ? lease : undefined;
    await markVerified(db, token, mode, leaseSeconds, now());
    log.info({ source_id: row.source_id, hub: row.hub, mode, lease_seconds: leaseSeconds }, 'websub: verified');
    if (mode === 'subscribe') await this.slowPolling(row.source_id);
    return { status: 200, body: challenge };
  }

  async receive(token: string, body: Buffer, headers: { signature?: string; contentType?: string }): Promise<{ status: number }> {
    const { db, log } = this.deps;
    const row = await findSubscription(db, token);
    if (!row) return this.pushed('unknown', 404);
    const config = this.deps.getConfig();
    const source = config.sources.find((s) => s.id === row.source_id && s.feed !== undefined);
    // Gone: the hub should stop sending (WebSub lets a subscriber end a subscription so).
    if (row.state === 'unsubscribed' || row.requested_mode !== 'subscribe' || !source) return this.pushed('gone', 410);
    if (!signatureMatches(body, headers.signature, row.secret)) {
      log.warn({ source_id: row.source_id, hub: row.hub, signed: headers.signature !== undefined }, 'websub: push dropped: its signature does not match');
      return this.pushed('bad-signature', 202);
    }
    const sourceId = row.source_id;
    const previous = this.pushChains.get(sourceId) ?? Promise.resolve();
    const stored = previous.catch(() => undefined).then(() => this.storePush(row, source, config, body, headers.contentType));
    this.pushChains.set(sourceId, stored);
    this.track(stored.finally(() => this.pushChains.get(sourceId) === stored && this.pushChains.delete(sourceId)));
    return this.pushed('accepted', 202);
  }

  private pushed(outcome: PushOutcome, status: number): { status: number } {
    this.deps.onPush?.(outcome);
    return { status };
  }

  /**
   * The push is answered once its signature is checked; its body is digested afterwards on the
   * digest pool's worker threads, as a polled body is, so no parse runs on the thread that serves.
   * Chosen over storing the body for a worker process to pick up: the entry shows within seconds
   * without a queue table, and the process that answered the hub already holds the body.
   */
  private async storePush(row: WebSubSubscriptionRow, config: SourceConfig, feeds: FeedsConfig, body: Buffer, contentType: string | undefined): Promise<RefreshReport | undefined> {
    const { db, log, now, digest } = this.deps;
    const stored = await getSource(db, row.source_id);
    if (!stored) return undefined;
    const source: RefreshSource = { row: stored, config, defaultMaxEntries: feeds.site.maxEntries };
    const text = decodeFeedBody(body, contentType ?? null);
    const report = await storePushedFeed({ db, log, now, digest }, source, { body: text, feedUrl: row.topic });
    if (report.added + report.updated > 0) {
      try {
        await indexPendingEntries(db);
      } catch (err) {
        log.error({ err }, 'websub: indexing pushed entries failed; the next pass tries again');
      }
      this.deps.onStreamChanged?.();
    }
    return report;
  }

  // ---- polling less while pushed ----

  /** After a poll of the source (PollPassesDeps.onReport): a pushed source waits longer for the next. */
  readonly afterPoll = (report: RefreshReport): void => {
    if (report.outcome !== 'updated' && report.outcome !== 'unchanged' && report.outcome !== 'not-modified') return;
    this.track(this.slowPolling(report.sourceId));
  };

  private async slowPolling(sourceId: string): Promise<void> {
    const { db, now } = this.deps;
    const at = now();
    if (!(await hasLiveSubscription(db, sourceId, at))) return;
    const pollMinutes = this.deps.getConfig().sources.find((s) => s.id === sourceId)?.pollMinutes ?? DEFAULT_POLL_MINUTES;
    await deferNextPoll(db, sourceId, at + Math.min(pollMinutes * MINUTE_MS * PUSHED_POLL_FACTOR, DAY_MS));
  }

  private track<T>(work: Promise<T>): Promise<T | undefined> {
    const guarded = work.catch((err: unknown) => {
      this.deps.log.error({ err }, 'websub: failed');
      return undefined;
    });
    this.running.add(guarded);
    void guarded.finally(() => this.running.delete(guarded));
    return guarded;
  }
}

/** Half the lease for short ones, else RENEW_AHEAD_MS: a lease is never renewed at every pass. */
function renewAheadMs(row: WebSubSubscriptionRow): number {
  return Math.min(RENEW_AHEAD_MS, ((row.lease_seconds ?? 0) * 1000) / 2);
}

const SIGNATURE_METHODS = new Set(['sha1', 'sha256', 'sha384', 'sha512']);

/** X-Hub-Signature: `method=hexdigest`, an HMAC of the body with the subscription's secret, compared in constant time. */
export function signatureMatches(body: Buffer, header: string | undefined, secret: string): boolean {
  const match = /^(sha1|sha256|sha384|sha512)=([0-9a-f]+)$/i.exec(header?.trim() ?? '');
  if (!match) return false;
  const method = match[1]!.toLowerCase();
  if (!SIGNATURE_METHODS.has(method)) return false;
  const expected = createHmac(method, secret).update(body).digest();
  const given = Buffer.from(match[2]!, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** 192 random bits, URL-safe: the callback's path segment. */
function randomToken(): string {
  return randomBytes(24).toString('base64url');
}

/** 256 random bits: the hub.secret (WebSub allows up to 200 bytes). */
function randomSecret(): string {
  return randomBytes(32).toString('hex');
}

// ---- wiring, for the composition root ----

export interface WebSubOptions extends Omit<WebSubSubscriberDeps, 'fetch' | 'onStreamChanged'> {
  /** WEBSUB in force (webSubEnabled): subscribe to the hubs sources name. */
  subscribe: boolean;
  /** WEBSUB_HUB: the hub to ping when new entries are stored. */
  publishHub?: string;
  /** The exported feeds' public URLs, pinged at the hub. */
  feedUrls: () => readonly string[];
  /** The network guard's fetch, for the hubs feeds name. */
  guardedFetch: typeof fetch;
  /** The pages' caches let go (a push stored entries). */
  onStreamChanged: () => void;
  onPing?: (outcome: PingOutcome) => void;
}

export interface WebSub {
  /** Absent when WEBSUB is off: no subscriptions, no /websub/ callbacks. */
  subscriber?: WebSubSubscriber;
  /** Absent without WEBSUB_HUB. */
  publisher?: HubPinger;
  /** A pass stored new entries: ping the hub. */
  entriesStored(): void;
  /** A pass ended (or the feeds file changed): renew, retry, unsubscribe removed sources, in the background. */
  afterPass(): void;
  /** Waits for requests and pushes in flight; stops the publisher's retries. */
  close(): Promise<void>;
}

export function startWebSub(options: WebSubOptions): WebSub {
  const publisher = options.publishHub
    ? new HubPinger({
        hub: options.publishHub,
        feedUrls: options.feedUrls,
        log: options.log,
        timeoutMs: options.timeoutMs,
        userAgent: options.userAgent,
        ...(options.onPing ? { onOutcome: options.onPing } : {}),
      })
    : undefined;
  const subscriber = options.subscribe
    ? new WebSubSubscriber({
        ...options,
        fetch: options.guardedFetch,
        onStreamChanged: () => {
          options.onStreamChanged();
          publisher?.notify();
        },
      })
    : undefined;
  let maintaining: Promise<void> = Promise.resolve();
  return {
    ...(subscriber ? { subscriber } : {}),
    ...(publisher ? { publisher } : {}),
    entriesStored: () => publisher?.notify(),
    afterPass: () => {
      if (!subscriber) return;
      // Kept, so close() waits for it rather than closing the database under it.
      maintaining = maintaining.then(() => subscriber.maintain()).catch((err: unknown) => options.log.error({ err }, 'websub: maintenance failed'));
    },
    close: async () => {
      await maintaining;
      await subscriber?.settled();
      await publisher?.close();
    },
  };
}
