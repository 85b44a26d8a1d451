// What every benchmark child shares: its mode, where it writes its JSON, a temp folder, small stats.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface BenchArgs {
  full: boolean;
  out: string;
}

export function benchArgs(): BenchArgs {
  const argv = process.argv.slice(2);
  const outIndex = argv.indexOf('--out');
  const out = outIndex >= 0 ? argv[outIndex + 1] : undefined;
  if (!out) throw new Error('bench: --out FILE is required');
  return { full: argv.includes('--full'), out };
}

export function writeResult(args: BenchArgs, result: unknown): void {
  writeFileSync(args.out, `${JSON.stringify(result, null, 2)}\n`);
}

export function tempDir(name: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `portal-bench-${name}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] as number;
}

export function round(value: number, digits = 2): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

export function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

/** The CPU time (user + system, µs) of each of `rounds` runs of `work`, after one warm-up run. */
export async function cpuMicrosPerRound(work: () => unknown, rounds: number): Promise<number[]> {
  await work();
  const micros: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const cpu = process.cpuUsage();
    await work();
    const used = process.cpuUsage(cpu);
    micros.push(used.user + used.system);
  }
  return micros;
}
