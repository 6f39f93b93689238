import { describe, expect, it } from 'vitest';
import { REPORT_CONTENTS } from '../../../../src/desk/documents/report-contents.js';
import { renderJoinForm, renderPolicyPage, renderReceipt, renderReportForm } from '../../../../src/desk/web/pages/public-pages.js';
import { DEFAULT_UPLOAD_LIMITS } from '../../../../src/desk/web/uploads.js';
import { djangoLikeConfig } from '../../desk-fixtures.js';

const context = { project: 'Example Framework' };
const receipt = { id: 7, trackingUrl: 'https://desk.example.org/track/abc', attachments: 0, acknowledgeWithin: '3 business days', triageWithin: '10 business days' };

/** The page's text without tags, whitespace collapsed. */
function text(page: string): string {
  return page.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').replace(/ ([:.,])/g, '$1');
}

describe('the thank-you page says what happens next, as the desk is configured', () => {
  interface Case {
    name: string;
    mailConfigured: boolean;
    want: RegExp[];
    notWant: RegExp[];
  }
  const cases: Case[] = [
    {
      name: 'with a mailer',
      mailConfigured: true,
      want: [/acknowledges the report within 3 business days/, /an e-mail at the address you gave/, /within 10 business days/],
      notWant: [/sends no e-mail/],
    },
    {
      name: 'without a mailer: no promise of an e-mail',
      mailConfigured: false,
      want: [/acknowledges the report within 3 business days/, /This desk sends no e-mail/, /tracking page only/],
      notWant: [/You then get an e-mail/, /acknowledge it by e-mail/],
    },
  ];
  it.each(cases)('$name', ({ mailConfigured, want, notWant }) => {
    const page = text(renderReceipt(context, { ...receipt, mailConfigured }));
    for (const pattern of want) expect(page).toMatch(pattern);
    for (const pattern of notWant) expect(page).not.toMatch(pattern);
    expect(page).toContain('https://desk.example.org/track/abc');
  });
});

describe('the public forms', () => {
  const form = renderReportForm(context, { csrfToken: 'csrf', limits: DEFAULT_UPLOAD_LIMITS });

  // The report form's required fields (the submission schema's: name, e-mail, title, description, steps, impact).
  const required = ['name', 'email', 'title', 'description', 'stepsToReproduce', 'impact'];
  const optional = ['organisation', 'creditName', 'attackSurface', 'relatedProjects', 'affectedVersions'];
  it.each(required)('marks %s required: visibly, and with required and aria-required', (name) => {
    const label = new RegExp(`<label>[^<]*<span class="required">\\(required\\)</span>[^]*?name="${name}"[^>]*required aria-required="true"`);
    const field = form.split('<label>').find((part) => part.includes(`name="${name}"`)) ?? '';
    expect(`<label>${field}`).toMatch(label);
  });
  it.each(optional)('does not mark %s required', (name) => {
    const field = form.split('<label>').find((part) => part.includes(`name="${name}"`)) ?? '';
    expect(field).not.toContain('required');
  });

  it('says what a good report contains, the same list as the policy page', () => {
    expect(REPORT_CONTENTS.map((item) => item.what)).toEqual([
      'who you are',
      'the flaw',
      'how to reproduce it',
      'what an attacker gains',
      'how the flaw is reached',
      'related projects',
      'the versions you tested',
    ]);
    const policy = renderPolicyPage(context, djangoLikeConfig(), []);
    for (const item of REPORT_CONTENTS) {
      expect(text(form)).toContain(`${item.what}: ${item.detail}`);
      expect(text(policy)).toContain(`${item.what}: ${item.detail}`);
    }
  });

  it('marks the join form fields required', () => {
    const join = renderJoinForm(context, djangoLikeConfig(), { csrfToken: 'csrf' });
    expect(join.match(/aria-required="true"/g)).toHaveLength(4);
    expect(join.match(/<span class="required">\(required\)<\/span>/g)?.length).toBeGreaterThanOrEqual(4);
  });
});
