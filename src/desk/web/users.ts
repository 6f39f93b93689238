import type { Clock } from '../../core/clock.js';
import { DeskConflictError, UsageError } from '../../core/errors.js';
import type { DeskStore } from '../store/desk-store.js';
import { ROLES, type Actor, type Role } from '../types.js';
import { isValidLogin, normaliseLogin } from '../../web/logins.js';
import { checkNewPassword, dummyPasswordHash, hashPassword, verifyPassword } from '../../web/passwords.js';
import { webDatabase } from './web-tables.js';

/** A member of the security team with a console login. */
export interface DeskUser {
  readonly id: number;
  readonly login: string;
  readonly role: Role;
  readonly createdAt: string;
}

/** What a new team member needs. */
export interface NewDeskUser {
  readonly login: string;
  readonly role: string;
  readonly password: string;
}

export { isValidLogin, normaliseLogin } from '../../web/logins.js';

/** Whether a text is one of the team roles. */
export function isRole(text: string): text is Role {
  return (ROLES as readonly string[]).includes(text);
}

/** The actor a logged-in team member acts as. */
export function teamActor(user: DeskUser): Actor {
  return { kind: 'team', id: user.login, role: user.role };
}

function readUser(row: { id: number; login: string; role: string; created_at: string }): DeskUser {
  // A role this vigil does not know gets no rights at all rather than a guessed one.
  const role: Role = isRole(row.role) ? row.role : 'observer';
  return { id: row.id, login: row.login, role, createdAt: row.created_at };
}

/**
 * Adds a team member with a scrypt-hashed password, and an audit line naming who added them.
 * @throws UsageError for a malformed login, an unknown role or a weak password (see `checkNewPassword`);
 *   DeskConflictError when the login exists.
 */
export async function addDeskUser(store: DeskStore, user: NewDeskUser, clock: Clock, by: Actor): Promise<DeskUser> {
  const login = normaliseLogin(user.login);
  if (!isValidLogin(login)) {
    throw new UsageError(`login "${user.login}" must be 1-63 lower-case letters, digits, dots, dashes or underscores`);
  }
  if (!isRole(user.role)) throw new UsageError(`role "${user.role}" is not one of ${ROLES.join(', ')}`);
  await checkNewPassword(user.password, [login]);
  const passwordHash = await hashPassword(user.password);
  const role = user.role;
  return store.transaction(async (tx) => {
    const db = webDatabase(tx);
    const existing = await db.selectFrom('users').select('id').where('login', '=', login).executeTakeFirst();
    if (existing !== undefined) throw new DeskConflictError(`a team member "${login}" exists already`);
    const at = clock.now().toISOString();
    const row = await db
      .insertInto('users')
      .values({ login, password_hash: passwordHash, role, created_at: at })
      .returning(['id', 'login', 'role', 'created_at'])
      .executeTakeFirstOrThrow();
    await tx.appendAudit({ at, actor: by, action: 'user.add', subject: `user:${login}`, detail: { role } });
    return readUser(row);
  });
}

/** A team member by login; undefined when there is none. */
export async function findDeskUser(store: DeskStore, login: string): Promise<DeskUser | undefined> {
  const row = await webDatabase(store)
    .selectFrom('users')
    .select(['id', 'login', 'role', 'created_at'])
    .where('login', '=', login)
    .executeTakeFirst();
  return row === undefined ? undefined : readUser(row);
}

/** Every team member, by login. */
export async function listDeskUsers(store: DeskStore): Promise<DeskUser[]> {
  const rows = await webDatabase(store).selectFrom('users').select(['id', 'login', 'role', 'created_at']).orderBy('login').execute();
  return rows.map(readUser);
}

/**
 * The team member whose login and password these are; undefined otherwise. An unknown login costs
 * the same hashing time as a wrong password.
 */
export async function authenticateDeskUser(store: DeskStore, login: string, password: string): Promise<DeskUser | undefined> {
  const normalised = normaliseLogin(login);
  const row = isValidLogin(normalised)
    ? await webDatabase(store)
        .selectFrom('users')
        .select(['id', 'login', 'role', 'created_at', 'password_hash'])
        .where('login', '=', normalised)
        .executeTakeFirst()
    : undefined;
  const matches = await verifyPassword(password, row?.password_hash ?? (await dummyPasswordHash()));
  return row !== undefined && matches ? readUser(row) : undefined;
}
