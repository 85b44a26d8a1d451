// How fast this machine is right now: CPU µs per entry of the portal's digest (parse, filter, hash,
// sanitize), inline, on CALIBRATION_FEEDS of the ingest bench's own feeds after a warm-up round.
// The same code's first ingest pass took 24 to 45 s of CPU within an hour on the 2-core bench
// machine; run.js runs this in its own process before each ingest run (so the ingest process's
// memory is not touched) and shows the figure beside the run's.
import { digestInline } from './lib/digest.js';
import { syntheticBodies } from './lib/feeds.js';
import { ITEMS } from './lib/ingest-setup.js';
import { benchArgs, cpuMicrosPerRound, log, round, writeResult } from './lib/report.js';

const args = benchArgs();
const CALIBRATION_FEEDS = 20;

const bodies = syntheticBodies(CALIBRATION_FEEDS, ITEMS);
const [micros = 0] = await cpuMicrosPerRound(() => digestInline(bodies), 1);
const digestCpuUsPerEntry = round(micros / (CALIBRATION_FEEDS * ITEMS), 1);
log(`calibrate: digestFeed inline ${digestCpuUsPerEntry} µs of CPU per entry`);
writeResult(args, { digestCpuUsPerEntry });
