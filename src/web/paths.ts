import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The repository root: the nearest folder above this file holding package.json. Walking up (rather
 * than a fixed '../..') finds it both from src/web/ under tsx and from dist/src/web/ after a build.
 */
export function findRepoRoot(start = dirname(fileURLToPath(import.meta.url))): string {
  let dir = start;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`web: no package.json above ${start}`);
    dir = parent;
  }
  return dir;
}

export function defaultTemplatesDir(): string {
  return join(findRepoRoot(), 'templates');
}

export function defaultPublicDir(): string {
  return join(findRepoRoot(), 'public');
}
