// The config folder's public face: environment settings and the feeds file.
export { readSettings, withoutPassword, databaseLabel, databaseUrlProblem, SettingsError, LOG_LEVELS, DEFAULT_METRICS_ALLOWED_NETWORKS, DEFAULT_FEEDBACK_RETENTION_DAYS, webSubEnabled } from './settings.js';
export type { Settings, SettingsProblem, LogLevel, Env } from './settings.js';
export { parseFeedsText, loadFeedsFile, readFeedsFile, formatIssue } from './feeds-file.js';
export type { LoadResult } from './feeds-file.js';
export { DEFAULT_MAX_ENTRIES, DEFAULT_PER_SOURCE_ON_HOME, DEFAULT_TIMEZONE } from './feeds-schema.js';
