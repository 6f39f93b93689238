#!/usr/bin/env node
import { VigilError } from '../core/errors.js';
import { EXIT, EXIT_CODES_HELP, EXIT_FOR_ERROR, statusAfterStdout } from './exit-codes.js';
import { processIo, type CliIo } from './io.js';
import { toolVersion } from './version.js';

const MAIN_HELP = `Usage: vigil <command> [options]

vigil turns a project's dependency security policy into code that runs.

Commands:
  audit [PATH...]   audit dependency files against the local advisory store
  db import|update|status
                    manage the local OSV advisory store
  policy check|init validate the policy file, or write a starter one
  plan [PATH...]    plan the remediation of each vulnerable package under the maintenance policy
  fix [PATH...]     apply the allowed fixes (requirements.txt pins, package.json overrides);
                    --dry-run shows the diff
  report security-md [PATH...]
                    write the dependency-security section of SECURITY.md; --check for CI
  desk <command>    the disclosure desk: private reports, SLA clocks, embargo, advisories,
                    notification list
  monitor push|rematch|affected|status
                    the portfolio monitor: tracked refs re-checked when advisories change

Run "vigil <command> --help" for the options of each.

${EXIT_CODES_HELP}
`;

/** Runs one command line and returns its exit status; the only place that maps errors to codes. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      // Commands are loaded on demand: start-up time is part of every CI run.
      case 'audit':
        return await (await import('./commands/audit.js')).runAudit(rest, io);
      case 'db':
        return await (await import('./commands/db.js')).runDb(rest, io);
      case 'policy':
        return await (await import('./commands/policy.js')).runPolicy(rest, io);
      case 'plan':
        return await (await import('./commands/plan.js')).runPlan(rest, io);
      case 'fix':
        return await (await import('./commands/fix.js')).runFix(rest, io);
      case 'report':
        return await (await import('./commands/report.js')).runReport(rest, io);
      case 'desk':
        return await (await import('./commands/desk.js')).runDesk(rest, io);
      case 'monitor':
        return await (await import('./commands/monitor.js')).runMonitor(rest, io);
      case '--version':
      case '-V':
        io.stdout.write(`${toolVersion()}\n`);
        return EXIT.ok;
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        io.stdout.write(command === 'help' && rest[0] === 'audit' ? (await import('./commands/audit.js')).AUDIT_HELP : MAIN_HELP);
        return command === undefined ? EXIT.usage : EXIT.ok;
      default:
        io.log(`vigil: unknown command "${command}"`);
        io.log('  hint: run "vigil --help" for the commands');
        return EXIT.usage;
    }
  } catch (error) {
    if (error instanceof VigilError) {
      io.log(`vigil: ${error.format()}`);
      if (error.hint) io.log(`  hint: ${error.hint}`);
      return EXIT_FOR_ERROR[error.code];
    }
    // Not one of ours: a bug. One line, and the stack only when asked for.
    const message = error instanceof Error ? error.message : String(error);
    io.log(`vigil: internal error: ${message.split('\n')[0] ?? ''}`);
    if (io.env['VIGIL_DEBUG'] && error instanceof Error && error.stack) for (const line of error.stack.split('\n')) io.log(line);
    else io.log('  hint: set VIGIL_DEBUG=1 for details, and please report this');
    return EXIT.internal;
  }
}

const io = processIo();
const status = await main(process.argv.slice(2), io);
const settled = statusAfterStdout(status, await io.stdoutSettled());
if (settled.message !== undefined) io.log(settled.message);
process.exitCode = settled.status;
