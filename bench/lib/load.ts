// autocannon against 127.0.0.1, with the server's own CPU time over the same window.
import autocannon from 'autocannon';
import type { Child } from './child.js';
import { median } from './report.js';

export interface LoadFigures {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  /** Server CPU (user + system) per request, in microseconds. */
  cpuPerRequestUs: number;
  errors: number;
  /** With several rounds: each round's CPU per request (the figures above are their medians). */
  cpuPerRequestUsRounds?: number[];
}

export interface LoadOptions {
  url: string;
  seconds: number;
  connections: number;
  headers: Record<string, string>;
}

function run(options: LoadOptions): Promise<autocannon.Result> {
  return autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.seconds,
    headers: options.headers,
  });
}

/** A short warm-up (JIT, caches) unless told it is warm, then the measured window. */
export async function measureLoad(server: Child, options: LoadOptions & { warm?: boolean }): Promise<LoadFigures> {
  if (!options.warm) await run({ ...options, seconds: Math.max(1, Math.round(options.seconds / 2)) });
  await server.ask({ cmd: 'cpu-start' }, 'cpu-started');
  const result = await run(options);
  const { micros } = await server.ask<{ cmd: string; micros: number }>({ cmd: 'cpu-stop' }, 'cpu');
  const ok = result['2xx'];
  return {
    requestsPerSecond: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: result.requests.total,
    cpuPerRequestUs: ok > 0 ? Math.round((micros / result.requests.total) * 10) / 10 : Number.NaN,
    errors: result.errors + result.non2xx + result.timeouts,
  };
}

/** Several rounds of the same load as one figure: the median of each measure, requests and errors summed. */
export function medianOfRounds(rounds: readonly LoadFigures[]): LoadFigures {
  const mid = (pick: (f: LoadFigures) => number) => median(rounds.map(pick));
  return {
    requestsPerSecond: mid((f) => f.requestsPerSecond),
    p50Ms: mid((f) => f.p50Ms),
    p99Ms: mid((f) => f.p99Ms),
    requests: rounds.reduce((sum, f) => sum + f.requests, 0),
    cpuPerRequestUs: mid((f) => f.cpuPerRequestUs),
    errors: rounds.reduce((sum, f) => sum + f.errors, 0),
    cpuPerRequestUsRounds: rounds.map((f) => f.cpuPerRequestUs),
  };
}
