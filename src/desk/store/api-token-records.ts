import { sql, type Generated, type Kysely, type Selectable } from 'kysely';
import { InternalError } from '../../core/errors.js';
import type { ApiTokenAuditEvent, ApiTokenRecords, ApiTokenRow } from '../../web/api/api-token-store.js';
import type { Actor } from '../types.js';
import type { DeskStore } from './desk-store.js';
import { deskStoreDatabase } from './kysely-desk-store.js';

/** `api_tokens` (migrations `0004-api-tokens` and `0007-api-token-scope`) as Kysely sees it. */
export interface ApiTokensTable {
  id: Generated<number>;
  /** Unique among active tokens (a partial unique index). */
  name: string;
  /** A role of the token's service (the desk's: `admin`, `responder` or `observer`). */
  role: string;
  /** What the token opens: `desk` (every token made before scopes), or e.g. `monitor:project:web`. */
  scope: Generated<string>;
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

type TokenDatabase = Kysely<{ api_tokens: ApiTokensTable }>;

function tokenDatabase(store: DeskStore): TokenDatabase {
  const db = deskStoreDatabase(store);
  if (db === undefined) throw new InternalError('API tokens need a desk store opened by openDeskStore');
  return db.withTables<{ api_tokens: ApiTokensTable }>();
}

function readRow(row: Selectable<ApiTokensTable>): ApiTokenRow {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    scope: row.scope,
    tokenHash: row.token_hash,
    createdAt: row.created_at,
    createdBy: row.created_by,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

/**
 * The API tokens of every service, kept in the desk database behind `store` (a store from
 * `openDeskStore`), with their audit lines in the desk's audit log.
 * @throws InternalError when the store has no database of its own.
 */
export function deskApiTokenRecords(store: DeskStore): ApiTokenRecords<Actor> {
  const db = tokenDatabase(store);
  // The service's own scope, or one below it: `desk`, `desk:...`. Compared by prefix, not LIKE,
  // so that no character of the service name is a wildcard.
  const ofService = (service: string) => sql<boolean>`(scope = ${service} OR substr(scope, 1, ${service.length + 1}) = ${`${service}:`})`;
  return {
    transaction: (work) => store.transaction((tx) => work(deskApiTokenRecords(tx))),
    findActiveByName: (name) => db.selectFrom('api_tokens').select('id').where('name', '=', name).where('revoked_at', 'is', null).executeTakeFirst(),
    insert: async (row) =>
      readRow(
        await db
          .insertInto('api_tokens')
          .values({
            name: row.name,
            role: row.role,
            scope: row.scope,
            token_hash: row.tokenHash,
            created_at: row.createdAt,
            created_by: row.createdBy,
            last_used_at: row.lastUsedAt,
            revoked_at: row.revokedAt,
          })
          .returningAll()
          .executeTakeFirstOrThrow(),
      ),
    list: async (service) => (await db.selectFrom('api_tokens').selectAll().where(ofService(service)).orderBy('id').execute()).map(readRow),
    markUsed: async (tokenHash, service, at) => {
      const row = await db
        .updateTable('api_tokens')
        .set({ last_used_at: at })
        .where('token_hash', '=', tokenHash)
        .where('revoked_at', 'is', null)
        .where(ofService(service))
        .returningAll()
        .executeTakeFirst();
      return row === undefined ? undefined : readRow(row);
    },
    revoke: async (id, service, at) => {
      const row = await db
        .updateTable('api_tokens')
        .set({ revoked_at: at })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .where(ofService(service))
        .returningAll()
        .executeTakeFirst();
      return row === undefined ? undefined : readRow(row);
    },
    find: async (id, service) => {
      const row = await db.selectFrom('api_tokens').selectAll().where('id', '=', id).where(ofService(service)).executeTakeFirst();
      return row === undefined ? undefined : readRow(row);
    },
    appendAudit: async (event: ApiTokenAuditEvent<Actor>) => {
      await store.appendAudit({ ...event, detail: { ...event.detail } });
    },
  };
}
