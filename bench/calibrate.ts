// How fast this machine is right now: CPU µs per entry of the portal's digest (parse, filter, hash,
// sanitize), inline, on CALIBRATION_FEEDS of the ingest bench's own feeds after as many to warm up.
// The same code's first ingest pass took 24 to 45 s of CPU within an hour on the 2-core bench
// machine; run.js runs this in its own process before each ingest run (so the ingest process's
// memory is not touched) and shows the figure beside the run's.
import { digestFeed } from '../src/refresh/index.js';
import { syntheticFeed } from './lib/feeds.js';
import { benchArgs, log, round, writeResult } from './lib/report.js';

const args = benchArgs();
const CALIBRATION_FEEDS = 20;
const ITEMS = 50;

async function digestAll(bodies: readonly string[]): Promise<void> {
  for (const body of bodies) {
    await digestFeed({ body, feedUrl: 'http://127.0.0.1/feed.xml', now: Date.now(), include: [], exclude: [], maxEntries: 200, storedHashes: new Map() });
  }
}

const bodies = Array.from({ length: CALIBRATION_FEEDS * 2 }, (_, n) => syntheticFeed(n, ITEMS).body.toString('utf8'));
await digestAll(bodies.slice(CALIBRATION_FEEDS));
const cpu = process.cpuUsage();
await digestAll(bodies.slice(0, CALIBRATION_FEEDS));
const used = process.cpuUsage(cpu);
const digestCpuUsPerEntry = round((used.user + used.system) / (CALIBRATION_FEEDS * ITEMS), 1);
log(`calibrate: digestFeed inline ${digestCpuUsPerEntry} µs of CPU per entry`);
writeResult(args, { digestCpuUsPerEntry });
