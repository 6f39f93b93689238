import { systemClock, type Clock } from '../../../core/clock.js';
import {
  createApiTokenStore,
  type ApiToken as WebApiToken,
  type ApiTokenStore as WebApiTokenStore,
  type CreatedApiToken as WebCreatedApiToken,
} from '../../../web/api/api-token-store.js';
import { deskApiTokenRecords } from '../../store/api-token-records.js';
import type { DeskStore } from '../../store/desk-store.js';
import { ROLES, type Actor, type Role } from '../../types.js';

export { hashApiToken } from '../../../web/api/api-token-store.js';
export type { ApiTokensTable } from '../../store/api-token-records.js';

/** The scope of the desk's tokens: the whole JSON API, within the token's role (every token made before scopes had it). */
export const DESK_TOKEN_SCOPE = 'desk';

/** What the desk keeps about an API token; never the token itself. */
export type ApiToken = WebApiToken<Role>;

/** A token just created: its record and the secret, which is shown once and never again. */
export type CreatedApiToken = WebCreatedApiToken<Role>;

/** Tokens of the desk's JSON API, kept in the desk database next to the reports. */
export type ApiTokenStore = WebApiTokenStore<Role, Actor>;

/** The actor an API request acts as: a team member named after the token, with its role. */
export function apiTokenActor(token: ApiToken): Actor {
  return { kind: 'team', id: `token:${token.name}`, role: token.role };
}

/**
 * The desk's API tokens (scope `desk`) in the desk database behind `store` (a store from
 * `openDeskStore`). Changes run in a transaction of `store`, with their audit line.
 */
export function apiTokenStore(store: DeskStore, clock: Clock = systemClock): ApiTokenStore {
  return createApiTokenStore(deskApiTokenRecords(store), { service: DESK_TOKEN_SCOPE, roles: ROLES, clock });
}
