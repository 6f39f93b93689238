import { UsageError } from '../core/errors.js';

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses a time limit, `500ms`, `30s`, `1.5m`, `1h`, or a bare number of seconds, into milliseconds. */
export function parseTimeLimit(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/.exec(text.trim());
  if (!match) return undefined;
  return Math.round(Number(match[1]) * (UNITS[match[2] ?? 's'] ?? 1000));
}

/** Where a time limit is read from, and what it is when neither place sets it. */
export interface TimeLimitSource {
  /** The flag, without its dashes. */
  readonly flag: string;
  readonly flagValue: string | undefined;
  /** The environment variable read when the flag is not given. */
  readonly envName: string;
  readonly defaultMs: number;
  /** Whether 0 is allowed (and means "do not wait"). */
  readonly allowZero?: boolean;
}

/**
 * The limit from `--flag`, else from the environment variable, else the default.
 * @throws UsageError naming the flag or variable when the value is malformed.
 */
export function timeLimitOf(command: string, source: TimeLimitSource, env: NodeJS.ProcessEnv): number {
  const fromEnv = env[source.envName];
  const [text, origin] =
    source.flagValue !== undefined ? [source.flagValue, `--${source.flag}`] : fromEnv !== undefined && fromEnv !== '' ? [fromEnv, source.envName] : [undefined, ''];
  if (text === undefined) return source.defaultMs;
  const ms = parseTimeLimit(text);
  if (ms === undefined || (ms === 0 && source.allowZero !== true)) {
    throw new UsageError(`${command}: invalid ${origin} "${text}" (expected a time such as 30s, 500ms, 2m${source.allowZero === true ? ', or 0' : ''})`);
  }
  return ms;
}

/** `30s`, `1.5s`, `2m`, for messages. */
export function formatTimeLimit(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${(ms / 1000).toFixed(1)}s`;
}
