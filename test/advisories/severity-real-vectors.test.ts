import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { scoreCvss } from '../../src/advisories/severity.js';
import { shared } from '../helpers/shared-data.js';

// Every CVSS vector of the real OSV records in the shared data, reordered: CVSS v3.x must score
// the same in any order (v3.0/v3.1 specification section 6), v4.0 only in Table 23 order (v4.0
// specification section 7).

function vectorsOf(folder: string): { type: string; score: string }[] {
  const out: { type: string; score: string }[] = [];
  for (const entry of readdirSync(folder, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.json')) continue;
    const record = JSON.parse(readFileSync(path.join(entry.parentPath, entry.name), 'utf8')) as {
      severity?: { type: string; score: string }[] | null;
      affected?: { severity?: { type: string; score: string }[] | null }[] | null;
    };
    out.push(...(record.severity ?? []), ...(record.affected ?? []).flatMap((affected) => affected.severity ?? []));
  }
  return out;
}

const all = [
  shared('osv', 'ghsa-pypi', 'advisories'),
  shared('osv', 'ghsa-subset', 'advisories'),
  shared('osv', 'rustsec', 'crates'),
  shared('osv', 'debian', 'records'),
].flatMap(vectorsOf);
const distinct = (type: string, prefix: string): string[] =>
  [...new Set(all.filter((entry) => entry.type === type && entry.score.startsWith(prefix)).map((entry) => entry.score))].sort();

/** The metrics after the prefix in another order: reversed, then rotated by `shift`. */
function reorder(vector: string, shift: number): string {
  const [prefix, ...metrics] = vector.split('/');
  const reversed = metrics.reverse();
  return [prefix, ...reversed.slice(shift), ...reversed.slice(0, shift)].join('/');
}

describe('real CVSS vectors reordered', () => {
  const v30 = distinct('CVSS_V3', 'CVSS:3.0/');
  const v31 = distinct('CVSS_V3', 'CVSS:3.1/');
  const v40 = distinct('CVSS_V4', 'CVSS:4.0/');

  it('the shared data has enough of each version to mean something', () => {
    expect(v30.length).toBeGreaterThanOrEqual(15);
    expect(v31.length).toBeGreaterThanOrEqual(100);
    expect(v40.length).toBeGreaterThanOrEqual(20);
  });

  it.each([
    { version: 'v3.0', vectors: v30 },
    { version: 'v3.1', vectors: v31 },
  ])('every $version vector scores the same in any order', ({ vectors }) => {
    for (const vector of vectors) {
      const canonical = scoreCvss(vector);
      expect(canonical, vector).toBeDefined();
      for (const shift of [0, 3, 5]) {
        const reordered = reorder(vector, shift);
        expect(scoreCvss(reordered), reordered).toEqual({ ...canonical, vector: reordered });
      }
    }
  });

  it('every v4.0 vector is scored in Table 23 order and refused out of it', () => {
    for (const vector of v40) {
      expect(scoreCvss(vector), vector).toBeDefined();
      expect(scoreCvss(reorder(vector, 0)), vector).toBeUndefined();
    }
  });
});
