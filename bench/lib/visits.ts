// What the visitor benches share: latencies of a visitor process (visitor.ts) while something runs.
import type { Child } from './child.js';
import { percentile, round } from './report.js';

export interface VisitFigures {
  window: string;
  visits: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
}

export function visitFigures(window: string, latencies: readonly number[]): VisitFigures {
  const ms = (p: number) => round(percentile(latencies, p), 1);
  return { window, visits: latencies.length, p50Ms: ms(50), p90Ms: ms(90), p99Ms: ms(99), maxMs: ms(100) };
}

/** Latencies of the visits to `url`, one every `intervalMs`, made while `during` runs. */
export async function visitsDuring(visitor: Child, url: string, intervalMs: number, during: () => Promise<unknown>): Promise<number[]> {
  await visitor.ask({ cmd: 'visit', url, intervalMs } as { cmd: string }, 'visiting');
  await during();
  const { latencies } = await visitor.ask<{ cmd: string; latencies: number[] }>({ cmd: 'stop' }, 'visited');
  return latencies;
}
