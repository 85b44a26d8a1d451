// The composition root and the ONLY reader of process.env: `node dist/src/main.js <command>`.
// Everything below it gets its settings and dependencies passed in.
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
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
import { startProductionRefresher, startWebSub, userAgent } from './refresh/index.js';
import { FEED_FORMATS } from './export/index.js';
import { DEFAULT_MAX_BYTES } from './ingest/index.js';
import { deleteFeedbackBefore, openMigratedStore, pingDatabase, readStreamVersion, storeTargetOf, syncSources, type OpenedStore } from './store/index.js';
import { buildApp } from './web/index.js';
import { CONFIG_TRIGGER, LiveConfig, createPollMetrics, createPollPasses, startScheduler, watchFile, type ConfigChange } from './worker/index.js';
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
  serve: (_args, io) => serveUntilSignalled(io),
  poll: (args, io) => runPoll(args, { ...io, version: packageVersion() }),
  'feeds:check': feedsCheck,
  'feeds:add': feedsAdd,
  'feeds:import': feedsImport,
  'db:copy': dbCopy,
  'feedback:export': feedbackExport,
};

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

// ---- serve ----

export interface RunningServer {
  /** http://host:port/ the server listens on. */
  url: string;
  log: Logger;
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
}

/**
 * Starts the portal: settings, the feeds file (any issue: nothing starts), the migrated store,
 * the web app listening, the scheduler and a first pass in the background. Resolves to the
 * running server, or to an exit code when it could not start.
 */
export async function startServer(io: CommandIo, options: StartOptions = {}): Promise<RunningServer | number> {
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
    store = await openMigratedStore(storeTargetOf(settings));
  } catch (error) {
    io.stderr(`serve: cannot open the database ${databaseLabel(settings)}: ${messageOf(error)}\n`);
    return 1;
  }
  try {
    return await startOnStore(settings, loaded.config, store, log, options);
  } catch (error) {
    await store.close();
    io.stderr(`serve: ${messageOf(error)}\n`);
    return 1;
  }
}

async function startOnStore(settings: Settings, config: FeedsConfig, store: OpenedStore, log: Logger, tuning: StartOptions): Promise<RunningServer> {
  await syncSources(store.db, config.sources, Date.now());
  // Each new response also deletes the expired ones; this catches a portal that gets none.
  await deleteFeedbackBefore(store.db, Date.now() - settings.feedbackRetentionDays * 86_400_000);
  // The one registry of the process: the poller and the web server put their metrics on it.
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  let onConfigApplied: (change: ConfigChange) => void = () => {};
  const live = new LiveConfig({
    file: settings.feedsFile,
    initial: config,
    db: store.db,
    log: log.child({ component: 'config' }),
    onApplied: (change) => onConfigApplied(change),
  });
  const pollMetrics = createPollMetrics({ registry, db: store.db, version: packageVersion(), feedsFile: () => live.state() });
  const siteUrl = () => settings.siteUrl ?? live.current().site.url;
  let passRunning = () => false;
  // Made before the app: WebSub pushes, served by the app, are digested on the refresher's pool.
  let invalidatePages = () => {};
  const { refresher, digest, guardedFetch, close: closeRefresher } = startProductionRefresher({
    db: store.db,
    log: log.child({ component: 'refresh' }),
    timeoutMs: settings.fetchTimeoutMs,
    userAgent: userAgent(packageVersion(), siteUrl()),
    // Asked live, so an edit of the feeds file counts at once.
    namedSources: () => live.current().sources,
    allowPrivateNetworks: settings.allowPrivateNetworks,
    digestTimeBudgetMs: tuning.digestTimeBudgetMs,
    wrapFetcher: pollMetrics.meterFetcher,
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
    guardedFetch,
    timeoutMs: settings.fetchTimeoutMs,
    userAgent: userAgent(packageVersion(), siteUrl()),
    siteUrl,
    getConfig: () => live.current(),
    digest,
    maxBodyBytes: DEFAULT_MAX_BYTES,
    onStreamChanged: () => invalidatePages(),
    ...webSubCounters(registry),
  });
  const app = await buildApp({
    db: store.db,
    getConfig: () => live.current(),
    getSiteUrl: siteUrl,
    readStreamVersion: () => readStreamVersion(store.db),
    logger: log.child({ component: 'web' }),
    runtimeStatus: () => ({ config: live.state(), pollSchedule: settings.pollSchedule, passRunning: passRunning() }),
    metrics: registry,
    metricsAllowedNetworks: settings.metricsAllowedNetworks,
    pingDatabase: () => pingDatabase(store.db),
    trustedProxies: settings.trustedProxies,
    feedback: { retentionDays: settings.feedbackRetentionDays, ...(settings.feedbackSecret === undefined ? {} : { secret: settings.feedbackSecret }) },
    ...(settings.websubHub !== undefined ? { webSubHub: settings.websubHub } : {}),
    ...(webSub.subscriber ? { webSubCallbacks: webSub.subscriber } : {}),
  });
  invalidatePages = () => app.webContext.versions.invalidate();
  await app.listen({ host: settings.host, port: settings.port });
  const passes = createPollPasses({
    db: store.db,
    refresher,
    getConfig: () => live.current(),
    now: Date.now,
    // When a pass ends, pages cached for the old stream version let go at once; during it, within
    // the version check's second.
    onStreamChanged: () => {
      app.webContext.versions.invalidate();
      webSub.entriesStored();
    },
    onReport: (report) => {
      pollMetrics.observeReport(report);
      webSub.subscriber?.afterPoll(report);
    },
  });
  const runPass: typeof passes.runPass = async (trigger, signal) => {
    await passes.runPass(trigger, signal);
    webSub.afterPass();
  };
  const scheduler = startScheduler({ schedule: settings.pollSchedule, log: log.child({ component: 'scheduler' }), runPass });
  passRunning = () => scheduler.busy;
  onConfigApplied = (change) => {
    // Removed sources leave the stream now (and their hubs are told); added and re-pointed ones are polled soon.
    app.webContext.versions.invalidate();
    if (change.removed.length > 0) webSub.afterPass();
    const toPoll = [...change.added, ...change.feedChanged];
    if (toPoll.length === 0 || settings.pollSchedule === 'off') return;
    passes.markForPoll(toPoll);
    scheduler.requestRun(CONFIG_TRIGGER);
  };
  const watcher = watchFile(settings.feedsFile, () => void live.reload('watch'), { log: log.child({ component: 'config' }) });
  // In the background: the site answers while the first pass runs.
  if (settings.pollSchedule !== 'off') void scheduler.runNow('startup');

  const { address, port } = app.server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  const url = `http://${host}:${port}/`;
  log.info({ url, feeds_file: settings.feedsFile, database: databaseLabel(settings) }, 'portal listening');
  let closing: Promise<void> | undefined;
  return {
    url,
    log,
    reloadConfig: (reason) => (closing ? Promise.resolve() : live.reload(reason)),
    close: () =>
      (closing ??= (async () => {
        watcher.close();
        await app.close();
        await scheduler.stop();
        await live.settled();
        await webSub.close();
        await closeRefresher();
        await store.close();
      })()),
  };
}

/**
 * serve as a process: runs until SIGTERM or SIGINT, then shuts down cleanly; a second signal (a
 * second or more later) exits at once. SIGHUP reloads the feeds file. The signals are listened for from the very start, so one
 * that arrives during start-up is not lost (nor kills the process with the default action).
 */
async function serveUntilSignalled(io: CommandIo): Promise<number> {
  const signals = listenForSignals();
  const server = await startServer(io);
  if (typeof server === 'number') {
    signals.dispose();
    return server;
  }
  signals.onHangup(() => {
    server.log.info({ signal: 'SIGHUP' }, 'reloading the feeds file');
    void server.reloadConfig('sighup');
  });
  const signal = await signals.stop;
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
      if (argv[0] === 'serve' || argv[0] === undefined) process.exit(code);
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}

if (isEntryPoint()) runCommandLine(process.argv.slice(2));
