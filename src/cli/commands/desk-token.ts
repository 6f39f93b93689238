import { cliActor, deskStoreOptions } from './desk-location.js';
import { systemClock } from '../../core/clock.js';
import { DeskNotFoundError, UsageError } from '../../core/errors.js';
import { visibleText } from '../../core/visible-text.js';
import { openDeskStore } from '../../desk/store/open-desk-store.js';
import { ROLES } from '../../desk/types.js';
import { apiTokenStore, DESK_TOKEN_SCOPE, type ApiToken } from '../../desk/web/api/api-token-store.js';
import type { DeskStore } from '../../desk/store/desk-store.js';
import { isTokenScope, scopeService } from '../../web/api/api-token-store.js';
import { EXIT } from '../exit-codes.js';
import type { CliIo } from '../io.js';

/** Lines of `vigil desk --help` for the token commands. */
export const DESK_TOKEN_HELP = `  token create NAME --role ROLE [--scope SCOPE]
                               make a JSON API token (${ROLES.join(', ')}); prints it once;
                               SCOPE: desk (the default: the desk API), monitor (the
                               monitor API, every project) or monitor:project:NAME
                               (push to and read one project only)
  token list                   the API tokens: scope, role, created, last used, revoked
  token revoke ID              revoke an API token for good`;

/** The options `vigil desk` must declare for the token commands, beside its own `--db`, `--as` and `--json`. */
export const DESK_TOKEN_OPTIONS = { role: { type: 'string' }, scope: { type: 'string' } } as const;

/** The parsed options of `vigil desk` the token commands read. */
export interface DeskTokenValues {
  /** `--db URL|FILE`: a postgres:// URL or an SQLite file (default: $DATABASE_URL, else .vigil/desk.db). */
  readonly db?: string | undefined;
  /** `--as NAME`: who is acting, for the audit log (default: $VIGIL_DESK_USER, else the login name). */
  readonly as?: string | undefined;
  /** `--json`: machine-readable output. */
  readonly json?: boolean | undefined;
  /** `--role ROLE` of `token create`. */
  readonly role?: string | undefined;
  /** `--scope SCOPE` of `token create`: `desk` (default), `monitor` or `monitor:project:NAME`. */
  readonly scope?: string | undefined;
}

/** The services whose tokens this command manages, each with its token store over the desk database. */
const TOKEN_SERVICES = ['desk', 'monitor'] as const;

async function tokenStoreOf(service: (typeof TOKEN_SERVICES)[number], store: DeskStore) {
  if (service === 'desk') return apiTokenStore(store, systemClock);
  const { monitorTokenStore } = await import('../../monitor/web/monitor-tokens.js');
  return monitorTokenStore(store, systemClock);
}

function requireScope(value: string | undefined): { service: (typeof TOKEN_SERVICES)[number]; scope: string } {
  const scope = value ?? DESK_TOKEN_SCOPE;
  const service = TOKEN_SERVICES.find((candidate) => candidate === scopeService(scope));
  if (!isTokenScope(scope) || service === undefined || (service === 'desk' && scope !== DESK_TOKEN_SCOPE) || (scope !== service && !scope.startsWith(`${service}:project:`))) {
    throw new UsageError(`desk token create: invalid --scope "${visibleText(scope.slice(0, 160))}"`, {
      hint: 'use desk, monitor or monitor:project:NAME (NAME: letters, digits, dots, dashes and underscores)',
    });
  }
  return { service, scope };
}

/**
 * `vigil desk token create NAME --role ROLE | list | revoke ID`: the bearer tokens of the desk's
 * JSON API. `args` are the words after `token`. A new token goes alone to stdout (so that
 * `TOKEN=$(vigil desk token create ci --role responder)` captures it) and is never shown again:
 * the desk keeps only its SHA-256.
 */
export async function runDeskToken(args: readonly string[], values: DeskTokenValues, io: CliIo): Promise<number> {
  const [given, ...rest] = args;
  // `add` as `create`, as for `vigil desk user add`.
  const subcommand = given === 'add' ? 'create' : given;
  if (subcommand !== 'create' && subcommand !== 'list' && subcommand !== 'revoke') {
    throw new UsageError(
      subcommand === undefined ? 'desk token: name a command: create, list or revoke' : `desk token: unknown command "${subcommand}"`,
      { hint: 'vigil desk token create NAME --role ROLE | list | revoke ID' },
    );
  }
  const [argument, extra] = rest;
  if (extra !== undefined) throw new UsageError(`desk token ${subcommand}: unexpected argument "${extra}"`);
  if (subcommand === 'list' && argument !== undefined) throw new UsageError(`desk token list: unexpected argument "${argument}"`);
  if (subcommand !== 'create' && values.role !== undefined) throw new UsageError(`desk token ${subcommand}: --role is for token create`);
  if (subcommand !== 'create' && values.scope !== undefined) throw new UsageError(`desk token ${subcommand}: --scope is for token create`);
  // Checked before the database is opened (or created).
  const name = subcommand === 'create' ? requireArgument(argument, 'create', 'NAME') : '';
  const role = subcommand === 'create' ? requireRole(values.role) : '';
  const id = subcommand === 'revoke' ? tokenId(argument) : 0;
  const scope = subcommand === 'create' ? requireScope(values.scope) : { service: 'desk' as const, scope: DESK_TOKEN_SCOPE };

  const store = await openDeskStore(await deskStoreOptions(values, io));
  try {
    const actor = cliActor(values, io);
    switch (subcommand) {
      case 'create': {
        const tokens = await tokenStoreOf(scope.service, store);
        const { token, secret } = await tokens.create({ name, role, scope: scope.scope }, actor);
        if (values.json) io.stdout.write(`${JSON.stringify({ ...token, token: secret }, null, 2)}\n`);
        else {
          const scoped = token.scope === DESK_TOKEN_SCOPE ? '' : `, scope ${token.scope}`;
          io.log(`created API token ${token.id} "${token.name}" (${token.role}${scoped}); it is shown once, below, and cannot be shown again`);
          io.stdout.write(`${secret}\n`);
        }
        return EXIT.ok;
      }
      case 'list': {
        const list: ApiToken[] = [];
        for (const service of TOKEN_SERVICES) list.push(...(await (await tokenStoreOf(service, store)).list()));
        list.sort((a, b) => a.id - b.id);
        io.stdout.write(values.json ? `${JSON.stringify({ tokens: list }, null, 2)}\n` : describeTokens(list));
        return EXIT.ok;
      }
      case 'revoke': {
        const token = await revokeAnywhere(store, id, actor);
        if (values.json) io.stdout.write(`${JSON.stringify(token, null, 2)}\n`);
        else io.stdout.write(`revoked API token ${token.id} "${token.name}"\n`);
        return EXIT.ok;
      }
    }
  } finally {
    await store.close();
  }
}

/** Revokes token `id` of whichever service it belongs to. */
async function revokeAnywhere(store: DeskStore, id: number, actor: ReturnType<typeof cliActor>): Promise<ApiToken> {
  for (const service of TOKEN_SERVICES) {
    try {
      return await (await tokenStoreOf(service, store)).revoke(id, actor);
    } catch (error) {
      // Each service sees its own tokens only: not found in one, the next may hold it.
      if (!(error instanceof DeskNotFoundError) || service === TOKEN_SERVICES[TOKEN_SERVICES.length - 1]) throw error;
    }
  }
  throw new DeskNotFoundError(`no API token ${id}`);
}

function requireArgument(value: string | undefined, command: string, what: string): string {
  if (value === undefined || value.trim() === '') throw new UsageError(`desk token ${command}: ${what} is required`);
  return value;
}

function requireRole(value: string | undefined): string {
  if (value === undefined) throw new UsageError(`desk token create: --role is required (${ROLES.join(', ')})`);
  if (!(ROLES as readonly string[]).includes(value)) throw new UsageError(`desk token create: unknown role "${value}" (expected ${ROLES.join(', ')})`);
  return value;
}

function tokenId(text: string | undefined): number {
  const value = requireArgument(text, 'revoke', 'ID');
  if (!/^[1-9]\d{0,9}$/.test(value)) throw new UsageError(`desk token revoke: "${value}" is not a token id (see "vigil desk token list")`);
  return Number(value);
}

function describeTokens(tokens: readonly ApiToken[]): string {
  if (tokens.length === 0) return 'no API tokens (vigil desk token create NAME --role ROLE)\n';
  const rows = tokens.map((token) => [
    String(token.id),
    token.name,
    token.scope,
    token.role,
    token.createdAt,
    token.lastUsedAt ?? 'never used',
    token.revokedAt === undefined ? 'active' : `revoked ${token.revokedAt}`,
  ]);
  const header = ['ID', 'NAME', 'SCOPE', 'ROLE', 'CREATED', 'LAST USED', 'STATUS'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  return [header, ...rows].map((row) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd()).join('\n') + '\n';
}
