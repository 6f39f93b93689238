import type { SeverityLevel } from '../types.js';
import type { DeskConfigFile } from './desk-config-schema.js';

/** A duration in the units the configuration allows; business units follow the desk calendar. */
export interface SlaDuration {
  readonly unit: 'hours' | 'days' | 'business-days' | 'business-hours';
  readonly amount: number;
  /** As written, for messages. */
  readonly text: string;
}

export const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** The business-day calendar: what counts as a working day and working hours, and where. */
export interface BusinessCalendar {
  /** IANA zone in which days begin and end. */
  readonly timeZone: string;
  readonly weekend: readonly Weekday[];
  /** Dates (YYYY-MM-DD, in the calendar's zone) that are not business days. */
  readonly holidays: readonly string[];
  /** Working hours of a business day, minutes after local midnight: [start, end). */
  readonly workHours: { readonly start: number; readonly end: number };
}

/** A release series of the project. */
export interface ReleaseSeries {
  readonly name: string;
  readonly released: string;
  readonly lts: boolean;
  /** Last day of security support, if announced. */
  readonly endOfSupport?: string;
}

export interface SecurityTxtFields {
  readonly contact: readonly string[];
  readonly expires: string;
  readonly policy?: string;
  readonly preferredLanguages?: readonly string[];
  readonly encryption?: string;
  readonly acknowledgments?: string;
  readonly canonical?: string;
}

// The throttle's settings are the web layer's; `login_throttle` in desk.yaml fills them.
export type { LoginThrottleSettings, ThrottleRule } from '../../web/login-throttle.js';
import type { LoginThrottleSettings, ThrottleRule } from '../../web/login-throttle.js';

export const DEFAULT_LOGIN_THROTTLE: LoginThrottleSettings = {
  account: { freeFailures: 5, baseDelayMs: 1000, maxDelayMs: 15 * 60_000, forgetAfterMs: 60 * 60_000 },
  address: { freeFailures: 20, baseDelayMs: 1000, maxDelayMs: 60_000, forgetAfterMs: 15 * 60_000 },
  knownPairMs: 30 * 86_400_000,
  maxEntries: 100_000,
};

/** The desk configuration, normalised with every default applied. */
export interface DeskConfig {
  readonly project: {
    readonly name: string;
    readonly url?: string;
    readonly package: { readonly ecosystem: string; readonly name: string };
    readonly advisoryPrefix: string;
    readonly mainBranch: string;
    readonly contacts: { readonly security: string; readonly from: string; readonly announce?: string };
    readonly securityTxt?: SecurityTxtFields;
  };
  readonly sla: {
    readonly acknowledge: SlaDuration;
    readonly triage: SlaDuration;
    readonly fix: Readonly<Record<SeverityLevel, SlaDuration>>;
    readonly dueSoon: SlaDuration;
  };
  readonly calendar: BusinessCalendar;
  readonly severity: {
    readonly classes: Readonly<Record<SeverityLevel, readonly string[]>>;
    /** CWE id (`CWE-89`) to the level it suggests. */
    readonly cwe: Readonly<Record<string, SeverityLevel>>;
  };
  readonly series: readonly ReleaseSeries[];
  readonly prenotification: { readonly leadTime: SlaDuration };
  readonly notificationList: {
    readonly criteria: readonly string[];
    readonly decisionWithin: SlaDuration;
    /** Addresses and `@domain`s (beyond the built-in ones) that are public lists. */
    readonly publicLists: readonly string[];
  };
  readonly loginThrottle: LoginThrottleSettings;
  /** The portfolio monitor's settings, used when the server runs it. */
  readonly monitor: MonitorSettings;
}

/** A notification target of the monitor, as configured (secrets still named, not read). */
export type MonitorNotifyTarget =
  | {
      readonly kind: 'webhook';
      readonly name: string;
      readonly url: string;
      /** The environment variable that holds the HMAC key. */
      readonly secretEnv: string;
      readonly timeoutMs?: number;
      readonly projects?: readonly string[];
      readonly minSeverity: 'low' | 'medium' | 'high' | 'critical';
    }
  | {
      readonly kind: 'email';
      readonly name: string;
      readonly to: string;
      readonly digestMinutes?: number;
      readonly projects?: readonly string[];
      readonly minSeverity: 'low' | 'medium' | 'high' | 'critical';
    };

/** `monitor:` of desk.yaml. */
export interface MonitorSettings {
  /** Milliseconds between checks of the advisory store for a change (default 1 minute). */
  readonly rematchEveryMs: number;
  /** Advisory data older than this is reported stale (default 7 days). */
  readonly maxDbAgeMs: number;
  /** How long a process's job holds it before another process may take it over (default 1 minute). */
  readonly takeoverMs: number;
  readonly notify: readonly MonitorNotifyTarget[];
}

const SHORT_UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Milliseconds of a short duration text already checked by the schema's pattern (`15 minutes`). */
export function parseShortDurationMs(text: string): number {
  const match = /^\s*(\d+)\s*([a-z]).*$/i.exec(text);
  const unit = match?.[2]?.toLowerCase();
  if (match === null || (unit !== 's' && unit !== 'm' && unit !== 'h' && unit !== 'd')) throw new TypeError(`unvalidated duration "${text}"`);
  return Number(match[1]) * SHORT_UNIT_MS[unit];
}

type ThrottleRuleFile = NonNullable<NonNullable<DeskConfigFile['login_throttle']>['per_account']>;

function throttleRule(file: ThrottleRuleFile | undefined, defaults: ThrottleRule): ThrottleRule {
  return {
    freeFailures: file?.free_failures ?? defaults.freeFailures,
    baseDelayMs: file?.first_delay === undefined ? defaults.baseDelayMs : parseShortDurationMs(file.first_delay),
    maxDelayMs: file?.max_delay === undefined ? defaults.maxDelayMs : parseShortDurationMs(file.max_delay),
    forgetAfterMs: file?.forget_after === undefined ? defaults.forgetAfterMs : parseShortDurationMs(file.forget_after),
  };
}

/** Parses an SLA duration text already checked by the schema's pattern. */
export function parseSlaDuration(text: string): SlaDuration {
  const match = /^\s*(\d+)\s*(.*?)\s*$/.exec(text);
  if (!match) throw new TypeError(`unvalidated SLA duration "${text}"`);
  const amount = Number(match[1]);
  const unitText = (match[2] ?? '').toLowerCase().replace(/\s+/g, ' ');
  const unit: SlaDuration['unit'] =
    unitText === 'bd' || /^(business|working) days?$/.test(unitText)
      ? 'business-days'
      : unitText === 'bh' || /^(business|working) hours?$/.test(unitText)
        ? 'business-hours'
        : unitText === 'h' || /^hours?$/.test(unitText)
          ? 'hours'
          : 'days';
  return { unit, amount, text: text.trim() };
}

/** The seed policies' classes for each level. */
export const DEFAULT_SEVERITY_CLASSES: Readonly<Record<SeverityLevel, readonly string[]>> = {
  high: ['remote code execution', 'SQL injection'],
  moderate: ['cross-site scripting (XSS)', 'cross-site request forgery (CSRF)', 'denial of service', 'broken authentication'],
  low: [
    'sensitive data exposure',
    'broken session management',
    'unvalidated redirects and forwards',
    'issues requiring an uncommon configuration',
  ],
};

/**
 * CWE ids of those classes (MITRE CWE names in comments), a starting point a team edits in
 * `severity.cwe`.
 */
export const DEFAULT_CWE_LEVELS: Readonly<Record<string, SeverityLevel>> = {
  'CWE-94': 'high', // Code Injection
  'CWE-95': 'high', // Eval Injection
  'CWE-77': 'high', // Command Injection
  'CWE-78': 'high', // OS Command Injection
  'CWE-502': 'high', // Deserialization of Untrusted Data
  'CWE-89': 'high', // SQL Injection
  'CWE-79': 'moderate', // Cross-site Scripting
  'CWE-352': 'moderate', // Cross-Site Request Forgery
  'CWE-400': 'moderate', // Uncontrolled Resource Consumption
  'CWE-770': 'moderate', // Allocation of Resources Without Limits
  'CWE-1333': 'moderate', // Inefficient Regular Expression Complexity
  'CWE-287': 'moderate', // Improper Authentication
  'CWE-306': 'moderate', // Missing Authentication for Critical Function
  'CWE-200': 'low', // Exposure of Sensitive Information
  'CWE-384': 'low', // Session Fixation
  'CWE-613': 'low', // Insufficient Session Expiration
  'CWE-601': 'low', // Open Redirect
};

const DEFAULTS = {
  mainBranch: 'main',
  acknowledge: '3 business days',
  triage: '10 business days',
  fix: { high: '30 days', moderate: '60 days', low: '90 days' },
  dueSoon: '24 hours',
  timeZone: 'UTC',
  weekend: ['saturday', 'sunday'] as const,
  workHours: '09:00-17:00',
  leadTime: '7 days',
  decisionWithin: '30 days',
} as const;

function minutesOf(clock: string): number {
  const [hours, minutes] = clock.split(':').map(Number);
  return (hours ?? 0) * 60 + (minutes ?? 0);
}

/** Applies the defaults to a schema-checked configuration file. */
export function toDeskConfig(file: DeskConfigFile): DeskConfig {
  const project = file.project;
  const [workStart = '09:00', workEnd = '17:00'] = (file.calendar?.work_hours ?? DEFAULTS.workHours).split('-');
  const txt = project.security_txt;
  return {
    project: {
      name: project.name,
      ...(project.url === undefined ? {} : { url: project.url }),
      package: project.package,
      advisoryPrefix: project.advisory_prefix,
      mainBranch: project.main_branch ?? DEFAULTS.mainBranch,
      contacts: {
        security: project.contacts.security,
        from: project.contacts.from ?? project.contacts.security,
        ...(project.contacts.announce === undefined ? {} : { announce: project.contacts.announce }),
      },
      ...(txt === undefined
        ? {}
        : {
            securityTxt: {
              contact: txt.contact,
              expires: txt.expires,
              ...(txt.policy === undefined ? {} : { policy: txt.policy }),
              ...(txt.preferred_languages === undefined ? {} : { preferredLanguages: txt.preferred_languages }),
              ...(txt.encryption === undefined ? {} : { encryption: txt.encryption }),
              ...(txt.acknowledgments === undefined ? {} : { acknowledgments: txt.acknowledgments }),
              ...(txt.canonical === undefined ? {} : { canonical: txt.canonical }),
            },
          }),
    },
    sla: {
      acknowledge: parseSlaDuration(file.sla?.acknowledge ?? DEFAULTS.acknowledge),
      triage: parseSlaDuration(file.sla?.triage ?? DEFAULTS.triage),
      fix: {
        high: parseSlaDuration(file.sla?.fix?.high ?? DEFAULTS.fix.high),
        moderate: parseSlaDuration(file.sla?.fix?.moderate ?? DEFAULTS.fix.moderate),
        low: parseSlaDuration(file.sla?.fix?.low ?? DEFAULTS.fix.low),
      },
      dueSoon: parseSlaDuration(file.sla?.due_soon ?? DEFAULTS.dueSoon),
    },
    calendar: {
      timeZone: file.calendar?.time_zone ?? DEFAULTS.timeZone,
      weekend: file.calendar?.weekend ?? DEFAULTS.weekend,
      holidays: file.calendar?.holidays ?? [],
      workHours: { start: minutesOf(workStart), end: minutesOf(workEnd) },
    },
    severity: {
      classes: {
        high: file.severity?.levels?.high?.classes ?? DEFAULT_SEVERITY_CLASSES.high,
        moderate: file.severity?.levels?.moderate?.classes ?? DEFAULT_SEVERITY_CLASSES.moderate,
        low: file.severity?.levels?.low?.classes ?? DEFAULT_SEVERITY_CLASSES.low,
      },
      cwe: { ...DEFAULT_CWE_LEVELS, ...(file.severity?.cwe ?? {}) },
    },
    series: (file.series ?? []).map((series) => ({
      name: series.name,
      released: series.released,
      lts: series.lts ?? false,
      ...(series.end_of_support === undefined ? {} : { endOfSupport: series.end_of_support }),
    })),
    prenotification: { leadTime: parseSlaDuration(file.prenotification?.lead_time ?? DEFAULTS.leadTime) },
    notificationList: {
      criteria: file.notification_list?.criteria ?? [],
      decisionWithin: parseSlaDuration(file.notification_list?.decision_within ?? DEFAULTS.decisionWithin),
      publicLists: file.notification_list?.public_lists ?? [],
    },
    loginThrottle: {
      account: throttleRule(file.login_throttle?.per_account, DEFAULT_LOGIN_THROTTLE.account),
      address: throttleRule(file.login_throttle?.per_address, DEFAULT_LOGIN_THROTTLE.address),
      knownPairMs:
        file.login_throttle?.known_address_for === undefined ? DEFAULT_LOGIN_THROTTLE.knownPairMs : parseShortDurationMs(file.login_throttle.known_address_for),
      maxEntries: DEFAULT_LOGIN_THROTTLE.maxEntries,
    },
    monitor: monitorSettings(file.monitor),
  };
}

function monitorSettings(file: DeskConfigFile['monitor']): MonitorSettings {
  return {
    rematchEveryMs: file?.rematch_every === undefined ? 60_000 : parseShortDurationMs(file.rematch_every),
    maxDbAgeMs: file?.max_db_age === undefined ? 7 * 86_400_000 : parseShortDurationMs(file.max_db_age),
    // pg-boss's shortest heartbeat is 10 seconds.
    takeoverMs: file?.takeover_after === undefined ? 60_000 : Math.max(10_000, parseShortDurationMs(file.takeover_after)),
    notify: (file?.notify ?? []).map((target): MonitorNotifyTarget => {
      const filter = { ...(target.projects === undefined ? {} : { projects: target.projects }), minSeverity: target.min_severity ?? 'high' };
      if (target.webhook !== undefined) {
        return {
          kind: 'webhook',
          name: target.name,
          url: target.webhook,
          secretEnv: target.secret_env ?? '',
          ...(target.timeout === undefined ? {} : { timeoutMs: parseShortDurationMs(target.timeout) }),
          ...filter,
        };
      }
      return {
        kind: 'email',
        name: target.name,
        to: target.email ?? '',
        ...(target.digest === undefined ? {} : { digestMinutes: Math.max(1, Math.round(parseShortDurationMs(target.digest) / 60_000)) }),
        ...filter,
      };
    }),
  };
}
