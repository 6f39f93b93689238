import type { SourceLocation } from './types.js';

/** Error kinds; the CLI maps each to an exit code in one place (`src/cli/exit-codes.ts`). */
export type VigilErrorCode =
  | 'usage'
  | 'config'
  | 'input'
  | 'output'
  | 'advisory-data'
  | 'nothing-to-audit'
  | 'refused'
  | 'not-found'
  | 'internal';

export interface VigilErrorOptions {
  readonly location?: SourceLocation;
  readonly hint?: string;
  readonly cause?: unknown;
}

/**
 * Base of every error vigil raises on purpose. Its message is one line, in compiler form when a
 * location is known: `poetry.lock:42: invalid TOML ...`.
 */
export class VigilError extends Error {
  readonly code: VigilErrorCode;
  readonly location: SourceLocation | undefined;
  readonly hint: string | undefined;

  constructor(code: VigilErrorCode, message: string, options: VigilErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.location = options.location;
    this.hint = options.hint;
  }

  /** `file:line:column: message`, the form editors and CI jump to. */
  format(): string {
    return formatLocated(this.location, this.message);
  }
}

/** A bad command line: unknown flag, missing argument. */
export class UsageError extends VigilError {
  constructor(message: string, options: VigilErrorOptions = {}) {
    super('usage', message, options);
  }
}

/** A configuration file (policy, settings) that is invalid. */
export class ConfigError extends VigilError {
  constructor(message: string, options: VigilErrorOptions = {}) {
    super('config', message, options);
  }
}

/** A dependency file we cannot read as a whole (broken JSON, TOML error, unknown lockfile version). */
export class LockfileParseError extends VigilError {
  constructor(message: string, options: VigilErrorOptions = {}) {
    super('input', message, options);
  }
}

/** A malformed advisory record. */
export class AdvisoryParseError extends VigilError {
  constructor(message: string, options: VigilErrorOptions = {}) {
    super('input', message, options);
  }
}

/**
 * A file or stream vigil was asked to write cannot be written: the disk is full, the folder is
 * read-only or missing, stdout is closed. The message names the user's path, never a temp file.
 */
export class OutputError extends VigilError {
  constructor(message: string, options: VigilErrorOptions = {}) {
    super('output', message, options);
  }
}

/** The advisory store is missing, stale, corrupt, or could not be downloaded: we fail closed. */
export class AdvisoryStoreError extends VigilError {
  constructor(message: string, options: VigilErrorOptions = {}) {
    super('advisory-data', message, options);
  }
}

/** No dependency file was found below the audited paths. */
export class NothingToAuditError extends VigilError {
  constructor(message: string, options: VigilErrorOptions = {}) {
    super('nothing-to-audit', message, options);
  }
}

/**
 * The desk refused an action its rules forbid (a transition not allowed from the report's state,
 * disclosure without every fix, a role without the right); the message says which rule.
 */
export class DeskRuleError extends VigilError {
  constructor(message: string, options: VigilErrorOptions = {}) {
    super('refused', message, options);
  }
}

/** Another writer changed the record first (the report left the state the action started from). */
export class DeskConflictError extends VigilError {
  constructor(message: string, options: VigilErrorOptions = {}) {
    super('refused', message, options);
  }
}

/** The desk has no such report, entry or request. */
export class DeskNotFoundError extends VigilError {
  constructor(message: string, options: VigilErrorOptions = {}) {
    super('not-found', message, options);
  }
}

/** A bug in vigil. */
export class InternalError extends VigilError {
  constructor(message: string, options: VigilErrorOptions = {}) {
    super('internal', message, options);
  }
}

// strerror(3) wording for the errors a write or open meets in practice; `error.message` from
// node:fs also names the syscall and the path it used (a temp file), which is not the user's.
const SYSTEM_ERRORS: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'no such file or folder',
  ENOTDIR: 'a parent is not a folder',
  EISDIR: 'is a folder',
  EEXIST: 'already exists',
  EFBIG: 'file too large',
  EIO: 'input/output error',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  ENAMETOOLONG: 'file name too long',
  ELOOP: 'too many levels of symbolic links',
  EPIPE: 'broken pipe (the reader went away)',
  EBUSY: 'resource busy',
  ETXTBSY: 'text file busy',
  EXDEV: 'not on the same file system',
};

/**
 * One line for a system error, without the paths node adds: `no space left on device (ENOSPC)`;
 * the first line of the message for anything else.
 */
export function describeSystemError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string' && code in SYSTEM_ERRORS) return `${SYSTEM_ERRORS[code] ?? code} (${code})`;
  const message = ((error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '').trim();
  // node:fs form `ECODE: text, syscall 'path'`: keep the text and the code, drop the path.
  const system = typeof code === 'string' ? /^[A-Z0-9_]+: (.+?), [a-z_]+\b/.exec(message) : null;
  return system?.[1] === undefined ? message : `${system[1]} (${code ?? ''})`;
}

export function formatLocated(location: SourceLocation | undefined, message: string): string {
  if (!location) return message;
  let prefix = location.file;
  if (location.line !== undefined) {
    prefix += `:${location.line}`;
    if (location.column !== undefined) prefix += `:${location.column}`;
  }
  return `${prefix}: ${message}`;
}

/** 1-based line and column of a character offset in a text. */
export function lineColumnAt(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}
