import type { FastifyBaseLogger } from 'fastify';
import type { Registry } from 'prom-client';
import type { FeedsConfig } from '../core/types.js';
import type { Db } from '../store/index.js';
import type { WebSubCallbacks } from '../refresh/index.js';
import type { ResponseCache, VersionTracker } from './cache.js';
import type { RuntimeStatus } from './status-report.js';
import type { TimeFormats } from './views/format.js';

/** Everything the web app needs, passed in by the composition root (src/main.ts) or a test. */
export interface AppDeps {
  db: Db;
  /** The configuration in force; live reload swaps what this returns. */
  getConfig: () => FeedsConfig;
  /** Public base URL for absolute links (SITE_URL, else site.url), ending in '/'. */
  getSiteUrl: () => string;
  /** Reads the stored stream version (the store's readStreamVersion); a plain number serves tests. */
  readStreamVersion: () => number | Promise<number>;
  /** Folder of layouts/, partials/ and pages/ (default: the repository's templates/). */
  templatesDir?: string;
  /** Folder served under /static/ (default: the repository's public/). */
  publicDir?: string;
  logger?: FastifyBaseLogger | boolean;
  now?: () => number;
  /** The process's live state for /status (feeds-file reloads, the schedule); absent: not shown. */
  runtimeStatus?: () => RuntimeStatus;
  /** The one Prometheus registry (made in main.ts): /metrics serves it, HTTP metrics go on it. Absent: no /metrics. */
  metrics?: Registry;
  /** Who may read /metrics, as CIDRs (METRICS_ALLOWED_NETWORKS); default loopback only. */
  metricsAllowedNetworks?: readonly string[];
  /** WEBSUB_HUB: the hub the exported feeds name (rel="hub", JSON Feed `hubs`); absent: none. */
  webSubHub?: string;
  /** WebSub callbacks (/websub/:token): the subscriber that asked for them; absent: no such route. */
  webSubCallbacks?: WebSubCallbacks;
  /** Rejects (or throws) when the database does not answer (the store's pingDatabase), for /healthz. */
  pingDatabase?: () => void | Promise<void>;
  /**
   * The reverse proxies in front of the portal (TRUSTED_PROXIES, CIDRs): a request whose peer is
   * one of them counts as coming from the client X-Forwarded-For names (the feedback form's rate
   * limit). Absent or empty: the peer is the client.
   */
  trustedProxies?: readonly string[];
  /** The feedback form's settings (FEEDBACK_SECRET, FEEDBACK_RETENTION_DAYS); absent: the defaults. */
  feedback?: FeedbackSettings;
}

export interface FeedbackSettings {
  /** The key of the address hash; absent: the one the database keeps for every process. */
  secret?: string;
  retentionDays: number;
}

/** What routes get from the app: the deps plus the shared caches. */
export interface WebContext extends AppDeps {
  versions: VersionTracker;
  cache: ResponseCache;
  /** Date formatters by time zone, made once each. */
  timeFormats: TimeFormats;
  now: () => number;
}
