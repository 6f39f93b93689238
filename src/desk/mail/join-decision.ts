import { DateTime } from 'luxon';
import { DeskRuleError } from '../../core/errors.js';
import type { DeskConfig } from '../config/desk-config.js';
import type { JoinRequest, NotifyGroup } from '../types.js';
import { describeWhen, signature, wrap } from './mail-text.js';

const GROUP_NAMES: Readonly<Record<NotifyGroup, string>> = {
  distributor: 'distributor',
  'package-maintainer': 'package maintainer',
  other: 'other',
};

/**
 * The team's answer to a request to join the private pre-notification list, as plain text. An
 * approval says what members receive and what the embargo asks of them; a decline gives the
 * team's reason and the list's entry criteria.
 * @throws DeskRuleError for a request that is not decided yet.
 */
export function renderJoinDecision(request: JoinRequest, config: DeskConfig): string {
  const decision = request.decision;
  if (!decision) throw new DeskRuleError(`join request ${request.id} is not decided yet`);
  const project = config.project.name;
  const security = config.project.contacts.security;
  const requested = describeWhen(DateTime.fromISO(request.requestedAt, { zone: 'utc' }), config.calendar.timeZone);
  const opening = `Your request of ${requested} to add ${request.organisation} (${GROUP_NAMES[request.group]}) to the ${project} security pre-notification list was ${decision.outcome}.`;
  // The reason is the team's own text: kept line for line, indented as a quotation.
  const reason = decision.reason.trim() === '' ? [] : decision.reason.trim().split(/\r?\n/).map((line) => `  ${line}`.trimEnd());

  const body =
    decision.outcome === 'approved'
      ? [
          ...wrap(opening),
          '',
          ...(reason.length > 0 ? ['Note from the security team:', '', ...reason, ''] : []),
          'What this means',
          '',
          ...wrap(
            `Before a security release of ${project}, we send advance notice, with the description of the vulnerability, the affected versions and the patches, ` +
              `to ${request.contact}${request.keyId === undefined ? '' : `, encrypted to OpenPGP key ${request.keyId}`}. ` +
              `The notice comes about ${config.prenotification.leadTime.text} before the disclosure date, and each message goes to your address alone.`,
            '- ',
            '  ',
          ),
          ...wrap(
            'Everything in a notice is under embargo until the disclosure date and time it names: use it only to prepare updates for your users, ' +
              'share it only with the people who need it for that, and publish nothing before then.',
            '- ',
            '  ',
          ),
          ...wrap(
            `Tell us at ${security} when this contact changes. We review the list regularly and remove entries that no longer meet its criteria.`,
            '- ',
            '  ',
          ),
        ]
      : [
          ...wrap(opening),
          '',
          'The reason:',
          '',
          ...reason,
          '',
          ...(config.notificationList.criteria.length > 0
            ? [
                'To join, an organisation must meet these criteria:',
                '',
                ...config.notificationList.criteria.flatMap((criterion) => wrap(criterion, '- ', '  ')),
                '',
              ]
            : []),
          ...wrap('You are welcome to apply again once the organisation meets them. Public announcements and advisories remain open to everyone.'),
          '',
          `Questions: ${security}.`,
        ];
  return `${[...body, '', ...signature(config)].join('\n')}\n`;
}
