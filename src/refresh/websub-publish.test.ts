import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { HubPinger, type PingOutcome } from './websub-publish.js';

interface Hub {
  url: string;
  pings: URLSearchParams[];
  close(): Promise<void>;
}

/** A hub on 127.0.0.1 that answers each publish ping with the next of `statuses` (then 204). */
async function startHub(statuses: number[]): Promise<Hub> {
  const pings: URLSearchParams[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      pings.push(new URLSearchParams(body));
      res.writeHead(statuses.shift() ?? 204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hub`, pings, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const FEEDS = ['https://portal.example.org/feed.xml', 'https://portal.example.org/atom.xml', 'https://portal.example.org/feed.json'];
let hub: Hub | undefined;

afterEach(async () => {
  await hub?.close();
  hub = undefined;
});

function pinger(url: string, outcomes: PingOutcome[], retryDelaysMs = [5, 5]): HubPinger {
  return new HubPinger({ hub: url, feedUrls: () => FEEDS, log: pino({ level: 'silent' }), timeoutMs: 2000, userAgent: 'test', retryDelaysMs, onOutcome: (o) => outcomes.push(o) });
}

describe('HubPinger', () => {
  it('pings the hub once for each exported feed, hub.mode=publish', async () => {
    hub = await startHub([]);
    const outcomes: PingOutcome[] = [];
    const publisher = pinger(hub.url, outcomes);
    publisher.notify();
    await publisher.settled();
    expect(hub.pings.map((p) => [p.get('hub.mode'), p.get('hub.url')])).toEqual(FEEDS.map((url) => ['publish', url]));
    expect(outcomes).toEqual(['sent', 'sent', 'sent']);
  });

  it('queues a feed once: a second change adds only the feed whose ping already left', async () => {
    hub = await startHub([]);
    const publisher = pinger(hub.url, []);
    publisher.notify();
    publisher.notify();
    await publisher.settled();
    expect(hub.pings.map((p) => p.get('hub.url'))).toEqual([...FEEDS, FEEDS[0]]);
  });

  it('retries a ping the hub answered with 500, and gives up after the last retry', async () => {
    hub = await startHub([500, 204, 502, 502, 502]);
    const outcomes: PingOutcome[] = [];
    const publisher = pinger(hub.url, outcomes);
    publisher.notify();
    await publisher.settled();
    expect(hub.pings.map((p) => p.get('hub.url'))).toEqual([FEEDS[0], FEEDS[0], FEEDS[1], FEEDS[1], FEEDS[1], FEEDS[2]]);
    expect(outcomes).toEqual(['retried', 'sent', 'retried', 'retried', 'failed', 'sent']);
  });

  it('never holds up its caller, and keeps the queue bounded', async () => {
    hub = await startHub([]);
    const outcomes: PingOutcome[] = [];
    const publisher = new HubPinger({ hub: hub.url, feedUrls: () => FEEDS, log: pino({ level: 'silent' }), timeoutMs: 2000, userAgent: 'test', maxQueued: 2, onOutcome: (o) => outcomes.push(o) });
    publisher.notify();
    expect(outcomes).toEqual(['dropped']);
    await publisher.settled();
    expect(hub.pings).toHaveLength(2);
  });

  it('logs and counts a hub that cannot be reached, after its retries', async () => {
    const outcomes: PingOutcome[] = [];
    const publisher = pinger('http://127.0.0.1:9/hub', outcomes, [5]);
    publisher.notify();
    await publisher.settled();
    expect(outcomes).toEqual(['retried', 'failed', 'retried', 'failed', 'retried', 'failed']);
    await publisher.close();
  });
});
