import zlib from 'node:zlib';
import { strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { forEachZipEntry, listZipEntries, type ZipEntry } from '../../src/advisories/zip.js';

/**
 * A zip of stored (uncompressed) entries written by hand after APPNOTE.TXT 4.3, with the zip64
 * end records (4.3.14, 4.3.15) when `zip64` is set: how an archive of more than 65,535 entries
 * (OSV's npm dump) counts them.
 */
function storedZip(entries: readonly [string, Uint8Array][], zip64: boolean): Uint8Array {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const [name, data] of entries) {
    const nameBytes = Buffer.from(name);
    const crc = zlib.crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const header = Buffer.alloc(46);
    header.writeUInt32LE(0x02014b50, 0);
    header.writeUInt16LE(20, 4);
    header.writeUInt16LE(20, 6);
    header.writeUInt32LE(crc, 16);
    header.writeUInt32LE(data.length, 20);
    header.writeUInt32LE(data.length, 24);
    header.writeUInt16LE(nameBytes.length, 28);
    header.writeUInt32LE(offset, 42);
    central.push(header, nameBytes);
    parts.push(local, nameBytes, Buffer.from(data));
    offset += 30 + nameBytes.length + data.length;
  }
  const directory = Buffer.concat(central);
  const tail: Buffer[] = [];
  if (zip64) {
    const record = Buffer.alloc(56);
    record.writeUInt32LE(0x06064b50, 0);
    record.writeBigUInt64LE(44n, 4);
    record.writeBigUInt64LE(BigInt(entries.length), 24);
    record.writeBigUInt64LE(BigInt(entries.length), 32);
    record.writeBigUInt64LE(BigInt(directory.length), 40);
    record.writeBigUInt64LE(BigInt(offset), 48);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(0x07064b50, 0);
    locator.writeBigUInt64LE(BigInt(offset + directory.length), 8);
    locator.writeUInt32LE(1, 16);
    tail.push(record, locator);
  }
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(zip64 ? 0xffff : entries.length, 8);
  end.writeUInt16LE(zip64 ? 0xffff : entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(zip64 ? 0xffffffff : offset, 16);
  return Buffer.concat([...parts, directory, ...tail, end]);
}

const read = (zip: Uint8Array): ZipEntry[] => {
  const entries: ZipEntry[] = [];
  forEachZipEntry(zip, (entry) => entries.push(entry));
  return entries;
};

describe('zip archives', () => {
  it('an archive of 70,000 entries counted in zip64 end records is read whole', () => {
    const entries = Array.from({ length: 70_000 }, (_, index): [string, Uint8Array] => [`R-${index}.json`, strToU8(`{"n":${index}}`)]);
    const zip = storedZip(entries, true);
    const names = listZipEntries(zip);
    expect(names).toHaveLength(70_000);
    expect(names[69_999]).toBe('R-69999.json');
    const got = read(zip);
    expect(got).toHaveLength(70_000);
    expect(Buffer.from(got[12_345]?.data ?? []).toString()).toBe('{"n":12345}');
  });

  it('a deflated archive reads back the bytes that were zipped, folders left out', () => {
    const zip = zipSync({ 'a.json': strToU8('{"id":"A"}'), 'dir/': new Uint8Array(0), 'dir/b.json': strToU8('{"id":"B"}') }, { level: 6 });
    expect(read(zip).map((entry) => [entry.name, Buffer.from(entry.data ?? []).toString(), entry.error])).toEqual([
      ['a.json', '{"id":"A"}', undefined],
      ['dir/b.json', '{"id":"B"}', undefined],
    ]);
  });

  it('an entry whose bytes no longer match its CRC-32 is an error, the others are read', () => {
    const zip = storedZip([['a.json', strToU8('{"id":"A"}')], ['b.json', strToU8('{"id":"B"}')]], false);
    // The data of a.json starts after its 30-byte local header and 6-byte name.
    zip[36 + 7] = 0x58;
    expect(read(zip).map((entry) => [entry.name, entry.error])).toEqual([
      ['a.json', 'damaged entry (CRC-32 mismatch)'],
      ['b.json', undefined],
    ]);
  });

  it.each([
    { name: 'no end record', zip: new Uint8Array(100), error: /no end of central directory record/ },
    { name: 'too short', zip: new Uint8Array(10), error: /too short/ },
    { name: 'a cut central directory', zip: storedZip([['a.json', strToU8('{}')]], false).subarray(0, 60), error: /end of central directory|central directory/ },
  ])('$name: not read', ({ zip, error }) => {
    expect(() => listZipEntries(zip)).toThrow(error);
  });
});
