import type { Policy } from './types.js';

const DAY_MS = 86_400_000;

/** The policy when a project has no vigil.yaml: the seed policy every project here shares. */
export const DEFAULT_POLICY: Policy = {
  source: undefined,
  failOn: 'high',
  unknownSeverity: 'high',
  unevaluable: 'fail',
  maxDbAgeMs: 7 * DAY_MS,
  exclude: [],
  ignoreScopes: [],
  expiryWarningDays: 14,
  exceptionRules: { maxLifetimeMs: { critical: 30 * DAY_MS, high: 90 * DAY_MS, medium: 180 * DAY_MS, low: 365 * DAY_MS }, approvers: [] },
  sla: {
    critical: { kind: 'duration', ms: DAY_MS, text: '24h' },
    high: { kind: 'duration', ms: 7 * DAY_MS, text: '7d' },
    medium: { kind: 'next-release' },
    low: { kind: 'next-release' },
  },
  exceptions: [],
  // Frameworks take major upgrades only in minor or major releases; other dependencies may take
  // majors even in a patch release (the seed maintenance policy).
  maintenance: {
    release: 'patch',
    branch: 'main',
    frameworks: ['django', 'djangorestframework', 'celery'],
    rules: {
      patch: { framework: 'minor', direct: 'major', indirect: 'major' },
      minor: { framework: 'major', direct: 'major', indirect: 'major' },
      major: { framework: 'major', direct: 'major', indirect: 'major' },
    },
    endOfSupport: {},
  },
  problems: [],
};
