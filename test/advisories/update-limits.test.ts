import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAdvisoryStore } from '../../src/advisories/store/sqlite-store.js';
import { lockPathOf } from '../../src/advisories/store/store-lock.js';
import { updateAdvisories } from '../../src/advisories/update.js';
import { fixedClock } from '../../src/core/clock.js';
import { AdvisoryStoreError } from '../../src/core/errors.js';
import { osvRecord } from '../helpers/osv-records.js';

// The limits of db update with an injected fetch: no download may hang, and the store is written
// by one writer at a time. No network at all.

const clock = fixedClock('2024-06-01T08:00:00Z');
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'vigil-update-limits-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A fetch that never settles and ignores its signal: only vigil's own race can end it. */
const neverFetch: typeof globalThis.fetch = () => new Promise<Response>(() => undefined);

/** A 200 whose body sends `first` and then nothing, or one byte every `everyMs`. */
function stallingFetch(first: Uint8Array, everyMs?: number): typeof globalThis.fetch {
  return () => {
    let timer: NodeJS.Timeout | undefined;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(first);
        if (everyMs !== undefined) timer = setInterval(() => { controller.enqueue(new Uint8Array([0x78])); }, everyMs);
      },
      cancel() {
        clearInterval(timer);
      },
    });
    return Promise.resolve(new Response(body, { status: 200, headers: { 'content-length': '100000' } }));
  };
}

describe('download limits', () => {
  interface Case {
    name: string;
    fetch: typeof globalThis.fetch;
    limits: { idleTimeoutMs?: number; timeoutMs?: number };
    want: RegExp;
  }
  const cases: Case[] = [
    { name: 'no answer', fetch: neverFetch, limits: { idleTimeoutMs: 200 }, want: /^http:\/\/127\.0\.0\.1:9\/PyPI\/all\.zip: download timed out \(no HTTP status\): no answer within 0\.2s$/ },
    { name: 'no answer, overall limit first', fetch: neverFetch, limits: { idleTimeoutMs: 5000, timeoutMs: 200 }, want: /download timed out \(no HTTP status\): the download took longer than 0\.2s$/ },
    { name: 'a body that stops', fetch: stallingFetch(strToU8('PK')), limits: { idleTimeoutMs: 200 }, want: /download timed out after 2 bytes \(HTTP 200\): no data for 0\.2s$/ },
    {
      name: 'a dump announced larger than the archive limit',
      fetch: () => Promise.resolve(new Response(new ReadableStream<Uint8Array>({ start: (controller) => { controller.enqueue(strToU8('PK')); } }), { status: 200, headers: { 'content-length': String(2 * 1024 ** 3) } })),
      limits: {},
      want: /^http:\/\/127\.0\.0\.1:9\/PyPI\/all\.zip: the dump is larger than the 1 GiB limit for an advisory archive \(Content-Length 2147483648\)$/,
    },
    { name: 'a body that trickles', fetch: stallingFetch(strToU8('PK'), 20), limits: { idleTimeoutMs: 200, timeoutMs: 400 }, want: /download timed out after \d+ bytes \(HTTP 200\): the download took longer than 0\.4s$/ },
  ];
  it.each(cases)('$name: fails with the URL in bounded time', async ({ fetch, limits, want }) => {
    const started = Date.now();
    const update = updateAdvisories({ storePath: path.join(dir, 'never.db'), mirror: 'http://127.0.0.1:9', ecosystems: ['PyPI'], clock, fetch, ...limits });
    await expect(update).rejects.toBeInstanceOf(AdvisoryStoreError);
    await expect(update).rejects.toThrow(want);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('passes an abort signal to fetch', async () => {
    let signal: AbortSignal | undefined;
    const fetch: typeof globalThis.fetch = (_input, init) => {
      signal = init?.signal ?? undefined;
      return Promise.resolve(new Response('gone', { status: 410 }));
    };
    await expect(updateAdvisories({ storePath: path.join(dir, 'gone.db'), ecosystems: ['PyPI'], clock, fetch })).rejects.toThrow(/HTTP 410/);
    expect(signal).toBeInstanceOf(AbortSignal);
  });
});

describe('the store lock', () => {
  const zip = zipSync({ 'VIGIL-TEST-UPD-1.json': strToU8(JSON.stringify(osvRecord('VIGIL-TEST-UPD-1', 'vigil-test-upd'))) });
  const okFetch: typeof globalThis.fetch = () => Promise.resolve(new Response(zip, { status: 200, headers: { 'content-length': String(zip.length) } }));

  it('is waited for after the download, then the update is written', async () => {
    const storePath = path.join(dir, 'locked.db');
    writeFileSync(lockPathOf(storePath), `${JSON.stringify({ pid: process.ppid, hostname: os.hostname(), since: '2024-06-01T00:00:00.000Z' })}\n`);
    const waited: (number | undefined)[] = [];
    setTimeout(() => { rmSync(lockPathOf(storePath)); }, 300);
    const result = await updateAdvisories({
      storePath,
      ecosystems: ['PyPI'],
      clock,
      fetch: okFetch,
      lockTimeoutMs: 5000,
      onLockWait: (holder) => waited.push(holder?.pid),
    });
    expect(waited).toEqual([process.ppid]);
    expect(result.ecosystems).toMatchObject([{ ecosystem: 'PyPI', records: 1 }]);
    const store = openAdvisoryStore(storePath);
    expect((await store.status()).records).toBe(1);
    store.close();
  });

  it('fails naming the store once the wait is over', async () => {
    const storePath = path.join(dir, 'held.db');
    writeFileSync(lockPathOf(storePath), `${JSON.stringify({ pid: process.ppid, hostname: os.hostname(), since: '2024-06-01T00:00:00.000Z' })}\n`);
    await expect(updateAdvisories({ storePath, ecosystems: ['PyPI'], clock, fetch: okFetch, lockTimeoutMs: 200 })).rejects.toThrow(
      new RegExp(`^${storePath}: another vigil process \\(pid ${process.ppid} .*gave up waiting after 0\\.2s$`),
    );
  });
});
