import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../helpers/shared-data.js';

export const cliPath = path.join(repoRoot, 'dist', 'cli', 'main.js');

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Commands that read the advisory store and fail when its data is older than `--max-db-age`, as
 * the words that start them (`report` has its kind of report first).
 */
const AUDITING_COMMANDS: readonly (readonly string[])[] = [['audit'], ['plan'], ['fix'], ['report', 'security-md']];

/**
 * The age allowed to the advisory data of e2e runs. Their data is the shared corpus and the test
 * fixtures, snapshots frozen in 2023-2024: measured from the newest record's `modified`, as vigil
 * measures it, every audit would be years too old (exit 3). Tests of that rule pass
 * `--max-db-age` themselves, which replaces this.
 */
export const FROZEN_DATA_MAX_AGE = '36500d';

function allowingFrozenData(args: readonly string[]): readonly string[] {
  const command = AUDITING_COMMANDS.find((words) => words.every((word, index) => args[index] === word));
  if (command === undefined) return args;
  if (args.some((arg) => arg === '--max-db-age' || arg.startsWith('--max-db-age='))) return args;
  return [...command, '--max-db-age', FROZEN_DATA_MAX_AGE, ...args.slice(command.length)];
}

/**
 * Runs the built CLI as a user would (a separate process, CI=true, no colours, no network but
 * what `env` points at 127.0.0.1). Auditing commands get `--max-db-age FROZEN_DATA_MAX_AGE`
 * unless the test gives `--max-db-age`.
 */
export function runCli(args: readonly string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<CliRun> {
  if (!existsSync(cliPath)) throw new Error('dist/cli/main.js is missing: run "npm run build" first');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...allowingFrozenData(args)], {
      cwd: options.cwd ?? repoRoot,
      env: {
        PATH: process.env['PATH'] ?? '',
        HOME: process.env['HOME'] ?? '',
        CI: 'true',
        NO_COLOR: '1',
        // Never the public mirror from a test.
        VIGIL_OSV_MIRROR: 'http://127.0.0.1:9',
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => { resolve({ code, stdout, stderr }); });
  });
}

/** No stack trace: no line that looks like `    at fn (file:1:2)`. */
export function hasStackTrace(text: string): boolean {
  return /^\s+at .+:\d+:\d+\)?$/m.test(text);
}
