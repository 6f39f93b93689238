import { existsSync } from 'node:fs';
import { importAdvisories } from '../../advisories/import.js';
import { openAdvisoryStore } from '../../advisories/store/sqlite-store.js';
import { DEFAULT_LOCK_TIMEOUT_MS, lockStore, type StoreLockHolder } from '../../advisories/store/store-lock.js';
import { DEFAULT_DOWNLOAD_TIMEOUT_MS, DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_OSV_MIRROR, mirrorFolderOf, updateAdvisories } from '../../advisories/update.js';
import { checkEcosystemSpelling } from '../../advisories/osv-ecosystems.js';
import { systemClock } from '../../core/clock.js';
import { ECOSYSTEM_IDS, isEcosystemId } from '../../core/types.js';
import { AdvisoryStoreError, UsageError } from '../../core/errors.js';
import { visibleText } from '../../core/visible-text.js';
import { parseCommandArgs } from '../args.js';
import { EXIT, EXIT_CODES_HELP } from '../exit-codes.js';
import { isInteractive, type CliIo } from '../io.js';
import { progressBar } from '../progress.js';
import { resolveStorePath } from '../store-path.js';
import { formatTimeLimit, timeLimitOf } from '../time-limit.js';

export const DB_HELP = `Usage: vigil db <command> [options]

Commands:
  import PATH...   add OSV records from files (.json, .yaml), folders, or OSV all.zip dumps;
                   malformed records are rejected with file and reason, the rest imported (exit 2)
  update [PATH...] bring each ecosystem up to date from an OSV mirror: the ecosystems the files
                   and folders PATH depend on (as an audit reads them), else those the store
                   already holds from a mirror, else PyPI and npm. An ecosystem downloaded before
                   is updated from its change list {mirror}/{ecosystem}/modified_id.csv (only the
                   records changed since, one file each); a new one, or too many changes, takes
                   {mirror}/{ecosystem}/all.zip whole. Swapped in atomically; malformed entries
                   are rejected like import's (exit 2)
  status           per ecosystem: records, the data's own date (newest record modified), the
                   last update and the last check; reads the whole store and fails (exit 3)
                   when it is damaged

One writer at a time: import and update wait for another vigil writing the same store (its
lock file STORE.lock), then start from the store it wrote.

Options:
  --db PATH             advisory store (default: $VIGIL_DB, else the user cache folder)
  --mirror URL          (update) OSV mirror (default: $VIGIL_OSV_MIRROR, else OSV's public bucket)
  --ecosystem NAME      (update) OSV ecosystem to update, repeatable: PyPI, npm, Debian:12,
                        Ubuntu:22.04:LTS, ... (a release is fetched from its ecosystem's folder)
  --full                (update) download every dump whole, even where the change list would do
  --timeout TIME        (update) give up on a mirror that sends nothing (no answer, no next byte)
                        for TIME (default: $VIGIL_DOWNLOAD_TIMEOUT, else ${formatTimeLimit(DEFAULT_IDLE_TIMEOUT_MS)})
  --max-time TIME       (update) longest one download may take (default: $VIGIL_DOWNLOAD_MAX_TIME,
                        else ${formatTimeLimit(DEFAULT_DOWNLOAD_TIMEOUT_MS)})
  --lock-timeout TIME   (import, update) how long to wait for another writer of the store
                        (default: $VIGIL_DB_LOCK_TIMEOUT, else ${formatTimeLimit(DEFAULT_LOCK_TIMEOUT_MS)}; 0: do not wait)
  --format FORMAT       (status, import, update) text (default) or json
  -h, --help            show this help

TIME is a number of seconds or a number with ms, s, m or h: 500ms, 30s, 2m.

${EXIT_CODES_HELP}
`;

export async function runDb(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs('db', args, {
    db: { type: 'string' },
    mirror: { type: 'string' },
    ecosystem: { type: 'string', multiple: true },
    full: { type: 'boolean', default: false },
    format: { type: 'string', default: 'text' },
    timeout: { type: 'string' },
    'max-time': { type: 'string' },
    'lock-timeout': { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  });
  const [subcommand, ...rest] = positionals;
  if (values.help || subcommand === undefined) {
    io.stdout.write(DB_HELP);
    return values.help ? EXIT.ok : EXIT.usage;
  }
  if (values.format !== 'text' && values.format !== 'json') {
    throw new UsageError(`db: unknown format "${values.format}" (expected text or json)`);
  }
  const json = values.format === 'json';
  const storePath = resolveStorePath(values.db, io.env);
  const progress = progressBar(io.stderr, isInteractive(io) && !json);
  const lockTimeoutMs = (): number =>
    timeLimitOf(
      `db ${subcommand}`,
      { flag: 'lock-timeout', flagValue: values['lock-timeout'], envName: 'VIGIL_DB_LOCK_TIMEOUT', defaultMs: DEFAULT_LOCK_TIMEOUT_MS, allowZero: true },
      io.env,
    );
  const onLockWait = (timeoutMs: number) => (holder: StoreLockHolder | undefined, lockPath: string): void => {
    const who = holder === undefined ? `another process (${lockPath})` : `pid ${holder.pid} on ${holder.hostname} (writing since ${holder.since})`;
    io.log(`vigil: waiting up to ${formatTimeLimit(timeoutMs)} for ${who} to finish writing ${storePath}`);
  };

  switch (subcommand) {
    case 'import': {
      if (rest.length === 0) throw new UsageError('db import: name at least one file, folder or all.zip');
      const timeoutMs = lockTimeoutMs();
      // Held for the whole import (which takes the lock itself otherwise, without waiting).
      const lock = await lockStore(storePath, { timeoutMs, onWait: onLockWait(timeoutMs) });
      let result;
      try {
        result = await importAdvisories({ storePath, inputs: rest, clock: systemClock, onProgress: progress.sink });
      } finally {
        progress.done();
        lock.release();
      }
      for (const rejected of result.rejected) io.log(`rejected ${rejected.file}: ${rejected.reason}`);
      for (const { ecosystem, records } of result.unknownEcosystems) {
        io.log(
          `warning: ${records} record${records === 1 ? '' : 's'} name the ecosystem ${JSON.stringify(ecosystem)}, which OSV does not list; ` +
            'imported, but no audited package will match them',
        );
      }
      if (json) io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      else {
        const ecosystems = Object.entries(result.byEcosystem)
          .map(([name, count]) => `${name} ${count}`)
          .join(', ');
        io.stdout.write(
          `imported ${result.imported} records (${result.replaced} replaced, ${result.unchanged} unchanged), ` +
            `${result.rejected.length} rejected${ecosystems ? `; ${ecosystems}` : ''}\n` +
            `${visibleText(await storeSummary(storePath))}\n`,
        );
      }
      return rejectedStatus(result.rejected.length, io);
    }
    case 'update': {
      const ecosystems: string[] = [];
      for (const name of values.ecosystem ?? []) {
        // An OSV ecosystem string, a release suffix allowed (`Debian:12`, `Ubuntu:22.04:LTS`).
        const spelling = checkEcosystemSpelling(name);
        if (spelling.kind === 'misspelt') {
          throw new UsageError(`db update: ecosystem "${name}" is misspelt: expected "${spelling.expected}" (OSV ecosystem names are case-sensitive)`);
        }
        if (!isEcosystemId(mirrorFolderOf(name))) {
          throw new UsageError(`db update: unsupported ecosystem "${name}" (expected ${ECOSYSTEM_IDS.join(', ')}, with a release where OSV names one: Debian:12)`);
        }
        ecosystems.push(name);
      }
      if (rest.length > 0) {
        // What the files depend on, read the way an audit reads them (the inventory is loaded only here).
        const { buildInventory } = await import('../../inventory/build-inventory.js');
        const inventory = await buildInventory({ paths: rest });
        ecosystems.push(...new Set(inventory.packages.map((pkg) => pkg.ecosystem)));
        if (ecosystems.length === 0) throw new UsageError(`db update: no packages found in ${rest.join(', ')}, so no ecosystem to update`);
      }
      const mirror = values.mirror ?? io.env['VIGIL_OSV_MIRROR'] ?? DEFAULT_OSV_MIRROR;
      const idleTimeoutMs = timeLimitOf(
        'db update',
        { flag: 'timeout', flagValue: values.timeout, envName: 'VIGIL_DOWNLOAD_TIMEOUT', defaultMs: DEFAULT_IDLE_TIMEOUT_MS },
        io.env,
      );
      const timeoutMs = timeLimitOf(
        'db update',
        { flag: 'max-time', flagValue: values['max-time'], envName: 'VIGIL_DOWNLOAD_MAX_TIME', defaultMs: DEFAULT_DOWNLOAD_TIMEOUT_MS },
        io.env,
      );
      const lockWaitMs = lockTimeoutMs();
      const existed = existsSync(storePath);
      let result;
      try {
        result = await updateAdvisories({
          storePath,
          mirror,
          clock: systemClock,
          ...(ecosystems.length > 0 ? { ecosystems } : {}),
          full: values.full,
          onProgress: progress.sink,
          idleTimeoutMs,
          timeoutMs,
          lockTimeoutMs: lockWaitMs,
          onLockWait: onLockWait(lockWaitMs),
        });
      } catch (error) {
        progress.done();
        // Every failure leaves the store as it was; say so (in the hint: the error stays one line),
        // it is what a person wants to know.
        if (error instanceof AdvisoryStoreError && existed) {
          throw new AdvisoryStoreError(error.message, {
            ...(error.location === undefined ? {} : { location: error.location }),
            hint: `${visibleText(storePath)} was left as it was${error.hint === undefined ? '' : `; ${error.hint}`}`,
            cause: error,
          });
        }
        throw error;
      } finally {
        progress.done();
      }
      for (const rejected of result.rejected) io.log(`rejected ${rejected.file}: ${rejected.reason}`);
      if (json) io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      else {
        const counts = result.ecosystems
          .map((entry) => `${entry.ecosystem} ${entry.records}${entry.mode === 'full' ? '' : ` (${entry.mode === 'incremental' ? 'changed records only' : 'no changes'})`}`)
          .join(', ');
        io.stdout.write(`updated ${storePath} from ${mirror}: ${counts}, ${result.rejected.length} rejected\n${visibleText(await storeSummary(storePath))}\n`);
      }
      return rejectedStatus(result.rejected.length, io);
    }
    case 'status': {
      const store = openAdvisoryStore(storePath, { checkIntegrity: true });
      try {
        const status = await store.status();
        if (json) io.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
        else {
          const lines = [
            `store: ${status.path}`,
            `records: ${status.records} (${status.withdrawn} withdrawn)`,
            `last update: ${status.updatedAt ?? 'never'}`,
            `newest record modified: ${status.newestModified ?? 'n/a'}`,
            ...status.ecosystems.map(
              (entry) =>
                `  ${entry.ecosystem}: ${entry.records} records, updated ${entry.updatedAt ?? 'never'}${entry.source ? ` from ${entry.source}` : ''}; newest record modified ${entry.newestModified ?? 'n/a'}${entry.checkedAt !== undefined && entry.checkedAt !== entry.updatedAt ? `; last checked ${entry.checkedAt}` : ''}`,
            ),
          ];
          io.stdout.write(`${lines.map(visibleText).join('\n')}\n`);
        }
      } finally {
        store.close();
      }
      return EXIT.ok;
    }
    default:
      throw new UsageError(`db: unknown command "${subcommand}"`, { hint: 'expected import, update or status' });
  }
}

/**
 * The same rule for import and update: the rest of the input is stored (a dump with one broken
 * record is still worth having), but bad input is not a success: exit 2, like any other input error.
 */
function rejectedStatus(rejected: number, io: CliIo): number {
  if (rejected === 0) return EXIT.ok;
  io.log(`vigil: ${rejected} malformed record${rejected === 1 ? '' : 's'} rejected; the rest was imported`);
  return EXIT.usage;
}

/** Where the store is and how new its data is: what max_db_age will be measured from. */
async function storeSummary(storePath: string): Promise<string> {
  const store = openAdvisoryStore(storePath);
  try {
    const status = await store.status();
    const perEcosystem = status.ecosystems.map((entry) => `${entry.ecosystem} ${entry.newestModified ?? 'n/a'}`).join(', ');
    return `store ${status.path}: ${status.records} records; newest record modified ${status.newestModified ?? 'n/a'}${perEcosystem ? ` (${perEcosystem})` : ''}`;
  } finally {
    store.close();
  }
}
