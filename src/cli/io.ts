import { visibleText } from '../core/visible-text.js';

/** The terminal as the commands see it; tests may pass their own. */
export interface CliIo {
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  readonly env: NodeJS.ProcessEnv;
  /** Write a log line to stderr. */
  log(line: string): void;
}

/** The process's own terminal, as `main` runs on it. */
export interface ProcessIo extends CliIo {
  /**
   * Waits until everything written to stdout so far has been flushed; resolves with the first
   * error writing it (EPIPE: the reader went away; ENOSPC: stdout is a file on a full disk), if any.
   */
  stdoutSettled(): Promise<NodeJS.ErrnoException | undefined>;
}

export function processIo(): ProcessIo {
  const stdout = watchWrites(process.stdout);
  // A failing stderr (closed, full disk) leaves nowhere to report anything: it must not crash
  // the run or change its status.
  watchWrites(process.stderr);
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    // Every log line is one line on stderr whatever text from input it carries (see visibleText).
    log: (line) => process.stderr.write(`${visibleText(line)}\n`),
    stdoutSettled: stdout,
  };
}

/**
 * Keeps the first write error of a stream instead of letting it crash the process (a stream's
 * 'error' event without a listener is thrown, with its stack, after the command has finished:
 * a passed gate used to end in exit 1). Returns a function that flushes and reports it.
 */
function watchWrites(stream: NodeJS.WriteStream): () => Promise<NodeJS.ErrnoException | undefined> {
  let first: NodeJS.ErrnoException | undefined;
  stream.on('error', (error: NodeJS.ErrnoException) => {
    first ??= error;
  });
  return () =>
    new Promise((resolve) => {
      if (first !== undefined || stream.destroyed || stream.writableEnded) {
        resolve(first);
        return;
      }
      // The callback of an empty write runs once every earlier write is flushed (or failed).
      stream.write('', (error) => {
        resolve(first ?? (error ?? undefined));
      });
    });
}

/** Progress bars and colours only for a person at a terminal: not in CI, not with NO_COLOR. */
export function isInteractive(io: CliIo): boolean {
  return io.stderr.isTTY && !io.env['CI'];
}

export function useColor(io: CliIo): boolean {
  return io.stdout.isTTY && !io.env['NO_COLOR'] && io.env['TERM'] !== 'dumb';
}
