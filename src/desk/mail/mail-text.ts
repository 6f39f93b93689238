import type { DateTime } from 'luxon';
import type { DeskConfig } from '../config/desk-config.js';

const DAY_AND_TIME = 'cccc d LLLL yyyy, HH:mm';

/**
 * An instant for people, in the desk calendar's zone: `Wednesday 5 March 2025, 15:00 Europe/Paris
 * (UTC+01:00)`, or `... 14:00 UTC`. The offset is printed rather than an abbreviation, which
 * depends on the ICU data present.
 */
export function describeWhen(at: DateTime, timeZone: string): string {
  const zoned = at.setZone(timeZone).setLocale('en-GB');
  if (!zoned.isValid) return `${at.setZone('utc').setLocale('en-GB').toFormat(DAY_AND_TIME)} UTC`;
  if (zoned.zone.isUniversal && zoned.offset === 0) return `${zoned.toFormat(DAY_AND_TIME)} UTC`;
  return `${zoned.toFormat(DAY_AND_TIME)} ${timeZone} (UTC${zoned.toFormat('ZZ')})`;
}

/** The closing lines of every desk message. */
export function signature(config: DeskConfig): string[] {
  return [
    '-- ',
    `${config.project.name} security team`,
    config.project.contacts.security,
    ...(config.project.url === undefined ? [] : [config.project.url]),
    '',
    `This message was sent by the ${config.project.name} security desk.`,
  ];
}

/**
 * Wraps a paragraph at spaces to lines of at most `width` characters (a longer word, such as a
 * link, keeps its own line whole). `first` starts the first line and `rest` the others, for
 * list items with a hanging indent.
 */
export function wrap(text: string, first = '', rest = first, width = 72): string[] {
  const lines: string[] = [];
  let line = first;
  let empty = true;
  for (const word of text.split(/\s+/).filter((part) => part !== '')) {
    if (!empty && line.length + 1 + word.length > width) {
      lines.push(line);
      line = rest + word;
    } else {
      line = empty ? line + word : `${line} ${word}`;
    }
    empty = false;
  }
  lines.push(line);
  return lines;
}
