import { describe, expect, it } from 'vitest';
import { parseDeskConfigText } from '../../src/desk/config/load-desk-config.js';
import { checkNotifyContact, isPublicList } from '../../src/desk/notify-list.js';
import { checkSubmission } from '../../src/desk/submission.js';
import { SUBMISSION } from './desk-fixtures.js';

const config = parseDeskConfigText(
  `project:
  name: Example
  package: { ecosystem: PyPI, name: example }
  advisory_prefix: EXAMPLE-SA
  contacts: { security: security@example.org }
notification_list:
  public_lists: [everyone@corp.example, "@forum.example"]
`,
  'desk.yaml',
);

describe('public mailing lists are never contacts', () => {
  it.each([
    { address: 'oss-security@lists.openwall.com', public: true },
    { address: 'debian-security-announce@lists.debian.org', public: true },
    { address: 'django-users@googlegroups.com', public: true },
    { address: 'project@groups.io', public: true },
    { address: 'python-dev@python.org', public: true },
    { address: 'EVERYONE@corp.example', public: true },
    { address: 'anyone@forum.example', public: true },
    { address: 'anyone@sub.forum.example', public: true },
    { address: 'security@debian.org', public: false },
    { address: 'security@redhat.com', public: false },
    { address: 'linux-distros@vs.openwall.org', public: false },
    { address: 'psirt@forumexample.com', public: false },
  ])('$address -> $public', ({ address, public: expected }) => {
    expect(isPublicList(address, config)).toBe(expected);
  });

  it.each([
    { contact: 'oss-security@lists.openwall.com', group: 'distributor', want: /public mailing list/ },
    { contact: 'not an address', group: 'distributor', want: /not an e-mail address/ },
    { contact: 'security@debian.org', group: 'vendor', want: /group must be one of/ },
  ])('checkNotifyContact refuses $contact ($group)', ({ contact, group, want }) => {
    expect(() => checkNotifyContact(contact, group, config)).toThrow(want);
  });
});

describe('report submissions', () => {
  it('a complete submission is accepted; a named credit without a name credits the reporter', () => {
    const result = checkSubmission({ ...SUBMISSION, reporter: { ...SUBMISSION.reporter, credit: { mode: 'named' } } });
    expect(result).toMatchObject({ ok: true, submission: { reporter: { credit: { mode: 'named', name: 'Ada Reporter' } } } });
  });

  it.each([
    { name: 'no title', input: { ...SUBMISSION, title: '  ' }, field: 'title' },
    { name: 'a bad e-mail', input: { ...SUBMISSION, reporter: { ...SUBMISSION.reporter, email: 'ada' } }, field: 'reporter.email' },
    { name: 'no steps', input: { ...SUBMISSION, stepsToReproduce: '' }, field: 'stepsToReproduce' },
    { name: 'an oversized description', input: { ...SUBMISSION, description: 'x'.repeat(50_001) }, field: 'description' },
    { name: 'an unknown field', input: { ...SUBMISSION, severity: 'critical' }, field: '' },
  ])('$name is refused, naming the field', ({ input, field }) => {
    const result = checkSubmission(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.field).toBe(field);
  });
});
