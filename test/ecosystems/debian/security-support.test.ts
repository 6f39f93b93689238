import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseSecuritySupport } from '../../../src/ecosystems/debian/security-support.js';
import { buildInventory } from '../../../src/inventory/build-inventory.js';
import { releaseSupportFindings } from '../../../src/match/release-support.js';

// Lines as debian-security-support 1:13 (security-support.deb12) and 1:12
// (security-support-ended.deb12, security-support-limited) write them.
const COMBINED = [
  '# List of packages whose security support is limited or ends before the distribution EOL',
  'binutils                    limited  Only suitable for trusted content; see https://lists.debian.org/msgid-search/87lfqsomtg.fsf@mid.deneb.enyo.de',
  'ckeditor3                   non-supported   3.6.6.1+dfsg-7\t2025-04-04\tOnly present as a build dependency for virtuoso-opensource, no updates will be issued',
  'libnet-easytcp-perl         non-supported   0.26-6    2025-01-18  https://bugs.debian.org/1093386; unmaintained upstream',
  '',
].join('\n');
const ENDED = 'wpewebkit\t2.38.6-1\t\t2023-05-09\thttps://bugs.debian.org/1035794\n';
const LIMITED = 'adns                        Stub resolver that should only be used with trusted recursors\n';

describe('parseSecuritySupport', () => {
  it('reads the one-file format', () => {
    expect(Object.fromEntries(parseSecuritySupport(COMBINED, 'combined'))).toEqual({
      binutils: { status: 'limited', note: 'Only suitable for trusted content; see https://lists.debian.org/msgid-search/87lfqsomtg.fsf@mid.deneb.enyo.de' },
      ckeditor3: { status: 'ended', lastVersion: '3.6.6.1+dfsg-7', endedOn: '2025-04-04', note: 'Only present as a build dependency for virtuoso-opensource, no updates will be issued' },
      'libnet-easytcp-perl': { status: 'ended', lastVersion: '0.26-6', endedOn: '2025-01-18', note: 'https://bugs.debian.org/1093386; unmaintained upstream' },
    });
  });

  it('reads the ended and limited files of the older format', () => {
    expect(Object.fromEntries(parseSecuritySupport(ENDED, 'ended'))).toEqual({
      wpewebkit: { status: 'ended', lastVersion: '2.38.6-1', endedOn: '2023-05-09', note: 'https://bugs.debian.org/1035794' },
    });
    expect(Object.fromEntries(parseSecuritySupport(LIMITED, 'limited'))).toEqual({ adns: { status: 'limited', note: 'Stub resolver that should only be used with trusted recursors' } });
  });
});

describe('packages flagged by the lists of the root file system', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'vigil-dss-'));
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('are findings: ended ones high (at or below the last supported version), limited ones low', async () => {
    mkdirSync(path.join(root, 'var/lib/dpkg'), { recursive: true });
    mkdirSync(path.join(root, 'etc'), { recursive: true });
    mkdirSync(path.join(root, 'usr/share/debian-security-support'), { recursive: true });
    writeFileSync(path.join(root, 'etc/os-release'), 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n');
    writeFileSync(path.join(root, 'usr/share/debian-security-support/security-support.deb12'), COMBINED);
    const stanza = (name: string, version: string, source?: string): string =>
      `Package: ${name}\nStatus: install ok installed\n${source === undefined ? '' : `Source: ${source}\n`}Version: ${version}\n`;
    writeFileSync(
      path.join(root, 'var/lib/dpkg/status'),
      [
        stanza('binutils', '2.40-2'),
        stanza('libbinutils', '2.40-2', 'binutils'),
        stanza('ckeditor3', '3.6.6.1+dfsg-7'),
        stanza('libnet-easytcp-perl', '0.26-7'),
        stanza('bash', '5.2.15-2+b2'),
      ].join('\n'),
    );
    const inventory = await buildInventory({ paths: [root], root });
    expect(inventory.sources[0]?.related).toEqual(['etc/os-release', 'usr/share/debian-security-support/security-support.deb12']);
    const findings = releaseSupportFindings(inventory, new Date('2026-12-01T00:00:00Z'));
    expect(findings.map((finding) => [finding.id, finding.package.name, finding.severity.level])).toEqual([
      ['VIGIL-LIMITED-Debian:12:binutils', 'binutils', 'low'],
      ['VIGIL-EOS-Debian:12:ckeditor3', 'ckeditor3', 'high'],
    ]);
    expect(findings[0]?.summary).toMatch(/^security support for binutils \(binutils, libbinutils\) in Debian:12 is limited: Only suitable/);
    expect(findings[1]?.summary).toMatch(/^security support for ckeditor3 \(ckeditor3\) in Debian:12 ended on 2025-04-04 at 3\.6\.6\.1\+dfsg-7: /);
  });
});
