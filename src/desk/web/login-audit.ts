import type { Clock } from '../../core/clock.js';
import { isValidLogin, normaliseLogin } from '../../web/logins.js';
import { retryAfterSeconds, type FailureOutcome } from '../../web/login-throttle.js';
import type { DeskStore } from '../store/desk-store.js';

/**
 * Writes a failed console log-in to the audit log: the login tried (when it is one the desk could
 * have, else a placeholder, so that no typed text of any length lands there), the client address
 * and the counts that decide the delays.
 */
export async function auditFailedLogin(store: DeskStore, login: string, address: string, outcome: FailureOutcome, clock: Clock): Promise<void> {
  const normalised = normaliseLogin(login);
  await store.appendAudit({
    at: clock.now().toISOString(),
    actor: { kind: 'system', id: 'console-login' },
    action: 'login.failed',
    subject: `user:${isValidLogin(normalised) ? normalised : '(not a valid login)'}`,
    detail: {
      address,
      accountFailures: outcome.accountFailures,
      addressFailures: outcome.addressFailures,
      ...(outcome.nextWaitMs > 0 ? { nextWaitSeconds: retryAfterSeconds(outcome.nextWaitMs) } : {}),
    },
  });
}
