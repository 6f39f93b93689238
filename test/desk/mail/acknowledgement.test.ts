import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/core/errors.js';
import { renderAcknowledgement } from '../../../src/desk/mail/acknowledgement.js';
import { djangoLikeConfig, reportIn, SUBMISSION } from '../desk-fixtures.js';

const config = djangoLikeConfig();
// Received Monday 2 June 2025, 10:00 in Chicago.
const report = reportIn('received');
const TRACKING = 'https://desk.example.org/track/3q2-AbC_secret';

/** The text with every run of whitespace as one space: phrases are checked whatever the wrapping. */
function flat(text: string): string {
  return text.replace(/\s+/g, ' ');
}

describe('renderAcknowledgement', () => {
  const text = renderAcknowledgement(report, config, TRACKING);

  it.each([
    { name: 'greets the reporter', want: 'Hello Ada Reporter,' },
    { name: 'thanks and names the project', want: 'Thank you for reporting a security issue in Example Framework.' },
    { name: 'gives the reception time in the desk zone', want: 'on Monday 2 June 2025, 10:00 America/Chicago (UTC-05:00).' },
    { name: 'gives the report number', want: 'Report: #7' },
    { name: 'repeats the title', want: 'Title:  SQL injection in the admin changelist' },
    // 10 business days after Monday 2 June 10:00: Monday 16 June 10:00.
    { name: 'promises triage by the SLA due date', want: 'Monday 16 June 2025, 10:00 America/Chicago (UTC-05:00): 10 business days after we received the report' },
    { name: 'gives the fix targets per severity', want: 'within 30 days for a high-severity issue, 60 days for a moderate' },
    { name: 'gives the pre-announcement lead time', want: 'About 7 days before it, we announce the date and the severity publicly, without any detail' },
    { name: 'says how the reporter is credited', want: 'The advisory will credit you as "Ada R.".' },
    { name: 'gives the tracking link', want: `  ${TRACKING}\n` },
    { name: 'warns that the link is secret', want: 'This link is your private key to the report' },
    { name: 'signs with the security contact', want: 'Example Framework security team\nsecurity@example.org\nhttps://example.org' },
  ])('$name', ({ want }) => {
    expect(flat(text)).toContain(flat(want));
  });

  it('keeps the tracking link whole on its own line and every other line within 72 characters', () => {
    const lines = text.split('\n');
    expect(lines).toContain(`  ${TRACKING}`);
    expect(lines.filter((line) => line.length > 72)).toEqual([]);
  });

  it('repeats no embargoed detail of the report', () => {
    for (const detail of [SUBMISSION.description, SUBMISSION.stepsToReproduce, SUBMISSION.impact, SUBMISSION.attackSurface]) {
      expect(text).not.toContain(detail);
    }
  });

  it('without a tracking link, says where to write', () => {
    const plain = renderAcknowledgement(report, config);
    expect(plain).not.toContain('https://desk.example.org');
    expect(flat(plain)).toContain('Write to security@example.org and quote report #7');
  });

  it('respects an anonymous credit choice', () => {
    const anonymous = reportIn('received', {
      submission: { ...SUBMISSION, reporter: { ...SUBMISSION.reporter, credit: { mode: 'anonymous' } } },
    });
    expect(flat(renderAcknowledgement(anonymous, config))).toContain('The advisory will not name you, as you asked.');
  });

  it('counts calendar days without the business-day note', () => {
    const calendarDays = { ...config, sla: { ...config.sla, triage: { unit: 'days' as const, amount: 5, text: '5 days' } } };
    expect(flat(renderAcknowledgement(report, calendarDays))).toContain('Saturday 7 June 2025, 10:00 America/Chicago (UTC-05:00): 5 days after we received the report.');
  });

  it.each(['javascript:alert(1)', 'https://desk.example.org/track/x\nBcc: spy@evil.example', 'not a url'])('refuses the tracking link %j', (link) => {
    expect(() => renderAcknowledgement(report, config, link)).toThrow(UsageError);
  });
});
