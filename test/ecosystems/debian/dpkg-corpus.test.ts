// Every dpkg database of the shared corpus, read by the parser and counted independently by
// dpkg-query (this machine's dpkg) over the same file.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dpkgStatusParser, isDpkgDatabasePath } from '../../../src/ecosystems/debian/parsers.js';
import type { ParseContext } from '../../../src/ecosystems/types.js';
import { fileParseContext, readDependencyFile } from '../../../src/inventory/read-file.js';
import { shared } from '../../helpers/shared-data.js';

const corpus = shared('corpus', 'debian');
const hasDpkgQuery = spawnSync('dpkg-query', ['--version']).status === 0;
const scratch = mkdtempSync(path.join(os.tmpdir(), 'vigil-dpkg-query-'));
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

function filesBelow(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesBelow(full) : [full];
  });
}

// The dpkg databases: those at a dpkg path, and the status files the test suites keep under other
// names (claircore's *.status, scalibr's testdata/dpkg/*, trivy's status).
const databases = filesBelow(corpus)
  .map((file) => path.relative(corpus, file).split(path.sep).join('/'))
  .filter((file) => isDpkgDatabasePath(file) || file.endsWith('.status') || /testdata\/dpkg\/[^/.]+$/.test(file) || file === 'trivy-ubuntu-bionic/status')
  .sort();

const STATUS_D = /\/status\.d\/[^/]+$/;

/** Runs dpkg-query over control text as a status file: the state letter of each entry, or `refused`. */
function dpkgQueryStates(text: string): string[] | 'refused' {
  const dir = mkdtempSync(path.join(scratch, 'db-'));
  writeFileSync(path.join(dir, 'status'), text);
  const run = spawnSync('dpkg-query', [`--admindir=${dir}`, '-W', '-f', '${db:Status-Abbrev}\\n'], { encoding: 'utf8' });
  if (run.status !== 0) return 'refused';
  return run.stdout.split('\n').filter((line) => line !== '').map((line) => line.charAt(1));
}

/**
 * Installed packages as dpkg-query counts them, and the entries it refuses. `${db:Status-Abbrev}`'s
 * second letter is the state: i (installed), W and t (triggers awaited / pending), F, U, H
 * (half-configured, unpacked, half-installed) have files on disk. dpkg-query refuses a whole file
 * for one bad entry (vigil skips just that entry), so a refused file is asked again entry by entry.
 * A status.d entry has no Status field (every entry there is installed): the copy dpkg-query reads
 * gets `Status: install ok installed` where none is given.
 */
function dpkgQueryCount(file: string): { installed: number; refused: number } {
  let stanzas = readFileSync(path.join(corpus, file), 'utf8')
    .split(/\n[ \t]*\n/)
    .filter((stanza) => stanza.trim() !== '');
  if (STATUS_D.test(file)) {
    stanzas = stanzas.map((stanza) => (/^Status:/m.test(stanza) || !/^Package:/m.test(stanza) ? stanza : stanza.replace(/^(Package:.*)$/m, '$1\nStatus: install ok installed')));
  }
  const onDisk = (states: string[]): number => states.filter((state) => 'iWtFUH'.includes(state)).length;
  const whole = dpkgQueryStates(`${stanzas.join('\n\n')}\n`);
  if (whole !== 'refused') return { installed: onDisk(whole), refused: 0 };
  let installed = 0;
  let refused = 0;
  for (const stanza of stanzas) {
    const states = dpkgQueryStates(`${stanza}\n`);
    if (states === 'refused') refused++;
    else installed += onDisk(states);
  }
  return { installed, refused };
}

/** The real context, with a Debian 12 os-release for a database kept outside a root filesystem. */
function contextFor(root: string, file: Awaited<ReturnType<typeof readDependencyFile>>): ParseContext {
  const real = fileParseContext(root, file);
  return {
    async readRelated(relative) {
      const found = await real.readRelated(relative);
      if (found !== undefined || !relative.endsWith('usr/lib/os-release')) return found;
      return { absolutePath: '/os-release', path: 'os-release', text: 'ID=debian\nVERSION_ID="12"\n' };
    },
  };
}

describe('every dpkg database of ../shared/corpus/debian', () => {
  it('finds them all', () => {
    expect(databases.length).toBeGreaterThanOrEqual(30);
  });

  it.skipIf(!hasDpkgQuery).each(databases)('%s: as many installed packages as dpkg-query counts', async (file) => {
    const dependencyFile = await readDependencyFile(corpus, path.join(corpus, file));
    const result = await dpkgStatusParser.parse(dependencyFile, contextFor(corpus, dependencyFile));
    const want = dpkgQueryCount(file);
    // Every entry dpkg-query lists as installed is a package; every entry it refuses is either a
    // package (dpkg also checks fields vigil does not need, such as Depends) or a skipped entry
    // (no Package or Version: unevaluable, it fails the gate). None is dropped.
    const unevaluable = result.skipped.filter((entry) => entry.kind === undefined).length;
    expect(result.packages.length).toBeGreaterThanOrEqual(want.installed);
    expect(result.packages.length + unevaluable).toBe(want.installed + want.refused);
    for (const pkg of result.packages) {
      expect(pkg.location.line).toBeGreaterThan(0);
      expect(dependencyFile.text.split('\n')[(pkg.location.line ?? 0) - 1]).toBe(`Package: ${pkg.name}`);
    }
  });

  // The five nginx.org packages of the Debian 11 nginx image (nginx, its modules, njs): listed,
  // marked, never matched against Debian's records.
  it('marks the vendor packages of the Debian 11 nginx image and only those', async () => {
    const root = path.join(corpus, 'debian11-bullseye-nginx-rootfs');
    const file = await readDependencyFile(root, path.join(root, 'var/lib/dpkg/status'));
    const result = await dpkgStatusParser.parse(file, fileParseContext(root, file));
    const foreign = result.packages.filter((pkg) => pkg.distro?.foreignOrigin !== undefined).map((pkg) => `${pkg.name} ${pkg.version}`);
    const byMaintainer = [...file.text.matchAll(/^Package: (\S+)\n(?:[^\n]+\n)*?Maintainer: NGINX Packaging/gm)].map((match) => match[1]);
    expect(foreign.map((entry) => entry.split(' ')[0]).sort()).toEqual(byMaintainer.sort());
    expect(foreign).toHaveLength(5);
    expect(result.packages.every((pkg) => pkg.distro?.release === 'Debian:11')).toBe(true);
  });
});
