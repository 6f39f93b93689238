import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importAdvisories } from '../src/advisories/import.js';
import { openAdvisoryStore } from '../src/advisories/store/sqlite-store.js';
import { audit } from '../src/audit.js';
import { fixedClock } from '../src/core/clock.js';
import type { WorkProgress } from '../src/core/progress.js';
import { osvRecord } from './helpers/osv-records.js';

// The library tells what it is doing (files read, packages matched) so the CLI can draw a
// progress line; a project of three requirements files with 2 + 1 + 3 pins is audited.

let dir: string;
let storePath: string;
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'vigil-progress-'));
  const records = path.join(dir, 'records');
  mkdirSync(records);
  writeFileSync(path.join(records, 'VIGIL-TEST-1.json'), JSON.stringify(osvRecord('VIGIL-TEST-1', 'alpha')));
  storePath = path.join(dir, 'advisories.db');
  await importAdvisories({ storePath, inputs: [records], clock: fixedClock('2024-03-02T00:00:00Z') });
  const project = path.join(dir, 'project');
  mkdirSync(path.join(project, 'requirements'), { recursive: true });
  writeFileSync(path.join(project, 'requirements.txt'), 'alpha==1.0.0\nbeta==2.0.0\n');
  writeFileSync(path.join(project, 'requirements', 'dev.txt'), 'gamma==3.0.0\n');
  writeFileSync(path.join(project, 'requirements', 'docs.txt'), 'delta==1.0\nepsilon==1.0\nzeta==1.0\n');
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('audit progress', () => {
  it('reports each file before it is read and each package as it is matched', async () => {
    const events: WorkProgress[] = [];
    const result = await audit({
      paths: [path.join(dir, 'project')],
      root: path.join(dir, 'project'),
      clock: fixedClock('2024-03-03T00:00:00Z'),
      openStore: () => Promise.resolve(openAdvisoryStore(storePath)),
      onProgress: (event) => events.push(event),
    });
    expect(result.findings.map((finding) => finding.package.name)).toEqual(['alpha']);
    const reads = events.filter((event) => event.phase === 'read');
    // One event per file, before it is read: counted 0, 1, 2 of 3, whatever order discovery takes.
    expect(reads.map((event) => [event.done, event.total])).toEqual([[0, 3], [1, 3], [2, 3]]);
    expect(reads.map((event) => event.label).sort()).toEqual(['requirements.txt', 'requirements/dev.txt', 'requirements/docs.txt']);
    const matches = events.filter((event) => event.phase === 'match');
    // Once before the ecosystem's query, then once per package: 0..5 of 6.
    expect(matches.map((event) => event.done)).toEqual([0, 0, 1, 2, 3, 4, 5]);
    expect(new Set(matches.map((event) => event.total))).toEqual(new Set([6]));
    expect(events.indexOf(reads.at(-1) as WorkProgress)).toBeLessThan(events.indexOf(matches[0] as WorkProgress));
  });
});
