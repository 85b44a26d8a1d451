// Fetching a feed once, as feeds:add and feeds:import do before they write: a plain GET (no
// validators) with the settings' timeout and user agent, through the command's network guard.
import type { ParsedFeed } from '../core/types.js';
import { createNetworkGuard, fetchFeed, type NamingSource, type NetworkGuard } from '../ingest/fetch/index.js';
import { parseFeed } from '../ingest/parse/index.js';
import { messageOf } from '../core/errors.js';

export type Outcome<T> = { ok: true; value: T } | { ok: false; message: string };

/** What a command's fetches need; main.ts works them out from the settings. */
export interface FetchSettings {
  fetchTimeoutMs: number;
  userAgent: string;
  /** ALLOW_PRIVATE_NETWORKS=on: fetches may reach any private address. Default off. */
  allowPrivateNetworks?: boolean;
  now: () => number;
}

/** The settings and the guard the fetches go through. */
export type FetchOnceDeps = FetchSettings & { guard: NetworkGuard };

/**
 * Runs `work` with a network guard that lets fetches reach a private address only at the origins
 * `named` names (the feeds file's sources and what the operator gave), and closes it afterwards.
 */
export async function withNetworkGuard<T>(
  named: readonly NamingSource[],
  settings: FetchSettings,
  work: (deps: FetchOnceDeps) => Promise<T>,
): Promise<T> {
  const guard = createNetworkGuard({ namedSources: () => named, allowPrivateNetworks: settings.allowPrivateNetworks ?? false });
  try {
    return await work({ ...settings, guard });
  } finally {
    await guard.close();
  }
}

export interface FetchedText {
  body: string;
  finalUrl: string;
  /** The address to record: the one asked for, or where a permanent redirect pointed. */
  moved(asked: string): { feedUrl: string; movedFrom?: string };
}

/** One GET; any answer but a 200 with a body is a failure with fetchFeed's reason. */
export async function fetchText(url: string, deps: FetchOnceDeps): Promise<Outcome<FetchedText>> {
  const result = await fetchFeed(url, {}, { timeoutMs: deps.fetchTimeoutMs, userAgent: deps.userAgent, now: deps.now, guard: deps.guard });
  if (result.kind === 'error') return { ok: false, message: result.message };
  if (result.kind !== 'ok') return { ok: false, message: `fetch: unexpected HTTP ${result.status}` };
  const movedTo = result.permanentRedirectTo;
  return {
    ok: true,
    value: {
      body: result.body,
      finalUrl: result.finalUrl,
      moved: (asked) => (movedTo !== undefined && movedTo !== asked ? { feedUrl: movedTo, movedFrom: asked } : { feedUrl: asked }),
    },
  };
}

export async function readAsFeed(body: string, url: string, now: () => number): Promise<Outcome<ParsedFeed>> {
  try {
    return { ok: true, value: await parseFeed(body, url, now()) };
  } catch (error) {
    return { ok: false, message: messageOf(error) };
  }
}

/** Fetched and parsed, or why not. */
export async function readFeedOnce(url: string, deps: FetchOnceDeps): Promise<Outcome<ParsedFeed>> {
  const fetched = await fetchText(url, deps);
  return fetched.ok ? readAsFeed(fetched.value.body, fetched.value.finalUrl, deps.now) : fetched;
}

/** `work` for every item, at most `limit` running at once; the results in the items' order. */
export async function mapAtMost<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  // Each lane takes the next item when its last one is done.
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}
