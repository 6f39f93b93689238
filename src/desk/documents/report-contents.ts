import type { ReportSubmission } from '../types.js';

/** One thing a good report tells the team, and the report field that holds it. */
export interface ReportContentItem {
  /** The submission field it goes in; `reporter` for the identity fields. */
  readonly field: keyof ReportSubmission;
  /** What to give, in a few words: the item of the list. */
  readonly what: string;
  /** An example or the detail the team looks for. */
  readonly detail: string;
}

/**
 * What a good report contains, as the seed policies list it: who is reporting, the flaw, how to
 * reproduce it, what an attacker gains, how the flaw is reached, related projects that may share
 * it, and the versions tested. The report form and the security policy page both show this list,
 * so they cannot drift apart; each item names the form field it belongs in.
 */
export const REPORT_CONTENTS: readonly ReportContentItem[] = [
  { field: 'reporter', what: 'who you are', detail: 'a name or handle and an address we can write to; an organisation if you report for one' },
  { field: 'description', what: 'the flaw', detail: 'what is wrong, in your own words, and where in the code or product it is' },
  {
    field: 'stepsToReproduce',
    what: 'how to reproduce it',
    detail: 'step by step, with proof-of-concept scripts, requests, logs or screenshots',
  },
  { field: 'impact', what: 'what an attacker gains', detail: 'the effect: data read or changed, code run, service denied' },
  { field: 'attackSurface', what: 'how the flaw is reached', detail: 'the attack surface and any configuration or privileges it needs' },
  { field: 'relatedProjects', what: 'related projects', detail: 'forks, libraries or products that may share the flaw' },
  { field: 'affectedVersions', what: 'the versions you tested', detail: 'release numbers or commits' },
];
