// Reads a V8 .cpuprofile: self time by function and by where the code lives (package or our folder).
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface Cost {
  name: string;
  ms: number;
  share: number;
}

export interface ProfileSummary {
  totalMs: number;
  byFunction: Cost[];
  byPlace: Cost[];
}

/** Where a frame's code lives: `pkg:<package>`, our `src/<folder>`, `node:<module>`, or the engine. */
export function placeOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return `pkg:${pkg[1]}`;
  const ours = /\/(src\/[^/]+(?:\/[^/]+)?)\//.exec(url);
  if (ours) return ours[1] as string;
  if (url.startsWith('node:')) return url;
  return url.split('/').slice(-2).join('/');
}

/** Self time summed over every profile given (one per thread), ranked by function and by place. */
export function summarizeProfile(files: string | readonly string[], top = 12): ProfileSummary {
  const fn = new Map<string, number>();
  const place = new Map<string, number>();
  let total = 0;
  for (const file of typeof files === 'string' ? [files] : files) total += addProfile(file, fn, place);
  const ranked = (map: Map<string, number>) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: Math.round(us / 1000), share: Math.round((us / total) * 1000) / 10 }));
  return { totalMs: Math.round(total / 1000), byFunction: ranked(fn), byPlace: ranked(place) };
}

/** Adds one profile's self times to the tallies; returns its total in µs. */
function addProfile(file: string, fn: Map<string, number>, place: Map<string, number>): number {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  let total = 0;
  for (const [id, us] of selfUs) {
    const frame = (byId.get(id) as ProfileNode).callFrame;
    if (frame.functionName === '(idle)' || frame.functionName === '(program)') continue;
    total += us;
    const where = placeOf(frame.url, frame.functionName);
    const name = `${frame.functionName || '(anonymous)'} (${where}${frame.url ? `:${frame.lineNumber + 1}` : ''})`;
    fn.set(name, (fn.get(name) ?? 0) + us);
    place.set(where, (place.get(where) ?? 0) + us);
  }
  return total;
}

// `node dist/bench/lib/profile.js FILE...`: prints the summary of one or more profiles.
if (process.argv[1] && import.meta.filename === process.argv[1]) {
  console.log(JSON.stringify(summarizeProfile(process.argv.slice(2)), null, 1));
}
