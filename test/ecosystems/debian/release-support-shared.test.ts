import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { knownReleaseSupport } from '../../../src/ecosystems/debian/release-support.js';
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
