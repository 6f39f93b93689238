import type { VigilErrorCode } from '../core/errors.js';

/**
 * Every exit status vigil uses, in one place. Kept below 126 so none clashes with the shell's
 * own (126-165: not executable, not found, killed by a signal).
 */
export const EXIT = {
  /** Nothing blocking. */
  ok: 0,
  /** The gate failed: a blocking finding (or, with --strict, a skipped entry). */
  gateFailed: 1,
  /** Usage, configuration or input error: bad flag, unparseable lockfile or advisory. */
  usage: 2,
  /** Advisory data unavailable: store missing, stale, or a failed download. */
  advisoryData: 3,
  /** Nothing to audit: no dependency file found. */
  nothingToAudit: 4,
  /** The desk refused an action its rules forbid (or another writer changed the report first). */
  refused: 5,
  /** The desk has no such report, entry or request. */
  notFound: 6,
  /** A bug in vigil. */
  internal: 70,
} as const;

export const EXIT_FOR_ERROR = {
  usage: EXIT.usage,
  config: EXIT.usage,
  input: EXIT.usage,
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
  2  usage, configuration or input error (bad flag, unparseable lockfile)
  3  advisory data unavailable (store missing, older than --max-db-age, download failed)
  4  nothing to audit (no dependency file found)
  5  vigil desk: the action is refused by a desk rule (the message names it)
  6  vigil desk: no such report, entry or request`;
