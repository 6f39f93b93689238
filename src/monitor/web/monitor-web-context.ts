import type { AdvisoryStore } from '../../advisories/types.js';
import type { Clock } from '../../core/clock.js';
import type { EcosystemId } from '../../core/types.js';
import type { Desk } from '../../desk/desk.js';
import type { RateLimit } from '../../web/create-web-server.js';
import type { MonitorDb } from '../store/open-monitor-store.js';
import type { MonitorTokenStore } from './monitor-tokens.js';

/** Options of `monitorWebService`. */
export interface MonitorWebOptions {
  /** The monitor database (`openMonitorStore`); the caller opens and closes it. */
  readonly monitor: MonitorDb;
  /**
   * The desk the monitor runs beside: its users and sessions log in to the console, its database
   * keeps the monitor's tokens (scopes `monitor`, `monitor:project:<name>`) and the audit lines of
   * deletions, and its project name titles the pages.
   */
  readonly desk: Desk;
  /** Opens the advisory store for a push, as `PushOptions.openStore`. */
  readonly openStore: (ecosystems: readonly EcosystemId[]) => Promise<AdvisoryStore>;
  /** The clock of pushes, acknowledgements, token use and sessions (default: the system clock). */
  readonly clock?: Clock;
  /** The public base URL (`https://desk.example.org`), for the OpenAPI document's server; else the path alone. */
  readonly publicUrl?: string;
  /** The monitor's tokens (default: `monitorTokenStore(desk.store, clock)`). */
  readonly tokens?: MonitorTokenStore;
  /** The largest push body, bytes (default `DEFAULT_MAX_PUSH_BYTES`, 32 MiB). */
  readonly maxPushBytes?: number;
  /** Pushes write an outbox row for each (ref, alias group) they find first (default false: CI gets them in the answer). */
  readonly notifyOnPush?: boolean;
  /** Pushes per client address (each audits a whole inventory): default `DEFAULT_PUSH_RATE_LIMIT`, 60 a minute. */
  readonly pushRateLimit?: RateLimit;
}

/** The options with their defaults applied, as the routes use them. */
export interface MonitorWebContext {
  readonly monitor: MonitorDb;
  readonly desk: Desk;
  readonly openStore: MonitorWebOptions['openStore'];
  readonly clock: Clock;
  readonly publicUrl: string | undefined;
  readonly tokens: MonitorTokenStore;
  readonly maxPushBytes: number;
  readonly notifyOnPush: boolean;
  readonly pushRateLimit: RateLimit;
}
