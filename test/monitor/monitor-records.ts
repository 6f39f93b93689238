// Advisory records into a test's store, as the monitor tests need them: real GHSA records kept in
// test/data by id, or records a test writes itself; each import must reject nothing.
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { importAdvisories } from '../../src/advisories/import.js';
import type { Clock } from '../../src/core/clock.js';
import { repoRoot } from '../helpers/shared-data.js';

/** The GitHub Advisory Database's npm records kept in the repository (CC-BY 4.0, see test/data/README.md). */
export const GHSA_NPM_RECORDS = path.join(repoRoot, 'test/data/osv/ghsa-npm');

async function importFolder(storePath: string, folder: string, clock: Clock): Promise<void> {
  expect((await importAdvisories({ storePath, inputs: [folder], clock })).rejected).toEqual([]);
}

/** Imports the kept records of these ids (through a fresh folder under `dir`). */
export async function importRecordIds(storePath: string, dir: string, ids: readonly string[], clock: Clock): Promise<void> {
  const folder = mkdtempSync(path.join(dir, 'records-'));
  for (const id of ids) copyFileSync(path.join(GHSA_NPM_RECORDS, `${id}.json`), path.join(folder, `${id}.json`));
  await importFolder(storePath, folder, clock);
}

/** Imports records given as objects (each written as `<id>.json` in a fresh folder under `dir`). */
export async function importRecordObjects(storePath: string, dir: string, records: readonly Record<string, unknown>[], clock: Clock): Promise<void> {
  const folder = mkdtempSync(path.join(dir, 'records-'));
  for (const record of records) writeFileSync(path.join(folder, `${String(record['id'])}.json`), JSON.stringify(record));
  await importFolder(storePath, folder, clock);
}
