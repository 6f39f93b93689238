import { DeskRuleError } from '../core/errors.js';
import type { DeskConfig } from './config/desk-config.js';
import { NOTIFY_GROUPS, type NotifyGroup } from './types.js';

// Public mailing-list hosts and list names: a pre-notification sent there is a public disclosure.
const PUBLIC_LIST_DOMAINS = ['googlegroups.com', 'groups.io', 'freelists.org', 'seclists.org', 'lists.sourceforge.net'];
const PUBLIC_LIST_LOCAL_PARTS = [/^oss-security$/, /-(announce|users|discuss|dev|devel)$/, /^(announce|users|discuss)$/];

/**
 * Whether an address is a public mailing list: a list host (`lists.*`, Google Groups, groups.io,
 * ...), a list-style name (`oss-security`, `*-announce`, `*-users`, `*-dev`), or an address or
 * `@domain` the configuration names.
 */
export function isPublicList(address: string, config: DeskConfig): boolean {
  const lower = address.trim().toLowerCase();
  const at = lower.lastIndexOf('@');
  const local = lower.slice(0, at);
  const domain = lower.slice(at + 1);
  for (const listed of config.notificationList.publicLists.map((entry) => entry.toLowerCase())) {
    if (listed.startsWith('@') ? domain === listed.slice(1) || domain.endsWith(`.${listed.slice(1)}`) : lower === listed) return true;
  }
  if (domain.startsWith('lists.') || domain.includes('.lists.')) return true;
  if (PUBLIC_LIST_DOMAINS.some((host) => domain === host || domain.endsWith(`.${host}`))) return true;
  return PUBLIC_LIST_LOCAL_PARTS.some((pattern) => pattern.test(local));
}

/** Checks the contact and group of a list entry or join request. */
export function checkNotifyContact(contact: string, group: string, config: DeskConfig): { contact: string; group: NotifyGroup } {
  const trimmed = contact.trim();
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(trimmed)) throw new DeskRuleError(`"${contact}" is not an e-mail address`);
  if (isPublicList(trimmed, config)) {
    throw new DeskRuleError(`"${trimmed}" is a public mailing list; pre-notifications go only to a private security contact`);
  }
  if (!(NOTIFY_GROUPS as readonly string[]).includes(group)) throw new DeskRuleError(`group must be one of ${NOTIFY_GROUPS.join(', ')}`);
  return { contact: trimmed, group: group as NotifyGroup };
}
