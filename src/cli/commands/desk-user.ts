import { cliActor, deskStoreOptions } from './desk-location.js';
import { systemClock } from '../../core/clock.js';
import { UsageError } from '../../core/errors.js';
import { openDeskStore } from '../../desk/store/open-desk-store.js';
import { ROLES } from '../../desk/types.js';
import { addDeskUser, isRole, listDeskUsers } from '../../desk/web/users.js';
import { EXIT } from '../exit-codes.js';
import type { CliIo } from '../io.js';

/** The options of `vigil desk` that `vigil desk user` reads. */
export interface DeskUserValues {
  /** `--db URL|FILE` (default: $DATABASE_URL, else .vigil/desk.db). */
  readonly db?: string | undefined;
  /** `--as NAME`: who adds the user, for the audit log. */
  readonly as?: string | undefined;
  /** `--role ROLE` of `user add`. */
  readonly role?: string | undefined;
  /** `--json` of `user list`. */
  readonly json?: boolean | undefined;
}

/** Where a password comes from when it is not in the environment. */
export type PasswordSource = () => Promise<string>;

/** The password on standard input: its first line. A terminal is refused: it would show the password as typed. */
export async function readPasswordFromStdin(): Promise<string> {
  if (process.stdin.isTTY) {
    throw new UsageError('desk user add: pipe the password on standard input or set VIGIL_DESK_PASSWORD', {
      hint: 'e.g. printf "%s\\n" "$PASSWORD" | vigil desk user add alice --role responder',
    });
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

/**
 * `vigil desk user add LOGIN --role ROLE` and `vigil desk user list`: the team members of the web
 * console. The password comes from `VIGIL_DESK_PASSWORD`, else the first line of standard input,
 * never from the command line (where `ps` and shell history would keep it). `args` are the words
 * after `user`. Like `vigil desk token`, it needs the store only, not `desk.yaml`.
 */
export async function runDeskUser(
  args: readonly string[],
  values: DeskUserValues,
  io: CliIo,
  readPassword: PasswordSource = readPasswordFromStdin,
): Promise<number> {
  const [subcommand, login, extra] = args;
  if (subcommand !== 'add' && subcommand !== 'list') {
    throw new UsageError(subcommand === undefined ? 'desk user: name a command: add or list' : `desk user: unknown command "${subcommand}"`, {
      hint: 'vigil desk user add LOGIN --role ROLE | list',
    });
  }
  if (subcommand === 'add') {
    if (login === undefined || extra !== undefined) throw new UsageError('desk user add: expected one LOGIN', { hint: 'vigil desk user add LOGIN --role ROLE' });
    if (values.role === undefined || !isRole(values.role)) throw new UsageError(`desk user add: --role must be one of ${ROLES.join(', ')}`);
  } else if (login !== undefined) {
    throw new UsageError(`desk user list: unexpected argument "${login}"`);
  }
  const password = subcommand === 'add' ? (io.env['VIGIL_DESK_PASSWORD'] ?? (await readPassword())) : '';

  const store = await openDeskStore(await deskStoreOptions(values, io));
  try {
    if (subcommand === 'add') {
      const actor = cliActor(values, io);
      const user = await addDeskUser(store, { login: login ?? '', role: values.role ?? '', password }, systemClock, actor);
      io.stdout.write(`added ${user.login} (${user.role})\n`);
      return EXIT.ok;
    }
    const users = await listDeskUsers(store);
    if (values.json === true) io.stdout.write(`${JSON.stringify({ users }, null, 2)}\n`);
    else io.stdout.write(users.map((user) => `${user.login.padEnd(20)} ${user.role.padEnd(10)} since ${user.createdAt}\n`).join(''));
    return EXIT.ok;
  } finally {
    await store.close();
  }
}
