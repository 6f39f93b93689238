import { existsSync } from 'node:fs';
import path from 'node:path';
import { systemClock, type Clock } from '../../core/clock.js';
import { ConfigError, UsageError } from '../../core/errors.js';
import { MAX_CONFIG_FILE_BYTES, tooLargeMessage } from '../../core/input-limits.js';
import { readFileWithin } from '../../core/read-bounded.js';
import { visibleText } from '../../core/visible-text.js';
import type { PushInput, PushOutcome } from '../../monitor/push.js';
import type { MonitorDb } from '../../monitor/store/open-monitor-store.js';
import { POLICY_FILE_NAME } from '../../policy/load-policy.js';
import { buildReport, type Report } from '../../report/report.js';
import { reporters } from '../../report/registry.js';
import { parseCommandArgs } from '../args.js';
import { maxDbAgeOf, storeOpener } from '../audit-session.js';
import { EXIT, EXIT_CODES_HELP } from '../exit-codes.js';
import { logGate } from '../gate-log.js';
import { useColor, type CliIo } from '../io.js';
import { resolveStorePath } from '../store-path.js';
import { toolVersion } from '../version.js';
import { typedFilesOf } from './audit.js';

export const MONITOR_HELP = `Usage: vigil monitor <command> [options]

The portfolio monitor: tracked refs (branches, release lines, tags) of projects, each with its
inventory and policy, re-checked whenever the advisory store changes.

Commands:
  push --project NAME --ref REF [PATH...]
              replace the ref's inventory (the files "vigil audit" reads, or a CycloneDX SBOM)
              and policy (--policy FILE, else vigil.yaml here), and report its findings as
              "vigil audit" does (exit 1 when the gate fails)
  rematch     match the advisory records new or changed since the last rematch against every
              stored inventory (run it after "vigil db update" or "vigil db import"); exit 3
              when the data is older than --max-db-age (default 7d), after matching
  affected ID the refs an advisory (any of its ids or aliases) affects
  affected --package ECOSYSTEM:NAME[@VERSION]
              the refs holding a package (at that version: compared by the
              ecosystem's scheme), e.g. --package npm:json5@2.2.1
  status      every project and ref: open findings per severity, excepted, overdue,
              unevaluable, expiring exceptions

Options:
  --monitor-db PATH|URL
              the monitor database: a SQLite file or a postgres:// URL (default:
              $VIGIL_MONITOR_DB, else monitor.db beside the advisory store)
  --db PATH   advisory store (default: $VIGIL_DB, else the user cache folder)
  --max-db-age AGE
              push, rematch: fail when the advisory data is older than AGE (default 7d;
              push: the ref policy's max_db_age)
  --offline   push: never download the advisory store
  --policy FILE
              push: the ref's policy file
  -r, --requirement FILE, -L, --lockfile FORMAT:FILE, --exclude GLOB
              push: as for "vigil audit"
  -f, --format table|json
              push: the report's format (default table)
  --json      affected, status, rematch: print JSON
  --server URL
              push: send the files to a monitor server (vigil desk serve with the
              monitor) instead of writing a monitor database; the files must be below
              the current folder (they are stored relative to it); the report and the
              exit status are the server's; an unreachable server exits 3
  --token TOKEN
              push --server: the API token (default $VIGIL_MONITOR_TOKEN; prefer the
              variable: a command line is visible to other users of the machine); make
              one with "vigil desk token create NAME --role responder --scope
              monitor:project:NAME"
  -q, --quiet push: only the gate's counts, errors and verdict on stderr
  -h, --help  show this help

${EXIT_CODES_HELP}
`;

const OPTIONS = {
  project: { type: 'string' },
  package: { type: 'string' },
  ref: { type: 'string' },
  'monitor-db': { type: 'string' },
  db: { type: 'string' },
  'max-db-age': { type: 'string' },
  offline: { type: 'boolean', default: false },
  mirror: { type: 'string' },
  policy: { type: 'string' },
  requirement: { type: 'string', short: 'r', multiple: true },
  lockfile: { type: 'string', short: 'L', multiple: true },
  exclude: { type: 'string', multiple: true },
  format: { type: 'string', short: 'f', default: 'table' },
  json: { type: 'boolean', default: false },
  server: { type: 'string' },
  token: { type: 'string' },
  quiet: { type: 'boolean', short: 'q', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

export async function runMonitor(args: readonly string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    io.stdout.write(MONITOR_HELP);
    return sub === undefined ? EXIT.usage : EXIT.ok;
  }
  if (!['push', 'rematch', 'affected', 'status'].includes(sub)) {
    throw new UsageError(`monitor: unknown command "${visibleText(sub.slice(0, 40))}"`, { hint: 'see "vigil monitor --help"' });
  }
  const { values, positionals } = parseCommandArgs(`monitor ${sub}`, rest, OPTIONS);
  if (values.help) {
    io.stdout.write(MONITOR_HELP);
    return EXIT.ok;
  }
  if (values.server !== undefined || values.token !== undefined) {
    if (sub !== 'push') throw new UsageError(`monitor ${sub}: --server and --token are for push`);
    if (values.server === undefined) throw new UsageError('monitor push: --token needs --server URL');
    for (const local of ['monitor-db', 'db', 'offline', 'mirror', 'max-db-age'] as const) {
      const value = values[local];
      if (value !== undefined && value !== false) {
        throw new UsageError(`monitor push: --${local} is for a local push; with --server the server's advisory store and the ref's policy decide`);
      }
    }
    return runRemotePush(values, values.server, positionals, io);
  }
  const clock = systemClock;
  const storePath = resolveStorePath(values.db, io.env);
  const location = values['monitor-db'] ?? io.env['VIGIL_MONITOR_DB'] ?? path.join(path.dirname(storePath), 'monitor.db');
  const { openMonitorStore } = await import('../../monitor/store/open-monitor-store.js');
  if (sub !== 'push' && !/^postgres(ql)?:\/\//i.test(location) && !existsSync(location)) {
    throw new ConfigError(`no monitor database at ${location}`, { hint: 'push a ref first ("vigil monitor push"), or give --monitor-db' });
  }
  const monitor = await openMonitorStore({ location });
  try {
    switch (sub) {
      case 'push':
        return await runPush(monitor, values, positionals, io, clock);
      case 'rematch':
        return await runRematch(monitor, storePath, values, io, clock);
      case 'affected':
        return await runAffected(monitor, positionals, values, io);
      default:
        return await runStatus(monitor, positionals, values.json, io, clock);
    }
  } finally {
    await monitor.close();
  }
}

type Values = ReturnType<typeof parseCommandArgs<typeof OPTIONS>>['values'];

async function runPush(monitor: MonitorDb, values: Values, positionals: readonly string[], io: CliIo, clock: Clock): Promise<number> {
  if (values.project === undefined || values.ref === undefined) {
    throw new UsageError('monitor push: --project NAME and --ref REF are required', { hint: 'e.g. vigil monitor push --project nautobot --ref 2.4-ltm poetry.lock' });
  }
  if (values.format !== 'table' && values.format !== 'json') throw new UsageError(`monitor push: invalid --format "${visibleText(values.format.slice(0, 40))}" (expected table or json)`);
  const policyPath = values.policy ?? (existsSync(POLICY_FILE_NAME) ? POLICY_FILE_NAME : undefined);
  const policyText = policyPath === undefined ? undefined : await readPolicyText(policyPath);
  const typedFiles = typedFilesOf(values.requirement ?? [], values.lockfile ?? []);
  const input: PushInput = {
    paths: positionals.length > 0 || typedFiles.length > 0 ? positionals : ['.'],
    root: process.cwd(),
    typedFiles,
    ...(values.exclude === undefined ? {} : { exclude: values.exclude }),
  };
  const log = (line: string): void => {
    if (!values.quiet) io.log(line);
  };
  const { pushRef } = await import('../../monitor/push.js');
  const { DEFAULT_POLICY } = await import('../../policy/default-policy.js');
  const outcome: PushOutcome = await pushRef({
    monitor,
    project: values.project,
    ref: values.ref,
    input,
    ...(policyText === undefined ? {} : { policyText, policyFile: policyPath }),
    openStore: storeOpener({ db: values.db, offline: values.offline, mirror: values.mirror, quiet: values.quiet }, io, clock, log),
    clock,
    ...(values['max-db-age'] === undefined ? {} : { maxDbAgeMs: maxDbAgeOf('monitor push', values['max-db-age'], DEFAULT_POLICY) }),
  });
  const report = buildReport(outcome.result, outcome.gate, outcome.policy, toolVersion());
  const render = await reporters[values.format].load();
  io.stdout.write(render(report, { color: useColor(io) }));
  const { changes } = outcome;
  log(
    `monitor: ${visibleText(values.project)}@${visibleText(values.ref)}: ${outcome.result.inventory.packages.length} packages stored; ` +
      `${changes.created} new, ${changes.reopened} reopened, ${changes.fixed} fixed findings`,
  );
  logGate(
    report,
    (line) => {
      io.log(line);
    },
    { quiet: values.quiet },
  );
  return outcome.failed ? EXIT.gateFailed : EXIT.ok;
}

/** The ref's policy text: --policy FILE, else vigil.yaml in the current folder, else none (the default policy). */
async function policyOf(values: Values): Promise<{ text: string; file: string } | undefined> {
  const policyPath = values.policy ?? (existsSync(POLICY_FILE_NAME) ? POLICY_FILE_NAME : undefined);
  return policyPath === undefined ? undefined : { text: await readPolicyText(policyPath), file: policyPath };
}

function requireProjectRef(values: Values): { project: string; ref: string } {
  if (values.project === undefined || values.ref === undefined) {
    throw new UsageError('monitor push: --project NAME and --ref REF are required', { hint: 'e.g. vigil monitor push --project nautobot --ref 2.4-ltm poetry.lock' });
  }
  if (values.format !== 'table' && values.format !== 'json') throw new UsageError(`monitor push: invalid --format "${visibleText(values.format.slice(0, 40))}" (expected table or json)`);
  return { project: values.project, ref: values.ref };
}

/**
 * `vigil monitor push --server URL`: the files a local push would read, found and parsed here,
 * sent to the server, which audits and stores them; the report printed as for a local push and
 * the exit status the server reports (0, or 1 when the gate failed).
 */
async function runRemotePush(values: Values, serverText: string, positionals: readonly string[], io: CliIo): Promise<number> {
  const { project, ref } = requireProjectRef(values);
  // Loaded on this path only: a local push and vigil audit never load the client.
  const { collectPushFiles, parseServerUrl, sendPush, serverName } = await import('../../monitor/remote-push.js');
  const server = parseServerUrl(serverText);
  const token = values.token ?? io.env['VIGIL_MONITOR_TOKEN'];
  if (token === undefined || token.trim() === '') {
    throw new UsageError('monitor push: --server needs a token: --token TOKEN or $VIGIL_MONITOR_TOKEN');
  }
  const policy = await policyOf(values);
  const typedFiles = typedFilesOf(values.requirement ?? [], values.lockfile ?? []);
  const files = await collectPushFiles({
    paths: positionals.length > 0 || typedFiles.length > 0 ? positionals : ['.'],
    root: process.cwd(),
    typedFiles,
    ...(values.exclude === undefined ? {} : { exclude: values.exclude }),
  });
  const answer = await sendPush({ server, token: token.trim(), request: { project, ref, files, ...(policy === undefined ? {} : { policy: policy.text }) } });
  // The server's report, in the reporters' own shape (it is the JSON report vigil audit writes).
  const report = answer.report as unknown as Report;
  const render = await reporters[values.format as 'table' | 'json'].load();
  io.stdout.write(render(report, { color: useColor(io) }));
  if (!values.quiet) {
    io.log(
      `monitor: ${visibleText(project)}@${visibleText(ref)} pushed to ${serverName(server)}: ${answer.counts.packages} packages stored; ` +
        `${answer.changes.created} new, ${answer.changes.reopened} reopened, ${answer.changes.fixed} fixed findings`,
    );
  }
  logGate(
    report,
    (line) => {
      io.log(line);
    },
    { quiet: values.quiet },
  );
  return answer.exitCode === 1 ? EXIT.gateFailed : EXIT.ok;
}

async function readPolicyText(file: string): Promise<string> {
  let bytes: Buffer | undefined;
  try {
    bytes = await readFileWithin(path.resolve(file), MAX_CONFIG_FILE_BYTES);
  } catch (error) {
    throw new ConfigError(`${file}: cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { cause: error });
  }
  if (bytes === undefined) throw new ConfigError(`the file is ${tooLargeMessage(MAX_CONFIG_FILE_BYTES, 'a configuration file')}`, { location: { file } });
  return bytes.toString('utf8');
}

/**
 * `vigil monitor rematch`: matches what changed, then checks the data's age. A stale store is
 * matched anyway (what it finds is real) but fails the command (exit 3), so that a scheduled
 * rematch over a store nobody updates any more is noticed, not taken as "nothing new".
 */
async function runRematch(monitor: MonitorDb, storePath: string, values: Values, io: CliIo, clock: Clock): Promise<number> {
  const { rematch } = await import('../../monitor/rematch.js');
  const { checkMonitorFreshness } = await import('../../monitor/freshness.js');
  const { DEFAULT_POLICY } = await import('../../policy/default-policy.js');
  const maxAgeMs = maxDbAgeOf('monitor rematch', values['max-db-age'], DEFAULT_POLICY);
  const outcome = await rematch({ monitor, storePath, clock });
  const json = values.json;
  if (json) io.stdout.write(`${JSON.stringify(outcome, null, 2)}\n`);
  else {
    const { changes } = outcome;
    io.stdout.write(
      `rematch: ${outcome.changedRecords} changed and ${outcome.removedRecords} removed records, ${outcome.lookups} package names looked up, ` +
        `${outcome.refs} refs matched; ${changes.created} new findings (${changes.outbox} notifications queued), ${changes.reopened} reopened, ` +
        `${changes.withdrawn} withdrawn, ${outcome.unevaluable} unevaluable\n`,
    );
  }
  await checkMonitorFreshness(monitor, storePath, clock, maxAgeMs);
  return EXIT.ok;
}

/** `ECOSYSTEM:NAME[@VERSION]` (`npm:json5@2.2.1`, `PyPI:django`; a scoped npm name keeps its first `@`). */
function parsePackageQuery(text: string): { ecosystem: string; name: string; version?: string } {
  const colon = text.indexOf(':');
  const at = text.lastIndexOf('@');
  const ecosystem = text.slice(0, colon);
  const hasVersion = at > colon + 1;
  const name = text.slice(colon + 1, hasVersion ? at : undefined);
  const version = hasVersion ? text.slice(at + 1) : undefined;
  if (colon <= 0 || name === '' || version === '') {
    throw new UsageError(`monitor affected: --package "${visibleText(text.slice(0, 80))}" is not ECOSYSTEM:NAME[@VERSION]`, { hint: 'e.g. --package npm:json5@2.2.1' });
  }
  return { ecosystem, name, ...(version === undefined ? {} : { version }) };
}

async function runAffected(monitor: MonitorDb, positionals: readonly string[], values: Values, io: CliIo): Promise<number> {
  const json = values.json;
  if (values.package !== undefined) {
    if (positionals.length > 0) throw new UsageError('monitor affected: give an advisory id or --package, not both');
    const query = parsePackageQuery(values.package);
    const { refsWithPackage } = await import('../../monitor/queries.js');
    const refs = await refsWithPackage(monitor, query.ecosystem, query.name, query.version);
    if (json) {
      io.stdout.write(`${JSON.stringify(refs, null, 2)}\n`);
      return EXIT.ok;
    }
    if (refs.length === 0) io.stdout.write(`no monitored ref holds ${visibleText(values.package)}\n`);
    for (const row of refs) io.stdout.write(`${visibleText(`${row.project}@${row.ref}  ${row.name}@${row.version}  ${row.file}`)}\n`);
    return EXIT.ok;
  }
  const [id, ...extra] = positionals;
  if (id === undefined || extra.length > 0) {
    throw new UsageError('monitor affected: give one advisory id, or --package ECOSYSTEM:NAME[@VERSION]', { hint: 'e.g. vigil monitor affected CVE-2024-29041' });
  }
  const { refsAffectedBy } = await import('../../monitor/queries.js');
  const findings = await refsAffectedBy(monitor, id);
  if (json) {
    io.stdout.write(`${JSON.stringify(findings, null, 2)}\n`);
    return EXIT.ok;
  }
  if (findings.length === 0) io.stdout.write(`no monitored ref is affected by ${visibleText(id)}\n`);
  for (const finding of findings) {
    const packages = finding.packages.map((pkg) => `${pkg.name}@${pkg.version} (${pkg.file})`).join(', ');
    io.stdout.write(
      visibleText(`${finding.project}@${finding.ref}  ${finding.advisory}  ${finding.state}  ${finding.severity}  ${packages}${finding.due === undefined ? '' : `  due ${finding.due.slice(0, 10)}`}`) + '\n',
    );
  }
  return EXIT.ok;
}

async function runStatus(monitor: MonitorDb, positionals: readonly string[], json: boolean, io: CliIo, clock: Clock): Promise<number> {
  if (positionals.length > 0) throw new UsageError('monitor status: takes no arguments');
  const { portfolioOverview } = await import('../../monitor/queries.js');
  const overview = await portfolioOverview(monitor, clock);
  if (json) {
    io.stdout.write(`${JSON.stringify(overview, null, 2)}\n`);
    return EXIT.ok;
  }
  if (overview.length === 0) io.stdout.write('no monitored refs yet\n');
  for (const ref of overview) {
    const levels = ['critical', 'high', 'medium', 'low', 'none', 'unknown'].map((level) => `${ref.open[level] ?? 0} ${level}`).join(', ');
    const expiring = ref.expiringExceptions.map((entry) => `${entry.id} (${entry.daysLeft < 0 ? 'expired' : `${entry.daysLeft} days`})`).join(', ');
    io.stdout.write(
      visibleText(
        `${ref.project}@${ref.ref}  pushed ${ref.pushedAt}  ${ref.packages} packages  open: ${levels}; ${ref.excepted} excepted, ${ref.overdue} overdue, ${ref.unevaluable} unevaluable` +
          (expiring === '' ? '' : `; expiring exceptions: ${expiring}`),
      ) + '\n',
    );
  }
  return EXIT.ok;
}
