// The portal's digest run inline over bench feeds: the floors' "portal digest" and the calibration
// before each ingest run. Apart from feeds.ts, so the feed host does not load the portal's parser.
import { digestFeed } from '../../src/refresh/index.js';

/** The portal's whole digest (parse, filter, hash, sanitize) of each body, inline, as for a new source. */
export async function digestInline(bodies: readonly string[]): Promise<void> {
  for (const body of bodies) {
    await digestFeed({ body, feedUrl: 'http://feeds.example.org/', now: Date.now(), include: [], exclude: [], maxEntries: 200, storedHashes: new Map() });
  }
}
