import type { ConsoleLink } from '../../../web/create-web-server.js';
import { html, type HtmlValue, type SafeHtml } from '../../../web/html.js';

/** A one-line message shown at the top of the next page (after a redirect). */
export interface Flash {
  /** `notice` for success, `error` for a refusal. */
  readonly kind: 'notice' | 'error';
  readonly text: string;
}

/** Who is looking and what the frame of the page needs. */
export interface PageContext {
  /** The project name (`config.project.name`). */
  readonly project: string;
  /** The logged-in team member, on console pages. */
  readonly user?: { readonly login: string; readonly role: string };
  /** The CSRF token for the log-out button, on console pages. */
  readonly csrfToken?: string;
  /** The console pages of the other services on the server (the monitor), in the navigation. */
  readonly consoleLinks?: readonly ConsoleLink[];
  readonly flash?: Flash;
}

/** What one page puts in the frame. */
export interface PageContent {
  readonly title: string;
  readonly body: SafeHtml;
  /** Script files (same origin) to load, e.g. `/assets/cvss.js`. */
  readonly scripts?: readonly string[];
}

/** The hidden field that carries the CSRF token in every form that changes state. */
export function csrfField(token: string): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${token}">`;
}

function navigation(context: PageContext): HtmlValue {
  if (context.user !== undefined) {
    const isAdmin = context.user.role === 'admin';
    return html`<nav aria-label="Console">
      <a href="/team">Inbox</a>
      <a href="/team/notify">Notification list</a>
      ${(context.consoleLinks ?? []).map((link) => html`<a href="${link.href}">${link.label}</a>`)}
      ${isAdmin && html`<a href="/team/audit">Audit log</a>`}
      <a href="/">Public policy</a>
    </nav>
    <span class="muted">${context.user.login} (${context.user.role})</span>
    ${context.csrfToken !== undefined &&
    html`<form method="post" action="/team/logout">${csrfField(context.csrfToken)}<button class="secondary" type="submit">Log out</button></form>`}`;
  }
  return html`<nav aria-label="Site">
    <a href="/">Security policy</a>
    <a href="/report">Report a vulnerability</a>
    <a href="/join">Join the notification list</a>
  </nav>`;
}

/** A whole HTML document: no inline script or style anywhere, so the CSP can forbid both. */
export function renderPage(context: PageContext, content: PageContent): string {
  const flash = context.flash;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${content.title} · ${context.project} security</title>
<link rel="stylesheet" href="/assets/desk.css">
${(content.scripts ?? []).map((src) => html`<script src="${src}" defer></script>`)}
</head>
<body>
<header class="site"><span class="brand">${context.project} security</span>${navigation(context)}</header>
<main>
${flash !== undefined && html`<p class="flash ${flash.kind}" role="${flash.kind === 'error' ? 'alert' : 'status'}">${flash.text}</p>`}
${content.body}
</main>
<footer class="site">${context.project} security desk, run with vigil.</footer>
</body>
</html>
`.text;
}
