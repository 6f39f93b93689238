import { VigilError, type VigilErrorOptions } from '../../core/errors.js';

/**
 * A message the mail server refused, or could not be handed to it (connection, TLS or
 * authentication failure). `recipient` is the address it was for; `responseCode` is the SMTP
 * reply code when the server gave one (550 for an unknown mailbox), and `cause` the transport's error.
 */
export class MailDeliveryError extends VigilError {
  /** The one recipient of the message that failed. */
  readonly recipient: string;
  /** The SMTP reply code, when the server answered with one. */
  readonly responseCode: number | undefined;

  constructor(recipient: string, message: string, options: VigilErrorOptions & { readonly responseCode?: number } = {}) {
    super('refused', message, options);
    this.recipient = recipient;
    this.responseCode = options.responseCode;
  }
}
