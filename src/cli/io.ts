import { visibleText } from '../core/visible-text.js';

/** The terminal as the commands see it; tests may pass their own. */
export interface CliIo {
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  readonly env: NodeJS.ProcessEnv;
  /** Write a log line to stderr. */
  log(line: string): void;
}

export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    // Every log line is one line on stderr whatever text from input it carries (see visibleText).
    log: (line) => process.stderr.write(`${visibleText(line)}\n`),
  };
}

/** Progress bars and colours only for a person at a terminal: not in CI, not with NO_COLOR. */
export function isInteractive(io: CliIo): boolean {
  return io.stderr.isTTY && !io.env['CI'];
}

export function useColor(io: CliIo): boolean {
  return io.stdout.isTTY && !io.env['NO_COLOR'] && io.env['TERM'] !== 'dumb';
}
