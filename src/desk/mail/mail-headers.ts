import { UsageError } from '../../core/errors.js';

// Any C0 control (CR and LF among them) or DEL in a header value could end the header and start
// another one (RFC 5322 section 2.2: a header field ends at CRLF), so none is let through.
// U+2028/2029 are refused too: some clients show them as line breaks.
// eslint-disable-next-line no-control-regex -- control characters are what this refuses
const CONTROL = /[\u0000-\u001f\u007f\u2028\u2029]/;

// A bare `local@domain` address: no display name, no comments, no quoted local part, no list
// separator, so one value can never name two recipients or smuggle a header.
const BARE_ADDRESS = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+$/;

/** A display name with its bare address, as nodemailer takes it. */
export interface MailAddress {
  /** Display name, possibly empty. */
  readonly name: string;
  /** The bare `local@domain` address. */
  readonly address: string;
}

function describe(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}...` : value);
}

/**
 * Checks a header text given by a caller (a subject): refused, not cleaned, when it holds a line
 * break or another control character, since that is an attempt to add a header.
 */
export function checkHeaderText(value: string, what: string): string {
  if (CONTROL.test(value)) throw new UsageError(`${what} ${describe(value)} contains a line break or control character`);
  const trimmed = value.trim();
  if (trimmed === '') throw new UsageError(`${what} is empty`);
  return trimmed;
}

/** Checks one bare e-mail address (`local@domain`): no name, no list, no line break. */
export function checkMailAddress(value: string, what: string): string {
  if (CONTROL.test(value)) throw new UsageError(`${what} ${describe(value)} contains a line break or control character`);
  const trimmed = value.trim();
  if (!BARE_ADDRESS.test(trimmed)) throw new UsageError(`${what} ${describe(value)} is not a single e-mail address`);
  return trimmed;
}

/**
 * Parses a sender, `security@example.org` or `Example Security <security@example.org>`, refusing
 * line breaks and anything but one address.
 */
export function parseSender(value: string, what: string): MailAddress {
  if (CONTROL.test(value)) throw new UsageError(`${what} ${describe(value)} contains a line break or control character`);
  const named = /^\s*(.*?)\s*<([^<>]*)>\s*$/.exec(value);
  if (!named) return { name: '', address: checkMailAddress(value, what) };
  const name = (named[1] ?? '').replace(/^"(.*)"$/, '$1');
  return { name, address: checkMailAddress(named[2] ?? '', what) };
}

/**
 * Text that a reporter or requester wrote (a report title, a name) and that goes into a header we
 * compose: every run of whitespace or control characters becomes one space, so it stays on one
 * line, and it is cut to `max` characters. Cleaned rather than refused, so that an odd title never
 * stops the acknowledgement.
 */
export function foldHeaderText(value: string, max: number): string {
  // eslint-disable-next-line no-control-regex -- control characters are what this removes
  const folded = value.replace(/[\s\u0000-\u001f\u007f]+/g, ' ').trim();
  return folded.length > max ? `${folded.slice(0, max - 1).trimEnd()}…` : folded;
}
