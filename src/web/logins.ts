// The shape of a console login, shared by every service of the server: the log-in throttle keys
// its counters by it, and each service's user table stores logins in this form.

/** 1-63 lower-case letters, digits, dots, dashes or underscores, starting with a letter or digit. */
export const LOGIN_PATTERN = /^[a-z0-9][a-z0-9._-]{0,62}$/;

/** A login as typed, as the server compares it: trimmed and lower-case. */
export function normaliseLogin(login: string): string {
  return login.trim().toLowerCase();
}

/** Whether a normalised login is one a user could have: 1-63 lower-case letters, digits, dots, dashes or underscores. */
export function isValidLogin(login: string): boolean {
  return LOGIN_PATTERN.test(login);
}
