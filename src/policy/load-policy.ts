import { existsSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../core/errors.js';
import { MAX_CONFIG_FILE_BYTES, tooLargeMessage } from '../core/input-limits.js';
import { readFileWithin } from '../core/read-bounded.js';
import { DEFAULT_POLICY } from './default-policy.js';
import type { Policy } from './types.js';

// Finding and reading the policy. The parser (YAML with positions, the zod schema) is loaded only
// when there is a file to parse: a project without vigil.yaml pays nothing for it.

/** The policy file read from the project root (the folder vigil runs in). */
export const POLICY_FILE_NAME = 'vigil.yaml';

export interface LoadPolicyOptions {
  /** The project root: `vigil.yaml` is looked for here only, never in scanned subfolders. */
  readonly root: string;
  /** A policy file named explicitly (`--policy`); it must exist. */
  readonly policyFile?: string;
  /** An allowlist JSON file (`--allowlist`) whose entries are added to the exceptions. */
  readonly allowlistFile?: string;
}

/**
 * Reads the policy: the named file, else `vigil.yaml` at the root, else the default policy. A file
 * that is not valid YAML, has an unknown key or a value of the wrong type is a ConfigError naming
 * its line; an exception entry with a problem is kept out and reported as a PolicyProblem, which
 * fails the gate.
 */
export async function loadPolicy(options: LoadPolicyOptions): Promise<Policy> {
  const policyPath = options.policyFile ? path.resolve(options.policyFile) : path.join(options.root, POLICY_FILE_NAME);
  let policy = DEFAULT_POLICY;
  if (options.policyFile !== undefined || existsSync(policyPath)) {
    const shown = displayPath(options.root, policyPath);
    const { parsePolicyText } = await import('./policy-file.js');
    policy = parsePolicyText(await readText(policyPath, shown), shown);
  }
  if (options.allowlistFile !== undefined) {
    const allowlistPath = path.resolve(options.allowlistFile);
    const shown = displayPath(options.root, allowlistPath);
    const { parseAllowlistText } = await import('./policy-file.js');
    const { exceptions, problems } = parseAllowlistText(await readText(allowlistPath, shown), shown);
    policy = { ...policy, exceptions: [...policy.exceptions, ...exceptions], problems: [...policy.problems, ...problems] };
  }
  return policy;
}

async function readText(absolute: string, shown: string): Promise<string> {
  let bytes: Buffer | undefined;
  try {
    bytes = await readFileWithin(absolute, MAX_CONFIG_FILE_BYTES);
  } catch (error) {
    throw new ConfigError(`${shown}: cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { cause: error });
  }
  if (bytes === undefined) throw new ConfigError(`the file is ${tooLargeMessage(MAX_CONFIG_FILE_BYTES, 'a configuration file')}`, { location: { file: shown } });
  return bytes.toString('utf8');
}

function displayPath(root: string, absolute: string): string {
  const relative = path.relative(root, absolute);
  return (relative === '' || relative.startsWith('..') ? absolute : relative).split(path.sep).join('/');
}
