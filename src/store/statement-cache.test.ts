import SqliteDatabase from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { cachingConnection } from './statement-cache.js';

describe('cachingConnection', () => {
  const sqlite = new SqliteDatabase(':memory:');
  sqlite.exec('CREATE TABLE t (n INTEGER)');
  sqlite.exec('INSERT INTO t VALUES (1), (2), (3)');

  it('hands back the same statement for the same SQL text', () => {
    const connection = cachingConnection(sqlite);
    const first = connection.prepare('SELECT n FROM t');
    expect(connection.prepare('SELECT n FROM t')).toBe(first);
    expect(connection.prepare('SELECT n FROM t WHERE n > 1')).not.toBe(first);
    expect(connection.cachedStatements).toBe(2);
  });

  it('keeps at most its capacity, dropping the least recently used', () => {
    const connection = cachingConnection(sqlite, 2);
    const a = connection.prepare('SELECT 1');
    connection.prepare('SELECT 2');
    connection.prepare('SELECT 1');
    connection.prepare('SELECT 3');
    expect(connection.cachedStatements).toBe(2);
    expect(connection.prepare('SELECT 1')).toBe(a);
    const b = connection.prepare('SELECT 2');
    expect(connection.prepare('SELECT 2')).toBe(b);
  });

  it('gives a fresh statement while the cached one is still being iterated', () => {
    const connection = cachingConnection(sqlite);
    const iterating = connection.prepare('SELECT n FROM t ORDER BY n');
    const rows = iterating.iterate([]);
    rows.next();
    const other = connection.prepare('SELECT n FROM t ORDER BY n');
    expect(other).not.toBe(iterating);
    expect(other.all([])).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    rows.return?.();
    expect(connection.prepare('SELECT n FROM t ORDER BY n')).toBe(iterating);
  });
});
