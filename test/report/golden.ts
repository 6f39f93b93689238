import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { expect } from 'vitest';
import { fixture } from '../helpers/shared-data.js';

/**
 * Compares a renderer's output with its golden file in test/fixtures/report/; `UPDATE_GOLDEN=1`
 * rewrites the file instead (review the diff before committing it).
 */
export function expectGolden(name: string, actual: string): void {
  const file = fixture('report', name);
  if (process.env['UPDATE_GOLDEN'] || !existsSync(file)) {
    if (!process.env['UPDATE_GOLDEN']) throw new Error(`golden ${name} is missing: run with UPDATE_GOLDEN=1`);
    writeFileSync(file, actual);
    return;
  }
  expect(actual).toBe(readFileSync(file, 'utf8'));
}
