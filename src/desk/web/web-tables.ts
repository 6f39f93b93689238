import type { Generated, Kysely } from 'kysely';
import { InternalError } from '../../core/errors.js';
import type { DeskDatabase } from '../store/desk-database.js';
import type { DeskStore } from '../store/desk-store.js';
import { deskStoreDatabase } from '../store/kysely-desk-store.js';

// Tables only the web service uses (migration `0003-desk-web`). They live in the desk database so
// that one backup holds everything and every server process shares sessions, but they are no part
// of the desk's store contract: the desk core never reads them.

/** `users`: members of the security team who log in to the console. */
export interface UsersTable {
  id: Generated<number>;
  /** Unique. */
  login: string;
  /** `scrypt$N$r$p$salt$hash` (see `passwords.ts`). */
  password_hash: string;
  /** `admin`, `responder` or `observer`. */
  role: string;
  created_at: string;
}

/** `sessions`: browser sessions of the console and of the public forms (CSRF secrets). */
export interface SessionsTable {
  /** SHA-256 (hex) of the session id. */
  id_hash: string;
  /** The session as JSON. */
  data: string;
  /** When the session ends unless used again (ISO 8601 UTC). */
  expires_at: string;
}

/** The web service's tables (a type literal: Kysely's `withTables` wants an index signature). */
export type WebTables = {
  users: UsersTable;
  sessions: SessionsTable;
};

/**
 * The desk database under `store` with the web tables typed; for a store handed to
 * `transaction(work)`, the transaction. Only stores opened by `openDeskStore` have one.
 */
export function webDatabase(store: DeskStore): Kysely<DeskDatabase & WebTables> {
  const db = deskStoreDatabase(store);
  if (db === undefined) throw new InternalError('the desk web service needs a desk store opened by openDeskStore');
  return db.withTables<WebTables>();
}
