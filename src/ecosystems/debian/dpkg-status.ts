import { LockfileParseError } from '../../core/errors.js';
import { notAudited, type Package, type SkippedEntry } from '../../core/types.js';
import { makePackage } from '../package.js';
import type { DependencyFile, ParseContext, ParsedDependencyFile } from '../types.js';
import { readStanzas, StanzaLimitError, type Stanza } from './control-stanzas.js';
import { debianPurl, purlDistroOf } from './ecosystem.js';
import { foreignOriginOf } from './origin.js';
import { parseOsRelease, releaseEcosystemOf, type OsRelease, type ReleaseEcosystem } from './os-release.js';
import { parseSecuritySupport, securitySupportFiles, type SecuritySupportEntry } from './security-support.js';
import { dpkgScheme } from './version.js';

/**
 * dpkg states (dpkg-query(1), "Package states") whose files are on disk, wholly or in part: such a
 * package is audited. `installed`, and `triggers-awaited` / `triggers-pending` (installed, a
 * trigger still to run), plus the interrupted states `half-configured`, `unpacked` and
 * `half-installed`: a failed `apt-get upgrade` leaves the new (or old) files in place, and what is
 * on disk is what can be exploited. `not-installed` and `config-files` (only conffiles left after
 * a remove) hold no program and are not listed.
 */
const INSTALLED_STATES = new Set(['installed', 'triggers-awaited', 'triggers-pending', 'half-configured', 'unpacked', 'half-installed']);
const NOT_INSTALLED_STATES = new Set(['not-installed', 'config-files']);
const WANT = new Set(['unknown', 'install', 'hold', 'deinstall', 'purge']);
const ERROR_FLAG = new Set(['ok', 'reinstreq']);

// Package names as dpkg accepts them (lib/dpkg/parsehelp.c, `pkg_name_is_illegal`: an
// alphanumeric, then alphanumerics and `-+._`; Debian Policy 5.6.1 is stricter), and the Source
// field, `name` or `name (version)` (Policy 5.6.7).
const PACKAGE_NAME = /^[A-Za-z0-9][A-Za-z0-9+._-]*$/;
const SOURCE_FIELD = /^(\S+)(?:\s+\(([^()\s]+)\))?$/;

/** Whether the path (relative to the audited root) is a distroless-style `status.d` entry. */
export function isStatusDirEntry(relativePath: string): boolean {
  return /(^|\/)var\/lib\/dpkg\/status\.d\/[^/]+$/.test(relativePath);
}

/** Where the os-release of the root filesystem lies, relative to the dpkg database file. */
function osReleasePaths(file: DependencyFile): readonly string[] {
  const up = isStatusDirEntry(file.path) ? '../../../../' : '../../../';
  // os-release(5): /etc/os-release first, /usr/lib/os-release when it is missing.
  return [`${up}etc/os-release`, `${up}usr/lib/os-release`];
}

/**
 * The debian-security-support lists of a Debian release, when that package is installed in the
 * root filesystem; the first file found of each kind counts. Paths read are added to `related`.
 */
async function readSecuritySupport(file: DependencyFile, context: ParseContext, release: string, related: string[]): Promise<Map<string, SecuritySupportEntry>> {
  const entries = new Map<string, SecuritySupportEntry>();
  const major = /^Debian:(\d+)$/.exec(release)?.[1];
  if (major === undefined) return entries;
  const up = isStatusDirEntry(file.path) ? '../../../../' : '../../../';
  for (const list of securitySupportFiles(major)) {
    const found = await context.readRelated(`${up}usr/share/debian-security-support/${list.name}`);
    if (found === undefined) continue;
    related.push(found.path);
    for (const [source, entry] of parseSecuritySupport(found.text, list.format)) if (!entries.has(source)) entries.set(source, entry);
  }
  return entries;
}

/** The list's entry when it applies to the installed source version (an ended one: at or below its last version). */
function supportOf(entries: ReadonlyMap<string, SecuritySupportEntry>, source: string, version: string): SecuritySupportEntry | undefined {
  const entry = entries.get(source);
  if (entry === undefined || entry.status === 'limited' || entry.lastVersion === undefined) return entry;
  if (!dpkgScheme.isValid(version) || !dpkgScheme.isValid(entry.lastVersion)) return entry;
  return dpkgScheme.compare(version, entry.lastVersion) <= 0 ? entry : undefined;
}

async function readOsRelease(file: DependencyFile, context: ParseContext): Promise<{ osRelease: OsRelease; path: string } | undefined> {
  for (const candidate of osReleasePaths(file)) {
    const found = await context.readRelated(candidate);
    if (found !== undefined) return { osRelease: parseOsRelease(found.text), path: found.path };
  }
  return undefined;
}

/**
 * Reads a dpkg database: `var/lib/dpkg/status`, or one file of distroless `var/lib/dpkg/status.d/`
 * (no `Status:` field there: every entry is installed). The release comes from the root
 * filesystem's os-release; each installed package carries its source package and version, which
 * Debian and Ubuntu records name. A package from another vendor is listed, marked, and a
 * not-audited entry says why it is not matched.
 */
export async function parseDpkgStatus(file: DependencyFile, context: ParseContext): Promise<ParsedDependencyFile> {
  let stanzas: Stanza[];
  try {
    stanzas = readStanzas(file.text);
  } catch (error) {
    if (error instanceof StanzaLimitError) {
      throw new LockfileParseError(`dpkg database with ${error.message}, beyond vigil's limit`, {
        location: { file: file.path, line: error.line },
        hint: 'a real dpkg database lists a few thousand packages',
      });
    }
    throw error;
  }
  const statusRequired = !isStatusDirEntry(file.path);
  const found = await readOsRelease(file, context);
  const release: ReleaseEcosystem = found
    ? releaseEcosystemOf(found.osRelease)
    : { ok: false, reason: 'no etc/os-release or usr/lib/os-release in the root filesystem of this dpkg database, so its release is unknown' };

  const related: string[] = found ? [found.path] : [];
  const support = release.ok ? await readSecuritySupport(file, context, release.release, related) : new Map<string, SecuritySupportEntry>();
  const packages: Package[] = [];
  const skipped: SkippedEntry[] = [];
  for (const stanza of stanzas) {
    const line = stanza.fieldLines.get('package') ?? stanza.line;
    const location = { file: file.path, line };
    const name = stanza.fields.get('package');
    const version = stanza.fields.get('version');
    const describe = (reason: string): SkippedEntry => ({
      location,
      ...(name === undefined ? {} : { name }),
      ...(version === undefined ? {} : { version }),
      ...(release.ok ? { ecosystem: release.base } : {}),
      reason,
    });
    if (stanza.malformedLine !== undefined) {
      skipped.push(describe(`unreadable dpkg entry: line ${stanza.malformedLine} is neither a field nor a continuation`));
      continue;
    }
    if (name === undefined || !PACKAGE_NAME.test(name)) {
      skipped.push(describe(name === undefined ? 'dpkg entry without a Package field' : `invalid dpkg package name "${name}"`));
      continue;
    }
    const status = stanza.fields.get('status');
    // In var/lib/dpkg/status an entry without Status is not installed, as dpkg reads it (its
    // default state); in status.d every entry is installed unless a Status says otherwise.
    if (status === undefined && statusRequired) continue;
    if (status !== undefined) {
      const words = status.split(/\s+/);
      const [want = '', flag = '', state = ''] = words;
      if (words.length !== 3 || !WANT.has(want) || !ERROR_FLAG.has(flag) || !(INSTALLED_STATES.has(state) || NOT_INSTALLED_STATES.has(state))) {
        skipped.push(describe(`unknown dpkg status "${status}"`));
        continue;
      }
      if (NOT_INSTALLED_STATES.has(state)) continue;
    }
    if (version === undefined || version === '') {
      skipped.push(describe('dpkg entry without a Version field'));
      continue;
    }
    const sourceField = stanza.fields.get('source');
    const source = sourceField === undefined ? undefined : SOURCE_FIELD.exec(sourceField);
    if (sourceField !== undefined && (!source || !PACKAGE_NAME.test(source[1] ?? ''))) {
      skipped.push(describe(`invalid dpkg Source field "${sourceField}"`));
      continue;
    }
    if (!release.ok) {
      skipped.push(describe(release.reason));
      continue;
    }
    const architecture = stanza.fields.get('architecture');
    const foreignOrigin = foreignOriginOf({
      version,
      origin: stanza.fields.get('origin'),
      distribution: release.base.toLowerCase(),
      codename: found?.osRelease.codename,
    });
    const distro = purlDistroOf(release.release);
    const securitySupport = supportOf(support, source?.[1] ?? name, source?.[2] ?? version);
    const vendor = release.base === 'Debian' ? 'debian' : 'ubuntu';
    packages.push({
      ...makePackage({
        ecosystem: release.base,
        name,
        version,
        key: architecture === undefined ? name : `${name}:${architecture}`,
        location,
        direct: 'unknown',
        purl: debianPurl(vendor, name, version, {
          ...(architecture === undefined ? {} : { arch: architecture }),
          ...(distro === undefined ? {} : { distro }),
        }),
      }),
      distro: {
        release: release.release,
        sourceName: source?.[1] ?? name,
        sourceVersion: source?.[2] ?? version,
        ...(architecture === undefined ? {} : { architecture }),
        ...(foreignOrigin === undefined ? {} : { foreignOrigin }),
        ...(securitySupport === undefined ? {} : { securitySupport }),
      },
    });
    if (foreignOrigin !== undefined) {
      skipped.push({
        ...describe(`not from ${release.base}: ${foreignOrigin}; ${release.base}'s advisories do not apply to it`),
        ...notAudited(`not from ${release.base}: ${foreignOrigin}; ${release.base}'s advisories do not apply to it`),
      });
    }
  }
  return { packages, skipped, related };
}
