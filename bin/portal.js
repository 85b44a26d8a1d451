#!/usr/bin/env node
// The portal's command line: `node bin/portal.js <command> [args]` runs the built code in dist/,
// building it first only when a source is newer than the last build, so commands start at once and
// a production install (no TypeScript) never needs the compiler. `node bin/portal.js build` builds
// (npm install runs it), and gives a new checkout its feeds.yaml from the seed, feeds.default.yaml.
// Plain JavaScript: it must run before anything is compiled.
import { spawnSync } from 'node:child_process';
import { copyFileSync, constants, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const ENTRY = join(root, 'dist', 'src', 'main.js');
/** Written after every successful build: its time is the build's. */
const STAMP = join(root, 'dist', '.built');
/** What the build reads; tests and fixtures are not built. */
const SOURCES = ['src', 'migrations', 'tsconfig.json', 'tsconfig.build.json'];

/** Why the build in dist/ cannot be used as it is, or undefined when it can. */
function staleness() {
  if (!existsSync(ENTRY) || !existsSync(STAMP)) return 'no build yet';
  const builtAt = statSync(STAMP).mtimeMs;
  const newer = SOURCES.map((name) => newestChange(join(root, name))).find((change) => change && change.at > builtAt);
  return newer ? `${newer.path.slice(root.length)} changed since the last build` : undefined;
}

/** The most recently modified built source under `path` (a file or a folder), if any. */
function newestChange(path) {
  if (!existsSync(path)) return undefined;
  const stat = statSync(path);
  if (!stat.isDirectory()) return isBuilt(path) ? { path, at: stat.mtimeMs } : undefined;
  let newest;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const change = newestChange(join(path, entry.name));
    if (change && (!newest || change.at > newest.at)) newest = change;
  }
  return newest;
}

function isBuilt(path) {
  if (path.endsWith('.test.ts') || path.includes('/testing/')) return false;
  return path.endsWith('.ts') || path.endsWith('.json');
}

/** Compiles src/ and migrations/ into dist/; tsc's own output goes to stderr (stdout may be JSON). */
function build(reason) {
  if (!existsSync(join(root, 'src'))) {
    process.stderr.write('build: no src/ folder here, nothing to build\n');
    return true;
  }
  let tsc;
  try {
    tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  } catch {
    process.stderr.write(
      `build: the portal must be built (${reason}), but TypeScript is not installed here (a production install?). ` +
        'Run `npm install` (with dev dependencies) and `npm run build`, then start again.\n',
    );
    return false;
  }
  process.stderr.write(`build: compiling TypeScript (${reason})\n`);
  const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: ['ignore', 2, 2] });
  if (result.status !== 0) {
    process.stderr.write('build: TypeScript reported errors; nothing was started\n');
    return false;
  }
  mkdirSync(join(root, 'dist'), { recursive: true });
  writeFileSync(STAMP, `${new Date().toISOString()}\n`);
  return true;
}

/** The operator's feeds.yaml is theirs (git ignores it); a checkout without one starts from the seed. */
function provideFeedsFile() {
  const seed = join(root, 'feeds.default.yaml');
  const own = join(root, 'feeds.yaml');
  if (existsSync(own) || !existsSync(seed)) return;
  try {
    copyFileSync(seed, own, constants.COPYFILE_EXCL);
    process.stderr.write('feeds: made feeds.yaml from feeds.default.yaml; edit it to choose your sources\n');
  } catch (error) {
    process.stderr.write(`feeds: could not make feeds.yaml from feeds.default.yaml: ${error.message}\n`);
  }
}

const [command, ...args] = process.argv.slice(2);
provideFeedsFile();
if (command === 'build') {
  process.exitCode = build('asked for') ? 0 : 1;
} else {
  const reason = staleness();
  if (reason === undefined || build(reason)) {
    const { runCommandLine } = await import(pathToFileURL(ENTRY).href);
    runCommandLine(command === undefined ? [] : [command, ...args]);
  } else {
    process.exitCode = 1;
  }
}
