import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SUBMISSION } from '../desk/desk-fixtures.js';
import { hasStackTrace, runCli } from './run-cli.js';

// `vigil desk export` verifies the audit log's hash chain: exit 0 and the head hash when it holds,
// exit 7 naming the first broken entry when a line was changed or deleted behind vigil's back
// (the append-only triggers dropped first, as someone with the database file could).

describe('vigil desk export and the audit chain', () => {
  let dir: string;
  const desk = (...args: string[]) => runCli(['desk', ...args], { cwd: dir, env: { VIGIL_DESK_USER: 'rita' } });
  const dbFile = () => path.join(dir, '.vigil', 'desk.db');
  const tamper = (...statements: string[]) => {
    const db = new Database(dbFile());
    try {
      db.exec('DROP TRIGGER audit_log_refuse_update; DROP TRIGGER audit_log_refuse_delete');
      for (const statement of statements) db.exec(statement);
    } finally {
      db.close();
    }
  };

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'vigil-desk-chain-'));
    expect((await desk('init')).code).toBe(0);
    writeFileSync(path.join(dir, 'report.json'), JSON.stringify(SUBMISSION));
    // Several CLI processes at once: each appends under the chain head's lock, none forks it.
    const added = await Promise.all(Array.from({ length: 4 }, () => desk('report', 'add', '--file', 'report.json')));
    expect(added.map((run) => run.code)).toEqual([0, 0, 0, 0]);
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('verifies an untouched log: exit 0, the entries and the chain head on stderr', async () => {
    const run = await desk('export', '-o', 'audit.jsonl');
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/^vigil desk: audit log verified: 4 entries, chain head [0-9a-f]{64}$/m);
    const lines = (await readFile(path.join(dir, 'audit.jsonl'), 'utf8')).trimEnd().split('\n');
    expect(lines.map((line) => (JSON.parse(line) as { id: number }).id)).toEqual([1, 2, 3, 4]);
  });

  interface Case {
    name: string;
    statements: string[];
    broken: number;
  }
  const cases: Case[] = [
    { name: 'one row edited', statements: [`UPDATE audit_log SET actor_id = 'mallory' WHERE id = 2`], broken: 2 },
    { name: 'one row deleted', statements: ['DELETE FROM audit_log WHERE id = 3'], broken: 4 },
    { name: 'the newest row deleted', statements: ['DELETE FROM audit_log WHERE id = 4'], broken: 4 },
  ];
  it.each(cases)('catches $name: exit 7, the first broken entry named, the export still written', async ({ statements, broken }) => {
    tamper(...statements);
    const run = await desk('export', '-o', 'audit.jsonl');
    expect(run.code).toBe(7);
    expect(run.stderr).toMatch(new RegExp(`^vigil desk: audit log entry ${broken} (does not match|is missing)`, 'm'));
    expect(hasStackTrace(run.stderr)).toBe(false);
    expect((await readFile(path.join(dir, 'audit.jsonl'), 'utf8')).length).toBeGreaterThan(0);
    // The failed verification is on record too.
    const again = await desk('export');
    expect(again.code).toBe(7);
    const last = JSON.parse(again.stdout.trimEnd().split('\n').at(-1) ?? '{}') as { action: string; detail: { verified: boolean; broken: number } };
    expect(last).toMatchObject({ action: 'audit.export', detail: { verified: false, broken } });
  });
});
