import path from 'node:path';
import { systemClock } from '../../core/clock.js';
import type { DeskConfig } from '../../desk/config/desk-config.js';
import { DESK_CONFIG_FILE, loadDeskConfig } from '../../desk/config/load-desk-config.js';
import { Desk } from '../../desk/desk.js';
import { openDeskStore } from '../../desk/store/open-desk-store.js';
import type { CliIo } from '../io.js';
import { deskStoreOptions } from './desk-location.js';

// In a module of its own, so that `vigil desk` (desk.ts) and `vigil desk serve` (desk-serve.ts,
// which desk.ts loads lazily) both use it without importing each other.

/** Opens the configured desk: the configuration file (or the one given), then the store. */
export async function openDesk(values: { readonly config?: string | undefined; readonly db?: string | undefined }, io: CliIo, config?: DeskConfig): Promise<Desk> {
  const deskConfig = config ?? (await loadDeskConfig(path.resolve(values.config ?? DESK_CONFIG_FILE)));
  const store = await openDeskStore(await deskStoreOptions(values, io));
  return new Desk({ store, config: deskConfig, clock: systemClock });
}
