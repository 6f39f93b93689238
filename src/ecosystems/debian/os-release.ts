// os-release(5) (https://www.freedesktop.org/software/systemd/man/latest/os-release.html): the
// distribution and release of a root filesystem, and the OSV ecosystem of its dpkg packages.

/** What vigil takes from an os-release file. */
export interface OsRelease {
  /** `ID`, lowercase (`debian`, `ubuntu`, `raspbian`). */
  readonly id: string | undefined;
  /** `VERSION_ID` (`12`, `22.04`); absent on Debian testing and unstable. */
  readonly versionId: string | undefined;
  /** `VERSION` (`22.04.5 LTS (Jammy Jellyfish)`). */
  readonly version: string | undefined;
  /** `VERSION_CODENAME` (`bookworm`, `jammy`). */
  readonly codename: string | undefined;
  /** `PRETTY_NAME`, for messages. */
  readonly prettyName: string | undefined;
}

/** Longest os-release vigil reads (real ones are under 1 KiB). */
const MAX_OS_RELEASE_CHARS = 64 * 1024;

/**
 * Parses os-release's `KEY=value` lines: values bare, or in double quotes (with `\"`, `\\`, `\$`,
 * `` \` `` escapes) or single quotes; `#` lines are comments. Lines that are neither are ignored,
 * as the specification asks of readers.
 */
export function parseOsRelease(text: string): OsRelease {
  const fields = new Map<string, string>();
  for (const raw of text.slice(0, MAX_OS_RELEASE_CHARS).split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line);
    if (!match) continue;
    const [, key = '', value = ''] = match;
    fields.set(key, unquote(value));
  }
  const get = (key: string): string | undefined => {
    const value = fields.get(key);
    return value === undefined || value === '' ? undefined : value;
  };
  return {
    id: get('ID')?.toLowerCase(),
    versionId: get('VERSION_ID'),
    version: get('VERSION'),
    codename: get('VERSION_CODENAME') ?? get('UBUNTU_CODENAME'),
    prettyName: get('PRETTY_NAME'),
  };
}

function unquote(value: string): string {
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
    return value.slice(1, -1).replace(/\\(["\\$`])/g, '$1');
  }
  if (value.length >= 2 && value.startsWith("'") && value.endsWith("'")) return value.slice(1, -1);
  return value;
}

/** The OSV ecosystem of a release, or why there is none vigil can match. */
export type ReleaseEcosystem =
  | { readonly ok: true; readonly base: 'Debian' | 'Ubuntu'; readonly release: string }
  | { readonly ok: false; readonly reason: string };

/**
 * The OSV ecosystem of the release (https://ossf.github.io/osv-schema/#affectedpackage-field):
 * `Debian:<VERSION_ID>` (Debian's VERSION_ID is the major release, `12`), and for Ubuntu
 * `Ubuntu:<VERSION_ID>:LTS` when `VERSION` says LTS, else `Ubuntu:<VERSION_ID>`, as Canonical's
 * records write them. Debian testing/unstable (no VERSION_ID) and derivatives (Raspbian, Kali,
 * Mint, ...) have no OSV release vigil can match: the reason says so.
 */
export function releaseEcosystemOf(osRelease: OsRelease): ReleaseEcosystem {
  const name = osRelease.prettyName ?? osRelease.id ?? 'unnamed';
  if (osRelease.id === 'debian') {
    if (osRelease.versionId === undefined || !/^\d+$/.test(osRelease.versionId)) {
      return { ok: false, reason: `os-release names ${name} without a numbered release (testing or unstable): OSV has no Debian records for it` };
    }
    return { ok: true, base: 'Debian', release: `Debian:${osRelease.versionId}` };
  }
  if (osRelease.id === 'ubuntu') {
    if (osRelease.versionId === undefined || !/^\d+\.\d+$/.test(osRelease.versionId)) {
      return { ok: false, reason: `os-release names ${name} without a YY.MM VERSION_ID` };
    }
    const lts = /\bLTS\b/.test(osRelease.version ?? '') || /\bLTS\b/.test(osRelease.prettyName ?? '');
    return { ok: true, base: 'Ubuntu', release: `Ubuntu:${osRelease.versionId}${lts ? ':LTS' : ''}` };
  }
  return {
    ok: false,
    reason: `os-release names ${name} (ID ${osRelease.id ?? 'missing'}): vigil matches dpkg packages of Debian and Ubuntu releases only`,
  };
}

/**
 * Whether an OSV `affected[].package.ecosystem` names the package's release. Debian: exactly
 * (`Debian:12`). Ubuntu: the same release number with or without `:LTS`, since records have
 * written a release both ways (`Ubuntu:26.04` before its release, `Ubuntu:26.04:LTS` after) and
 * other tools write `Ubuntu:22.04` for `Ubuntu:22.04:LTS`. `Ubuntu:Pro:...` records describe
 * Ubuntu Pro (ESM) archives, whose fixes a plain installation does not receive: never matched.
 */
export function isSameRelease(recordEcosystem: string, release: string): boolean {
  if (recordEcosystem === release) return true;
  if (!release.startsWith('Ubuntu:') || !recordEcosystem.startsWith('Ubuntu:')) return false;
  const bare = (value: string): string => (value.endsWith(':LTS') ? value.slice(0, -':LTS'.length) : value);
  return bare(recordEcosystem) === bare(release);
}
