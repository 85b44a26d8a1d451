// The composition root and the ONLY reader of process.env: `node dist/src/main.js <command>`.
// Everything below it gets its settings and dependencies passed in.
import { existsSync, readFileSync, readdirSync, realpathSync } from 'node:fs';
import os from 'node:os';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runDbCopy } from './cli/db-copy.js';
import { runFeedbackExport } from './cli/feedback-export.js';
import { runFeedsAdd } from './cli/feeds-add.js';
import { runFeedsCheckCommand } from './cli/feeds-check.js';
import { runFeedsImport } from './cli/feeds-import.js';
import type { FetchSettings } from './cli/fetch-once.js';
import { runPoll } from './cli/poll.js';
import { databaseLabel, formatIssue, loadFeedsFile, readSettings, SettingsError, webSubEnabled, type Env, type Settings } from './config/index.js';
import type { FeedsConfig } from './core/types.js';
import { collectDefaultMetrics, Counter, Registry } from 'prom-client';
import { createLogger, type Logger } from './log.js';
import { claimSettings, processIdentity, releaseClaimsOfDeadProcesses, startProductionRefresher, startWebSub, userAgent, type Refresher, type WebSub } from './refresh/index.js';
import { FEED_FORMATS } from './export/index.js';
import { DEFAULT_MAX_BYTES } from './ingest/index.js';
import { deleteFeedbackBefore, migrateStore, migrateToLatest, openStore, pingDatabase, readStreamVersion, refreshPlannerStatistics, storeTargetOf, syncSources, type Db, type OpenedStore } from './store/index.js';
import { buildApp, buildProbeApp } from './web/index.js';
import {
  CONFIG_TRIGGER, LiveConfig, createPollMetrics, createPollPasses, previousTick, startScheduler, watchFile,
  type ConfigChange, type FileWatcher, type PollMetrics, type Scheduler,
} from './worker/index.js';
import { messageOf } from './core/errors.js';

/** What a command may touch of the process; tests pass their own. */
export interface CommandIo {
  env: Env;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  isTTY: boolean;
}

type Command = (args: string[], io: CommandIo) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  serve: (_args, io) => serveUntilSignalled(io, 'serve'),
  web: (_args, io) => serveUntilSignalled(io, 'web'),
  worker: (_args, io) => {
    yieldToVisitors();
    return serveUntilSignalled(io, 'worker');
  },
  poll: (args, io) => runPoll(args, { ...io, version: packageVersion() }),
  'feeds:check': feedsCheck,
  'feeds:add': feedsAdd,
  'feeds:import': feedsImport,
  'db:copy': dbCopy,
  'feedback:export': feedbackExport,
};

/**
 * A worker process runs at a lower CPU priority (nice 10): on a machine it shares with web
 * processes, a pass takes what visitors leave, and with the roles apart on two cores a visitor's
 * p99 during a first pass fell from 38-57 ms to 19-25 ms on PostgreSQL (bench/ANALYSIS.md, issue
 * 18). Alone on its machine it loses nothing. On Linux a priority belongs to a thread: the threads
 * V8 started before this (its garbage collector's helpers, ~8 s of a 36 s first pass) are lowered
 * one by one; threads started later (the digest threads) inherit it. A system that refuses leaves
 * a thread as it was.
 */
function yieldToVisitors(): void {
  const lower = (id: number) => {
    try {
      os.setPriority(id, os.constants.priority.PRIORITY_BELOW_NORMAL);
    } catch {
      // Not permitted here (or the thread has ended): it runs at the priority it was started with.
    }
  };
  lower(0);
  for (const thread of threadsOfThisProcess()) lower(thread);
}

/** This process's thread ids (Linux's /proc); none elsewhere. */
function threadsOfThisProcess(): number[] {
  try {
    return readdirSync('/proc/self/task').map(Number).filter((id) => id !== process.pid);
  } catch {
    return [];
  }
}

/** The commands that run until signalled. */
const SERVING = new Set(['serve', 'web', 'worker']);

/** Runs `argv` (the words after the script); resolves to the exit code. `serve` resolves once it has stopped. */
export async function main(argv: string[], io: CommandIo): Promise<number> {
  const [name = 'serve', ...args] = argv;
  const command = COMMANDS[name];
  if (!command) {
    io.stderr(`unknown command ${JSON.stringify(name)}; expected one of: ${Object.keys(COMMANDS).join(', ')}\n`);
    return 2;
  }
  return command(args, io);
}

/** `feeds:add <site-or-feed-url> [--id ID] [--category WORD] ...`: discovers, proves and appends a source. */
async function feedsAdd(args: string[], io: CommandIo): Promise<number> {
  const settings = settingsOrReport(io);
  if (!settings) return 1;
  return runFeedsAdd(args, { ...(await fetchSettings(settings)), feedsFile: settings.feedsFile, stdout: io.stdout, stderr: io.stderr });
}

/** `feeds:import <file.opml> [--category WORD] [--offline]`: appends the OPML's feeds, each tried once, reporting duplicates. */
async function feedsImport(args: string[], io: CommandIo): Promise<number> {
  const settings = settingsOrReport(io);
  if (!settings) return 1;
  return runFeedsImport(args, { ...(await fetchSettings(settings)), feedsFile: settings.feedsFile, stdout: io.stdout, stderr: io.stderr });
}

/** How feeds:add and feeds:import fetch: as the poller does, with the portal's user agent and timeout. */
async function fetchSettings(settings: Settings): Promise<FetchSettings> {
  const loaded = await loadFeedsFile(settings.feedsFile);
  const siteUrl = settings.siteUrl ?? (loaded.ok ? loaded.config.site.url : 'https://portal.example.org/');
  return {
    fetchTimeoutMs: settings.fetchTimeoutMs,
    userAgent: userAgent(packageVersion(), siteUrl),
    allowPrivateNetworks: settings.allowPrivateNetworks,
    now: Date.now,
  };
}

/** `db:copy --to URL [--from FILE] [--force]`: FILE defaults to DATABASE_PATH. */
async function dbCopy(args: string[], io: CommandIo): Promise<number> {
  const settings = settingsOrReport(io);
  if (!settings) return 1;
  return runDbCopy(args, settings.databasePath, io);
}

/** `feedback:export [--format csv|json] [--since YYYY-MM-DD]`: the stored feedback on standard output. */
async function feedbackExport(args: string[], io: CommandIo): Promise<number> {
  const settings = settingsOrReport(io);
  if (!settings) return 1;
  return runFeedbackExport(args, { store: storeTargetOf(settings), retentionDays: settings.feedbackRetentionDays, now: Date.now, stdout: io.stdout, stderr: io.stderr });
}

/** `feeds:check [FILE]`: FILE defaults to FEEDS_FILE. */
async function feedsCheck(args: string[], io: CommandIo): Promise<number> {
  const settings = settingsOrReport(io);
  if (!settings) return 1;
  return runFeedsCheckCommand(args, settings.feedsFile, io);
}

function settingsOrReport(io: CommandIo): Settings | undefined {
  try {
    return readSettings(io.env);
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
    io.stderr(`${error.message}\n`);
    return undefined;
  }
}

// ---- serve, web and worker ----

/**
 * What a process runs: `serve` both halves (`npm start`), `web` the pages, feeds, search and status
 * and never a poll, `worker` the schedule and its polls with only /healthz and /metrics on PORT.
 */
export type Role = 'serve' | 'web' | 'worker';

export interface RunningServer {
  /** http://host:port/ the server listens on. */
  url: string;
  log: Logger;
  /**
   * Resolves true once the database answers, is migrated and the role's work has started (at once
   * on SQLite; on PostgreSQL when the server answers), false when that failed for good (logged).
   */
  ready: Promise<boolean>;
  /** Reads the feeds file again and applies it, or refuses it and keeps the last good one (SIGHUP). */
  reloadConfig(reason: string): Promise<unknown>;
  /**
   * Stops watching the feeds file, closes the server (requests in flight finish), stops the
   * scheduler (fetches in flight finish and are saved; no new source starts), closes the database.
   */
  close(): Promise<void>;
}

/** What tests may change of a started portal. */
export interface StartOptions {
  logDestination?: Parameters<typeof createLogger>[0]['destination'];
  /** How long one feed's digest may run (default the pool's DIGEST_TIME_BUDGET_MS). */
  digestTimeBudgetMs?: number;
  /** Default 'serve': both halves in one process. */
  role?: Role;
  /** The first pause before asking a PostgreSQL server that did not answer again (doubling, at most DATABASE_RETRY_CAP_MS). */
  databaseRetryMs?: number;
}

const DATABASE_RETRY_MS = 1000;
const DATABASE_RETRY_CAP_MS = 30_000;

/**
 * Starts the portal in `options.role`: settings, the feeds file (any issue: nothing starts), the
 * store, the HTTP side listening, then (once the database answers) the sources synced, the
 * scheduler and a first pass in the background. Resolves to the running server, or to an exit
 * code when it could not start. A PostgreSQL server that does not answer yet is waited for, with
 * /healthz answering 503 meanwhile; a SQLite file that cannot be opened stops the start.
 */
export async function startServer(io: CommandIo, options: StartOptions = {}): Promise<RunningServer | number> {
  const role = options.role ?? 'serve';
  const settings = settingsOrReport(io);
  if (!settings) return 1;
  const loaded = await loadFeedsFile(settings.feedsFile);
  if (!loaded.ok) {
    for (const issue of loaded.issues) io.stderr(`${formatIssue(issue)}\n`);
    return 1;
  }
  const log = createLogger({ level: settings.logLevel, destination: options.logDestination ?? 'stdout' });
  let store: OpenedStore;
  try {
    store = openStore(storeTargetOf(settings));
    if (store.kind === 'sqlite') await migrateStore(store);
  } catch (error) {
    io.stderr(`${role}: cannot open the database ${databaseLabel(settings)}: ${messageOf(error)}\n`);
    return 1;
  }
  try {
    const running = await startRole(role, { settings, config: loaded.config, configText: loaded.text, store, log, tuning: options });
    // SQLite is there or not at all: a start that fails on it is an exit code, as before.
    if (store.kind === 'sqlite' && !(await running.ready)) {
      await running.close();
      io.stderr(`${role}: could not start; see the log\n`);
      return 1;
    }
    return running;
  } catch (error) {
    await store.close();
    io.stderr(`${role}: ${messageOf(error)}\n`);
    return 1;
  }
}

/** What every role is started with. */
interface Wiring {
  settings: Settings;
  config: FeedsConfig;
  /** The feeds file's text `config` was parsed from. */
  configText: string;
  store: OpenedStore;
  log: Logger;
  tuning: StartOptions;
}

/** The wiring every role shares (metrics, the live feeds file, the HTTP side), then the role's own part once the database is up. */
async function startRole(role: Role, { settings, config, configText, store, log, tuning }: Wiring): Promise<RunningServer> {
  const identity = processIdentity(role);
  // The one registry of the process: each process serves its own; what comes from the database counts every process's work.
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  let onConfigApplied: (change: ConfigChange) => void = () => {};
  const live = new LiveConfig({
    file: settings.feedsFile,
    initial: config,
    initialText: configText,
    db: store.db,
    log: log.child({ component: 'config' }),
    onApplied: (change) => onConfigApplied(change),
  });
  const version = packageVersion();
  const pollMetrics = createPollMetrics({ registry, db: store.db, version, feedsFile: () => live.state() });
  const siteUrl = () => settings.siteUrl ?? live.current().site.url;
  // One User-Agent for feed fetches and hub requests alike.
  const agent = userAgent(version, siteUrl());
  // Every role has the fetch-and-digest side: a worker polls with it, a web process digests WebSub
  // pushes on its pool (whose threads start at the first digest, so a web process without pushes has none).
  let invalidatePages = () => {};
  const ingest = startProductionRefresher({
    db: store.db,
    log: log.child({ component: 'refresh' }),
    timeoutMs: settings.fetchTimeoutMs,
    userAgent: agent,
    // Asked live, so an edit of the feeds file counts at once.
    namedSources: () => live.current().sources,
    allowPrivateNetworks: settings.allowPrivateNetworks,
    digestTimeBudgetMs: tuning.digestTimeBudgetMs,
    wrapFetcher: pollMetrics.meterFetcher,
    claims: claimSettings(identity, settings.fetchTimeoutMs),
    // Called in passes only, once webSub below is made.
    onHubFound: (source, found) => webSub.subscriber?.hubFound(source, found),
  });
  const webSub = startWebSub({
    db: store.db,
    log: log.child({ component: 'websub' }),
    now: Date.now,
    subscribe: webSubEnabled(settings),
    ...(settings.websubHub !== undefined ? { publishHub: settings.websubHub } : {}),
    feedUrls: () => (['rss', 'atom', 'json'] as const).map((format) => new URL(FEED_FORMATS[format].path.slice(1), siteUrl()).href),
    guardedFetch: ingest.guardedFetch,
    timeoutMs: settings.fetchTimeoutMs,
    userAgent: agent,
    siteUrl,
    getConfig: () => live.current(),
    digest: ingest.digest,
    maxBodyBytes: DEFAULT_MAX_BYTES,
    onStreamChanged: () => invalidatePages(),
    ...webSubCounters(registry),
  });
  let up = false;
  let worker: WorkerHalf | undefined;
  const probe = {
    readStreamVersion: () => readStreamVersion(store.db),
    // Until the database has answered and is migrated, the process is not healthy, whatever else answers.
    pingDatabase: () => (up ? pingDatabase(store.db) : Promise.reject(new Error('waiting for the database'))),
    metrics: registry,
    metricsAllowedNetworks: settings.metricsAllowedNetworks,
    logger: log.child({ component: 'web' }),
  };
  const app =
    role === 'worker'
      ? await buildProbeApp(probe)
      : await buildApp({
          ...probe,
          db: store.db,
          getConfig: () => live.current(),
          getSiteUrl: siteUrl,
          // A web process's own POLL_SCHEDULE says nothing of the workers' passes: it says it polls none.
          runtimeStatus: () =>
            role === 'web' ? { config: live.state(), pollsElsewhere: true } : { config: live.state(), pollSchedule: settings.pollSchedule, passRunning: worker?.scheduler.busy ?? false },
          trustedProxies: settings.trustedProxies,
          feedback: { retentionDays: settings.feedbackRetentionDays, ...(settings.feedbackSecret === undefined ? {} : { secret: settings.feedbackSecret }) },
          ...(settings.websubHub !== undefined ? { webSubHub: settings.websubHub } : {}),
          ...(webSub.subscriber ? { webSubCallbacks: webSub.subscriber } : {}),
        });
  await app.listen({ host: settings.host, port: settings.port });
  // Pages are cached per stream version, read from the database at most once a second: entries
  // stored by any process show within it. A pass of this process lets go of them at once.
  if (role !== 'worker') invalidatePages = () => app.webContext.versions.invalidate();

  const stopping = new AbortController();
  let watcher: FileWatcher | undefined;
  const bringUp = async (): Promise<boolean> => {
    try {
      if (store.kind === 'postgres') {
        await waitForDatabase(store.db, { log, label: databaseLabel(settings), signal: stopping.signal, firstDelayMs: tuning.databaseRetryMs ?? DATABASE_RETRY_MS });
        // Not migrateStore, which closes the store on failure: close() does, once.
        await migrateToLatest(store.db);
      }
      // Every role syncs the sources from the feeds file, web included, so a web process shows a
      // new source even before a worker starts: syncSources is one transaction of upserts of what
      // the file says, so processes reading the same file converge whichever writes last, and a
      // changed feed URL resets its fetch state once (the next process finds it already changed).
      await syncSources(store.db, live.current().sources, Date.now());
      // A sources table of a few dozen rows is one autovacuum never analyzes (PostgreSQL); workers
      // also do this as their passes grow the tables.
      await refreshPlannerStatistics(store.db).catch((err: unknown) => log.warn({ err_message: messageOf(err) }, 'could not refresh the planner statistics; autovacuum will'));
      // Each new response also deletes the expired ones; this catches a portal that gets none.
      if (role !== 'worker') await deleteFeedbackBefore(store.db, Date.now() - settings.feedbackRetentionDays * 86_400_000);
      if (stopping.signal.aborted) return false;
      if (role !== 'web') worker = startWorkerHalf({ settings, store, log, live, pollMetrics, refresher: ingest.refresher, webSub, onStreamChanged: () => invalidatePages() });
      onConfigApplied = (change) => {
        // Removed sources leave the stream now (and a worker tells their hubs); added and re-pointed ones are polled soon (by a worker).
        invalidatePages();
        if (worker && change.removed.length > 0) webSub.afterPass();
        worker?.pollSoon([...change.added, ...change.feedChanged]);
      };
      watcher = watchFile(settings.feedsFile, () => void live.reload('watch'), { log: log.child({ component: 'config' }) });
      // An edit saved while the database was awaited counts too.
      if (store.kind === 'postgres') void live.reload('watch');
      up = true;
      return true;
    } catch (error) {
      if (stopping.signal.aborted) return false;
      log.fatal({ err: error, database: databaseLabel(settings) }, `${role}: could not start`);
      return false;
    }
  };
  const ready = bringUp();

  const { address, port } = app.server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  const url = `http://${host}:${port}/`;
  log.info({ url, role, process: identity, feeds_file: settings.feedsFile, database: databaseLabel(settings) }, 'portal listening');
  let closing: Promise<void> | undefined;
  return {
    url,
    log,
    ready,
    reloadConfig: (reason) => (closing ? Promise.resolve() : live.reload(reason)),
    close: () =>
      (closing ??= (async () => {
        stopping.abort();
        watcher?.close();
        await app.close();
        await ready;
        await worker?.stop();
        await live.settled();
        await webSub.close();
        await ingest.close();
        await store.close();
      })()),
  };
}

/** The poll schedule and its passes: what `worker` and `serve` run. */
interface WorkerHalf {
  scheduler: Scheduler;
  /** Polls these sources soon (new or re-pointed in the feeds file). */
  pollSoon(ids: readonly string[]): void;
  /** Stops the schedule: fetches in flight finish and are saved. */
  stop(): Promise<void>;
}

interface WorkerWiring {
  settings: Settings;
  store: OpenedStore;
  log: Logger;
  live: LiveConfig;
  pollMetrics: PollMetrics;
  refresher: Refresher;
  webSub: WebSub;
  onStreamChanged: () => void;
}

function startWorkerHalf({ settings, store, log, live, pollMetrics, refresher, webSub, onStreamChanged }: WorkerWiring): WorkerHalf {
  const passes = createPollPasses({
    db: store.db,
    refresher,
    getConfig: () => live.current(),
    now: Date.now,
    // When a pass ends, pages cached for the old stream version let go at once; during it, within
    // the version check's second.
    onStreamChanged: () => {
      onStreamChanged();
      webSub.entriesStored();
    },
    onReport: (report) => {
      pollMetrics.observeReport(report);
      webSub.subscriber?.afterPoll(report);
    },
  });
  // After each pass: WebSub leases renewed, removed sources unsubscribed.
  const runPass: typeof passes.runPass = async (trigger, signal) => {
    await passes.runPass(trigger, signal);
    webSub.afterPass();
  };
  const scheduler = startScheduler({ schedule: settings.pollSchedule, log: log.child({ component: 'scheduler' }), runPass });
  // In the background: the site answers while the first pass runs. It serves the schedule's last
  // tick, so workers starting together fetch each source once between them.
  if (settings.pollSchedule !== 'off') {
    const startup = previousTick(settings.pollSchedule, Date.now());
    void releaseClaimsOfDeadProcesses(store.db, log, Date.now())
      .catch((err: unknown) => log.warn({ err_message: messageOf(err) }, 'could not release the claims of dead processes; they lapse'))
      .then(() => scheduler.runNow('startup', startup));
  }
  return {
    scheduler,
    pollSoon(ids) {
      if (ids.length === 0 || settings.pollSchedule === 'off') return;
      passes.markForPoll(ids);
      scheduler.requestRun(CONFIG_TRIGGER);
    },
    async stop() {
      await scheduler.stop();
      // The icon look a pass left running ends at the stop signal; wait for it before the store closes.
      await refresher.settled();
    },
  };
}

/**
 * Resolves once the database answers a SELECT 1, asking again after a pause that doubles up to
 * DATABASE_RETRY_CAP_MS, with a warning each time saying why; no crash, no exit. A server that
 * answers with a refusal waiting cannot cure (a wrong password, no such database) stops the wait.
 */
async function waitForDatabase(db: Db, options: { log: Logger; label: string; signal: AbortSignal; firstDelayMs: number }): Promise<void> {
  for (let attempt = 1, delay = options.firstDelayMs; ; attempt += 1, delay = Math.min(delay * 2, DATABASE_RETRY_CAP_MS)) {
    try {
      await pingDatabase(db);
      if (attempt > 1) options.log.info({ database: options.label, attempt }, 'the database answers again: starting');
      return;
    } catch (error) {
      if (isLastingRefusal(error)) throw error;
      options.log.warn(
        { database: options.label, attempt, retry_in_ms: delay, err_message: messageOf(error) },
        'the database does not answer: trying again after a pause (/healthz answers 503 meanwhile)',
      );
      await sleep(delay, undefined, { signal: options.signal });
    }
  }
}

/** PostgreSQL's invalid_authorization_specification, invalid_password and invalid_catalog_name. */
function isLastingRefusal(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '28000' || code === '28P01' || code === '3D000';
}

/**
 * A role as a process: runs until SIGTERM or SIGINT, then shuts down cleanly; a second signal (a
 * second or more later) exits at once. SIGHUP reloads the feeds file. The signals are listened for from the very start, so one
 * that arrives during start-up is not lost (nor kills the process with the default action). A
 * start that fails for good once the database answered (a migration that fails) exits 1.
 */
async function serveUntilSignalled(io: CommandIo, role: Role): Promise<number> {
  const signals = listenForSignals();
  const server = await startServer(io, { role });
  if (typeof server === 'number') {
    signals.dispose();
    return server;
  }
  signals.onHangup(() => {
    server.log.info({ signal: 'SIGHUP' }, 'reloading the feeds file');
    void server.reloadConfig('sighup');
  });
  const failed = server.ready.then((ok) => (ok ? new Promise<never>(() => {}) : ('failed' as const)));
  const signal = await Promise.race([signals.stop, failed]);
  if (signal === 'failed') {
    await server.close();
    signals.dispose();
    return 1;
  }
  server.log.info({ signal }, 'shutting down: closing the server, waiting for a running poll');
  signals.onSecond((second) => {
    server.log.warn({ signal: second }, 'second signal: exiting at once');
    process.exit(1);
  });
  await server.close();
  signals.dispose();
  server.log.info('stopped');
  return 0;
}

interface SignalListener {
  /** The first SIGTERM or SIGINT. */
  stop: Promise<NodeJS.Signals>;
  /** SIGHUPs from now on (one that came earlier is handed over at once). */
  onHangup(handler: () => void): void;
  /** Any SIGTERM or SIGINT after the first. */
  onSecond(handler: (signal: NodeJS.Signals) => void): void;
  dispose(): void;
}

const SAME_SIGNAL_WITHIN_MS = 1000;

function listenForSignals(): SignalListener {
  let first: NodeJS.Signals | undefined;
  let resolveStop: (signal: NodeJS.Signals) => void = () => {};
  const stop = new Promise<NodeJS.Signals>((resolve) => (resolveStop = resolve));
  let hangup: (() => void) | undefined;
  let hangupPending = false;
  let second: (signal: NodeJS.Signals) => void = () => process.exit(1);
  let firstAt = 0;
  const onStopSignal = (signal: NodeJS.Signals) => {
    if (first === undefined) {
      first = signal;
      firstAt = performance.now();
      return resolveStop(signal);
    }
    // One Ctrl-C under `npm start` arrives twice (from the terminal and forwarded by npm): a repeat
    // this soon is the same press, not an operator asking to exit at once.
    if (performance.now() - firstAt >= SAME_SIGNAL_WITHIN_MS) second(signal);
  };
  const onHangupSignal = () => {
    if (hangup) hangup();
    else hangupPending = true;
  };
  process.on('SIGTERM', onStopSignal);
  process.on('SIGINT', onStopSignal);
  process.on('SIGHUP', onHangupSignal);
  return {
    stop,
    onHangup(handler) {
      hangup = handler;
      if (hangupPending) handler();
      hangupPending = false;
    },
    onSecond(handler) {
      second = handler;
    },
    dispose() {
      process.off('SIGTERM', onStopSignal);
      process.off('SIGINT', onStopSignal);
      process.off('SIGHUP', onHangupSignal);
    },
  };
}

// ---- helpers ----

/** portal_websub_publish_pings_total{outcome} and portal_websub_pushes_total{outcome}, on the process's registry. */
function webSubCounters(registry: Registry): { onPing: (outcome: string) => void; onPush: (outcome: string) => void } {
  const pings = new Counter({
    name: 'portal_websub_publish_pings_total',
    help: 'Pings to the WEBSUB_HUB hub after new entries were stored, by outcome (sent, retried, failed, dropped).',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const pushes = new Counter({
    name: 'portal_websub_pushes_total',
    help: "Hubs' pushes to the WebSub callbacks, by outcome (accepted, bad-signature, gone, unknown).",
    labelNames: ['outcome'],
    registers: [registry],
  });
  return { onPing: (outcome) => pings.inc({ outcome }), onPush: (outcome) => pushes.inc({ outcome }) };
}


/** The version in package.json, found by walking up from this file (src/ under tsx, dist/src/ after a build). */
export function packageVersion(start = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version ?? '0.0.0';
    if (dirname(dir) === dir) return '0.0.0';
  }
}

function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

/**
 * Runs one command for this process (bin/portal.js calls it, as does `node dist/src/main.js`) and
 * sets the exit code; `serve` exits once it has stopped.
 */
export function runCommandLine(argv: string[]): void {
  const io: CommandIo = {
    env: process.env,
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    isTTY: process.stdout.isTTY === true,
  };
  main(argv, io).then(
    (code) => {
      // Let the streams drain and the process end on its own; the code is what it exits with.
      process.exitCode = code;
      if (argv[0] === undefined || SERVING.has(argv[0])) process.exit(code);
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}

if (isEntryPoint()) runCommandLine(process.argv.slice(2));
