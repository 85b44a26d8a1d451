import { describe, expect, it } from 'vitest';
import { createLogger } from './log.js';

function memoryDestination() {
  const lines: Record<string, unknown>[] = [];
  return { lines, write: (chunk: string) => void lines.push(JSON.parse(chunk) as Record<string, unknown>) };
}

describe('createLogger', () => {
  it('writes JSON lines with the level name filter applied', () => {
    const destination = memoryDestination();
    const log = createLogger({ level: 'warn', destination });
    log.info({ source_id: 'a' }, 'quiet');
    log.warn({ source_id: 'b' }, 'loud');
    expect(destination.lines).toHaveLength(1);
    expect(destination.lines[0]).toMatchObject({ level: 40, source_id: 'b', msg: 'loud' });
    expect(typeof destination.lines[0]?.time).toBe('string');
  });

  it('stays silent at level silent', () => {
    const destination = memoryDestination();
    createLogger({ level: 'silent', destination }).error('nothing');
    expect(destination.lines).toHaveLength(0);
  });
});
