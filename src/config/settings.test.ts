import { describe, it, expect } from 'vitest';
import { readSettings, SettingsError, webSubEnabled } from './settings.js';

function settingsError(env: Record<string, string>): SettingsError {
  try {
    readSettings(env);
  } catch (err) {
    if (err instanceof SettingsError) return err;
    throw err;
  }
  throw new Error('expected readSettings to throw');
}

describe('readSettings', () => {
  it('applies the documented defaults to an empty environment', () => {
    expect(readSettings({})).toEqual({
      port: 3000,
      host: '127.0.0.1',
      feedsFile: './feeds.yaml',
      databasePath: './data/portal.db',
      pollSchedule: '*/30 * * * *',
      fetchTimeoutMs: 20000,
      logLevel: 'info',
      allowPrivateNetworks: false,
      metricsAllowedNetworks: ['127.0.0.1/8', '::1/128'],
      trustedProxies: [],
      feedbackRetentionDays: 365,
    });
    expect(readSettings({})).not.toHaveProperty('siteUrl');
    expect(readSettings({})).not.toHaveProperty('feedbackSecret');
  });

  it('reads every variable when set', () => {
    const settings = readSettings({
      PORT: '8080',
      HOST: '0.0.0.0',
      FEEDS_FILE: '/etc/portal/feeds.yaml',
      DATABASE_PATH: '/var/lib/portal/portal.db',
      POLL_SCHEDULE: '0 * * * *',
      FETCH_TIMEOUT_MS: '5000',
      SITE_URL: 'https://portal.example.org/engage',
      LOG_LEVEL: 'debug',
      ALLOW_PRIVATE_NETWORKS: 'on',
      METRICS_ALLOWED_NETWORKS: '10.20.0.0/16, 192.0.2.7',
      FEEDBACK_SECRET: '0123456789abcdef0123',
      FEEDBACK_RETENTION_DAYS: '90',
      TRUSTED_PROXIES: '10.0.0.2',
    });
    expect(settings).toEqual({
      port: 8080,
      host: '0.0.0.0',
      feedsFile: '/etc/portal/feeds.yaml',
      databasePath: '/var/lib/portal/portal.db',
      pollSchedule: '0 * * * *',
      fetchTimeoutMs: 5000,
      siteUrl: 'https://portal.example.org/engage/',
      logLevel: 'debug',
      allowPrivateNetworks: true,
      metricsAllowedNetworks: ['10.20.0.0/16', '192.0.2.7/32'],
      trustedProxies: ['10.0.0.2/32'],
      feedbackSecret: '0123456789abcdef0123',
      feedbackRetentionDays: 90,
    });
  });

  it("accepts 'off' as the poll schedule and port 0 for an ephemeral port", () => {
    const settings = readSettings({ POLL_SCHEDULE: 'off', PORT: '0' });
    expect(settings.pollSchedule).toBe('off');
    expect(settings.port).toBe(0);
  });

  it("reads ALLOW_PRIVATE_NETWORKS as 'on' or 'off'", () => {
    expect(readSettings({ ALLOW_PRIVATE_NETWORKS: 'on' }).allowPrivateNetworks).toBe(true);
    expect(readSettings({ ALLOW_PRIVATE_NETWORKS: 'off' }).allowPrivateNetworks).toBe(false);
    expect(readSettings({ ALLOW_PRIVATE_NETWORKS: ' on ' }).allowPrivateNetworks).toBe(true);
  });

  it('reads METRICS_ALLOWED_NETWORKS as plain CIDRs: addresses as /32 or /128, IPv4-mapped networks as IPv4', () => {
    const networks = (raw: string) => readSettings({ METRICS_ALLOWED_NETWORKS: raw }).metricsAllowedNetworks;
    expect(networks('10.0.0.0/8,fd00::/8, 2001:db8::1 ,203.0.113.9')).toEqual(['10.0.0.0/8', 'fd00::/8', '2001:db8::1/128', '203.0.113.9/32']);
    expect(networks('::ffff:10.1.0.0/112,::ffff:192.0.2.1')).toEqual(['10.1.0.0/16', '192.0.2.1/32']);
    expect(networks('0.0.0.0/0,::/0')).toEqual(['0.0.0.0/0', '::/0']);
  });

  it('treats blank variables as unset', () => {
    expect(readSettings({ PORT: '', LOG_LEVEL: '  ', SITE_URL: '' })).toMatchObject({ port: 3000, logLevel: 'info' });
  });

  it.each([
    ['PORT', 'abc', 'a port number from 0 to 65535'],
    ['PORT', '70000', 'a port number from 0 to 65535'],
    ['PORT', '80.5', 'a port number from 0 to 65535'],
    ['FETCH_TIMEOUT_MS', '-1', 'a whole number of milliseconds above 0'],
    ['FETCH_TIMEOUT_MS', '0', 'a whole number of milliseconds above 0'],
    ['POLL_SCHEDULE', 'every hour', "a cron expression like '*/30 * * * *', or 'off'"],
    ['POLL_SCHEDULE', '61 * * * *', '61 is a invalid expression for minute'],
    ['LOG_LEVEL', 'loud', 'one of fatal, error, warn, info, debug, trace, silent'],
    ['SITE_URL', 'portal.example.org', 'an absolute http(s) URL'],
    ['SITE_URL', 'ftp://portal.example.org/', 'an absolute http(s) URL'],
    ['ALLOW_PRIVATE_NETWORKS', 'yes', "'on' or 'off'"],
    ['ALLOW_PRIVATE_NETWORKS', 'ON', "'on' or 'off'"],
    ['ALLOW_PRIVATE_NETWORKS', 'true', "'on' or 'off'"],
    ['METRICS_ALLOWED_NETWORKS', '10.0.0.0/33', 'comma-separated networks (CIDR) or addresses'],
    ['METRICS_ALLOWED_NETWORKS', '127.0.0.1/8,localhost', '"localhost" is neither'],
    ['METRICS_ALLOWED_NETWORKS', '127.1', '"127.1" is neither'],
    ['METRICS_ALLOWED_NETWORKS', '0x7f.0.0.1/8', 'comma-separated networks'],
    ['METRICS_ALLOWED_NETWORKS', ', ,', 'comma-separated networks'],
    ['DATABASE_URL', 'portal.db', 'a PostgreSQL URL like postgres://USER:PASSWORD@HOST:5432/DB'],
    ['DATABASE_URL', 'mysql://db.internal/portal', 'the scheme must be postgres: or postgresql:'],
    ['DATABASE_URL', 'postgres://db.internal', 'it names no database'],
    ['DATABASE_URL', 'postgres://db.internal/', 'it names no database'],
    ['DATABASE_URL', 'postgres:///portal', 'it names no host'],
    ['DATABASE_URL', 'postgres://db.internal:5432x/portal', 'the port must be a number from 1 to 65535'],
    ['DATABASE_URL', 'postgres://db.internal:70000/portal', 'the port must be a number from 1 to 65535'],
    ['DATABASE_URL', 'postgres://db.internal:0/portal', 'port 0'],
    ['DATABASE_URL', 'postgres://db.internal/portal?connect_timeout=0', 'connect_timeout must be a whole number of seconds'],
    ['DATABASE_URL', 'postgres://db.internal/portal?connect_timeout=2.5', 'connect_timeout must be a whole number of seconds'],
  ])('rejects %s=%s naming the variable, the value and what is expected', (variable, value, expected) => {
    const err = settingsError({ [variable]: value });
    expect(err.problems).toHaveLength(1);
    expect(err.problems[0]).toMatchObject({ variable, value });
    expect(err.problems[0]?.expected).toContain(expected);
    expect(err.message).toContain(`${variable}=${JSON.stringify(value)}: expected `);
    expect(err.message).toContain(expected);
  });

  it('reads DATABASE_URL as a postgres:// or postgresql:// URL naming a database', () => {
    expect(readSettings({}).databaseUrl).toBeUndefined();
    for (const url of ['postgres://portal:secret@db.internal:5432/portal', 'postgresql://db.internal/portal?sslmode=require', 'postgres://u@[::1]:6432/p']) {
      expect(readSettings({ DATABASE_URL: ` ${url} ` }).databaseUrl).toBe(url);
    }
  });

  it.each([
    ['mysql://portal:hunter2@db.internal/portal', 'mysql://portal:***@db.internal/portal'],
    ['postgres://portal:hunter2@db.internal/', 'postgres://portal:***@db.internal/'],
    ['postgres://portal:hunter2@db.internal:99999/portal', 'postgres://portal:***@db.internal:99999/portal'],
    ['postgres://portal:hun:ter@2@db.internal:x/portal', 'postgres://portal:***@db.internal:x/portal'],
  ])('never prints the password of a bad DATABASE_URL (%s)', (value, shown) => {
    const err = settingsError({ DATABASE_URL: value });
    expect(err.problems[0]?.value).toBe(shown);
    expect(err.message).toContain(`DATABASE_URL=${JSON.stringify(shown)}: expected a PostgreSQL URL`);
    expect(err.message).not.toMatch(/hunter2|hun:ter/);
  });

  it('collects every bad variable into one error', () => {
    const err = settingsError({ PORT: 'abc', FETCH_TIMEOUT_MS: '-1', LOG_LEVEL: 'loud', HOST: 'localhost' });
    expect(err.problems.map((p) => p.variable)).toEqual(['PORT', 'FETCH_TIMEOUT_MS', 'LOG_LEVEL']);
    expect(err.message.split('\n')[0]).toBe('settings: 3 bad environment variables');
    expect(err.message).toContain('PORT="abc"');
    expect(err.message).toContain('FETCH_TIMEOUT_MS="-1"');
    expect(err.message).toContain('LOG_LEVEL="loud"');
  });

  it('refuses a short FEEDBACK_SECRET without showing it, and a retention that is not a whole number of days', () => {
    const error = settingsError({ FEEDBACK_SECRET: 'hunter2', FEEDBACK_RETENTION_DAYS: '0' });
    expect(error.problems).toEqual([
      { variable: 'FEEDBACK_RETENTION_DAYS', value: '0', expected: 'a whole number of days from 1 to 36500, like 365' },
      { variable: 'FEEDBACK_SECRET', value: '***', expected: expect.stringContaining('at least 16 characters') },
    ]);
    expect(error.message).not.toContain('hunter2');
    expect(settingsError({ FEEDBACK_RETENTION_DAYS: '1.5' }).problems[0]?.variable).toBe('FEEDBACK_RETENTION_DAYS');
  });
});

describe('WebSub settings', () => {
  it('reads WEBSUB (on/off) and WEBSUB_HUB (an http(s) URL without credentials)', () => {
    const settings = readSettings({ WEBSUB: 'off', WEBSUB_HUB: 'https://hub.example.net/' });
    expect(settings.websub).toBe(false);
    expect(settings.websubHub).toBe('https://hub.example.net/');
    const error = settingsError({ WEBSUB: 'yes', WEBSUB_HUB: 'https://user:pw@hub.example.net/' });
    expect(error.problems.map((p) => p.variable)).toEqual(['WEBSUB', 'WEBSUB_HUB']);
    expect(settingsError({ WEBSUB_HUB: 'ftp://hub.example.net/' }).problems[0]?.variable).toBe('WEBSUB_HUB');
  });

  it('subscribes by default, as the interface says, and not with WEBSUB=off', () => {
    expect(webSubEnabled({})).toBe(true);
    expect(webSubEnabled(readSettings({}))).toBe(true);
    expect(webSubEnabled(readSettings({ WEBSUB: 'off' }))).toBe(false);
    expect(webSubEnabled(readSettings({ WEBSUB: 'on' }))).toBe(true);
  });
});
