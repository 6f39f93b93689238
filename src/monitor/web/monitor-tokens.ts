import { systemClock, type Clock } from '../../core/clock.js';
import { deskApiTokenRecords } from '../../desk/store/api-token-records.js';
import type { DeskStore } from '../../desk/store/desk-store.js';
import { ROLES, type Actor, type Role } from '../../desk/types.js';
import { createApiTokenStore, type ApiToken, type ApiTokenStore } from '../../web/api/api-token-store.js';

/** The service name of the monitor's tokens: scope `monitor` (every project) or `monitor:project:<name>`. */
export const MONITOR_TOKEN_SERVICE = 'monitor';

/** The monitor's API tokens: the desk's roles, kept in the desk database beside its own tokens. */
export type MonitorTokenStore = ApiTokenStore<Role, Actor>;

/** A monitor token as the token store returns it. */
export type MonitorToken = ApiToken<Role>;

/**
 * The monitor's API tokens in the desk database behind `store` (a store from `openDeskStore`):
 * only tokens of scope `monitor` or `monitor:project:<name>` are seen, so a desk token opens
 * nothing of the monitor and a monitor token nothing of the desk.
 */
export function monitorTokenStore(store: DeskStore, clock: Clock = systemClock): MonitorTokenStore {
  return createApiTokenStore(deskApiTokenRecords(store), { service: MONITOR_TOKEN_SERVICE, roles: ROLES, clock });
}
