import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDpkgStatus } from '../../../src/ecosystems/debian/dpkg-status.js';
import { isDpkgDatabasePath } from '../../../src/ecosystems/debian/parsers.js';
import type { DependencyFile, ParseContext } from '../../../src/ecosystems/types.js';
import { LockfileParseError } from '../../../src/core/errors.js';
import { parseFile, repoRoot } from '../../helpers/shared-data.js';
import { dpkgStatusParser } from '../../../src/ecosystems/debian/parsers.js';

const BOOKWORM = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION="12 (bookworm)"\nVERSION_CODENAME=bookworm\nID=debian\n';

/** A status file at var/lib/dpkg/status of a root filesystem whose os-release files are given. */
function statusFile(text: string, filePath = 'var/lib/dpkg/status'): DependencyFile {
  return { absolutePath: `/rootfs/${filePath}`, path: filePath, text };
}

function contextWith(files: Record<string, string>): ParseContext & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    readRelated(relativePath) {
      asked.push(relativePath);
      const text = files[relativePath];
      return Promise.resolve(text === undefined ? undefined : { absolutePath: `/x/${relativePath}`, path: path.posix.normalize(`var/lib/dpkg/${relativePath}`), text });
    },
  };
}

const stanza = (fields: Record<string, string>): string =>
  `${Object.entries(fields)
    .map(([key, value]) => `${key}: ${value}`)
    .join('\n')}\n`;

describe('parseDpkgStatus', () => {
  it('reads installed packages with their source package, line and purl', async () => {
    const text = [
      stanza({ Package: 'liblzma5', Status: 'install ok installed', Architecture: 'amd64', Source: 'xz-utils (5.4.1-0.2)', Version: '5.4.1-0.2+b1' }),
      stanza({ Package: 'bash', Status: 'install ok installed', Architecture: 'amd64', Version: '5.2.15-2+b2', Description: 'GNU Bourne Again SHell\n  continuation line' }),
      stanza({ Package: 'libc6', Status: 'install ok installed', Architecture: 'amd64', Source: 'glibc', Version: '2.36-9+deb12u4' }),
    ].join('\n');
    const result = await parseDpkgStatus(statusFile(text), contextWith({ '../../../etc/os-release': BOOKWORM }));
    expect(result.skipped).toEqual([]);
    expect(result.packages.map((pkg) => [pkg.name, pkg.version, pkg.distro?.sourceName, pkg.distro?.sourceVersion, pkg.location.line])).toEqual([
      ['liblzma5', '5.4.1-0.2+b1', 'xz-utils', '5.4.1-0.2', 1],
      ['bash', '5.2.15-2+b2', 'bash', '5.2.15-2+b2', 7],
      ['libc6', '2.36-9+deb12u4', 'glibc', '2.36-9+deb12u4', 14],
    ]);
    expect(result.packages[0]).toMatchObject({
      ecosystem: 'Debian',
      key: 'liblzma5:amd64',
      purl: 'pkg:deb/debian/liblzma5@5.4.1-0.2%2Bb1?arch=amd64&distro=debian-12',
      distro: { release: 'Debian:12', architecture: 'amd64' },
    });
    expect(result.related).toEqual(['etc/os-release']);
  });

  // dpkg-query(1) "Package states": files on disk (wholly or in part) are audited; config-files
  // and not-installed hold no program.
  it.each([
    ['install ok installed', 1],
    ['hold ok installed', 1],
    ['install ok triggers-pending', 1],
    ['install ok triggers-awaited', 1],
    ['install ok half-configured', 1],
    ['install ok unpacked', 1],
    ['install reinstreq half-installed', 1],
    ['deinstall ok config-files', 0],
    ['purge ok not-installed', 0],
  ] as const)('status "%s" lists %i package', async (status, want) => {
    const result = await parseDpkgStatus(
      statusFile(stanza({ Package: 'curl', Status: status, Version: '7.88.1-10+deb12u5' })),
      contextWith({ '../../../etc/os-release': BOOKWORM }),
    );
    expect(result.packages).toHaveLength(want);
    expect(result.skipped).toEqual([]);
  });

  it('reads usr/lib/os-release when etc/os-release is missing', async () => {
    const context = contextWith({ '../../../usr/lib/os-release': 'ID=ubuntu\nVERSION_ID="22.04"\nVERSION="22.04.5 LTS (Jammy Jellyfish)"\n' });
    const result = await parseDpkgStatus(statusFile(stanza({ Package: 'zlib1g', Status: 'install ok installed', Version: '1:1.2.11.dfsg-2ubuntu9.2' })), context);
    expect(context.asked).toEqual(['../../../etc/os-release', '../../../usr/lib/os-release']);
    expect(result.packages[0]).toMatchObject({ ecosystem: 'Ubuntu', distro: { release: 'Ubuntu:22.04:LTS' }, purl: 'pkg:deb/ubuntu/zlib1g@1%3A1.2.11.dfsg-2ubuntu9.2?distro=ubuntu-22.04' });
  });

  it.each([
    ['a non-LTS Ubuntu', 'ID=ubuntu\nVERSION_ID="25.10"\nVERSION="25.10 (Questing Quokka)"\n', 'Ubuntu:25.10'],
    ['Debian 11', 'ID=debian\nVERSION_ID="11"\n', 'Debian:11'],
    ['distroless', 'PRETTY_NAME="Distroless"\nID="debian"\nVERSION_ID="12"\n', 'Debian:12'],
  ])('names the release of %s', async (_name, osRelease, want) => {
    const result = await parseDpkgStatus(statusFile(stanza({ Package: 'tzdata', Status: 'install ok installed', Version: '2024a-0+deb12u1' })), contextWith({ '../../../etc/os-release': osRelease }));
    expect(result.packages[0]?.distro?.release).toBe(want);
  });

  it.each([
    ['no os-release', {}, /no etc\/os-release or usr\/lib\/os-release/],
    ['Debian unstable', { '../../../etc/os-release': 'PRETTY_NAME="Debian GNU/Linux trixie/sid"\nID=debian\n' }, /without a numbered release/],
    ['a derivative', { '../../../etc/os-release': 'ID=raspbian\nID_LIKE=debian\nVERSION_ID="12"\n' }, /Debian and Ubuntu releases only/],
  ])('with %s every package is an unevaluable skipped entry, never a silent pass', async (_name, files, reason) => {
    const result = await parseDpkgStatus(statusFile(stanza({ Package: 'curl', Status: 'install ok installed', Version: '7.88.1-10' })), contextWith(files));
    expect(result.packages).toEqual([]);
    expect(result.skipped).toHaveLength(1);
    expect(result.skipped[0]).toMatchObject({ name: 'curl', version: '7.88.1-10', location: { line: 1 } });
    expect(result.skipped[0]?.kind).toBeUndefined();
    expect(result.skipped[0]?.reason).toMatch(reason);
  });

  it('lists a vendor package but marks it and says why it is not matched', async () => {
    const text = [
      stanza({ Package: 'nginx', Status: 'install ok installed', Maintainer: 'NGINX Packaging <nginx-packaging@f5.com>', Architecture: 'amd64', Version: '1.23.2-1~bullseye' }),
      stanza({ Package: 'firefox-esr', Status: 'install ok installed', Version: '115.9.0esr-1~deb12u1' }),
      stanza({ Package: 'postgresql-15', Status: 'install ok installed', Version: '15.4-1.pgdg120+1' }),
      stanza({ Package: 'curl', Status: 'install ok installed', Origin: 'Debian', Version: '7.88.1-10' }),
      stanza({ Package: 'mongodb-org', Status: 'install ok installed', Origin: 'mongodb', Version: '7.0.2' }),
    ].join('\n');
    const result = await parseDpkgStatus(statusFile(text), contextWith({ '../../../etc/os-release': BOOKWORM }));
    expect(result.packages.map((pkg) => [pkg.name, pkg.distro?.foreignOrigin !== undefined])).toEqual([
      ['nginx', true],
      ['firefox-esr', false],
      ['postgresql-15', true],
      ['curl', false],
      ['mongodb-org', true],
    ]);
    expect(result.skipped.map((entry) => [entry.name, entry.kind, entry.location.line])).toEqual([
      ['nginx', 'not-audited', 1],
      ['postgresql-15', 'not-audited', 11],
      ['mongodb-org', 'not-audited', 20],
    ]);
  });

  it('skips unreadable entries with their line and keeps the rest; no Status is not installed, as dpkg reads it', async () => {
    const text = [
      'Pakij: apt\nStratus: install ok installed\nInsterface to the configuration settings\n',
      stanza({ Package: 'Bad Name', Status: 'install ok installed', Version: '1' }),
      stanza({ Package: 'noversion', Status: 'install ok installed' }),
      stanza({ Package: 'nostatus', Version: '1.0' }),
      stanza({ Package: 'oddstatus', Status: 'install ok sideways', Version: '1.0' }),
      stanza({ Package: 'badsource', Status: 'install ok installed', Source: 'x (1.0', Version: '1.0' }),
      stanza({ Package: 'good', Status: 'install ok installed', Version: '1.0-1' }),
    ].join('\n');
    const result = await parseDpkgStatus(statusFile(text), contextWith({ '../../../etc/os-release': BOOKWORM }));
    expect(result.packages.map((pkg) => pkg.name)).toEqual(['good']);
    expect(result.skipped.map((entry) => [entry.location.line, entry.reason])).toEqual([
      [1, 'unreadable dpkg entry: line 3 is neither a field nor a continuation'],
      [5, 'invalid dpkg package name "Bad Name"'],
      [9, 'dpkg entry without a Version field'],
      [15, 'unknown dpkg status "install ok sideways"'],
      [19, 'invalid dpkg Source field "x (1.0"'],
    ]);
    expect(result.skipped.every((entry) => entry.kind === undefined)).toBe(true);
  });

  it('refuses a database with more entries than the limit, naming the line', async () => {
    const text = 'Package: a\nVersion: 1\n\n'.repeat(100_001);
    const run = parseDpkgStatus(statusFile(text, 'var/lib/dpkg/status.d/a'), contextWith({ '../../../../etc/os-release': BOOKWORM }));
    await expect(run).rejects.toThrow(LockfileParseError);
    await expect(run).rejects.toMatchObject({ location: { line: 300_001 } });
  });

  it('reads a distroless status.d entry (no Status field) with the os-release one folder further up', async () => {
    const dir = path.join(repoRoot, 'test/data/debian/distroless-bullseye');
    const result = await parseFile(dpkgStatusParser, path.join(dir, 'var/lib/dpkg/status.d/libsqlite3-0'), dir);
    expect(result.skipped).toEqual([]);
    expect(result.related).toEqual(['etc/os-release']);
    expect(result.packages).toHaveLength(1);
    expect(result.packages[0]).toMatchObject({
      name: 'libsqlite3-0',
      version: '3.34.1-3',
      ecosystem: 'Debian',
      location: { file: 'var/lib/dpkg/status.d/libsqlite3-0', line: 1 },
      purl: 'pkg:deb/debian/libsqlite3-0@3.34.1-3?arch=arm64&distro=debian-11',
      distro: { release: 'Debian:11', sourceName: 'sqlite3', sourceVersion: '3.34.1-3', architecture: 'arm64' },
    });
  });
});

describe('isDpkgDatabasePath', () => {
  it.each([
    ['var/lib/dpkg/status', true],
    ['rootfs/var/lib/dpkg/status', true],
    ['/abs/rootfs/var/lib/dpkg/status', true],
    ['var/lib/dpkg/status.d/libsqlite3-0', true],
    ['var/lib/dpkg/status.d/libpython3.11-minimal', true],
    ['var/lib/dpkg/status.d/libsqlite3-0.md5sums', false],
    ['var/lib/dpkg/status.d/libsqlite3-0.preinst', false],
    ['var/lib/dpkg/status-old', false],
    ['var/lib/dpkg/status.d/sub/x', false],
    ['status', false],
    ['var/lib/dpkg/available', false],
  ])('%s: %s', (file, want) => {
    expect(isDpkgDatabasePath(file)).toBe(want);
  });
});
