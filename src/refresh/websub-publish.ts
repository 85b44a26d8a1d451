// The WebSub publisher side: after new entries are stored, tell the hub the exported feeds changed
// (hub.mode=publish, one ping per feed URL), with retries and backoff, in the background: a pass
// or a push never waits for the hub, and the queue is bounded.
import type { Logger } from 'pino';
import { messageOf } from '../core/errors.js';

/** Waits before each retry of a failed ping; then it is given up on (and logged). */
export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [1_000, 10_000, 60_000, 300_000];
/** Feed URLs waiting for a ping at most; past it a ping is dropped (the next change pings again). */
export const DEFAULT_MAX_QUEUED = 32;

export type PingOutcome = 'sent' | 'retried' | 'failed' | 'dropped';

export interface HubPingerOptions {
  /** WEBSUB_HUB. */
  hub: string;
  /** The exported feeds' public URLs (the self links they carry). */
  feedUrls: () => readonly string[];
  log: Logger;
  timeoutMs: number;
  userAgent: string;
  /** Default: Node's fetch; the hub is the operator's own choice, not a feed's. */
  fetch?: typeof fetch;
  retryDelaysMs?: readonly number[];
  maxQueued?: number;
  /** Counted on /metrics (portal_websub_publish_pings_total). */
  onOutcome?: (outcome: PingOutcome) => void;
}

export class HubPinger {
  /** Feed URLs waiting for their ping, in order; a URL already waiting is not queued twice. */
  private readonly queue: string[] = [];
  private draining: Promise<void> | undefined;
  private closed = false;
  private readonly sleeping = new Set<{ timer: NodeJS.Timeout; wake: () => void }>();

  constructor(private readonly options: HubPingerOptions) {}

  /** New entries were stored: ping the hub for every exported feed, soon, in the background. */
  notify(): void {
    if (this.closed) return;
    const max = this.options.maxQueued ?? DEFAULT_MAX_QUEUED;
    for (const url of this.options.feedUrls()) {
      if (this.queue.includes(url)) continue;
      if (this.queue.length >= max) {
        this.options.log.warn({ hub: this.options.hub, topic: url }, 'websub: publish queue full: ping dropped');
        this.options.onOutcome?.('dropped');
        continue;
      }
      this.queue.push(url);
    }
    this.draining ??= this.drain().finally(() => (this.draining = undefined));
  }

  /** Resolves once the queue is empty (tests). */
  async settled(): Promise<void> {
    while (this.draining) await this.draining;
  }

  /** Stops: waiting retries give up at once, no new ping starts. */
  async close(): Promise<void> {
    this.closed = true;
    this.queue.length = 0;
    for (const sleeper of this.sleeping) {
      clearTimeout(sleeper.timer);
      sleeper.wake();
    }
    await this.draining;
  }

  private async drain(): Promise<void> {
    for (let url = this.queue[0]; url !== undefined && !this.closed; url = this.queue[0]) {
      // Taken off before the ping: a change stored while it is sent queues the URL again.
      this.queue.shift();
      await this.pingWithRetries(url);
    }
  }

  private async pingWithRetries(url: string): Promise<void> {
    const delays = this.options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    for (let attempt = 0; ; attempt += 1) {
      const failure = await this.ping(url);
      if (failure === undefined) return void this.options.onOutcome?.('sent');
      const delay = delays[attempt];
      if (delay === undefined || this.closed) {
        this.options.log.warn({ hub: this.options.hub, topic: url, attempts: attempt + 1, error: failure }, 'websub: publish ping failed');
        return void this.options.onOutcome?.('failed');
      }
      this.options.log.debug({ hub: this.options.hub, topic: url, error: failure, retry_in_ms: delay }, 'websub: publish ping failed, retrying');
      this.options.onOutcome?.('retried');
      await this.sleep(delay);
    }
  }

  /** One POST hub.mode=publish&hub.url=URL; the failure in words, or undefined on 2xx. */
  private async ping(url: string): Promise<string | undefined> {
    const send = this.options.fetch ?? fetch;
    try {
      const response = await send(this.options.hub, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': this.options.userAgent },
        body: new URLSearchParams({ 'hub.mode': 'publish', 'hub.url': url }).toString(),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      await response.body?.cancel().catch(() => undefined);
      return response.ok ? undefined : `websub: the hub answered HTTP ${response.status}`;
    } catch (error) {
      return `websub: the hub could not be reached: ${messageOf(error)}`;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const sleeper = {
        timer: setTimeout(() => {
          this.sleeping.delete(sleeper);
          resolve();
        }, ms),
        wake: resolve,
      };
      sleeper.timer.unref();
      this.sleeping.add(sleeper);
    });
  }
}
