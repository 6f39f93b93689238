import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../../core/atomic-write.js';
import { UsageError } from '../../core/errors.js';
import { DESK_CONFIG_FILE } from '../../desk/config/load-desk-config.js';
import { starterDeskConfig } from '../../desk/config/starter-desk-config.js';
import { Desk } from '../../desk/desk.js';
import { DESK_DOCUMENT_KINDS, type DeskDocumentKind } from '../../desk/documents/render-document.js';
import { TRANSITIONS, type LifecycleAction, type LifecycleActionKind } from '../../desk/lifecycle.js';
import type { Actor, DeskReport, SeverityLevel } from '../../desk/types.js';
import { parseCommandArgs } from '../args.js';
import { EXIT, EXIT_CODES_HELP } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { cliActor } from './desk-location.js';
import { openDesk } from './desk-open.js';
import { DESK_TOKEN_HELP } from './desk-token.js';

export const DESK_HELP = `Usage: vigil desk <command> [options]

The disclosure desk: private vulnerability reports, SLA clocks, embargo, advisories.

Commands:
  init                         write a commented starter ${DESK_CONFIG_FILE}
  report add --file FILE       take a report (JSON, "-" for stdin); prints its id and tracking token
  report list                  the inbox, most urgent first, with SLA clocks
  report show ID               a report with its embargoed details (the read is logged)
  report transition ID ACTION  move a report: ${Object.keys(TRANSITIONS).join(', ')}
  report fix ID                record the fix of one series (--series, --release, --patch)
  report message ID            write to the reporter (--body)
  notify-list list|add|remove|requests|request|decide
                               the pre-notification list and its join requests
  document ID KIND             write a document: ${DESK_DOCUMENT_KINDS.join(', ')}
  advisory ID                  the OSV advisory (same as "document ID osv"; --format markdown)
  supported [--on DATE]        the supported versions on a date, and why
  export                       the audit log as JSON lines, its hash chain verified (exit 7
                               and the first broken entry named when it does not verify)
  serve                        the web service: report form, tracking pages, team console
                               (--host, --port, --public-url, --trust-proxy), and the
                               portfolio monitor with --monitor-db
  user add LOGIN --role ROLE   add a console user (password from $VIGIL_DESK_PASSWORD or stdin)
  user list                    the console users and their roles
${DESK_TOKEN_HELP}

Options:
  --config FILE        desk configuration (default ${DESK_CONFIG_FILE} in the current folder)
  --db URL|FILE        store: a postgres:// URL or an SQLite file (default: $DATABASE_URL,
                       else .vigil/desk.db)
  --as NAME            who is acting (default: $VIGIL_DESK_USER, else the login name); the
                       command line acts with the admin role
  --note TEXT          (transition) why; recorded with the transition
  --reason TEXT        (transition reject) the detailed reason for the reporter
  --at DATETIME        (transition schedule-disclosure) embargo end, ISO 8601 with zone
  --override TEXT      (transition pre-notify|disclose) recorded reason to break the lead time or embargo
  --severity LEVEL     (transition accept) high, moderate or low
  --cvss VECTOR        (transition accept) CVSS v3.1 or v4.0 vector
  --cwe ID             (transition accept) CWE id; repeat for several
  --series NAME        (transition accept, fix) affected series; repeat for several
  --summary TEXT       (transition accept) one-line public summary
  --cve ID             (transition accept) CVE id
  --introduced VER     (transition accept) first affected version
  --release VER        (fix) the release carrying the fix
  --patch REF          (fix) commit, URL or patch file
  --body TEXT          (message) the message
  --on DATE            (supported) the date, YYYY-MM-DD (default today)
  --format FMT         (advisory) osv or markdown
  --json               machine-readable output (list, show, supported, notify-list)
  -o, --output FILE    write to FILE (atomically) instead of stdout
  --force              (init) overwrite an existing file
  --host ADDRESS       (serve) address to listen on (default 127.0.0.1)
  --port N             (serve) port (default $PORT, else 8080)
  --public-url URL     (serve) where people reach the desk; https:// makes cookies Secure
  --trust-proxy WHO    (serve) the reverse proxies whose X-Forwarded-For/-Proto are believed:
                       a hop count (1) or addresses/CIDRs (127.0.0.1,10.0.0.0/8); never all
  --monitor-db PATH|URL
                       (serve) run the portfolio monitor on this database: a SQLite file or a
                       postgres:// URL (default: $VIGIL_MONITOR_DB; none: no monitor)
  --advisory-db PATH   (serve) the advisory store the monitor matches against (default:
                       $VIGIL_DB, else the user cache folder, as for "vigil audit")
  --role ROLE          (user add, token create) admin, responder or observer
  -h, --help           show this help

${EXIT_CODES_HELP}
`;

const OPTIONS = {
  config: { type: 'string' },
  db: { type: 'string' },
  as: { type: 'string' },
  file: { type: 'string' },
  note: { type: 'string' },
  reason: { type: 'string' },
  at: { type: 'string' },
  override: { type: 'string' },
  severity: { type: 'string' },
  cvss: { type: 'string' },
  cwe: { type: 'string', multiple: true },
  series: { type: 'string', multiple: true },
  summary: { type: 'string' },
  cve: { type: 'string' },
  introduced: { type: 'string' },
  release: { type: 'string' },
  patch: { type: 'string' },
  body: { type: 'string' },
  on: { type: 'string' },
  format: { type: 'string' },
  organisation: { type: 'string' },
  group: { type: 'string' },
  contact: { type: 'string' },
  'key-id': { type: 'string' },
  'review-on': { type: 'string' },
  justification: { type: 'string' },
  url: { type: 'string' },
  outcome: { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  'public-url': { type: 'string' },
  'trust-proxy': { type: 'string' },
  'monitor-db': { type: 'string' },
  'advisory-db': { type: 'string' },
  role: { type: 'string' },
  scope: { type: 'string' },
  json: { type: 'boolean', default: false },
  output: { type: 'string', short: 'o' },
  force: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

type Values = ReturnType<typeof parseCommandArgs<typeof OPTIONS>>['values'];

export async function runDesk(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs('desk', args, OPTIONS);
  const [command, ...rest] = positionals;
  if (values.help || command === undefined) {
    io.stdout.write(DESK_HELP);
    return values.help ? EXIT.ok : EXIT.usage;
  }
  if (command === 'serve') return (await import('./desk-serve.js')).runDeskServe(values, io);
  if (command === 'user') return (await import('./desk-user.js')).runDeskUser(rest, values, io);
  if (command === 'token') return (await import('./desk-token.js')).runDeskToken(rest, values, io);
  if (command === 'init') {
    const target = path.resolve(values.config ?? DESK_CONFIG_FILE);
    if (existsSync(target) && !values.force) throw new UsageError(`desk init: ${target} exists`, { hint: 'use --force to overwrite it' });
    await writeFileAtomic(target, starterDeskConfig(new Date()));
    io.stdout.write(`wrote ${target}\n`);
    return EXIT.ok;
  }
  const desk = await openDesk(values, io);
  try {
    const actor = cliActor(values, io);
    switch (command) {
      case 'report':
        return await runReportCommand(desk, actor, rest, values, io);
      case 'notify-list':
        return await runNotifyListCommand(desk, actor, rest, values, io);
      case 'document':
      case 'advisory': {
        const [idText, kindText] = rest;
        const id = reportId(idText);
        const kind = command === 'advisory' ? (values.format === 'markdown' ? 'advisory' : 'osv') : documentKind(kindText);
        if (command === 'advisory' && values.format !== undefined && values.format !== 'osv' && values.format !== 'markdown') {
          throw new UsageError(`desk advisory: unknown format "${values.format}"`, { hint: 'expected osv or markdown' });
        }
        await emit(await desk.document(id, kind, actor), values, io);
        return EXIT.ok;
      }
      case 'supported': {
        const on = values.on ?? desk.today();
        checkDate(on);
        const lines = desk.supported(on);
        if (values.json) await emit(`${JSON.stringify({ on, supported: lines }, null, 2)}\n`, values, io);
        else await emit(lines.map((line) => `${line.name.padEnd(10)} ${line.reason}\n`).join(''), values, io);
        return EXIT.ok;
      }
      case 'export': {
        const { text, verification } = await desk.exportVerifiedAudit(actor);
        // Written even when the chain is broken: the lines are the evidence.
        await emit(text, values, io);
        if (!verification.ok) {
          io.log(`vigil desk: audit log entry ${verification.brokenId} ${verification.reason}`);
          io.log(`  hint: ${verification.entries} entries read; the entries before ${verification.brokenId} verify. Compare with an earlier export or a backup`);
          return EXIT.auditBroken;
        }
        io.log(`vigil desk: audit log verified: ${verification.entries} entries, chain head ${verification.headHash}`);
        return EXIT.ok;
      }
      default:
        throw new UsageError(`desk: unknown command "${command}"`, { hint: 'see "vigil desk --help"' });
    }
  } finally {
    await desk.store.close();
  }
}

async function runReportCommand(desk: Desk, actor: Actor, args: readonly string[], values: Values, io: CliIo): Promise<number> {
  const [subcommand, idText, actionText] = args;
  switch (subcommand) {
    case 'add': {
      if (values.file === undefined) throw new UsageError('desk report add: --file FILE (a JSON report, "-" for stdin) is required');
      const text = values.file === '-' ? await readStdin() : await readFile(values.file, 'utf8');
      let input: unknown;
      try {
        input = JSON.parse(text);
      } catch (error) {
        throw new UsageError(`${values.file}: invalid JSON: ${(error as Error).message}`);
      }
      const { report, trackingToken } = await desk.submitReport(input, actor);
      if (values.json) io.stdout.write(`${JSON.stringify({ id: report.id, trackingToken }, null, 2)}\n`);
      else io.stdout.write(`report ${report.id} received\ntracking token (give it to the reporter; it is not shown again): ${trackingToken}\n`);
      return EXIT.ok;
    }
    case 'list': {
      const inbox = await desk.inbox(actor);
      if (values.json) {
        await emit(`${JSON.stringify(inbox, null, 2)}\n`, values, io);
        return EXIT.ok;
      }
      const lines = inbox.map(({ report, clocks }) => {
        const running = clocks.filter((clock) => clock.doneAt === undefined);
        const clockText = running.map((clock) => `${clock.name} ${clock.status} (due ${clock.dueAt})`).join('; ') || 'no clock running';
        return `#${String(report.id).padEnd(5)} ${report.state.padEnd(21)} ${(report.severity ?? '-').padEnd(8)} ${report.title}\n       ${clockText}\n`;
      });
      await emit(lines.join('') || 'no reports\n', values, io);
      return EXIT.ok;
    }
    case 'show': {
      const report = await desk.readReport(reportId(idText), actor);
      await emit(values.json ? `${JSON.stringify(report, null, 2)}\n` : describeReport(report), values, io);
      return EXIT.ok;
    }
    case 'transition': {
      const id = reportId(idText);
      const action = lifecycleAction(actionText, values);
      const report = await desk.act(id, action, actor, values.note ?? '');
      io.stdout.write(`report ${report.id} is now ${report.state}\n`);
      if (action.kind === 'pre-notify') await mailPreNotifications(desk, report.id, actor, io);
      return EXIT.ok;
    }
    case 'fix': {
      const id = reportId(idText);
      const [series] = values.series ?? [];
      if (series === undefined || values.patch === undefined) throw new UsageError('desk report fix: --series and --patch are required');
      const report = await desk.recordFix(id, { series, patch: values.patch, ...(values.release === undefined ? {} : { fixedIn: values.release }) }, actor);
      io.stdout.write(`report ${report.id}: fix recorded for ${series}\n`);
      return EXIT.ok;
    }
    case 'message': {
      if (values.body === undefined) throw new UsageError('desk report message: --body is required');
      const message = await desk.addTeamMessage(reportId(idText), values.body, actor);
      io.stdout.write(`message ${message.id} kept on report ${idText ?? ''}\n`);
      return EXIT.ok;
    }
    default:
      throw new UsageError(`desk report: unknown command "${subcommand ?? ''}"`, { hint: 'expected add, list, show, transition, fix or message' });
  }
}

async function runNotifyListCommand(desk: Desk, actor: Actor, args: readonly string[], values: Values, io: CliIo): Promise<number> {
  const [subcommand, idText] = args;
  switch (subcommand) {
    case 'list': {
      const entries = await desk.notifyEntries(actor);
      const text = values.json
        ? `${JSON.stringify(entries, null, 2)}\n`
        : entries.map((entry) => `${String(entry.id).padEnd(4)} ${entry.group.padEnd(18)} ${entry.organisation} <${entry.contact}> review ${entry.reviewOn}\n`).join('') ||
          'the notification list is empty\n';
      await emit(text, values, io);
      return EXIT.ok;
    }
    case 'add': {
      const entry = await desk.addNotifyEntry(
        {
          organisation: required(values.organisation, '--organisation'),
          group: required(values.group, '--group'),
          contact: required(values.contact, '--contact'),
          reviewOn: required(values['review-on'], '--review-on'),
          ...(values['key-id'] === undefined ? {} : { keyId: values['key-id'] }),
        },
        actor,
      );
      io.stdout.write(`entry ${entry.id} added: ${entry.organisation}\n`);
      return EXIT.ok;
    }
    case 'remove':
      await desk.removeNotifyEntry(numericId(idText, 'entry'), actor);
      io.stdout.write(`entry ${idText ?? ''} removed\n`);
      return EXIT.ok;
    case 'request': {
      const request = await desk.requestToJoin(
        {
          organisation: required(values.organisation, '--organisation'),
          group: required(values.group, '--group'),
          contact: required(values.contact, '--contact'),
          justification: required(values.justification, '--justification'),
          url: required(values.url, '--url'),
          ...(values['key-id'] === undefined ? {} : { keyId: values['key-id'] }),
        },
        actor,
      );
      io.stdout.write(`join request ${request.id} recorded\n`);
      return EXIT.ok;
    }
    case 'requests': {
      const items = await desk.joinRequests(actor);
      const text = values.json
        ? `${JSON.stringify(items, null, 2)}\n`
        : items
            .map(({ request, clock }) => `${String(request.id).padEnd(4)} ${request.organisation} (${request.group}) ${request.decision?.outcome ?? `decision ${clock.status}, due ${clock.dueAt}`}\n`)
            .join('') || 'no join requests\n';
      await emit(text, values, io);
      return EXIT.ok;
    }
    case 'decide': {
      const outcome = values.outcome;
      if (outcome !== 'approved' && outcome !== 'declined') throw new UsageError('desk notify-list decide: --outcome approved|declined is required');
      const request = await desk.decideJoinRequest(numericId(idText, 'request'), outcome, required(values.reason, '--reason'), actor);
      io.stdout.write(`join request ${request.id} ${outcome}\n`);
      return EXIT.ok;
    }
    default:
      throw new UsageError(`desk notify-list: unknown command "${subcommand ?? ''}"`, { hint: 'expected list, add, remove, requests, request or decide' });
  }
}

function lifecycleAction(kindText: string | undefined, values: Values): LifecycleAction {
  if (kindText === undefined || !(kindText in TRANSITIONS)) {
    throw new UsageError(`desk report transition: unknown action "${kindText ?? ''}"`, { hint: `expected one of ${Object.keys(TRANSITIONS).join(', ')}` });
  }
  const kind = kindText as LifecycleActionKind;
  switch (kind) {
    case 'accept':
      return {
        kind,
        assessment: {
          severity: required(values.severity, '--severity') as SeverityLevel,
          cvssVector: required(values.cvss, '--cvss'),
          cwes: values.cwe ?? [],
          affectedSeries: values.series ?? [],
          summary: required(values.summary, '--summary'),
          ...(values.cve === undefined ? {} : { cve: values.cve }),
          ...(values.introduced === undefined ? {} : { introduced: values.introduced }),
        },
      };
    case 'reject':
      return { kind, reason: required(values.reason, '--reason') };
    case 'schedule-disclosure':
      return { kind, at: required(values.at, '--at') };
    case 'pre-notify':
    case 'disclose':
      return { kind, ...(values.override === undefined ? {} : { override: values.override }) };
    default:
      return { kind };
  }
}

/** With VIGIL_DESK_SMTP_URL set, a pre-notification is mailed to the list at once. */
async function mailPreNotifications(desk: Desk, id: number, actor: Actor, io: CliIo): Promise<void> {
  const mailer = (await import('./desk-serve.js')).deskMailerFromEnvironment(desk.config, io.env);
  if (mailer === undefined) {
    io.log(`vigil desk: no VIGIL_DESK_SMTP_URL; send "vigil desk document ${id} private-notification" to each list entry yourself`);
    return;
  }
  const { describePreNotificationOutcome, sendPreNotifications } = await import('../../desk/mail/send-pre-notifications.js');
  try {
    io.stdout.write(`${describePreNotificationOutcome(await sendPreNotifications(desk, mailer, id, actor))}\n`);
  } finally {
    mailer.close();
  }
}

function describeReport(report: DeskReport): string {
  const s = report.submission;
  const lines = [
    `Report ${report.id}: ${s.title}`,
    `State: ${report.state}   received ${report.receivedAt}`,
    `Reporter: ${s.reporter.name} <${s.reporter.email}>${s.reporter.organisation ? `, ${s.reporter.organisation}` : ''} (credit: ${s.reporter.credit.mode === 'named' ? (s.reporter.credit.name ?? s.reporter.name) : 'anonymous'})`,
  ];
  if (report.assessment) {
    const a = report.assessment;
    lines.push(`Assessment: ${a.severity}, CVSS ${a.cvss.version} ${a.cvss.score} ${a.cvss.vector}, ${a.cwes.join(', ')}; affects ${a.affectedSeries.join(', ')}`);
  }
  if (report.rejectionReason) lines.push(`Rejected: ${report.rejectionReason}`);
  if (report.disclosureAt) lines.push(`Disclosure: ${report.disclosureAt}`);
  for (const fix of report.fixes) lines.push(`Fix: ${fix.series} ${fix.fixedIn ?? '(main)'} ${fix.patch}`);
  lines.push('', 'Description:', s.description, '', 'Steps to reproduce:', s.stepsToReproduce, '', 'Impact:', s.impact);
  if (s.attackSurface) lines.push('', 'Attack surface:', s.attackSurface);
  if (s.relatedProjects) lines.push('', 'Related projects:', s.relatedProjects);
  if (s.affectedVersions) lines.push('', 'Versions tested:', s.affectedVersions);
  lines.push('', 'History:');
  for (const t of report.transitions) lines.push(`  ${t.at} ${t.from} -> ${t.to} by ${t.actor.id}: ${t.note}${t.override ? ` (override: ${t.override})` : ''}`);
  if (report.messages.length > 0) {
    lines.push('', 'Messages:');
    for (const m of report.messages) lines.push(`  ${m.at} ${m.author.kind === 'reporter' ? 'reporter' : m.author.id}: ${m.body}`);
  }
  return `${lines.join('\n')}\n`;
}

async function emit(text: string, values: Pick<Values, 'output'>, io: CliIo): Promise<void> {
  if (values.output === undefined) io.stdout.write(text);
  else await writeFileAtomic(path.resolve(values.output), text);
}

function reportId(text: string | undefined): number {
  return numericId(text, 'report');
}

function numericId(text: string | undefined, what: string): number {
  if (text === undefined || !/^#?\d+$/.test(text)) throw new UsageError(`desk: expected a ${what} id (a number), got "${text ?? ''}"`);
  return Number(text.replace('#', ''));
}

function documentKind(text: string | undefined): DeskDocumentKind {
  if (text === undefined || !(DESK_DOCUMENT_KINDS as readonly string[]).includes(text)) {
    throw new UsageError(`desk document: unknown kind "${text ?? ''}"`, { hint: `expected one of ${DESK_DOCUMENT_KINDS.join(', ')}` });
  }
  return text as DeskDocumentKind;
}

function checkDate(text: string): void {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text) || Number.isNaN(Date.parse(`${text}T00:00:00Z`))) throw new UsageError(`"${text}" is not a date (YYYY-MM-DD)`);
}

function required(value: string | undefined, flag: string): string {
  if (value === undefined || value.trim() === '') throw new UsageError(`desk: ${flag} is required here`);
  return value;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
