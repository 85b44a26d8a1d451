// Turns the collected figures into bench/RESULTS.md: the marks first, then a table per benchmark.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = dirname(fileURLToPath(import.meta.url));

function table(headers, rows) {
  const line = (cells) => `| ${cells.map((c) => String(c).replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

const yes = (ok) => (ok ? 'met' : '**missed**');
const fmt = (n, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

function marks(results) {
  const rows = [];
  const { serve, ingest, grow, hostile, postgres } = results.benches;
  if (serve) {
    for (const row of serve.rows.filter((r) => r.cached)) {
      rows.push([`cached ${row.route}: bare/portal CPU per request`, '≥ 0.70', fmt(row.ratio, 2), yes(row.ratio >= 0.7)]);
    }
    const typical = Object.entries(serve.search)[0];
    if (typical) rows.push([`search p99, ${serve.entries} entries, ${typical[0]}`, '< 20 ms', `${typical[1].p99Ms} ms`, yes(typical[1].p99Ms < 20)]);
    const worst = Object.entries(serve.search)[1];
    if (worst) rows.push([`search p99, ${serve.entries} entries, ${worst[0]}`, '< 20 ms', `${worst[1].p99Ms} ms`, yes(worst[1].p99Ms < 20)]);
  }
  if (grow) {
    const largest = grow.sizes[grow.sizes.length - 1];
    for (const page of largest.pages.filter((p) => p.page !== '/feed.xml')) {
      rows.push([`uncached ${page.page}, ${largest.entries} entries (median)`, '< 5 ms', `${page.uncachedMedianMs} ms`, yes(page.uncachedMedianMs < 5)]);
    }
  }
  if (ingest) rows.push(...ingestMarks(ingest));
  if (hostile) rows.push(...hostileMarks(hostile));
  if (postgres) rows.push(...postgresMarks(postgres));
  return table(['What', 'Mark', 'Measured', ''], rows);
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const listed = (values, unit = '') => (values.length > 1 ? ` (runs: ${values.map((v) => `${v}${unit}`).join(', ')})` : '');

/**
 * The ingest marks, over every run when the full figures ran the bench more than once (run.js): the
 * median first pass, share and delay (each run's own later passes against its own first), and the
 * highest peak RSS (the mark must hold in each run).
 */
function ingestMarks(ingest) {
  const runs = ingest.runs ?? [{ maxRssMb: ingest.maxRssMb, passes: ingest.passes }];
  const rows = [];
  const rates = runs.map((run) => run.passes[0].entriesPerSecond);
  rows.push([`first pass, ${ingest.feeds} feeds × ${ingest.items}`, '≥ 4,000 entries/s', `${median(rates)}/s${listed(rates, '/s')}`, yes(median(rates) >= 4000)]);
  const peaks = runs.map((run) => run.passes[0].peakRssMb);
  rows.push(['first pass peak RSS', '< 250 MB', `${Math.max(...peaks)} MB${listed(peaks, ' MB')}`, yes(Math.max(...peaks) < 250)]);
  const shares = (index) => runs.filter((run) => run.passes[index]).map((run) => Math.round((run.passes[index].cpuMs / run.passes[0].cpuMs) * 1000) / 10);
  const notModified = shares(1);
  if (notModified.length) rows.push(['304 pass CPU / first pass CPU', '< 5 %', `${fmt(median(notModified))} %${listed(notModified, ' %')}`, yes(median(notModified) < 5)]);
  const unchanged = shares(2);
  if (unchanged.length) rows.push(['unchanged-200 pass CPU / first pass CPU', '< 25 %', `${fmt(median(unchanged))} %${listed(unchanged, ' %')}`, yes(median(unchanged) < 25)]);
  const delays = runs.filter((run) => run.passes[3] && run.passes[2]).map((run) => run.passes[3].wallMs - run.passes[2].wallMs);
  if (delays.length) {
    rows.push([`10% hanging: delay over the unchanged pass (timeout ${ingest.timeoutMs} ms)`, `≤ ${ingest.timeoutMs} ms`, `${median(delays)} ms${listed(delays, ' ms')}`, yes(median(delays) <= ingest.timeoutMs)]);
  }
  return rows;
}

/** Issue 18's marks: the uncached home page on PostgreSQL, the visitor with the roles apart (no mark on the passes' figures). */
function postgresMarks(pg) {
  const rows = [];
  const home = pg.home.find((h) => h.database === 'postgres');
  if (home) rows.push([`PostgreSQL: uncached /, ${home.entries} entries (median)`, '< 5 ms', `${home.uncachedMedianMs} ms`, yes(home.uncachedMedianMs < 5)]);
  for (const database of ['sqlite', 'postgres']) {
    const p99s = pg.visitors.filter((v) => v.database === database).map((v) => v.p99Ms);
    if (p99s.length === 0) continue;
    rows.push([`${database}: visitor p99 for / during a first pass, web and worker apart (median of ${p99s.length} runs)`, '< 20 ms', `${median(p99s)} ms${listed(p99s, ' ms')}`, yes(median(p99s) < 20)]);
  }
  return rows;
}

function serveSection(serve) {
  const rows = serve.rows.map((r) => [
    r.route,
    r.bytes,
    r.portal.requestsPerSecond,
    `${r.portal.p50Ms} / ${r.portal.p99Ms}`,
    fmt(r.portal.cpuPerRequestUs, 0),
    r.portalQuiet ? fmt(r.portalQuiet.cpuPerRequestUs, 0) : 'n/a',
    r.bare.requestsPerSecond,
    `${r.bare.p50Ms} / ${r.bare.p99Ms}`,
    fmt(r.bare.cpuPerRequestUs, 0),
    fmt(r.ratio, 2),
    r.bareHeaders ? fmt(r.bareHeaders.cpuPerRequestUs, 0) : 'n/a',
    r.ratioWithHeaders !== undefined ? fmt(r.ratioWithHeaders, 2) : 'n/a',
  ]);
  const search = Object.entries(serve.search).map(([name, f]) => [name, f.requestsPerSecond, f.p50Ms, f.p99Ms, fmt(f.cpuPerRequestUs, 0)]);
  return `## Serving

_Ran ${serve.ranAt}._
${serve.entries} entries stored, the real feeds.yaml's sources; autocannon (in the parent process) with ${serve.connections}
connections, \`Accept-Encoding: ${serve.acceptEncoding}\`; after a warm-up, the portal, bare and bare + headers columns of a row are
measured in ${serve.rounds ?? 1} interleaved round(s) of ${serve.seconds} s each (portal, bare, bare + headers, again) and each shows
its median round (the rounds' CPU per request are in the JSON). The server is a
child process reporting \`process.cpuUsage()\` over the load window; the portal runs as \`main.ts\` builds it (LOG_LEVEL=info,
pino writing to /dev/null, HTTP metrics on a prom-client registry), the bare route is \`Fastify()\` sending the portal's own response bytes (same br compression,
same content type) with no plugins; the mark's ratio is against it. "Bare + headers" is the same bare route also sending every
header the portal sent (the 11 security headers, ETag, Last-Modified, Cache-Control, Vary): the same bytes on the wire, so
its ratio shows what the portal's own per-request work costs. "warn" is the same portal with LOG_LEVEL=warn.

${table(['Route', 'Bytes sent', 'Portal req/s', 'Portal p50 / p99 ms', 'Portal CPU µs/req', 'Portal (warn) CPU µs/req', 'Bare req/s', 'Bare p50 / p99 ms', 'Bare CPU µs/req', 'Ratio bare/portal', 'Bare + headers CPU µs/req', 'Ratio (bare + headers)/portal'], rows)}

Search alone, one connection (p99 is the request's own time, not queueing):

${table(['Query', 'req/s', 'p50 ms', 'p99 ms', 'CPU µs/req'], search)}
`;
}

/** "1000 digests on workers over all passes", naming big workers, refusals (and, in older results, inline digests) when there were any. */
function digestCountsText(counts) {
  const extra = [
    [counts.bigWorker, 'on big workers'],
    [counts.refused, 'refused'],
    [counts.inline, 'inline'],
  ].filter(([n]) => n > 0);
  return [`${counts.worker} digests on workers`, ...extra.map(([n, what]) => `${n} ${what}`)].join(', ') + ' over all passes';
}

function ingestSection(ingest) {
  const first = ingest.passes[0];
  const rows = ingest.passes.map((p) => [
    p.pass,
    p.wallMs,
    p.cpuMs,
    fmt((p.cpuMs / first.cpuMs) * 100),
    p.entriesAdded,
    p.entriesPerSecond,
    p.peakRssMb,
    p.notModified,
    p.errors,
  ]);
  return `## Ingesting

_Ran ${ingest.ranAt}._
${ingest.feeds} synthetic feeds × ${ingest.items} items (RSS and Atom alternating, ~1 KB HTML per item, ${fmt(ingest.feedBytes / 1048576)} MB in all)
served by a separate process on 127.0.0.1; \`refreshAll\` with the real fetcher, default concurrency, ${ingest.digestWorkers ?? 0} digest worker thread(s) (${ingest.digestCounts ? digestCountsText(ingest.digestCounts) : 'none'}), FETCH timeout ${ingest.timeoutMs} ms,
a temp database file. CPU is the ingesting process's own; peak RSS sampled every 20 ms (process max RSS after the first pass: ${ingest.maxRssMb} MB,
${ingest.rssBeforeMb} MB before it).

${table(['Pass', 'Wall ms', 'CPU ms', 'CPU % of first', 'Entries added', 'Entries/s', 'Peak RSS MB', '304s', 'Errors'], rows)}
${ingest.runs ? ingestRuns(ingest.runs) : ''}`;
}

/** Every run's passes, when the full figures ran the bench more than once (run.js). */
function ingestRuns(runs) {
  const rows = runs.map((run, i) => {
    const [first, notModified, unchanged, hang] = run.passes;
    return [
      i + 1,
      run.digestCpuUsPerEntry ?? 'n/a',
      first.entriesPerSecond,
      first.cpuMs,
      fmt((first.cpuMs * 1000) / first.entriesAdded, 0),
      first.peakRssMb,
      run.maxRssMb,
      notModified?.cpuMs ?? '',
      unchanged?.cpuMs ?? '',
      unchanged?.wallMs ?? '',
      hang?.wallMs ?? '',
    ];
  });
  return `
Each run (fresh processes, one after another; the table above is the one with the median first pass). The calibration
is the portal's digest alone, inline, on 1,000 of the same entries, in a process of its own just before the run: how fast the machine
was at that moment.

${table(['Run', 'Calibration: digest µs per entry, inline', 'First pass entries/s', 'First pass CPU ms', 'CPU µs per entry', 'Peak RSS MB', 'Process max RSS MB', '304 pass CPU ms', 'Unchanged pass CPU ms', 'Unchanged pass wall ms', 'Hanging pass wall ms'], rows)}
`;
}

function floorsSection(floors) {
  const rows = floors.floors.map((f) => [f.what, f.perSecond, f.cpuUsPerEntry]);
  const digest = floors.portalDigest;
  return `## What this machine gives (the ingest floors)

_Ran ${floors.ranAt}._
Each library the first pass cannot do without, alone, on the ingest bench's own synthetic feeds (${floors.feeds} feeds × ${floors.items}
items, ~1 KB of HTML each), CPU per entry, median of ${floors.rounds} rounds after a warm-up, in the same run as the figures below.

${table(['What', 'Entries/s', 'CPU µs per entry'], rows)}

Their sum, ${floors.sumUsPerEntry} µs per entry, caps one thread at about ${floors.oneThreadCeiling} entries/s before fetching, hashing,
the portal's own parse and sanitize work and the store's bookkeeping. The portal's whole digest (parse, filter, hash, sanitize):
${digest.cpuUsPerEntry} µs per entry (${digest.perSecond}/s on one thread).
`;
}

function orientationSection(orientation) {
  const rows = orientation.figures.map((f) => [f.what, `${f.issue.toLocaleString('en-US')} ${f.unit}`, `${f.here.toLocaleString('en-US')} ${f.unit}`, fmt(f.ratio, 2)]);
  return `## This machine beside the issue's orientation figures

_Ran ${orientation.ranAt}._
Each figure the issue gives "for orientation" (what its 2-core machine gave), measured here in the issue's own terms: the bench's
synthetic items, one thread, rate per CPU second, median of ${orientation.rounds} rounds after a warm-up (bench/orientation.ts).
A ratio under 1 means this machine is slower at that work.

${table(['What', 'The issue', 'Here', 'Here / issue'], rows)}

Median ratio: **${fmt(orientation.medianRatio, 2)}**. The issue's marks are absolute; where this machine is slower, they are harder here by about that factor.
`;
}

function profileSection(profile) {
  const costs = (list) => table(['Cost', 'Self ms', 'Share %'], list.map((c) => [c.name, c.ms, c.share]));
  return `## Profile of the first ingest pass (\`node --cpu-prof\`)

_Ran ${profile.ranAt}._
${profile.totalMs} ms of samples (module loading included). Self time by where the code lives:

${costs(profile.byPlace)}

By function:

${costs(profile.byFunction)}
`;
}

function busySection(busy) {
  const rows = busy.windows.map((w) => [w.window, w.visits, w.p50Ms, w.p90Ms, w.p99Ms, w.maxMs]);
  const rate = busy.pass.wallMs > 0 ? Math.round(busy.pass.entriesAdded / (busy.pass.wallMs / 1000)) : 0;
  return `## Visitors during a first pass

_Ran ${busy.ranAt}._
The web app and the refresher in one process, as \`npm start\` runs them (${busy.digestWorkers} digest worker threads; the main thread
fetches, stores and serves); one visitor, in a process of its own, asks for \`/\` ${busy.visitsPerSecond} times a second, one request at a
time, through a first pass over ${busy.feeds} synthetic feeds × ${busy.items} (${busy.pass.entriesAdded} entries in ${busy.pass.wallMs} ms, ${rate}/s with the
visitor), then after it. The pass runs as the scheduler runs one (\`createPollPasses\`, wired to the pages' cache as main.ts wires it):
while it runs the pages re-read the stream's version at most once a second, so a visit is a re-render (query, render, compress)
at most once a second, and otherwise waits only behind the main thread's other work (fetches, the store's writes). Latency is
the visitor's, end to end. No mark: this shows what a reader meets while the portal ingests.

${table(['Window', 'Visits', 'p50 ms', 'p90 ms', 'p99 ms', 'Max ms'], rows)}
`;
}

/** The windows in which a hostile feed was digested: every answer within the mark. */
function hostileMarks(hostile) {
  return hostile.windows
    .filter((w) => w.outcome !== undefined)
    .map((w) => [`/healthz while digesting the ${w.window}: slowest answer`, `< ${hostile.markMs} ms`, `${w.maxMs} ms (p99 ${w.p99Ms})`, yes(w.maxMs < hostile.markMs)]);
}

function hostileSection(hostile) {
  const rows = hostile.windows.map((w) => [w.window, w.visits, w.p50Ms, w.p99Ms, w.maxMs, w.loopDelayMaxMs, w.passMs ?? '', w.outcome ? `${w.outcome}${w.error ? `: ${w.error}` : ''}` : '', w.peakRssMb ?? '']);
  return `## A hostile feed

_Ran ${hostile.ranAt}._
The web app and the refresher in one process, as \`npm start\` runs them (${hostile.digestWorkers} digest worker threads, a digest's time budget
${hostile.digestTimeBudgetMs} ms); one visitor, in a process of its own, asks for \`/healthz\` ${hostile.visitsPerSecond} times a second, one request at a time:
with nothing to do, then through a pass over issue 16's hostile feed (one item nesting 142,000 elements, just under 1,000,000 characters:
an ordinary worker's), then over the same feed padded past 1,000,000 characters (a big worker's). Latency is the visitor's, end to
end; the loop delay is the portal's own event loop's longest delay in the window (\`monitorEventLoopDelay\`), so a slow answer
with a short delay was the machine's, not the portal's; peak RSS is the portal process's, sampled every 20 ms through the pass.

${table(['Window', 'Visits', 'p50 ms', 'p99 ms', 'Max ms', 'Loop delay max ms', 'Pass ms', 'Outcome', 'Peak RSS MB'], rows)}
`;
}

function growSection(grow) {
  const rows = grow.sizes.flatMap((s) =>
    s.pages.map((p) => [s.entries, s.fileMb, s.bytesPerEntry, p.page, p.bytes, p.uncachedMedianMs, p.uncachedP90Ms, p.cachedMedianUs]),
  );
  return `## Growing

_Ran ${grow.ranAt}._
The same database grown in place (direct better-sqlite3 inserts in transactions of 5,000, each transaction indexed for search as one batch, WAL checkpointed
before the size is read); entry *i* is *i* minutes older than the newest, so growth adds history. Uncached: the stream version bumped
and the process told (as after a poll) before each request, so each is query + render + compress; ${grow.uncachedRuns} runs. Cached: ${grow.cachedRuns}
runs. Both through \`app.inject\` with \`Accept-Encoding: br, gzip\`.

${table(['Entries', 'DB file MB', 'Bytes/entry', 'Page', 'Bytes sent', 'Uncached median ms', 'Uncached p90 ms', 'Cached median µs'], rows)}
`;
}

function postgresSection(pg) {
  const passes = pg.firstPasses.map((p) => [
    p.database,
    p.workers,
    p.entries,
    p.wallMs,
    p.entriesPerSecond,
    p.perWorker.map((w) => w.peakRssMb).join(' / '),
    p.perWorker.map((w) => w.cpuMs).join(' / '),
  ]);
  const one = pg.firstPasses.find((p) => p.database === 'postgres' && p.workers === 1);
  const nm = pg.notModified;
  const share = nm && one ? fmt((nm.cpuMs / (nm.firstPassCpuMs ?? one.perWorker[0].cpuMs)) * 100) : 'n/a';
  const home = pg.home.map((h) => [h.database, h.entries, h.fillSeconds, h.databaseMb, h.runs, h.uncachedMedianMs, h.uncachedP90Ms, h.cachedMedianUs]);
  const visitors = pg.visitors.map((v) => [v.database, `${v.pass.entries} in ${v.pass.wallMs} ms`, v.visits, v.p50Ms, v.p90Ms, v.p99Ms, v.maxMs]);
  return `## PostgreSQL and the roles apart (issue 18)

_Ran ${pg.ranAt}._
The portal as operators run it: \`node dist/src/main.js worker\` / \`web\` processes (LOG_LEVEL=warn, a generated feeds file naming
the local feed host's ${pg.feeds} synthetic feeds × ${pg.items}), each measurement on a database of its own made for it (PostgreSQL on
127.0.0.1; SQLite a temp file). First pass: wall time from starting the worker process(es) (start-up included) until every source
has a last_success_at (read from the database every 100 ms); peak RSS is each worker's VmHWM, CPU its utime + stime, both from /proc
at that moment. 304 pass: once the one PostgreSQL worker has also looked for the sources' icons (each site a 404 at the feed host),
its sources are made due again in the database and the same worker (schedule every 10 s) fetches them all again and gets 304s; its
CPU from then until every source was attempted, against its CPU until the end of the first pass (its start-up included).

${table(['Database', 'Workers', 'Entries', 'Wall ms', 'Entries/s', 'Peak RSS MB (each)', 'CPU ms (each)'], passes)}

${nm ? `304 pass on PostgreSQL: ${nm.sourcesDue} sources due, ${nm.notModified} not modified, ${nm.fetched} fetched; ${nm.cpuMs} ms CPU (${share} % of the first pass's), the pass ${nm.passMs} ms (poll_runs); the icon look-ups before it ${nm.iconsMs} ms.` : ''}

Uncached \`/\` over the real feeds file's sources, timed as the grow bench times it: the portal's app in the bench's process,
\`inject\` with \`Accept-Encoding: br, gzip\`, the stream version bumped in the database and the app told before each request (as
after a poll in its own process), so each is query + render + compress; ten warm-up requests first. A change made by another
process is served from the page cache while the page renders, so a visitor waits for this only after a poll in the same process.
PostgreSQL filled by INSERT ... SELECT generate_series (about 600 characters of text an entry, the search column computed by
PostgreSQL, VACUUM ANALYZE after); SQLite filled as the grow bench fills it.

${table(['Database', 'Entries', 'Fill s', 'DB MB', 'Runs', 'Uncached median ms', 'Uncached p90 ms', 'Cached median µs'], home)}

Visitors with the roles apart: one \`web\` process and one \`worker\` process on the same database, one visitor (its own process) asking
the web process for \`/\` ${pg.visitsPerSecond} times a second, one request at a time, from the worker's start until every source was stored once.

${table(['Database', 'First pass (entries in wall ms)', 'Visits', 'p50 ms', 'p90 ms', 'p99 ms', 'Max ms'], visitors)}
`;
}

export function renderResults(results) {
  const m = results.machine;
  const { serve, ingest, grow, profile, floors, orientation, busy, hostile, postgres } = results.benches;
  const analysisFile = join(benchDir, 'ANALYSIS.md');
  const analysis = existsSync(analysisFile) ? `\n${readFileSync(analysisFile, 'utf8').trim()}\n` : '';
  return `# Benchmark results (${results.mode} mode)

Written by \`npm run bench${results.mode === 'full' ? ' -- --full' : ''}\` (bench/run.js); raw figures in bench/results-${results.mode}.json.

- CPU: ${m.cpu}, ${m.cores} cores; memory ${m.memoryGb} GB; ${m.platform}
- Node ${m.node}; last run ${m.date}, ${m.benchSeconds} s (each section says when it ran; \`--only\` reruns keep the others)
- Load average at start ${m.loadAverageAtStart.join(', ')}, at end ${m.loadAverageAtEnd.join(', ')} (other work on the machine makes wall times noisy; CPU per request and per pass are the process's own)

## Marks

${marks(results)}
${analysis}
${serve ? serveSection(serve) : ''}
${orientation ? orientationSection(orientation) : ''}
${floors ? floorsSection(floors) : ''}
${ingest ? ingestSection(ingest) : ''}
${profile ? profileSection(profile) : ''}
${busy ? busySection(busy) : ''}
${hostile ? hostileSection(hostile) : ''}
${grow ? growSection(grow) : ''}
${postgres ? postgresSection(postgres) : ''}`;
}
