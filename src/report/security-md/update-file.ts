import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../../core/atomic-write.js';
import { UsageError } from '../../core/errors.js';
import { SECURITY_MD_END, SECURITY_MD_HEADING, SECURITY_MD_START } from './markers.js';

/**
 * The file's new text with `section` (markers included, ending in a newline) in place of the
 * one between the markers; every byte outside them is kept. Without markers the section is
 * appended under a heading; without a file (`undefined`) it is the whole file.
 */
export function replaceSecuritySection(existing: string | undefined, section: string, file = 'SECURITY.md'): string {
  if (existing === undefined) return `# Security\n\n${SECURITY_MD_HEADING}\n\n${section}`;
  const start = existing.indexOf(SECURITY_MD_START);
  const end = existing.indexOf(SECURITY_MD_END);
  if (start === -1 && end === -1) {
    const separator = existing === '' ? '' : existing.endsWith('\n\n') ? '' : existing.endsWith('\n') ? '\n' : '\n\n';
    return `${existing}${separator}${SECURITY_MD_HEADING}\n\n${section}`;
  }
  const hint = `keep one "${SECURITY_MD_START}" line and one "${SECURITY_MD_END}" line after it, or remove both`;
  if (start === -1 || end === -1 || end < start) {
    throw new UsageError(`${file}: the dependency-security markers are incomplete or out of order`, { hint });
  }
  if (existing.indexOf(SECURITY_MD_START, start + 1) !== -1 || existing.indexOf(SECURITY_MD_END, end + 1) !== -1) {
    throw new UsageError(`${file}: the dependency-security markers appear more than once`, { hint });
  }
  // The rendered section ends with a newline after the end marker; the text after the old end
  // marker (its own newline included) is kept as is.
  let after = existing.slice(end + SECURITY_MD_END.length);
  const body = section.endsWith('\n') ? section.slice(0, -1) : section;
  if (after === '') after = '\n';
  return `${existing.slice(0, start)}${body}${after}`;
}

/** What `updateSecurityFile` did or, with `check`, would do. */
export interface SecurityFileUpdate {
  /** The file's content differs from (or, when missing, lacks) the rendered section. */
  readonly changed: boolean;
  /** The file did not exist. */
  readonly created: boolean;
}

/** Writes the section into `file` (atomically), unless `check`: then only says whether it would change. */
export async function updateSecurityFile(file: string, section: string, options: { readonly check: boolean }): Promise<SecurityFileUpdate> {
  let existing: string | undefined;
  try {
    existing = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new UsageError(`${file}: cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { cause: error });
    }
  }
  const next = replaceSecuritySection(existing, section, file);
  const changed = next !== existing;
  if (changed && !options.check) await writeFileAtomic(file, next);
  return { changed, created: existing === undefined };
}
