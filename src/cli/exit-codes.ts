import { describeSystemError, type VigilErrorCode } from '../core/errors.js';

/**
 * Every exit status vigil uses, in one place. Kept below 126 so none clashes with the shell's
 * own (126-165: not executable, not found, killed by a signal).
 */
export const EXIT = {
  /** Nothing blocking. */
  ok: 0,
  /** The gate failed: a blocking finding (or, with --strict, a skipped entry). */
  gateFailed: 1,
  /**
   * Usage, configuration, input or output error: bad flag, unparseable lockfile or advisory, a
   * report that cannot be written (disk full, read-only or missing folder, stdout on a full disk).
   */
  usage: 2,
  /**
   * Advisory data unavailable: store missing, stale, damaged, not writable, held by another
   * writer past the lock timeout, or a failed or timed-out download.
   */
  advisoryData: 3,
  /** Nothing to audit: no dependency file found. */
  nothingToAudit: 4,
  /** The desk refused an action its rules forbid (or another writer changed the report first). */
  refused: 5,
  /** The desk has no such report, entry or request. */
  notFound: 6,
  /** `vigil desk export`: the audit log's hash chain does not verify (a line changed, inserted or deleted). */
  auditBroken: 7,
  /** A bug in vigil. */
  internal: 70,
} as const;

export const EXIT_FOR_ERROR = {
  usage: EXIT.usage,
  config: EXIT.usage,
  input: EXIT.usage,
  output: EXIT.usage,
  'advisory-data': EXIT.advisoryData,
  'nothing-to-audit': EXIT.nothingToAudit,
  refused: EXIT.refused,
  'not-found': EXIT.notFound,
  internal: EXIT.internal,
} as const satisfies Record<VigilErrorCode, number>;

export const EXIT_CODES_HELP = `Exit codes:
  0  nothing blocking
  1  the gate failed (a blocking finding, an invalid or expired exception; with --strict
     also a skipped entry)
  2  usage, configuration, input or output error (bad flag, unparseable lockfile, malformed
     advisory records rejected by db import or db update, a report that cannot be written:
     disk full, read-only or missing folder)
  3  advisory data unavailable (store missing, damaged or not writable, older than
     --max-db-age, no data for an audited ecosystem, locked by another writer for longer
     than --lock-timeout, download failed or timed out)
  4  nothing to audit (no dependency file found)
  5  vigil desk: the action is refused by a desk rule (the message names it)
  6  vigil desk: no such report, entry or request
  7  vigil desk export: the audit log's hash chain does not verify (the message names the
     first broken entry; the export is written all the same)
  70 a bug in vigil (please report it)
A closed stdout (EPIPE, e.g. "| head") is not an error: the status stays as above.`;

/**
 * The exit status once stdout has been flushed, and the line to log, given the first error
 * writing it. A reader that went away (EPIPE: `vigil audit | head`) is not an error, as for most
 * Unix tools: the status stays the command's, a passed gate stays 0. Any other failure (stdout
 * redirected to a full disk) means the report asked for was not written: an output error, exit 2,
 * whatever the gate said; an earlier error's status (3, 70, ...) is kept.
 */
export function statusAfterStdout(
  status: number,
  error: NodeJS.ErrnoException | undefined,
): { readonly status: number; readonly message?: string } {
  if (error === undefined || error.code === 'EPIPE') return { status };
  const message = `vigil: cannot write to stdout: ${describeSystemError(error)}`;
  return { status: status === EXIT.ok || status === EXIT.gateFailed ? EXIT.usage : status, message };
}
