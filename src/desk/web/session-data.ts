import { DEFAULT_SESSION_IDLE_MS } from '../../web/session-store.js';
import type { Flash } from './pages/layout.js';

// What the desk keeps in a browser session (@fastify/session's `Session`, by declaration merging;
// the CSRF secret is the web layer's, see src/web/session-store.ts).
declare module 'fastify' {
  interface Session {
    /** The logged-in team member's login. */
    login?: string;
    /** When they logged in (ms since the epoch): sessions end a fixed time after, however active. */
    loginAt?: number;
    /** A message for the next page, after a redirect. */
    flash?: Flash;
  }
}

/** How long a session lives without use (the cookie is renewed on every response). */
export const SESSION_IDLE_MS = DEFAULT_SESSION_IDLE_MS;
/** How long a console log-in lasts at most, however active: a stolen session does not live on. */
export const LOGIN_MAX_AGE_MS = 24 * 60 * 60 * 1000;
