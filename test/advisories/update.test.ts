import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importAdvisories } from '../../src/advisories/import.js';
import type { ProgressEvent } from '../../src/advisories/progress.js';
import { openAdvisoryStore } from '../../src/advisories/store/sqlite-store.js';
import { DEFAULT_OSV_MIRROR, updateAdvisories } from '../../src/advisories/update.js';
import { fixedClock } from '../../src/core/clock.js';
import { AdvisoryStoreError } from '../../src/core/errors.js';
import { startOsvMirror, realMirrorDumps, type MirrorBehaviour, type OsvMirror } from '../helpers/osv-mirror.js';
import { fixture, shared } from '../helpers/shared-data.js';

const clock = fixedClock('2024-06-01T08:00:00Z');
let dir: string;
let mirror: OsvMirror;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'vigil-update-'));
  mirror = await startOsvMirror();
});
afterAll(async () => {
  await mirror.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A store holding the fixture records (PyPI, npm, Debian), as before an update. */
async function seededStore(name: string): Promise<string> {
  const storePath = path.join(dir, `${name}.db`);
  await importAdvisories({ storePath, inputs: [fixture('advisories', 'mixed')], clock: fixedClock('2024-05-01T00:00:00Z') });
  return storePath;
}

describe('updateAdvisories from a mirror', () => {
  it('replaces the downloaded ecosystems and keeps the others', async () => {
    const storePath = await seededStore('success');
    const dumps = realMirrorDumps();
    const progress: ProgressEvent[] = [];
    const result = await updateAdvisories({
      storePath,
      mirror: `${mirror.url}/`,
      ecosystems: ['PyPI', 'npm'],
      clock,
      onProgress: (event) => progress.push(event),
    });
    expect(result.rejected).toEqual([]);
    expect(result.ecosystems).toEqual([
      { ecosystem: 'PyPI', url: `${mirror.url}/PyPI/all.zip`, mode: 'full', bytes: dumps.PyPI.zip.length, records: dumps.PyPI.ids.length },
      { ecosystem: 'npm', url: `${mirror.url}/npm/all.zip`, mode: 'full', bytes: dumps.npm.zip.length, records: dumps.npm.ids.length },
    ]);
    const downloads = progress.filter((event) => event.phase === 'download' && event.label.endsWith('/PyPI/all.zip'));
    expect(downloads.at(-1)).toMatchObject({ done: dumps.PyPI.zip.length, total: dumps.PyPI.zip.length });

    const store = openAdvisoryStore(storePath);
    try {
      const status = await store.status();
      const byEcosystem = Object.fromEntries(status.ecosystems.map((eco) => [eco.ecosystem, eco]));
      // The fixture's PyPI and npm records are gone (replaced by the dumps), Debian is kept.
      expect(byEcosystem.Debian).toMatchObject({ records: 1, updatedAt: '2024-05-01T00:00:00.000Z' });
      expect(byEcosystem.PyPI).toMatchObject({
        records: dumps.PyPI.ids.length,
        updatedAt: '2024-06-01T08:00:00.000Z',
        source: `${mirror.url}/PyPI/all.zip`,
      });
      expect(byEcosystem.npm).toMatchObject({ records: dumps.npm.ids.length, source: `${mirror.url}/npm/all.zip` });
      const allIds = new Set([...dumps.PyPI.ids, ...dumps.npm.ids]);
      expect(status.records).toBe(allIds.size + 1);
      expect(status.withdrawn).toBe(new Set([...dumps.PyPI.withdrawn, ...dumps.npm.withdrawn]).size);
      expect(status.updatedAt).toBe('2024-06-01T08:00:00.000Z');
      expect(await store.recordsByAlias(['VIGIL-TEST-0001'])).toEqual([]);
      const axios = await store.advisoriesFor('npm', ['axios']);
      expect(axios.get('axios')?.map((record) => record.id)).toContain('GHSA-8hc4-vh64-cxmj');
    } finally {
      store.close();
    }
  });

  interface FailureCase {
    name: string;
    behaviour: MirrorBehaviour;
    want: RegExp;
  }
  const failures: FailureCase[] = [
    { name: '404', behaviour: 404, want: /\/npm\/all\.zip: download failed: HTTP 404 Not Found$/ },
    { name: '500', behaviour: 500, want: /\/npm\/all\.zip: download failed: HTTP 500 Internal Server Error$/ },
    { name: 'truncated body', behaviour: 'truncated', want: /\/npm\/all\.zip: download (interrupted after \d+ bytes|truncated: \d+ of \d+ bytes) \(HTTP 200\)/ },
    { name: 'corrupt zip', behaviour: 'corrupt', want: /\/npm\/all\.zip: corrupt zip archive \(HTTP 200, 4096 bytes\): / },
  ];

  it.each(failures)('$name leaves the store untouched', async ({ name, behaviour, want }) => {
    const storePath = await seededStore(`fail-${name.replace(/\W+/g, '-')}`);
    const before = readFileSync(storePath);
    const failing = await startOsvMirror();
    failing.setBehaviour('npm', behaviour);
    try {
      const update = updateAdvisories({ storePath, mirror: failing.url, clock });
      await expect(update).rejects.toBeInstanceOf(AdvisoryStoreError);
      await expect(update).rejects.toThrow(want);
      expect(failing.requests).toEqual(['/PyPI/all.zip', '/npm/all.zip']);
    } finally {
      await failing.close();
    }
    expect(readFileSync(storePath).equals(before)).toBe(true);
    const store = openAdvisoryStore(storePath);
    expect((await store.status()).records).toBe(4);
    store.close();
  });

  it('fails with the URL when nothing listens', async () => {
    const storePath = await seededStore('refused');
    const closed = await startOsvMirror();
    await closed.close();
    await expect(updateAdvisories({ storePath, mirror: closed.url, ecosystems: ['PyPI'], clock })).rejects.toThrow(
      new RegExp(`^${closed.url}/PyPI/all\\.zip: download failed \\(no HTTP status\\): `),
    );
  });

  it('uses the injected fetch and the public mirror by default', async () => {
    const seen: string[] = [];
    const fakeFetch: typeof globalThis.fetch = (input) => {
      seen.push(input instanceof Request ? input.url : input.toString());
      return Promise.resolve(new Response('gone', { status: 410, statusText: 'Gone' }));
    };
    const storePath = path.join(dir, 'default-mirror.db');
    await expect(updateAdvisories({ storePath, clock, fetch: fakeFetch })).rejects.toThrow(/HTTP 410 Gone$/);
    expect(seen).toEqual([`${DEFAULT_OSV_MIRROR}/PyPI/all.zip`]);
  });
});

describe('first-seen times', () => {
  it('keep the day a record id was first held, across re-imports and ecosystem replacement', async () => {
    const storePath = path.join(dir, 'first-seen.db');
    const requests = shared('osv', 'pypi-pysec', 'vulns', 'requests');
    await importAdvisories({ storePath, inputs: [requests], clock: fixedClock('2024-05-01T00:00:00Z') });
    await importAdvisories({ storePath, inputs: [requests], clock: fixedClock('2024-05-20T00:00:00Z') });
    // The mirror's PyPI dump replaces every PyPI record, PYSEC-2023-74 among them.
    await updateAdvisories({ storePath, mirror: mirror.url, ecosystems: ['PyPI'], clock });
    const store = openAdvisoryStore(storePath);
    try {
      const seen = await store.firstSeen(['PYSEC-2023-74', 'PYSEC-2024-60', 'NOT-A-RECORD']);
      expect(seen.get('PYSEC-2023-74')).toBe('2024-05-01T00:00:00.000Z');
      // idna's record arrived with the update.
      expect(seen.get('PYSEC-2024-60')).toBe('2024-06-01T08:00:00.000Z');
      expect(seen.has('NOT-A-RECORD')).toBe(false);
    } finally {
      store.close();
    }
  });
});
