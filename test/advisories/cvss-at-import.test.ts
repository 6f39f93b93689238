import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, expect, it } from 'vitest';
import { importAdvisories } from '../../src/advisories/import.js';
import { severityOfRecord } from '../../src/advisories/severity.js';
import { openAdvisoryStore } from '../../src/advisories/store/sqlite-store.js';
import { fixedClock } from '../../src/core/clock.js';

const dir = mkdtempSync(path.join(tmpdir(), 'vigil-cvss-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

// CVSS v3.1 base score 9.8 (critical) for network / low / none / none / unchanged / high x3: the
// figure FIRST's calculator and NVD give for this vector. The second is not a valid vector.
const CRITICAL = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H';
const MALFORMED = 'CVSS:3.1/AV:N/AC:L';

it('every CVSS vector is scored when written, and audits read the stored score', async () => {
  const file = path.join(dir, 'VIGIL-TEST-CVSS-1.json');
  writeFileSync(
    file,
    JSON.stringify({
      id: 'VIGIL-TEST-CVSS-1',
      modified: '2024-01-01T00:00:00Z',
      severity: [{ type: 'CVSS_V3', score: CRITICAL }],
      affected: [
        { package: { ecosystem: 'PyPI', name: 'vigil-test-cvss' }, severity: [{ type: 'CVSS_V3', score: MALFORMED }], versions: ['1.0'] },
      ],
    }),
  );
  const storePath = path.join(dir, 'store.db');
  await importAdvisories({ storePath, inputs: [file], clock: fixedClock('2024-02-01T00:00:00Z') });

  const db = new Database(storePath);
  const rows = db.prepare('SELECT vector, score FROM cvss_scores ORDER BY vector').all() as { vector: string; score: string | null }[];
  expect(rows).toEqual([
    { vector: MALFORMED, score: null },
    { vector: CRITICAL, score: JSON.stringify({ version: '3.1', score: 9.8, level: 'critical', vector: CRITICAL }) },
  ]);
  // What an audit shows comes from the store: a score changed there is the one reported.
  db.prepare('UPDATE cvss_scores SET score = ? WHERE vector = ?').run(JSON.stringify({ version: '3.1', score: 5.5, level: 'medium', vector: CRITICAL }), CRITICAL);
  db.close();

  const store = openAdvisoryStore(storePath, { clock: fixedClock('2024-02-01T00:00:00Z') });
  try {
    const [record] = (await store.advisoriesFor('PyPI', ['vigil-test-cvss'])).get('vigil-test-cvss') ?? [];
    expect(record?.id).toBe('VIGIL-TEST-CVSS-1');
    expect(record && severityOfRecord(record, record.affected?.[0]?.severity ?? [])).toEqual({
      level: 'medium',
      score: 5.5,
      vector: CRITICAL,
      source: 'VIGIL-TEST-CVSS-1:CVSS_V3',
    });
  } finally {
    store.close();
  }
});
