import type { FastifyBaseLogger } from 'fastify';
import type { FeedsConfig } from '../core/types.js';
import type { Db } from '../store/index.js';
import type { ResponseCache, VersionTracker } from './cache.js';

/** Everything the web app needs, passed in by the composition root (src/main.ts) or a test. */
export interface AppDeps {
  db: Db;
  /** The configuration in force; live reload swaps what this returns. */
  getConfig: () => FeedsConfig;
  /** Public base URL for absolute links (SITE_URL, else site.url), ending in '/'. */
  getSiteUrl: () => string;
  /** Reads the stored stream version synchronously (a prepared statement on the raw connection). */
  readStreamVersion: () => number;
  /** Folder of layouts/, partials/ and pages/ (default: the repository's templates/). */
  templatesDir?: string;
  /** Folder served under /static/ (default: the repository's public/). */
  publicDir?: string;
  logger?: FastifyBaseLogger | boolean;
  now?: () => number;
}

/** What routes get from the app: the deps plus the shared caches. */
export interface WebContext extends AppDeps {
  versions: VersionTracker;
  cache: ResponseCache;
  now: () => number;
}
