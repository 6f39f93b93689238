import type { Role } from '../../desk/types.js';
import { ApiRequestError } from '../../web/api/api-errors.js';
import { MONITOR_TOKEN_SERVICE, type MonitorToken } from './monitor-tokens.js';

// Who may do what in the monitor, for the JSON API and the console alike. A role says what
// (observers read, responders also push and acknowledge, admins also delete); a scope says where
// (a token of scope `monitor:project:<name>` sees that project only, a user or a `monitor` token
// every project).

/** What a request may do, by role. */
export type MonitorRight = 'read' | 'push' | 'acknowledge' | 'manage';

/** The roles holding each right. */
export const RIGHT_ROLES: Readonly<Record<MonitorRight, readonly Role[]>> = {
  read: ['admin', 'responder', 'observer'],
  push: ['admin', 'responder'],
  acknowledge: ['admin', 'responder'],
  manage: ['admin'],
};

/** Who is asking: a token or a logged-in console user. */
export interface MonitorPrincipal {
  /** For the ref history: `token:<name>` or `user:<login>`. */
  readonly actor: string;
  readonly role: Role;
  /** The one project it may see; undefined: every project. */
  readonly project: string | undefined;
  /** How it is named in refusals: `token "ci"`, `user "rita"`. */
  readonly label: string;
}

const PROJECT_SCOPE_PREFIX = `${MONITOR_TOKEN_SERVICE}:project:`;

/** The principal of a verified monitor token; its scope decides the project it is held to. */
export function tokenPrincipal(token: MonitorToken): MonitorPrincipal {
  let project: string | undefined;
  if (token.scope !== MONITOR_TOKEN_SERVICE) {
    // The token store only hands over monitor scopes; one of a kind this vigil does not know
    // opens nothing (an empty project name matches no project).
    project = token.scope.startsWith(PROJECT_SCOPE_PREFIX) ? token.scope.slice(PROJECT_SCOPE_PREFIX.length) : '';
  }
  return { actor: `token:${token.name}`, role: token.role, project, label: `token "${token.name}"` };
}

/** The principal of a logged-in console user: every project, within their role. */
export function userPrincipal(user: { readonly login: string; readonly role: Role }): MonitorPrincipal {
  return { actor: `user:${user.login}`, role: user.role, project: undefined, label: `user "${user.login}"` };
}

/** Whether the principal holds the right (by role). */
export function mayDo(principal: MonitorPrincipal, right: MonitorRight): boolean {
  return RIGHT_ROLES[right].includes(principal.role);
}

/** Whether the principal may see the project at all. */
export function maySee(principal: MonitorPrincipal, project: string): boolean {
  return principal.project === undefined || principal.project === project;
}

/**
 * Refuses (403) a principal without the right, or one held to another project.
 * @throws ApiRequestError 403.
 */
export function requireAccess(principal: MonitorPrincipal, right: MonitorRight, project?: string): void {
  if (!mayDo(principal, right)) {
    throw new ApiRequestError(403, 'forbidden', `${principal.label} has the role ${principal.role}; this needs ${RIGHT_ROLES[right].join(' or ')}`);
  }
  if (project !== undefined && !maySee(principal, project)) {
    throw new ApiRequestError(403, 'forbidden', `${principal.label} is limited to project "${principal.project ?? ''}"`);
  }
}

/** What a principal held to one project may see of a list: only that project's entries. */
export function visibleTo<T extends { readonly project: string }>(principal: MonitorPrincipal, items: readonly T[]): T[] {
  return items.filter((item) => maySee(principal, item.project));
}
