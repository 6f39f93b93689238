import { describe, expect, it } from 'vitest';
import { DeskRuleError } from '../../../src/core/errors.js';
import { renderJoinDecision } from '../../../src/desk/mail/join-decision.js';
import type { JoinRequest } from '../../../src/desk/types.js';
import { djangoLikeConfig } from '../desk-fixtures.js';

const base = djangoLikeConfig();
const config = {
  ...base,
  notificationList: { ...base.notificationList, criteria: ['Ships the package to users', 'Has a private security contact'] },
};

/** The text with every run of whitespace as one space: phrases are checked whatever the wrapping. */
function flat(text: string): string {
  return text.replace(/\s+/g, ' ');
}

const request: JoinRequest = {
  id: 4,
  organisation: 'Gentoo',
  group: 'distributor',
  contact: 'security@gentoo.example',
  keyId: 'ABCD1234EF567890',
  justification: 'We ship the framework to our users in the main repository.',
  url: 'https://packages.gentoo.example/framework',
  requestedAt: '2025-05-01T13:00:00.000Z',
};

describe('renderJoinDecision', () => {
  it('tells an approved requester what members receive and what the embargo asks', () => {
    const text = renderJoinDecision(
      { ...request, decision: { outcome: 'approved', reason: 'Welcome aboard.', by: 'alan', at: '2025-05-10T09:00:00.000Z' } },
      config,
    );
    expect(flat(text)).toContain('Your request of Thursday 1 May 2025, 08:00 America/Chicago (UTC-05:00) to add Gentoo (distributor)');
    expect(flat(text)).toContain('was approved.');
    expect(text).toContain('  Welcome aboard.');
    expect(flat(text)).toContain('security@gentoo.example, encrypted to OpenPGP key ABCD1234EF567890.');
    expect(flat(text)).toContain('about 7 days before the disclosure date');
    expect(flat(text)).toContain('publish nothing before then');
    expect(text).not.toContain('criteria:');
  });

  it('gives a declined requester the reason and the criteria', () => {
    const text = renderJoinDecision(
      { ...request, decision: { outcome: 'declined', reason: 'We found no package of ours\nin your repository.', by: 'alan', at: '2025-05-10T09:00:00.000Z' } },
      config,
    );
    expect(flat(text)).toContain('was declined.');
    expect(text).toContain('The reason:\n\n  We found no package of ours\n  in your repository.\n');
    expect(text).toContain('- Ships the package to users\n- Has a private security contact\n');
    expect(flat(text)).toContain('Questions: security@example.org.');
    expect(text).not.toContain('OpenPGP');
  });

  it('refuses an undecided request', () => {
    expect(() => renderJoinDecision(request, config)).toThrow(DeskRuleError);
  });
});
