import { describe, expect, it } from 'vitest';
import { notificationRoutes } from '../../../src/cli/commands/monitor-serve.js';
import { ConfigError } from '../../../src/core/errors.js';
import type { MonitorSettings } from '../../../src/desk/config/desk-config.js';

const WEBHOOK: MonitorSettings = {
  rematchEveryMs: 60_000,
  maxDbAgeMs: 7 * 86_400_000,
  takeoverMs: 60_000,
  notify: [{ kind: 'webhook', name: 'chat', url: 'https://hooks.example.org/vigil', secretEnv: 'HOOK_KEY', projects: ['nautobot'], minSeverity: 'critical' }],
};
const EMAIL: MonitorSettings = { ...WEBHOOK, notify: [{ kind: 'email', name: 'team', to: 'security@example.org', digestMinutes: 1440, minSeverity: 'high' }] };

function configError(work: () => unknown): ConfigError {
  try {
    work();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('the monitor routes of desk.yaml, as a server starts them', () => {
  it('takes each webhook key from the variable its target names', () => {
    expect(notificationRoutes(WEBHOOK, { HOOK_KEY: 'k'.repeat(16) }, false)).toEqual([
      { target: { kind: 'webhook', id: 'chat', url: 'https://hooks.example.org/vigil', secret: 'k'.repeat(16) }, projects: ['nautobot'], minSeverity: 'critical' },
    ]);
  });

  it.each([
    { name: 'unset', env: {}, message: /\$HOOK_KEY is not set/ },
    { name: 'empty', env: { HOOK_KEY: '' }, message: /\$HOOK_KEY is not set/ },
    { name: 'shorter than 16 characters', env: { HOOK_KEY: 'k'.repeat(15) }, message: /\$HOOK_KEY has fewer than 16 characters/ },
  ])('refuses to start with a webhook key $name (never an unsigned webhook)', ({ env, message }) => {
    expect(configError(() => notificationRoutes(WEBHOOK, env, false)).message).toMatch(message);
  });

  it('an e-mail target needs the mail settings; with them its digest period is kept', () => {
    expect(configError(() => notificationRoutes(EMAIL, {}, false)).message).toMatch(/team: e-mail needs the desk's mail settings/);
    expect(notificationRoutes(EMAIL, {}, true)).toEqual([{ target: { kind: 'email', id: 'team', to: 'security@example.org', digest: { periodMinutes: 1440 } }, minSeverity: 'high' }]);
  });
});
