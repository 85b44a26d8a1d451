// Environment settings: the one typed view of process.env that main.ts builds and passes down.
import ipaddr from 'ipaddr.js';
import { validate as isValidCron, validateDetailed as explainCron } from 'node-cron';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Settings {
  port: number;
  host: string;
  feedsFile: string;
  databasePath: string;
  /** PostgreSQL instead of SQLite (`postgres://USER:PASSWORD@HOST:PORT/DB`); absent: SQLite at databasePath. */
  databaseUrl?: string;
  /** A node-cron expression, or 'off' to disable the scheduler and the start-up poll. */
  pollSchedule: string | 'off';
  fetchTimeoutMs: number;
  /** Public base URL ending in '/'; when absent, `site.url` of the feeds file applies. */
  siteUrl?: string;
  logLevel: LogLevel;
  /**
   * True lets a fetch reach loopback and private addresses anywhere; false (the default) only at
   * origins a source in the feeds file names itself.
   */
  allowPrivateNetworks: boolean;
  /** Who may read /metrics: CIDRs in their plain form ('127.0.0.0/8', '::1/128'), an address as its /32 or /128. */
  metricsAllowedNetworks: string[];
  /**
   * The reverse proxies in front of the portal (CIDRs, as metricsAllowedNetworks): a request from
   * one of them is taken to come from the address it names in X-Forwarded-For. Empty: none.
   */
  trustedProxies: string[];
  /**
   * The key of the hash that stands for a visitor's address in the feedback form's rate limit;
   * absent: a random one the database keeps, shared by every process.
   */
  feedbackSecret?: string;
  /** Feedback responses older than this many days are deleted. */
  feedbackRetentionDays: number;
  /**
   * WEBSUB: subscribe to the hubs sources name (unset: on; see webSubEnabled). Callbacks go to
   * SITE_URL, which hubs must be able to reach.
   */
  websub?: boolean;
  /** WEBSUB_HUB: a hub the exported feeds name and the portal pings after storing new entries. */
  websubHub?: string;
}

/** Loopback only: a scraper on the same machine. */
export const DEFAULT_METRICS_ALLOWED_NETWORKS: readonly string[] = Object.freeze(['127.0.0.1/8', '::1/128']);

export type Env = Record<string, string | undefined>;

/** One environment variable that held a value we cannot use. */
export interface SettingsProblem {
  variable: string;
  value: string;
  expected: string;
}

/** Thrown by readSettings with every bad variable at once, so one restart fixes them all. */
export class SettingsError extends Error {
  readonly problems: SettingsProblem[];

  constructor(problems: SettingsProblem[]) {
    super(describeProblems(problems));
    this.name = 'SettingsError';
    this.problems = problems;
  }
}

function describeProblems(problems: SettingsProblem[]): string {
  const lines = problems.map((p) => `  ${p.variable}=${JSON.stringify(p.value)}: expected ${p.expected}`);
  const noun = problems.length === 1 ? 'variable' : 'variables';
  return [`settings: ${problems.length} bad environment ${noun}`, ...lines].join('\n');
}

/** A parser turns a raw value into a setting, or returns what was expected instead. */
type Parsed<T> = { ok: true; value: T } | { ok: false; expected: string };
type Parser<T> = (raw: string) => Parsed<T>;

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = <T>(expected: string): Parsed<T> => ({ ok: false, expected });

const parsePort: Parser<number> = (raw) => {
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
  return n >= 0 && n <= 65535 ? ok(n) : fail('a port number from 0 to 65535');
};

const parseTimeout: Parser<number> = (raw) => {
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
  return Number.isSafeInteger(n) && n > 0 ? ok(n) : fail('a whole number of milliseconds above 0, like 20000');
};

const parseSchedule: Parser<string> = (raw) => {
  if (raw === 'off' || isValidCron(raw)) return ok(raw);
  const reasons = explainCron(raw).errors.map((e) => e.message);
  const why = reasons.length > 0 ? ` (${reasons.join('; ')})` : '';
  return fail(`a cron expression like '*/30 * * * *', or 'off'${why}`);
};

const parseLogLevel: Parser<LogLevel> = (raw) =>
  (LOG_LEVELS as readonly string[]).includes(raw) ? ok(raw as LogLevel) : fail(`one of ${LOG_LEVELS.join(', ')}`);

const parseSiteUrl: Parser<string> = (raw) => {
  const url = URL.canParse(raw) ? new URL(raw) : undefined;
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    return fail('an absolute http(s) URL, like https://portal.example.org/');
  }
  return ok(raw.endsWith('/') ? raw : `${raw}/`);
};

const parseOnOff: Parser<boolean> = (raw) => {
  if (raw === 'on' || raw === 'off') return ok(raw === 'on');
  return fail("'on' or 'off'");
};

/** An absolute http(s) URL without credentials (a hub is told nothing secret). */
const parseHubUrl: Parser<string> = (raw) => {
  const url = URL.canParse(raw) ? new URL(raw) : undefined;
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.username !== '' || url.password !== '') {
    return fail('an absolute http(s) URL without a user or password, like https://pubsubhubbub.appspot.com/');
  }
  return ok(url.href);
};

/**
 * Whether the portal subscribes to hubs: WEBSUB when set, else on (the interface's default). A hub
 * that cannot reach SITE_URL (a portal on loopback) never verifies, and /status says so.
 */
export function webSubEnabled(settings: Pick<Settings, 'websub'>): boolean {
  return settings.websub ?? true;
}

const NETWORKS_EXPECTED = "comma-separated networks (CIDR) or addresses, like '127.0.0.1/8,::1/128,10.0.0.5'";

/**
 * Comma-separated CIDRs or single addresses, each written out plainly: IPv4 only in its four
 * decimal parts (ipaddr.js would also read '127.1' or '0x7f.0.0.1'), an IPv4-mapped IPv6 network as
 * the IPv4 one, since a mapped peer is matched as its IPv4 address.
 */
const parseNetworks: Parser<string[]> = (raw) => {
  const items = raw.split(',').map((item) => item.trim()).filter((item) => item !== '');
  const networks: string[] = [];
  for (const item of items) {
    const network = parseNetwork(item);
    if (network === undefined) return fail(`${NETWORKS_EXPECTED}; ${JSON.stringify(item)} is neither`);
    networks.push(network);
  }
  return networks.length > 0 ? ok(networks) : fail(NETWORKS_EXPECTED);
};

function parseNetwork(item: string): string | undefined {
  const cidr = item.includes('/') ? item : `${item}/${item.includes(':') ? 128 : 32}`;
  if (!ipaddr.isValidCIDR(cidr)) return undefined;
  if (!cidr.includes(':') && !ipaddr.IPv4.isValidCIDRFourPartDecimal(cidr)) return undefined;
  const [address, bits] = ipaddr.parseCIDR(cidr);
  if (address instanceof ipaddr.IPv6 && address.isIPv4MappedAddress() && bits >= 96) {
    return `${address.toIPv4Address().toString()}/${bits - 96}`;
  }
  return `${address.toString()}/${bits}`;
}

const DATABASE_URL_EXPECTED = 'a PostgreSQL URL like postgres://USER:PASSWORD@HOST:5432/DB';

/** A postgres:// (or postgresql://) URL naming a database; host and port as the URL gives them. */
const parseDatabaseUrl: Parser<string> = (raw) => {
  const url = URL.canParse(raw) ? new URL(raw) : undefined;
  // A port out of range or not a number is the usual reason such a URL does not parse: say so.
  if (!url && /^postgres(?:ql)?:\/\/(?:[^@/]*@)?[^:/]*:[^/]/.test(raw)) return fail(`${DATABASE_URL_EXPECTED}; the port must be a number from 1 to 65535`);
  if (!url) return fail(DATABASE_URL_EXPECTED);
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') return fail(`${DATABASE_URL_EXPECTED}; the scheme must be postgres: or postgresql:`);
  if (url.hostname === '') return fail(`${DATABASE_URL_EXPECTED}; it names no host`);
  // WHATWG URLs keep a port only when it is a number from 0 to 65535 (else they do not parse); 0 is none.
  if (url.port === '0') return fail(`${DATABASE_URL_EXPECTED}; port 0 is no server's`);
  const database = url.pathname.replace(/^\//, '');
  if (database === '' || database.includes('/')) return fail(`${DATABASE_URL_EXPECTED}; it names no database (the path after the host)`);
  const connectTimeout = url.searchParams.get('connect_timeout');
  if (connectTimeout !== null && !/^[1-9]\d{0,3}$/.test(connectTimeout)) return fail(`${DATABASE_URL_EXPECTED}; connect_timeout must be a whole number of seconds from 1 to 9999`);
  return ok(raw);
};

/** What is wrong with a PostgreSQL URL given elsewhere than DATABASE_URL (db:copy's --to), or undefined. */
export function databaseUrlProblem(raw: string): string | undefined {
  const parsed = parseDatabaseUrl(raw.trim());
  return parsed.ok ? undefined : `expected ${parsed.expected}`;
}

/**
 * The URL as messages and logs may show it: the password replaced by '***' (also in what does not
 * parse as a URL, where anything between '//user:' and '@' is taken for one).
 */
export function withoutPassword(databaseUrl: string): string {
  if (URL.canParse(databaseUrl)) {
    const url = new URL(databaseUrl);
    if (url.password !== '') url.password = '***';
    return url.toString();
  }
  return databaseUrl.replace(/(\/\/[^/@:]*:)[^/]*@/, '$1***@');
}

/** The database as messages and logs name it: the SQLite file, or the PostgreSQL URL without its password. */
export function databaseLabel(settings: Pick<Settings, 'databasePath' | 'databaseUrl'>): string {
  return settings.databaseUrl === undefined ? settings.databasePath : withoutPassword(settings.databaseUrl);
}

const parseText: Parser<string> = (raw) => ok(raw);

export const DEFAULT_FEEDBACK_RETENTION_DAYS = 365;

const parseRetentionDays: Parser<number> = (raw) => {
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
  return n >= 1 && n <= 36500 ? ok(n) : fail('a whole number of days from 1 to 36500, like 365');
};

const parseSecret: Parser<string> = (raw) => (raw.length >= 16 ? ok(raw) : fail('at least 16 characters (say 32 random bytes in hex: openssl rand -hex 32)'));

/** Variables whose value may hold a password: a message shows them through withoutPassword. */
const SECRET_BEARING = new Set(['DATABASE_URL']);
/** Variables that are a secret whole: a message never shows their value. */
const SECRET = new Set(['FEEDBACK_SECRET']);

function shownValue(variable: string, raw: string): string {
  if (SECRET.has(variable)) return '***';
  return SECRET_BEARING.has(variable) ? withoutPassword(raw) : raw;
}

/** Reads settings from the environment given; unset or blank variables take their defaults. */
export function readSettings(env: Env): Settings {
  const problems: SettingsProblem[] = [];
  const read = <T>(variable: string, parse: Parser<T>, fallback: T): T => {
    const raw = env[variable]?.trim();
    if (raw === undefined || raw === '') return fallback;
    const parsed = parse(raw);
    if (parsed.ok) return parsed.value;
    problems.push({ variable, value: shownValue(variable, raw), expected: parsed.expected });
    return fallback;
  };

  const settings: Settings = {
    port: read('PORT', parsePort, 3000),
    host: read('HOST', parseText, '127.0.0.1'),
    feedsFile: read('FEEDS_FILE', parseText, './feeds.yaml'),
    databasePath: read('DATABASE_PATH', parseText, './data/portal.db'),
    pollSchedule: read('POLL_SCHEDULE', parseSchedule, '*/30 * * * *'),
    fetchTimeoutMs: read('FETCH_TIMEOUT_MS', parseTimeout, 20000),
    logLevel: read('LOG_LEVEL', parseLogLevel, 'info'),
    allowPrivateNetworks: read('ALLOW_PRIVATE_NETWORKS', parseOnOff, false),
    metricsAllowedNetworks: read('METRICS_ALLOWED_NETWORKS', parseNetworks, [...DEFAULT_METRICS_ALLOWED_NETWORKS]),
    trustedProxies: read('TRUSTED_PROXIES', parseNetworks, []),
    feedbackRetentionDays: read('FEEDBACK_RETENTION_DAYS', parseRetentionDays, DEFAULT_FEEDBACK_RETENTION_DAYS),
  };
  const feedbackSecret = read<string | undefined>('FEEDBACK_SECRET', parseSecret, undefined);
  if (feedbackSecret !== undefined) settings.feedbackSecret = feedbackSecret;
  const siteUrl = read<string | undefined>('SITE_URL', parseSiteUrl, undefined);
  if (siteUrl !== undefined) settings.siteUrl = siteUrl;
  const databaseUrl = read<string | undefined>('DATABASE_URL', parseDatabaseUrl, undefined);
  if (databaseUrl !== undefined) settings.databaseUrl = databaseUrl;
  const websub = read<boolean | undefined>('WEBSUB', parseOnOff, undefined);
  if (websub !== undefined) settings.websub = websub;
  const websubHub = read<string | undefined>('WEBSUB_HUB', parseHubUrl, undefined);
  if (websubHub !== undefined) settings.websubHub = websubHub;

  if (problems.length > 0) throw new SettingsError(problems);
  return settings;
}
