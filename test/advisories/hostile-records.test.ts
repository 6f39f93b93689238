import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { importAdvisories } from '../../src/advisories/import.js';
import { parseRecordBytes, parseRecordText, type RecordFormat } from '../../src/advisories/parse-record.js';
import { forEachZipEntry, type ZipEntry } from '../../src/advisories/zip.js';
import { fixedClock } from '../../src/core/clock.js';
import { MAX_ADVISORY_RECORD_BYTES } from '../../src/core/input-limits.js';
import { fixture } from '../helpers/shared-data.js';
import { HOSTILE_TIME_LIMIT_MS, nestedBrackets, yamlAliasBomb } from '../helpers/hostile-inputs.js';

// Hostile advisory data (a record file, a zip entry) is a rejected record with its file and a
// reason, found at once: never a hang, an out-of-memory crash or a stack overflow.

const clock = fixedClock('2024-05-01T12:00:00Z');
const dir = mkdtempSync(path.join(tmpdir(), 'vigil-hostile-records-'));
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

const VALID = readFileSync(fixture('advisories', 'mixed', 'valid-pypi-record.json'), 'utf8');
const HEAD = 'id: PYSEC-0000-1\nmodified: "2024-01-01T00:00:00Z"\n';

describe('parseRecordText: hostile records are rejected at once, with a reason', () => {
  it.each<{ name: string; text: string; format: RecordFormat; reason: RegExp }>([
    { name: 'YAML "billion laughs" (9 levels of 9 aliases)', text: `${HEAD}${yamlAliasBomb()}`, format: 'yaml', reason: /^invalid YAML: aliases expand to more than 100 nodes/ },
    { name: 'YAML "billion laughs" (9 levels of 10 aliases)', text: `${HEAD}${yamlAliasBomb(9, 10)}`, format: 'yaml', reason: /^invalid YAML: aliases expand to more than 100 nodes/ },
    { name: 'YAML nested 100,000 levels', text: `${HEAD}x: ${nestedBrackets(100_000)}\n`, format: 'yaml', reason: /^invalid YAML: collections nested deeper than the limit of 512 levels \(line 3\)$/ },
    { name: 'YAML with a key written twice', text: `${HEAD}id: again\n`, format: 'yaml', reason: /^invalid YAML: Map keys must be unique \(line 3\)$/ },
    { name: 'JSON nested 100,000 levels in an affected entry', text: `{"id":"GHSA-x","modified":"2024-01-01T00:00:00Z",\n"affected":[{"package":{"ecosystem":"npm","name":"a"},"x":${nestedBrackets(100_000)}}]}`, format: 'json', reason: /^arrays and objects nested deeper than the limit of 512 levels \(line 2\)$/ },
    { name: 'JSON nested 100,000 levels in database_specific', text: `{"id":"GHSA-x","modified":"2024-01-01T00:00:00Z","database_specific":{"x":${nestedBrackets(100_000)}}}`, format: 'json', reason: /nested deeper than the limit of 512 levels/ },
  ])('$name', ({ text, format, reason }) => {
    const started = performance.now();
    const parsed = parseRecordText(text, format);
    expect(performance.now() - started).toBeLessThan(HOSTILE_TIME_LIMIT_MS);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.reason).toMatch(reason);
  });

  it('a record larger than the limit is refused unparsed', () => {
    const parsed = parseRecordBytes(new Uint8Array(MAX_ADVISORY_RECORD_BYTES + 1), 'json');
    expect(parsed).toEqual({ ok: false, reason: 'the record is larger than the 8 MiB limit for one advisory record' });
  });

  it('a valid YAML record still reads every scalar as a string', () => {
    const parsed = parseRecordText(`${HEAD}affected:\n  - package: {ecosystem: PyPI, name: demo}\n    versions: [1.10, 2.0]\n`, 'yaml');
    expect(parsed.ok && parsed.record.affected?.[0]?.versions).toEqual(['1.10', '2.0']);
  });
});

/** A zip of one deflated entry of zeros, optionally declaring a smaller inflated size than it has. */
function zeroBomb(bytes: number, declared?: number): Uint8Array {
  const zip = zipSync({ 'bomb.json': new Uint8Array(bytes) }, { level: 9 });
  if (declared !== undefined) {
    const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
    // Uncompressed size: offset 22 of the local header, 24 of the central directory header.
    view.setUint32(22, declared, true);
    for (let at = zip.length - 22; at >= 0; at--) {
      if (view.getUint32(at, true) === 0x02014b50) {
        view.setUint32(at + 24, declared, true);
        break;
      }
    }
  }
  return zip;
}

describe('zip entries are bounded once inflated', () => {
  const read = (zip: Uint8Array): ZipEntry[] => {
    const entries: ZipEntry[] = [];
    forEachZipEntry(zip, (entry) => entries.push(entry));
    return entries;
  };

  it.each([
    { name: 'an entry declaring 32 MiB is not inflated', zip: () => zeroBomb(32 << 20), error: 'declares 33554432 bytes inflated, larger than the 8 MiB limit for one entry' },
    { name: 'an entry declaring 100 bytes but inflating to 32 MiB is stopped at the limit', zip: () => zeroBomb(32 << 20, 100), error: 'inflates to larger than the 8 MiB limit for one entry' },
  ])('$name', ({ zip, error }) => {
    const bomb = zip();
    const started = performance.now();
    expect(read(bomb)).toEqual([{ name: 'bomb.json', data: undefined, error }]);
    expect(performance.now() - started).toBeLessThan(HOSTILE_TIME_LIMIT_MS);
  });

  it('an entry of exactly the limit is read whole', () => {
    const [entry] = read(zipSync({ 'a.json': new Uint8Array(MAX_ADVISORY_RECORD_BYTES) }, { level: 1 }));
    expect(entry?.error).toBeUndefined();
    expect(entry?.data?.length).toBe(MAX_ADVISORY_RECORD_BYTES);
  });

  it('30,000 tiny entries are read without running off the stack', () => {
    const files = Object.fromEntries(Array.from({ length: 30_000 }, (_, index) => [`r${index}.json`, strToU8('{}')]));
    const entries = read(zipSync(files, { level: 1 }));
    expect(entries).toHaveLength(30_000);
    expect(entries.every((entry) => entry.error === undefined)).toBe(true);
  });
});

describe('db import: hostile inputs are rejected records, the rest imported', () => {
  it('a bomb record, a deep record and a zip bomb are rejected with file and reason', async () => {
    const bomb = path.join(dir, 'PYSEC-bomb.yaml');
    const deep = path.join(dir, 'GHSA-deep.json');
    const zip = path.join(dir, 'all.zip');
    const good = path.join(dir, 'good.json');
    writeFileSync(bomb, `${HEAD}${yamlAliasBomb(9, 10)}`);
    writeFileSync(deep, `{"id":"GHSA-x","modified":"2024-01-01T00:00:00Z","x":${nestedBrackets(100_000)}}`);
    writeFileSync(zip, zeroBomb(32 << 20, 100));
    writeFileSync(good, VALID);
    const started = performance.now();
    const result = await importAdvisories({ storePath: path.join(dir, 'store.db'), inputs: [bomb, deep, zip, good], clock });
    expect(performance.now() - started).toBeLessThan(HOSTILE_TIME_LIMIT_MS);
    expect(result.imported).toBe(1);
    expect(result.rejected).toEqual([
      { file: bomb, reason: 'invalid YAML: aliases expand to more than 100 nodes (the limit)' },
      { file: deep, reason: 'arrays and objects nested deeper than the limit of 512 levels (line 1)' },
      { file: `${zip}!/bomb.json`, reason: 'cannot inflate zip entry: inflates to larger than the 8 MiB limit for one entry' },
    ]);
  });

  it('a record file larger than the limit is rejected unread', async () => {
    const big = path.join(dir, 'big.json');
    writeFileSync(big, Buffer.alloc(MAX_ADVISORY_RECORD_BYTES + 1, 0x20));
    const result = await importAdvisories({ storePath: path.join(dir, 'big.db'), inputs: [big], clock });
    expect(result.rejected).toEqual([{ file: big, reason: 'the record is larger than the 8 MiB limit for one advisory record' }]);
  });
});
