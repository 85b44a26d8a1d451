import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually, saveByRename } from '../../test/fixtures/ops/feeds-yaml.js';
import { memoryLog } from '../../test/fixtures/refresh/memory-log.js';
import { watchFile, type FileWatcher } from './watch-file.js';

let dir: string;
let file: string;
let watcher: FileWatcher | undefined;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'watch-file-'));
  file = path.join(dir, 'feeds.yaml');
  await writeFile(file, 'one\n');
});

afterEach(async () => {
  watcher?.close();
  watcher = undefined;
  await rm(dir, { recursive: true, force: true });
});

function countingWatch(): { calls: () => number } {
  let calls = 0;
  watcher = watchFile(file, () => void (calls += 1), { debounceMs: 60, log: memoryLog().log });
  return { calls: () => calls };
}

describe('watchFile', () => {
  it('calls once for a burst of in-place writes', async () => {
    const watch = countingWatch();
    await writeFile(file, 'two\n');
    await writeFile(file, 'three\n');
    await writeFile(file, 'four\n');
    await eventually(() => (watch.calls() > 0 ? true : undefined), 'a change');
    await pause(300);
    expect(watch.calls()).toBe(1);
  });

  it('keeps noticing saves that replace the file by rename, one after another', async () => {
    const watch = countingWatch();
    await saveByRename(file, 'renamed once\n');
    await eventually(() => (watch.calls() >= 1 ? true : undefined), 'the first rename');
    await saveByRename(file, 'renamed twice\n');
    await eventually(() => (watch.calls() >= 2 ? true : undefined), 'the second rename');
    expect(watch.calls()).toBe(2);
  });

  it('ignores other files in the folder', async () => {
    const watch = countingWatch();
    await writeFile(path.join(dir, 'notes.txt'), 'not the feeds file\n');
    await writeFile(path.join(dir, 'feeds.yaml.bak'), 'a backup\n');
    await pause(300);
    expect(watch.calls()).toBe(0);
  });

  it('stops after close, even with a change pending', async () => {
    const watch = countingWatch();
    await writeFile(file, 'changed\n');
    watcher?.close();
    await pause(300);
    expect(watch.calls()).toBe(0);
  });

  it('logs a folder that cannot be watched instead of throwing', () => {
    const memory = memoryLog();
    watcher = watchFile(path.join(dir, 'missing', 'feeds.yaml'), () => {}, { log: memory.log });
    expect(memory.warnings()[0]?.msg).toMatch(/cannot watch the feeds file folder; SIGHUP still reloads/);
  });
});
