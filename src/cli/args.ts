import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../core/errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Flags of the tools vigil replaces, and what to use instead: a newcomer's muscle memory gets an
 * answer, not only "unknown option".
 */
const PEER_FLAGS: Readonly<Record<string, string>> = {
  '--ignore-vuln': 'exceptions are governed in vigil.yaml (exceptions: with reason, approver, issue and expiry) or read with --allowlist FILE',
  '--desc': 'every report carries the advisory summaries; --format json has them all',
  '--vulnerability-service': 'vigil matches against its local OSV store (vigil db update, vigil db import PATH)',
  '--ignore-unfixed': 'use an exception, or --fail-on to raise the threshold',
  '--severity': 'use --fail-on LEVEL (low, medium, high, critical)',
};

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const saved = row[j] ?? 0;
      row[j] = Math.min((row[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = saved;
    }
  }
  return row[b.length] ?? 0;
}

/** The closest option of the command to a mistyped one, when close enough to be a typo. */
export function suggestOption(given: string, options: Options): string | undefined {
  const name = given.replace(/^-+/, '').split('=')[0] ?? '';
  let best: { option: string; cost: number } | undefined;
  for (const option of Object.keys(options)) {
    const cost = distance(name, option);
    if (best === undefined || cost < best.cost) best = { option, cost };
  }
  return best !== undefined && best.cost <= Math.max(1, Math.floor(best.option.length / 3)) ? `--${best.option}` : undefined;
}

/** The first argument that is not an option of the command (before any `--`). */
function unknownOption(args: readonly string[], options: Options): string | undefined {
  const shorts = new Set(Object.values(options).flatMap((option) => (option.short === undefined ? [] : [option.short])));
  for (const arg of args) {
    if (arg === '--') return undefined;
    if (arg.startsWith('--')) {
      if (!((arg.slice(2).split('=')[0] ?? '') in options)) return arg.split('=')[0];
    } else if (arg.startsWith('-') && arg.length > 1) {
      for (const letter of arg.slice(1)) if (!shorts.has(letter)) return `-${letter}`;
    }
  }
  return undefined;
}

/** node:util parseArgs, strict, with its errors turned into one-line usage errors in vigil's words. */
export function parseCommandArgs<T extends Options>(
  command: string,
  args: readonly string[],
  options: T,
): ReturnType<typeof parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>> {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (error) {
    const help = `see "vigil ${command} --help"`;
    const unknown = (error as { code?: unknown }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? unknownOption(args, options) : undefined;
    if (unknown !== undefined) {
      const peer = PEER_FLAGS[unknown];
      const suggestion = peer === undefined ? suggestOption(unknown, options) : undefined;
      throw new UsageError(`${command}: unknown option ${unknown}`, {
        hint: peer ?? (suggestion === undefined ? help : `did you mean ${suggestion}? (${help})`),
      });
    }
    // node's own wording, first line only and without its quoting advice.
    const message = error instanceof Error ? (error.message.split('\n')[0] ?? error.message).replace(/\. To specify a positional argument.*$/, '') : String(error);
    throw new UsageError(`${command}: ${message}`, { hint: help });
  }
}
