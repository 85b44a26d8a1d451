// Watches one file for changes, debounced. It watches the file's FOLDER, not the file: editors
// (vim, VS Code, sed -i, Kubernetes-style atomic swaps) often write a new file and rename it over
// the old one, and a watch on the old file's inode would go quiet after the first such save.
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Logger } from 'pino';
import { messageOf } from '../core/errors.js';

export const DEFAULT_DEBOUNCE_MS = 300;

export interface FileWatcher {
  close(): void;
}

export interface WatchFileOptions {
  /** Quiet time after the last event before `onChange` runs; default 300 ms. */
  debounceMs?: number;
  log: Logger;
}

/**
 * Calls `onChange` once a burst of events about `file` has settled. Events about other files in
 * the folder are ignored. A folder that cannot be watched is logged, not thrown: SIGHUP still works.
 */
export function watchFile(file: string, onChange: () => void, options: WatchFileOptions): FileWatcher {
  const name = basename(file);
  const debounceMs = options.debounceMs ?? DEFAULT_DEBOUNCE_MS;
  let timer: NodeJS.Timeout | undefined;
  const settle = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      onChange();
    }, debounceMs);
  };

  let watcher: FSWatcher | undefined;
  try {
    // Some platforms give no file name: treat such an event as possibly ours.
    watcher = watch(dirname(file), { persistent: false }, (_event, changed) => {
      if (changed === null || changed === name) settle();
    });
    watcher.on('error', (err) => options.log.warn({ err: err.message, file }, 'watch: the feeds file folder can no longer be watched; SIGHUP still reloads'));
  } catch (err) {
    options.log.warn({ err: messageOf(err), file }, 'watch: cannot watch the feeds file folder; SIGHUP still reloads');
  }

  return {
    close() {
      clearTimeout(timer);
      timer = undefined;
      watcher?.close();
    },
  };
}
