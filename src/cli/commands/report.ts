import { openAdvisoryStore } from '../../advisories/store/sqlite-store.js';
import { audit } from '../../audit.js';
import { systemClock } from '../../core/clock.js';
import { UsageError } from '../../core/errors.js';
import { evaluateAuditGate } from '../../policy/unevaluable.js';
import { loadPolicy } from '../../policy/load-policy.js';
import { buildReport } from '../../report/report.js';
import { findRecentlyFixed, resolveBaseRef } from '../../report/security-md/recently-fixed.js';
import { renderSecurityMd } from '../../report/security-md/render-security-md.js';
import { updateSecurityFile } from '../../report/security-md/update-file.js';
import { logAuditInputs, maxDbAgeOf, storeOpener } from '../audit-session.js';
import { parseCommandArgs } from '../args.js';
import { EXIT } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { toolVersion } from '../version.js';

export const REPORT_HELP = `Usage: vigil report security-md [PATH...] [options]

Writes the dependency-security section of SECURITY.md, between the lines
<!-- vigil:dependency-security:start --> and <!-- vigil:dependency-security:end -->, from an audit
of the dependency files below PATH (default: the current folder): the open vulnerabilities (or that
all fixable ones are resolved), the policy's exceptions, the upgrades since the earlier release and
the advisories they fixed, the SLA schedule of the policy, and the date of the advisory data.
The rest of the file is left as it is; without the markers the section is appended, and a missing
file is created.

Options:
  --file FILE          the file to update (default: SECURITY.md)
  --since REF          git ref to compare the dependency files with for "recently fixed"
                       (default: the last tag; with no tag, nothing is listed)
  --check              write nothing; exit 1 when the file is not up to date (for CI)
  --db PATH            advisory store (default: $VIGIL_DB, else the user cache folder)
  --max-db-age AGE     fail when the advisory data is older than AGE (default 7d; m, h, d, w)
  --offline            never download; fail if the store is missing
  --policy FILE        policy file (default: vigil.yaml in the current folder, if any)
  -q, --quiet          no log lines on stderr but errors
  -h, --help           show this help

Exit codes:
  0  the file was written, or (--check) is up to date
  1  --check: the file is not up to date
  2  usage, configuration or input error (bad flag, not a git repository, unknown --since ref,
     unparseable lockfile, broken markers)
  3  advisory data unavailable (store missing, older than --max-db-age, download failed)
  4  nothing to audit (no dependency file found)
`;

export async function runReport(args: readonly string[], io: CliIo): Promise<number> {
  const [kind, ...rest] = args;
  if (kind === undefined || kind === '--help' || kind === '-h') {
    io.stdout.write(REPORT_HELP);
    return kind === undefined ? EXIT.usage : EXIT.ok;
  }
  if (kind !== 'security-md') {
    throw new UsageError(`report: unknown report "${kind}" (expected security-md)`, { hint: 'see "vigil report --help"' });
  }
  const { values, positionals } = parseCommandArgs('report security-md', rest, {
    file: { type: 'string', default: 'SECURITY.md' },
    since: { type: 'string' },
    check: { type: 'boolean', default: false },
    db: { type: 'string' },
    'max-db-age': { type: 'string' },
    offline: { type: 'boolean', default: false },
    policy: { type: 'string' },
    quiet: { type: 'boolean', short: 'q', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) {
    io.stdout.write(REPORT_HELP);
    return EXIT.ok;
  }
  const log = (line: string): void => {
    if (!values.quiet) io.log(line);
  };
  const policy = await loadPolicy({ root: process.cwd(), ...(values.policy === undefined ? {} : { policyFile: values.policy }) });
  const maxDbAgeMs = maxDbAgeOf('report', values['max-db-age'], policy);
  // The ref is checked before the audit: a typo costs nothing.
  const base = await resolveBaseRef(process.cwd(), values.since);
  const clock = systemClock;

  const result = await audit({
    paths: positionals.length > 0 ? positionals : ['.'],
    clock,
    maxDbAgeMs,
    openStore: storeOpener({ db: values.db, offline: values.offline, quiet: values.quiet }, io, clock, log),
  });
  logAuditInputs(result, log);
  const gate = evaluateAuditGate(result, policy, clock);
  const report = buildReport(result, gate, policy, toolVersion());

  const store = openAdvisoryStore(result.database.path);
  let recentlyFixed;
  try {
    recentlyFixed = await findRecentlyFixed({ inventory: result.inventory, findings: result.findings, store, base });
  } finally {
    store.close();
  }
  if (recentlyFixed.since === null) log('recently fixed: no tag, so no earlier release to compare with');
  else log(`recently fixed: ${recentlyFixed.fixes.length} upgrades since ${recentlyFixed.since} fixed advisories`);

  const section = renderSecurityMd({ report, policy, recentlyFixed });
  const update = await updateSecurityFile(values.file, section, { check: values.check });
  if (values.check) {
    if (update.changed) {
      io.log(`vigil: ${values.file} is out of date; run "vigil report security-md" to update it`);
      return EXIT.gateFailed;
    }
    log(`vigil: ${values.file} is up to date`);
    return EXIT.ok;
  }
  log(update.changed ? `vigil: ${update.created ? 'created' : 'updated'} ${values.file}` : `vigil: ${values.file} already up to date`);
  return EXIT.ok;
}
