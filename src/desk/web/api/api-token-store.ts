import { randomBytes } from 'node:crypto';
import type { Generated, Kysely, Selectable } from 'kysely';
import { systemClock, type Clock } from '../../../core/clock.js';
import { DeskConflictError, DeskNotFoundError, InternalError, UsageError } from '../../../core/errors.js';
import type { DeskStore } from '../../store/desk-store.js';
import { hashSecret } from '../../secret-hash.js';
import { deskStoreDatabase } from '../../store/kysely-desk-store.js';
import { ROLES, type Actor, type Role } from '../../types.js';

/** `api_tokens` (migration `0004-api-tokens`) as Kysely sees it. */
export interface ApiTokensTable {
  id: Generated<number>;
  /** Unique among active tokens (a partial unique index). */
  name: string;
  /** `admin`, `responder` or `observer`. */
  role: string;
  /** SHA-256 of the token, hex; the token itself is never stored. */
  token_hash: string;
  /** ISO 8601 UTC instant, like every instant of the desk database. */
  created_at: string;
  /** Id of the actor who created the token. */
  created_by: string;
  /** When a request last authenticated with it. */
  last_used_at: string | null;
  /** Set once, when the token is revoked. */
  revoked_at: string | null;
}

/** What the desk keeps about an API token; never the token itself. */
export interface ApiToken {
  /** Numeric id, for `vigil desk token revoke ID`. */
  readonly id: number;
  /** Who or what uses the token (`ci-release`); one active token per name. */
  readonly name: string;
  /** What the token may do: the same roles as team members. */
  readonly role: Role;
  /** ISO 8601 UTC instant. */
  readonly createdAt: string;
  /** Id of the actor who created it. */
  readonly createdBy: string;
  /** When a request last authenticated with it. */
  readonly lastUsedAt?: string;
  /** When it was revoked; a revoked token authenticates nothing. */
  readonly revokedAt?: string;
}

/** A token just created: its record and the secret, which is shown once and never again. */
export interface CreatedApiToken {
  /** The stored record. */
  readonly token: ApiToken;
  /** The bearer token: 32 random bytes, base64url. */
  readonly secret: string;
}

/** Tokens of the JSON API, kept in the desk database next to the reports. */
export interface ApiTokenStore {
  /** Creates a token with a role; the change is written to the audit log. */
  create(input: { readonly name: string; readonly role: string }, actor: Actor): Promise<CreatedApiToken>;
  /** Every token, active and revoked, oldest first. */
  list(): Promise<ApiToken[]>;
  /**
   * The active token whose hash matches `secret`, with its use recorded; undefined for an
   * unknown or revoked token.
   */
  verify(secret: string): Promise<ApiToken | undefined>;
  /** Revokes a token for good; the change is written to the audit log. */
  revoke(id: number, actor: Actor): Promise<ApiToken>;
}

/** Token names: short and printable, since they appear in audit lines (`token:ci-release`). */
const TOKEN_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** 32 random bytes in base64url are 43 characters; anything else cannot be a token. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** The hash under which a token is stored. */
export function hashApiToken(secret: string): string {
  return hashSecret(secret);
}

/** The actor an API request acts as: a team member named after the token, with its role. */
export function apiTokenActor(token: ApiToken): Actor {
  return { kind: 'team', id: `token:${token.name}`, role: token.role };
}

/**
 * The API tokens of the desk database behind `store` (a store from `openDeskStore`). Changes run
 * in a transaction of `store`, with their audit line.
 */
export function apiTokenStore(store: DeskStore, clock: Clock = systemClock): ApiTokenStore {
  return new KyselyApiTokenStore(store, clock);
}

type TokenDatabase = Kysely<{ api_tokens: ApiTokensTable }>;

function tokenDatabase(store: DeskStore): TokenDatabase {
  const db = deskStoreDatabase(store);
  if (db === undefined) throw new InternalError('API tokens need a desk store opened by openDeskStore');
  return db.withTables<{ api_tokens: ApiTokensTable }>();
}

class KyselyApiTokenStore implements ApiTokenStore {
  readonly #store: DeskStore;
  readonly #clock: Clock;

  constructor(store: DeskStore, clock: Clock) {
    this.#store = store;
    this.#clock = clock;
    // Fail now, not on the first request, when the store cannot hold tokens.
    tokenDatabase(store);
  }

  async create(input: { readonly name: string; readonly role: string }, actor: Actor): Promise<CreatedApiToken> {
    const name = input.name.trim();
    if (!TOKEN_NAME.test(name)) {
      throw new UsageError(`invalid token name "${input.name}"`, {
        hint: 'use 1 to 64 letters, digits, dots, dashes and underscores, starting with a letter or digit',
      });
    }
    const role = readRole(input.role, () => new UsageError(`invalid role "${input.role}" (expected ${ROLES.join(', ')})`));
    const secret = randomBytes(32).toString('base64url');
    const at = this.#clock.now().toISOString();
    const token = await this.#store.transaction(async (store) => {
      const db = tokenDatabase(store);
      const active = await db
        .selectFrom('api_tokens')
        .select('id')
        .where('name', '=', name)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      // The unique index refuses it too; this gives the message (and the index settles races).
      if (active !== undefined) {
        throw new DeskConflictError(`an active token is already named "${name}" (id ${active.id})`, {
          hint: 'revoke it first, or choose another name',
        });
      }
      const row = await db
        .insertInto('api_tokens')
        .values({ name, role, token_hash: hashApiToken(secret), created_at: at, created_by: actor.id, last_used_at: null, revoked_at: null })
        .returningAll()
        .executeTakeFirstOrThrow();
      await store.appendAudit({ at, actor, action: 'api-token.create', subject: `api-token:${row.id}`, detail: { name, role } });
      return readToken(row);
    });
    return { token, secret };
  }

  async list(): Promise<ApiToken[]> {
    const rows = await tokenDatabase(this.#store).selectFrom('api_tokens').selectAll().orderBy('id').execute();
    return rows.map(readToken);
  }

  async verify(secret: string): Promise<ApiToken | undefined> {
    if (!TOKEN_SHAPE.test(secret)) return undefined;
    const at = this.#clock.now().toISOString();
    // One statement: a token revoked a moment ago matches no row, so it cannot slip through
    // between a read and a write.
    const row = await tokenDatabase(this.#store)
      .updateTable('api_tokens')
      .set({ last_used_at: at })
      .where('token_hash', '=', hashApiToken(secret))
      .where('revoked_at', 'is', null)
      .returningAll()
      .executeTakeFirst();
    return row === undefined ? undefined : readToken(row);
  }

  async revoke(id: number, actor: Actor): Promise<ApiToken> {
    const at = this.#clock.now().toISOString();
    return this.#store.transaction(async (store) => {
      const db = tokenDatabase(store);
      const row = await db
        .updateTable('api_tokens')
        .set({ revoked_at: at })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .returningAll()
        .executeTakeFirst();
      if (row === undefined) {
        const existing = await db.selectFrom('api_tokens').select(['revoked_at']).where('id', '=', id).executeTakeFirst();
        if (existing === undefined) throw new DeskNotFoundError(`no API token ${id}`);
        throw new DeskConflictError(`API token ${id} was already revoked at ${existing.revoked_at ?? 'an unknown time'}`);
      }
      await store.appendAudit({ at, actor, action: 'api-token.revoke', subject: `api-token:${id}`, detail: { name: row.name } });
      return readToken(row);
    });
  }
}

function readRole(value: string, error: () => Error): Role {
  const role = ROLES.find((candidate) => candidate === value);
  if (role === undefined) throw error();
  return role;
}

function readToken(row: Selectable<ApiTokensTable>): ApiToken {
  return {
    id: row.id,
    name: row.name,
    role: readRole(row.role, () => new InternalError(`api_tokens row ${row.id} has an unknown role "${row.role}"`)),
    createdAt: row.created_at,
    createdBy: row.created_by,
    ...(row.last_used_at === null ? {} : { lastUsedAt: row.last_used_at }),
    ...(row.revoked_at === null ? {} : { revokedAt: row.revoked_at }),
  };
}
