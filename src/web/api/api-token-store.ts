import { randomBytes } from 'node:crypto';
import { systemClock, type Clock } from '../../core/clock.js';
import { DeskConflictError, DeskNotFoundError, InternalError, UsageError } from '../../core/errors.js';
import { hashSecret } from '../secret-hash.js';

// Bearer tokens of the services' JSON APIs. Every token carries a scope naming what it opens:
// a service (`desk`: the desk's whole API, within the token's role) or one object of a service
// (`monitor:project:<name>`: what the monitor lets a push for that project do). A service's token
// store sees only its own scopes: a token of another service is unknown to it, so a project's push
// token can never call the desk's API. Storage is the service's (the desk keeps tokens in its
// database, see src/desk/store/api-token-records.ts) behind `ApiTokenRecords`.

/** A service name: the first part of every scope it issues (`desk`, `monitor`). */
const SERVICE = /^[a-z][a-z0-9-]{0,31}$/;

/** `service`, or `service:kind:name` with a kind (`project`) and the object's name. */
const SCOPE = /^([a-z][a-z0-9-]{0,31})(?::[a-z][a-z0-9-]{0,31}:[A-Za-z0-9][A-Za-z0-9._-]{0,127})?$/;

/** Token names: short and printable, since they appear in audit lines (`token:ci-release`). */
const TOKEN_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** 32 random bytes in base64url are 43 characters; anything else cannot be a token. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** What a token opens: `desk`, or `monitor:project:<name>` (see `projectScope`). */
export type TokenScope = string;

/** Whether `scope` is well formed (a service, or a service's kind and object name). */
export function isTokenScope(scope: string): boolean {
  return SCOPE.test(scope);
}

/** The service a well-formed scope belongs to (`monitor` for `monitor:project:web`). */
export function scopeService(scope: TokenScope): string {
  return SCOPE.exec(scope)?.[1] ?? '';
}

/**
 * The scope of a token limited to one project of a service: `monitor:project:<name>`.
 * @throws UsageError when the service or the project name cannot be part of a scope.
 */
export function projectScope(service: string, project: string): TokenScope {
  const scope = `${service}:project:${project}`;
  if (!SERVICE.test(service) || !SCOPE.test(scope)) {
    throw new UsageError(`"${project}" cannot name a project in a token scope`, {
      hint: 'use 1 to 128 letters, digits, dots, dashes and underscores, starting with a letter or digit',
    });
  }
  return scope;
}

/** What a service keeps about an API token; never the token itself. */
export interface ApiToken<R extends string = string> {
  /** Numeric id, for `vigil desk token revoke ID`. */
  readonly id: number;
  /** Who or what uses the token (`ci-release`); one active token per name, over every service. */
  readonly name: string;
  /** What the token may do within its scope: one of the service's roles. */
  readonly role: R;
  /** What the token opens: the service's name for all of it, or a narrower scope of it. */
  readonly scope: TokenScope;
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
export interface CreatedApiToken<R extends string = string> {
  /** The stored record. */
  readonly token: ApiToken<R>;
  /** The bearer token: 32 random bytes, base64url. */
  readonly secret: string;
}

/** What a token is created with. */
export interface NewApiToken {
  /** 1 to 64 letters, digits, dots, dashes and underscores. */
  readonly name: string;
  /** One of the service's roles. */
  readonly role: string;
  /** The service's own scope (the default) or a narrower one of it (`monitor:project:web`). */
  readonly scope?: TokenScope;
}

/** The tokens of one service: only tokens whose scope belongs to it are seen. */
export interface ApiTokenStore<R extends string = string, A = unknown> {
  /** Creates a token with a role and a scope; the change is written to the audit log. */
  create(input: NewApiToken, actor: A): Promise<CreatedApiToken<R>>;
  /** Every token of the service, active and revoked, oldest first. */
  list(): Promise<ApiToken<R>[]>;
  /**
   * The active token of the service whose hash matches `secret`, with its use recorded;
   * undefined for an unknown or revoked token and for a token of another service.
   */
  verify(secret: string): Promise<ApiToken<R> | undefined>;
  /** Revokes a token of the service for good; the change is written to the audit log. */
  revoke(id: number, actor: A): Promise<ApiToken<R>>;
}

/** A stored token as the records hold it. */
export interface ApiTokenRow {
  /** Assigned by the storage, never reused. */
  readonly id: number;
  /** Unique among active tokens, over every service. */
  readonly name: string;
  /** The role as stored (checked against the service's roles when read). */
  readonly role: string;
  /** The scope as stored. */
  readonly scope: string;
  /** SHA-256 of the token, hex. */
  readonly tokenHash: string;
  /** ISO 8601 UTC instant. */
  readonly createdAt: string;
  /** Id of the actor who created it. */
  readonly createdBy: string;
  /** When a request last authenticated with it, or null. */
  readonly lastUsedAt: string | null;
  /** When it was revoked, or null. */
  readonly revokedAt: string | null;
}

/** An audit line of a token change. */
export interface ApiTokenAuditEvent<A> {
  /** ISO 8601 UTC instant. */
  readonly at: string;
  /** Who made the change. */
  readonly actor: A;
  /** `api-token.create` or `api-token.revoke`. */
  readonly action: 'api-token.create' | 'api-token.revoke';
  /** `api-token:<id>`. */
  readonly subject: string;
  /** What changed. */
  readonly detail: Readonly<Record<string, string>>;
}

/**
 * Where a service keeps its tokens. Every method reading tokens takes the service: it matches the
 * rows whose scope is the service's name or starts with it and a colon, and no others.
 */
export interface ApiTokenRecords<A> {
  /** Runs `work` in one transaction: its writes and audit lines land together or none do. */
  transaction<T>(work: (records: ApiTokenRecords<A>) => Promise<T>): Promise<T>;
  /** The active token holding `name`, of any service. */
  findActiveByName(name: string): Promise<{ readonly id: number } | undefined>;
  /** Stores a new token. */
  insert(row: Omit<ApiTokenRow, 'id'>): Promise<ApiTokenRow>;
  /** The service's tokens, by id. */
  list(service: string): Promise<ApiTokenRow[]>;
  /** In one statement: sets `lastUsedAt` of the service's active token with this hash, and returns it. */
  markUsed(tokenHash: string, service: string, at: string): Promise<ApiTokenRow | undefined>;
  /** In one statement: sets `revokedAt` of the service's active token `id`, and returns it. */
  revoke(id: number, service: string, at: string): Promise<ApiTokenRow | undefined>;
  /** The service's token `id`, active or not. */
  find(id: number, service: string): Promise<ApiTokenRow | undefined>;
  /** Writes an audit line. */
  appendAudit(event: ApiTokenAuditEvent<A>): Promise<void>;
}

/** Options of `createApiTokenStore`. */
export interface ApiTokenStoreOptions<R extends string> {
  /** The service whose tokens these are: its name is its widest scope (`desk`). */
  readonly service: string;
  /** The roles a token of the service may have. */
  readonly roles: readonly R[];
  /** Clock of creation, use and revocation (default: the system clock). */
  readonly clock?: Clock;
}

/** The hash under which a token is stored. */
export function hashApiToken(secret: string): string {
  return hashSecret(secret);
}

/**
 * The token store of one service over `records`.
 * @throws InternalError for a service name that cannot be a scope.
 */
export function createApiTokenStore<R extends string, A extends { readonly id: string }>(
  records: ApiTokenRecords<A>,
  options: ApiTokenStoreOptions<R>,
): ApiTokenStore<R, A> {
  if (!SERVICE.test(options.service)) throw new InternalError(`"${options.service}" cannot be a service of API tokens`);
  return new RecordsApiTokenStore(records, options.service, options.roles, options.clock ?? systemClock);
}

class RecordsApiTokenStore<R extends string, A extends { readonly id: string }> implements ApiTokenStore<R, A> {
  readonly #records: ApiTokenRecords<A>;
  readonly #service: string;
  readonly #roles: readonly R[];
  readonly #clock: Clock;

  constructor(records: ApiTokenRecords<A>, service: string, roles: readonly R[], clock: Clock) {
    this.#records = records;
    this.#service = service;
    this.#roles = roles;
    this.#clock = clock;
  }

  async create(input: NewApiToken, actor: A): Promise<CreatedApiToken<R>> {
    const name = input.name.trim();
    if (!TOKEN_NAME.test(name)) {
      throw new UsageError(`invalid token name "${input.name}"`, {
        hint: 'use 1 to 64 letters, digits, dots, dashes and underscores, starting with a letter or digit',
      });
    }
    const role = this.#readRole(input.role, () => new UsageError(`invalid role "${input.role}" (expected ${this.#roles.join(', ')})`));
    const scope = input.scope ?? this.#service;
    if (!isTokenScope(scope) || scopeService(scope) !== this.#service) {
      throw new UsageError(`invalid scope "${scope}" for a ${this.#service} token`, {
        hint: `use "${this.#service}" or "${this.#service}:project:NAME"`,
      });
    }
    const secret = randomBytes(32).toString('base64url');
    const at = this.#clock.now().toISOString();
    const token = await this.#records.transaction(async (records) => {
      const active = await records.findActiveByName(name);
      // The storage's unique index refuses it too; this gives the message (and the index settles races).
      if (active !== undefined) {
        throw new DeskConflictError(`an active token is already named "${name}" (id ${active.id})`, {
          hint: 'revoke it first, or choose another name',
        });
      }
      const row = await records.insert({ name, role, scope, tokenHash: hashApiToken(secret), createdAt: at, createdBy: actor.id, lastUsedAt: null, revokedAt: null });
      // A token of the whole service is recorded as before scopes existed; a narrower one names its scope.
      const detail: Readonly<Record<string, string>> = scope === this.#service ? { name, role } : { name, role, scope };
      await records.appendAudit({ at, actor, action: 'api-token.create', subject: `api-token:${row.id}`, detail });
      return this.#readToken(row);
    });
    return { token, secret };
  }

  async list(): Promise<ApiToken<R>[]> {
    const rows = await this.#records.list(this.#service);
    return rows.map((row) => this.#readToken(row));
  }

  async verify(secret: string): Promise<ApiToken<R> | undefined> {
    if (!TOKEN_SHAPE.test(secret)) return undefined;
    // One statement: a token revoked a moment ago matches no row, so it cannot slip through
    // between a read and a write.
    const row = await this.#records.markUsed(hashApiToken(secret), this.#service, this.#clock.now().toISOString());
    return row === undefined ? undefined : this.#readToken(row);
  }

  async revoke(id: number, actor: A): Promise<ApiToken<R>> {
    const at = this.#clock.now().toISOString();
    return this.#records.transaction(async (records) => {
      const row = await records.revoke(id, this.#service, at);
      if (row === undefined) {
        const existing = await records.find(id, this.#service);
        if (existing === undefined) throw new DeskNotFoundError(`no API token ${id}`);
        throw new DeskConflictError(`API token ${id} was already revoked at ${existing.revokedAt ?? 'an unknown time'}`);
      }
      await records.appendAudit({ at, actor, action: 'api-token.revoke', subject: `api-token:${id}`, detail: { name: row.name } });
      return this.#readToken(row);
    });
  }

  #readRole(value: string, error: () => Error): R {
    const role = this.#roles.find((candidate) => candidate === value);
    if (role === undefined) throw error();
    return role;
  }

  #readToken(row: ApiTokenRow): ApiToken<R> {
    // The records matched the service; a row that still is not one of its scopes is a fault.
    if (!isTokenScope(row.scope) || scopeService(row.scope) !== this.#service) {
      throw new InternalError(`api_tokens row ${row.id} has a scope "${row.scope}" outside ${this.#service}`);
    }
    return {
      id: row.id,
      name: row.name,
      role: this.#readRole(row.role, () => new InternalError(`api_tokens row ${row.id} has an unknown role "${row.role}"`)),
      scope: row.scope,
      createdAt: row.createdAt,
      createdBy: row.createdBy,
      ...(row.lastUsedAt === null ? {} : { lastUsedAt: row.lastUsedAt }),
      ...(row.revokedAt === null ? {} : { revokedAt: row.revokedAt }),
    };
  }
}
