// The worker: the poll schedule that calls refresh, the live feeds file, and the poller's metrics.
export { startScheduler, previousTick, type Scheduler, type SchedulerOptions, type RunPass, type CronTask, type CreateCronTask } from './scheduler.js';
export { LiveConfig, diffConfigs, countSources, type LiveConfigDeps, type ConfigState, type ConfigChange, type ReloadOutcome, type SourceCounts } from './live-config.js';
export { watchFile, DEFAULT_DEBOUNCE_MS, type FileWatcher, type WatchFileOptions } from './watch-file.js';
export { createPollPasses, CONFIG_TRIGGER, type PollPasses, type PollPassesDeps } from './poll-passes.js';
export { createPollMetrics, type PollMetrics, type PollMetricsDeps } from './poll-metrics.js';
