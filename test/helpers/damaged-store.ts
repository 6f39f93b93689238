// Damaging a SQLite store on purpose, for the tests of how vigil reads a damaged one.
import { closeSync, openSync, writeSync } from 'node:fs';
import Database from 'better-sqlite3';

/** Overwrites one page of a SQLite file (1-based) with a byte pattern no page type starts with. */
export function overwritePage(file: string, page: number): void {
  const db = new Database(file, { readonly: true });
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  db.close();
  const fd = openSync(file, 'r+');
  writeSync(fd, Buffer.alloc(pageSize, 0xa5), 0, pageSize, (page - 1) * pageSize);
  closeSync(fd);
}

/** The first page of a table or index of a SQLite file. */
export function rootPageOf(file: string, name: string): number {
  const db = new Database(file, { readonly: true });
  const page = db.prepare('SELECT rootpage FROM sqlite_master WHERE name = ?').pluck().get(name) as number;
  db.close();
  return page;
}
