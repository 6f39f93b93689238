// Advisory data for the benchmarks: the real OSV records of the shared data, synthetic dumps of
// any size built from them (ids and package names renamed, contents real), written as OSV writes
// its mirror (`<ecosystem>/all.zip`, `<ecosystem>/modified_id.csv`, `<ecosystem>/<id>.json`).
import { closeSync, openSync, readFileSync, readdirSync, writeSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';
import { parse as parseYaml } from 'yaml';
import { sharedDir } from './measure.mjs';

function* walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else yield full;
  }
}

/** Every OSV record of the shared data (PyPA as JSON, GHSA, Go, RustSec), read plainly. */
export function realRecords() {
  const osv = (...parts) => path.join(sharedDir, 'osv', ...parts);
  const records = [];
  for (const file of walk(osv('pypi-pysec', 'vulns'))) if (file.endsWith('.yaml')) records.push(parseYaml(readFileSync(file, 'utf8')));
  for (const dir of [osv('ghsa-subset', 'advisories'), osv('go-vulndb'), osv('rustsec')]) {
    for (const file of walk(dir)) if (file.endsWith('.json')) records.push(JSON.parse(readFileSync(file, 'utf8')));
  }
  return records;
}

/**
 * `count` records cycling through `real`: the first round as they are, each later round `k` with
 * `-SYNk` after every id and alias and `-synk` after every package name, so the store grows in
 * records and packages while the audited packages still meet the real records only.
 */
export function* syntheticRecords(real, count) {
  for (let index = 0; index < count; index++) {
    const record = real[index % real.length];
    const round = Math.floor(index / real.length);
    if (round === 0) {
      yield record;
      continue;
    }
    const copy = structuredClone(record);
    copy.id = `${record.id}-SYN${round}`;
    if (Array.isArray(copy.aliases)) copy.aliases = copy.aliases.map((alias) => `${alias}-SYN${round}`);
    for (const affected of copy.affected ?? []) {
      if (affected.package?.name) affected.package.name = `${affected.package.name}-syn${round}`;
    }
    yield copy;
  }
}

/** Writes `entries` ([name, bytes] pairs) as a deflated zip (zip64 end records past 65,535 entries). */
export function writeZip(file, entries) {
  const fd = openSync(file, 'w');
  const central = [];
  let offset = 0;
  let count = 0;
  const write = (buffer) => {
    writeSync(fd, buffer);
    offset += buffer.length;
  };
  for (const [name, data] of entries) {
    const nameBytes = Buffer.from(name, 'utf8');
    const compressed = zlib.deflateRawSync(data, { level: 6 });
    const crc = zlib.crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x800, 6);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(compressed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const header = Buffer.alloc(46);
    header.writeUInt32LE(0x02014b50, 0);
    header.writeUInt16LE(20, 4);
    header.writeUInt16LE(20, 6);
    header.writeUInt16LE(0x800, 8);
    header.writeUInt16LE(8, 10);
    header.writeUInt32LE(crc, 16);
    header.writeUInt32LE(compressed.length, 20);
    header.writeUInt32LE(data.length, 24);
    header.writeUInt16LE(nameBytes.length, 28);
    header.writeUInt32LE(offset, 42);
    central.push(header, nameBytes);
    write(local);
    write(nameBytes);
    write(compressed);
    count++;
  }
  const directoryOffset = offset;
  for (const part of central) write(part);
  const directorySize = offset - directoryOffset;
  if (count > 0xffff) {
    const zip64End = offset;
    const record = Buffer.alloc(56);
    record.writeUInt32LE(0x06064b50, 0);
    record.writeBigUInt64LE(44n, 4);
    record.writeUInt16LE(45, 12);
    record.writeUInt16LE(45, 14);
    record.writeBigUInt64LE(BigInt(count), 24);
    record.writeBigUInt64LE(BigInt(count), 32);
    record.writeBigUInt64LE(BigInt(directorySize), 40);
    record.writeBigUInt64LE(BigInt(directoryOffset), 48);
    write(record);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(0x07064b50, 0);
    locator.writeBigUInt64LE(BigInt(zip64End), 8);
    locator.writeUInt32LE(1, 16);
    write(locator);
  }
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Math.min(count, 0xffff), 8);
  end.writeUInt16LE(Math.min(count, 0xffff), 10);
  end.writeUInt32LE(directorySize, 12);
  end.writeUInt32LE(directoryOffset, 16);
  write(end);
  closeSync(fd);
  return { entries: count, bytes: offset };
}

/** `modified_id.csv` as OSV writes it: `<modified>,<id>` per record, newest first. */
export function modifiedIdCsv(records) {
  return [...records]
    .map((record) => [new Date(record.modified).toISOString().replace(/\.\d{3}Z$/, 'Z'), record.id])
    .sort((a, b) => (a[0] < b[0] ? 1 : a[0] > b[0] ? -1 : 0))
    .map(([modified, id]) => `${modified},${id}\n`)
    .join('');
}

/**
 * Serves the files of `root` on 127.0.0.1 (a free port), with ETag / If-None-Match and
 * Last-Modified / If-Modified-Since as a bucket answers them. Resolves to `{url, requests, close}`.
 */
export async function serveFolder(root) {
  const requests = [];
  const server = createServer((request, response) => {
    const url = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
    requests.push(url);
    const file = path.join(root, url);
    let body;
    try {
      body = readFileSync(file);
    } catch {
      response.writeHead(404).end('not found');
      return;
    }
    const etag = `"${zlib.crc32(body).toString(16)}-${body.length}"`;
    if (request.headers['if-none-match'] === etag) {
      response.writeHead(304, { etag }).end();
      return;
    }
    response.writeHead(200, { 'content-length': body.length, etag });
    response.end(body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    requests,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}
