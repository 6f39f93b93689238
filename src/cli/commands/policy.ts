import { existsSync } from 'node:fs';
import path from 'node:path';
import { systemClock } from '../../core/clock.js';
import { writeFileAtomic } from '../../core/atomic-write.js';
import { formatLocated, UsageError } from '../../core/errors.js';
import { evaluateGate } from '../../policy/gate.js';
import { loadPolicy, POLICY_FILE_NAME } from '../../policy/load-policy.js';
import { STARTER_POLICY } from '../../policy/starter-policy.js';
import { parseCommandArgs } from '../args.js';
import { EXIT, EXIT_CODES_HELP } from '../exit-codes.js';
import type { CliIo } from '../io.js';

export const POLICY_HELP = `Usage: vigil policy <command> [options]

Commands:
  check    validate the policy file and its exceptions without auditing (for a pre-commit hook):
           schema errors exit 2; invalid, expired, over-long or wrongly approved exceptions exit 1
  init     write a commented starter ${POLICY_FILE_NAME} (the seed policy) in the current folder

Options:
  --policy FILE        policy file (default: ${POLICY_FILE_NAME} in the current folder)
  --allowlist FILE     (check) also check an allowlist JSON file {"entries": [...]}
  --force              (init) overwrite an existing file
  -h, --help           show this help

${EXIT_CODES_HELP}
`;

export async function runPolicy(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs('policy', args, {
    policy: { type: 'string' },
    allowlist: { type: 'string' },
    force: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  });
  const [subcommand, ...rest] = positionals;
  if (values.help || subcommand === undefined) {
    io.stdout.write(POLICY_HELP);
    return values.help ? EXIT.ok : EXIT.usage;
  }
  if (rest.length > 0) throw new UsageError(`policy ${subcommand}: unexpected argument "${rest[0] ?? ''}"`);
  switch (subcommand) {
    case 'init': {
      const target = path.resolve(values.policy ?? POLICY_FILE_NAME);
      if (existsSync(target) && !values.force) {
        throw new UsageError(`policy init: ${target} exists`, { hint: 'use --force to overwrite it' });
      }
      await writeFileAtomic(target, STARTER_POLICY);
      io.stdout.write(`wrote ${target}\n`);
      return EXIT.ok;
    }
    case 'check': {
      const root = process.cwd();
      if (values.policy === undefined && !existsSync(path.join(root, POLICY_FILE_NAME))) {
        throw new UsageError(`policy check: no ${POLICY_FILE_NAME} here`, { hint: 'name one with --policy, or run "vigil policy init"' });
      }
      const policy = await loadPolicy({
        root,
        ...(values.policy === undefined ? {} : { policyFile: values.policy }),
        ...(values.allowlist === undefined ? {} : { allowlistFile: values.allowlist }),
      });
      // Without an audit there are no findings: expiry, approvers and the longest allowed
      // lifetime are checked; unused-exception warnings need an audit and are left out.
      const gate = evaluateGate([], policy, systemClock);
      const problems = gate.problems.filter((problem) => problem.code !== 'exception-unused');
      for (const problem of problems) io.log(`${problem.severity}: ${formatLocated(problem.location, problem.message)}`);
      const errors = problems.filter((problem) => problem.severity === 'error').length;
      io.stdout.write(
        `${policy.source ?? POLICY_FILE_NAME}: ${policy.exceptions.length} valid exception${policy.exceptions.length === 1 ? '' : 's'}, ` +
          `${errors} error${errors === 1 ? '' : 's'}, ${problems.length - errors} warning${problems.length - errors === 1 ? '' : 's'}\n`,
      );
      return errors > 0 ? EXIT.gateFailed : EXIT.ok;
    }
    default:
      throw new UsageError(`policy: unknown command "${subcommand}"`, { hint: 'expected check or init' });
  }
}
