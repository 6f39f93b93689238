// The lists of Debian's `debian-security-support` package (check-support-status), read from the
// audited root file system when the package is installed there (/usr/share/debian-security-support):
// source packages whose security support ended before the release's, or is limited. vigil ships
// no copy of the lists; without them nothing is flagged.

/** What a list says of one source package. */
export interface SecuritySupportEntry {
  /** `ended`: no more security updates (at or below `lastVersion`); `limited`: see the note. */
  readonly status: 'ended' | 'limited';
  /** Last version with support (ended only). */
  readonly lastVersion?: string;
  /** Day support ended or ends (ended only, YYYY-MM-DD). */
  readonly endedOn?: string;
  readonly note?: string;
}

/** The files to look for, per Debian major release: the 1:13 one-file format, then the 1:12 pair. */
export function securitySupportFiles(major: string): readonly { readonly name: string; readonly format: 'combined' | 'ended' | 'limited' }[] {
  return [
    { name: `security-support.deb${major}`, format: 'combined' },
    { name: `security-support-ended.deb${major}`, format: 'ended' },
    { name: 'security-support-limited', format: 'limited' },
  ];
}

const MAX_LINES = 100_000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Parses one list. `combined` (1:13): `source non-supported|limited [last-version date] [note]`;
 * `ended` (1:12): `source last-version date [note]`; `limited`: `source [note]`. Columns are
 * separated by spaces or tabs; `#` lines are comments; a line of another shape is ignored.
 */
export function parseSecuritySupport(text: string, format: 'combined' | 'ended' | 'limited'): Map<string, SecuritySupportEntry> {
  const entries = new Map<string, SecuritySupportEntry>();
  for (const raw of text.split('\n').slice(0, MAX_LINES)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const words = line.split(/\s+/);
    const [source = '', ...rest] = words;
    let entry: SecuritySupportEntry | undefined;
    if (format === 'limited') entry = { status: 'limited', ...noteOf(rest) };
    else {
      const columns = format === 'combined' ? rest.slice(1) : rest;
      const kind = format === 'combined' ? rest[0] : 'non-supported';
      if (kind === 'limited') entry = { status: 'limited', ...noteOf(columns) };
      else if (kind === 'non-supported') {
        const [lastVersion, endedOn] = columns;
        const dated = endedOn !== undefined && DATE.test(endedOn);
        entry = {
          status: 'ended',
          ...(lastVersion === undefined || DATE.test(lastVersion) ? {} : { lastVersion }),
          ...(dated ? { endedOn } : {}),
          ...noteOf(columns.slice(dated ? 2 : 1)),
        };
      }
    }
    if (entry !== undefined && source !== '' && !entries.has(source)) entries.set(source, entry);
  }
  return entries;
}

function noteOf(words: readonly string[]): { note?: string } {
  const note = words.join(' ').trim();
  return note === '' ? {} : { note };
}
