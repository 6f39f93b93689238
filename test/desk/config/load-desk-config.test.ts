import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/core/errors.js';
import { deskConfigJsonSchema } from '../../../src/desk/config/desk-config-schema.js';
import { parseDeskConfigText } from '../../../src/desk/config/load-desk-config.js';
import { repoRoot } from '../../helpers/shared-data.js';
import { starterDeskConfig } from '../../../src/desk/config/starter-desk-config.js';
import { DJANGO_LIKE_CONFIG_YAML } from '../desk-fixtures.js';

const MINIMAL = `project:
  name: Example
  package: { ecosystem: PyPI, name: example }
  advisory_prefix: EXAMPLE-SA
  contacts: { security: security@example.org }
`;

function errorOf(text: string): ConfigError {
  try {
    parseDeskConfigText(text, 'desk.yaml');
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('desk configuration', () => {
  it('a minimal file gets the seed policy defaults', () => {
    const config = parseDeskConfigText(MINIMAL, 'desk.yaml');
    expect(config.sla.acknowledge).toEqual({ unit: 'business-days', amount: 3, text: '3 business days' });
    expect(config.prenotification.leadTime).toEqual({ unit: 'days', amount: 7, text: '7 days' });
    expect(config.notificationList.decisionWithin.amount).toBe(30);
    expect(config.calendar).toEqual({ timeZone: 'UTC', weekend: ['saturday', 'sunday'], holidays: [], workHours: { start: 540, end: 1020 } });
    expect(config.project.mainBranch).toBe('main');
    expect(config.project.contacts.from).toBe('security@example.org');
    expect(config.severity.cwe['CWE-89']).toBe('high');
    expect(config.severity.classes.moderate).toContain('cross-site request forgery (CSRF)');
  });

  it.each([
    { text: '48 hours', want: { unit: 'hours', amount: 48 } },
    { text: '48h', want: { unit: 'hours', amount: 48 } },
    { text: '5 working days', want: { unit: 'business-days', amount: 5 } },
    { text: '3bd', want: { unit: 'business-days', amount: 3 } },
    { text: '4 business hours', want: { unit: 'business-hours', amount: 4 } },
    { text: '30 days', want: { unit: 'days', amount: 30 } },
    { text: '1 day', want: { unit: 'days', amount: 1 } },
  ])('SLA duration "$text"', ({ text, want }) => {
    const config = parseDeskConfigText(`${MINIMAL}sla:\n  acknowledge: ${text}\n`, 'desk.yaml');
    expect(config.sla.acknowledge).toMatchObject(want);
  });

  it('the starter configuration parses', () => {
    const config = parseDeskConfigText(starterDeskConfig(new Date('2026-11-22T00:00:00Z')), 'desk.yaml');
    expect(config.series.map((series) => series.name)).toEqual(['4.2', '5.1', '5.2']);
    // RFC 9116: less than a year ahead; the starter says six months.
    expect(config.project.securityTxt?.expires).toBe('2027-05-24T00:00:00Z');
  });

  it('the test configuration with a CWE override merges over the defaults', () => {
    const config = parseDeskConfigText(`${MINIMAL}severity:\n  cwe:\n    CWE-79: high\n`, 'desk.yaml');
    expect(config.severity.cwe['CWE-79']).toBe('high');
    expect(config.severity.cwe['CWE-601']).toBe('low');
    expect(parseDeskConfigText(DJANGO_LIKE_CONFIG_YAML, 'desk.yaml').calendar.timeZone).toBe('America/Chicago');
  });

  it.each([
    { name: 'a typo names the closest key', text: `${MINIMAL}sla:\n  acknowlege: 2 days\n`, line: 7, message: /unknown key "acknowlege" in sla \(did you mean "acknowledge"\?\)/ },
    { name: 'an unknown zone', text: `${MINIMAL}calendar:\n  time_zone: Mars/Olympus\n`, line: 7, message: /not an IANA time zone/ },
    { name: 'an unquoted series name', text: `${MINIMAL}series:\n  - { name: 5.10, released: 2026-01-01 }\n`, line: 7, message: /must be a quoted string/ },
    { name: 'a bad duration', text: `${MINIMAL}sla:\n  triage: soon\n`, line: 7, message: /expected a duration/ },
    { name: 'a missing project key', text: 'project:\n  name: x\n', line: 2, message: /missing required "package" in project/ },
    { name: 'a bad holiday', text: `${MINIMAL}calendar:\n  holidays: [2026-02-30]\n`, line: 7, message: /not a calendar date/ },
    { name: 'a key written twice', text: `${MINIMAL}project: again\n`, line: 6, message: /invalid YAML: Map keys must be unique/ },
  ])('$name: error at its line', ({ text, line, message }) => {
    const error = errorOf(text);
    expect(error.message).toMatch(message);
    expect(error.location).toMatchObject({ file: 'desk.yaml', line });
  });

  it.each([
    { name: 'a series listed twice', series: '  - { name: "5.2", released: 2025-04-02 }\n  - { name: "5.2", released: 2025-04-02 }\n', message: /listed twice/ },
    { name: 'support ending before release', series: '  - { name: "5.2", released: 2025-04-02, end_of_support: 2025-01-01 }\n', message: /before its release/ },
  ])('$name', ({ series, message }) => {
    expect(errorOf(`${MINIMAL}series:\n${series}`).message).toMatch(message);
  });
});

describe('the monitor section', () => {
  it('defaults: a check each minute, 7 days of data age, no targets', () => {
    expect(parseDeskConfigText(MINIMAL, 'desk.yaml').monitor).toEqual({ rematchEveryMs: 60_000, maxDbAgeMs: 7 * 86_400_000, takeoverMs: 60_000, notify: [] });
  });

  it('reads webhook and e-mail targets with their filters; the webhook key stays in the environment', () => {
    const text = `${MINIMAL}monitor:
  rematch_every: 5 minutes
  max_db_age: 2 days
  takeover_after: 5s
  notify:
    - { name: chat, webhook: "https://hooks.example.org/vigil", secret_env: VIGIL_HOOK_KEY, projects: [nautobot], min_severity: critical, timeout: 30s }
    - { name: team, email: security@example.org, digest: 1 day }
`;
    expect(parseDeskConfigText(text, 'desk.yaml').monitor).toEqual({
      rematchEveryMs: 300_000,
      maxDbAgeMs: 2 * 86_400_000,
      takeoverMs: 10_000, // 5 s asked, 10 s is the floor
      notify: [
        { kind: 'webhook', name: 'chat', url: 'https://hooks.example.org/vigil', secretEnv: 'VIGIL_HOOK_KEY', timeoutMs: 30_000, projects: ['nautobot'], minSeverity: 'critical' },
        { kind: 'email', name: 'team', to: 'security@example.org', digestMinutes: 1440, minSeverity: 'high' },
      ],
    });
  });

  it.each([
    { name: 'a secret written in the file', target: '{ name: chat, webhook: "https://h.example.org/", secret: abc }', message: /unknown key "secret"/ },
    { name: 'a webhook without its key', target: '{ name: chat, webhook: "https://h.example.org/" }', message: /needs "secret_env"/ },
    { name: 'a webhook that is not http(s)', target: '{ name: chat, webhook: "ftp://h.example.org/", secret_env: KEY }', message: /expected an http:\/\/ or https:\/\/ URL/ },
    { name: 'a target with both channels', target: '{ name: t, webhook: "https://h.example.org/", secret_env: KEY, email: a@example.org }', message: /exactly one of/ },
    { name: 'a digest on a webhook', target: '{ name: t, webhook: "https://h.example.org/", secret_env: KEY, digest: 1d }', message: /"digest" is for e-mail/ },
    { name: 'a severity threshold that is not a level', target: '{ name: team, email: a@example.org, min_severity: urgent }', message: /min_severity/ },
    { name: 'a name with a space', target: '{ name: "my team", email: a@example.org }', message: /expected 1 to 100 letters/ },
  ])('refuses $name', ({ target, message }) => {
    expect(errorOf(`${MINIMAL}monitor:\n  notify:\n    - ${target}\n`).message).toMatch(message);
  });

  it('refuses two targets of one name', () => {
    const text = `${MINIMAL}monitor:\n  notify:\n    - { name: team, email: a@example.org }\n    - { name: team, email: b@example.org }\n`;
    expect(errorOf(text).message).toMatch(/"team" is named twice/);
  });
});

describe('published JSON Schema of desk.yaml for editors', () => {
  const schemaPath = path.join(repoRoot, 'docs', 'desk.schema.json');

  it('is up to date with the zod schema (UPDATE_GOLDEN=1 rewrites it)', () => {
    const generated = `${JSON.stringify(deskConfigJsonSchema(), null, 2)}\n`;
    if (process.env['UPDATE_GOLDEN']) writeFileSync(schemaPath, generated);
    expect(readFileSync(schemaPath, 'utf8')).toBe(generated);
  });

  it('accepts the starter configuration and rejects a typo', () => {
    const ajv = new Ajv2020.default({ allErrors: true });
    addFormats.default(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(schemaPath, 'utf8')) as object);
    const starter = parseYaml(starterDeskConfig(new Date('2026-11-22T00:00:00Z'))) as Record<string, unknown>;
    expect(validate(starter), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...starter, prenotificaton: { lead_time: '7 days' } })).toBe(false);
  });
});

describe('login_throttle', () => {
  it('defaults to 5 free failures per account (1 s doubling to 15 min) and 20 per address (1 s to 1 min)', () => {
    const { loginThrottle } = parseDeskConfigText(MINIMAL, 'desk.yaml');
    expect(loginThrottle.account).toEqual({ freeFailures: 5, baseDelayMs: 1000, maxDelayMs: 900_000, forgetAfterMs: 3_600_000 });
    expect(loginThrottle.address).toEqual({ freeFailures: 20, baseDelayMs: 1000, maxDelayMs: 60_000, forgetAfterMs: 900_000 });
    expect(loginThrottle.knownPairMs).toBe(30 * 86_400_000);
  });

  it('reads durations in seconds, minutes, hours and days', () => {
    const text = `${MINIMAL}login_throttle:
  per_account: { free_failures: 3, first_delay: 2 seconds, max_delay: 30 minutes, forget_after: 2h }
  per_address: { first_delay: 1s, max_delay: 5 min }
  known_address_for: 7 days
`;
    const { loginThrottle } = parseDeskConfigText(text, 'desk.yaml');
    expect(loginThrottle.account).toEqual({ freeFailures: 3, baseDelayMs: 2000, maxDelayMs: 1_800_000, forgetAfterMs: 7_200_000 });
    expect(loginThrottle.address).toEqual({ freeFailures: 20, baseDelayMs: 1000, maxDelayMs: 300_000, forgetAfterMs: 900_000 });
    expect(loginThrottle.knownPairMs).toBe(7 * 86_400_000);
  });

  it.each([
    { name: 'an unknown key', yaml: 'login_throttle:\n  per_acount: { free_failures: 3 }\n', message: /per_acount/ },
    { name: 'a duration without unit', yaml: 'login_throttle:\n  per_account: { max_delay: "30" }\n', message: /expected a duration/ },
    { name: 'a negative count', yaml: 'login_throttle:\n  per_address: { free_failures: -1 }\n', message: /free_failures/ },
  ])('refuses $name', ({ yaml, message }) => {
    expect(errorOf(`${MINIMAL}${yaml}`).message).toMatch(message);
  });
});

describe('the starter configuration', () => {
  it('shows the login_throttle defaults in a comment that parses to the defaults when uncommented', () => {
    const starter = starterDeskConfig(new Date('2026-11-22T00:00:00Z'));
    const uncommented = starter.replace(/^# (login_throttle:| {2})/gm, '$1');
    expect(uncommented).toContain('\nlogin_throttle:\n  per_account:');
    expect(parseDeskConfigText(uncommented, 'desk.yaml').loginThrottle).toEqual(parseDeskConfigText(starter, 'desk.yaml').loginThrottle);
  });
});
