import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { knownReleaseSupport } from '../../../src/ecosystems/debian/release-support.js';
import { parseSecuritySupport } from '../../../src/ecosystems/debian/security-support.js';
import { shared } from '../../helpers/shared-data.js';

/** Rows of a distro-info-data CSV as records. */
function readCsv(file: string): Record<string, string>[] {
  const [header = '', ...lines] = readFileSync(file, 'utf8').trim().split('\n');
  const keys = header.split(',');
  return lines.map((line) => Object.fromEntries(line.split(',').map((value, index) => [keys[index] ?? '', value])));
}

describe('the release support table', () => {
  it("agrees with distro-info-data's debian.csv (eol-lts) and ubuntu.csv (eol)", () => {
    const dir = 'osv/debian/distro-info/trixie-0.66+deb13u2';
    const want: [string, string, string][] = [];
    for (const row of readCsv(shared(dir, 'debian.csv'))) {
      const version = row['version'] ?? '';
      if (!/^\d+$/.test(version) || Number(version) < 7 || !row['eol']) continue;
      want.push([`Debian:${version}`, row['series'] ?? '', row['eol-lts'] || (row['eol'] ?? '')]);
    }
    for (const row of readCsv(shared(dir, 'ubuntu.csv'))) {
      const [number = '', lts] = (row['version'] ?? '').split(' ');
      if (!row['eol'] || Number(number.split('.')[0]) < 12) continue;
      want.push([`Ubuntu:${number}${lts === 'LTS' ? ':LTS' : ''}`, row['series'] ?? '', row['eol']]);
    }
    expect(knownReleaseSupport()).toEqual(want);
  });
});

describe('the debian-security-support lists of ../shared', () => {
  // Counts by awk over the files: column 2 of the 1:13 files (limited / non-supported; deb13's one
  // "supported" line flags nothing), lines of the 1:12 files.
  it.each([
    ['trixie-1_13+2026.01.04/security-support.deb10', 'combined', 21, 13],
    ['trixie-1_13+2026.01.04/security-support.deb11', 'combined', 25, 25],
    ['trixie-1_13+2026.01.04/security-support.deb12', 'combined', 29, 5],
    ['trixie-1_13+2026.01.04/security-support.deb13', 'combined', 28, 3],
    ['bookworm-1_12+2026.06.30/security-support-ended.deb12', 'ended', 0, 16],
    ['bookworm-1_12+2026.06.30/security-support-limited', 'limited', 32, 0],
  ] as const)('%s: %i limited, %i ended', (file, format, limited, ended) => {
    const entries = [...parseSecuritySupport(readFileSync(shared('osv/debian/debian-security-support', file), 'utf8'), format).values()];
    expect([entries.filter((entry) => entry.status === 'limited').length, entries.filter((entry) => entry.status === 'ended').length]).toEqual([limited, ended]);
    for (const entry of entries.filter((item) => item.status === 'ended')) expect(entry.endedOn ?? '').toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
});
