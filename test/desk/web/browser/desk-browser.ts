import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Locator, type Page, type Response } from 'playwright-core';
import type { DeskConfig } from '../../../../src/desk/config/desk-config.js';
import { Desk } from '../../../../src/desk/desk.js';
import { createDeskMailer, type DeskMailer } from '../../../../src/desk/mail/mailer.js';
import type { Role } from '../../../../src/desk/types.js';
import { createDeskServer, type DeskServerOptions } from '../../../../src/desk/web/create-desk-server.js';
import { addDeskUser } from '../../../../src/desk/web/users.js';
import { deskStoreBackends, type DeskStoreDatabase } from '../../../helpers/desk-store-backends.js';
import { repoRoot } from '../../../helpers/shared-data.js';
import { startSmtpSink, type SmtpSink } from '../../../helpers/smtp-sink.js';
import { movableClock, PASSWORD, webConfig } from '../web-fixtures.js';

// Shared by the browser tests of the desk: Debian's Chromium driven by playwright-core against the
// real server listening on 127.0.0.1, a fresh SQLite desk, a real SMTP sink.

/** Debian's chromium (`.ci/run` installs it): `/usr/bin/chromium`, else `chromium` on PATH. */
export function findChromium(): string | undefined {
  const candidates = ['/usr/bin/chromium', ...(process.env['PATH'] ?? '').split(path.delimiter).filter((dir) => dir !== '').map((dir) => path.join(dir, 'chromium'))];
  return candidates.find((candidate) => {
    try {
      accessSync(candidate, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** The browser the tests drive; undefined when it is not installed. */
export const CHROMIUM = findChromium();

/**
 * Whether the browser tests run: always in CI (where a missing browser must fail, not skip), and
 * elsewhere when Chromium is installed. The reason for a skip is printed.
 */
export function browserTestsRun(suite: string): boolean {
  if (CHROMIUM !== undefined || process.env['CI']) return true;
  console.warn(`${suite} skipped: chromium is not installed (apt-get install chromium; .ci/run installs it, and there the tests always run)`);
  return false;
}

/**
 * Launches headless Chromium. Playwright gives a non-persistent browser a fresh temporary
 * user-data-dir of its own and deletes it on close, so no profile is shared between runs.
 */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    ...(CHROMIUM === undefined ? {} : { executablePath: CHROMIUM }),
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

/** A new isolated browser context (own cookies): one per person in a test. */
export async function newPerson(browser: Browser, options: BrowserContextOptions = {}): Promise<BrowserContext> {
  return browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB', ...options });
}

/** Logins of the team members every browser desk has, by role; all share {@link PASSWORD}. */
export const TEAM: Readonly<Record<Role, string>> = { admin: 'alan', responder: 'rita', observer: 'otto' };

/** A desk web service listening on 127.0.0.1 for a browser. */
export interface BrowserDesk {
  /** `http://127.0.0.1:<port>`. */
  readonly baseUrl: string;
  readonly desk: Desk;
  readonly database: DeskStoreDatabase;
  /** The clock of the desk and of the server (sessions, SLA clocks, embargo rules). */
  readonly clock: ReturnType<typeof movableClock>;
  /** The SMTP server the desk's mailer delivers to. */
  readonly sink: SmtpSink;
  dispose(): Promise<void>;
}

/** The moment the desk's clock starts at, unless a test says otherwise: a Monday, 10:00 in Chicago. */
export const START = '2025-06-02T15:00:00Z';

/**
 * Starts the desk's web service on 127.0.0.1 (a port the system picks) over a fresh SQLite store,
 * with a mailer delivering to an SMTP sink, the users of {@link TEAM} added through the library,
 * and a clock the test moves. `before` runs on the desk before the server starts (e.g. to seed an
 * older report at an earlier time).
 */
export async function startBrowserDesk(
  options: {
    readonly config?: DeskConfig;
    readonly start?: string;
    readonly before?: (desk: Desk, clock: ReturnType<typeof movableClock>) => Promise<void>;
    readonly server?: Partial<Omit<DeskServerOptions, 'desk' | 'clock' | 'mailer'>>;
  } = {},
): Promise<BrowserDesk> {
  const sqlite = deskStoreBackends().find((backend) => backend.name === 'sqlite');
  if (sqlite === undefined) throw new Error('no SQLite desk store backend');
  const database = await sqlite.create();
  const clock = movableClock(options.start ?? START);
  const config = options.config ?? webConfig();
  const desk = new Desk({ store: database.store, config, clock });
  for (const [role, login] of Object.entries(TEAM) as [Role, string][]) {
    await addDeskUser(database.store, { login, role, password: PASSWORD }, clock, { kind: 'system', id: 'browser-test' });
  }
  await options.before?.(desk, clock);
  const sink = await startSmtpSink();
  let mailer: DeskMailer | undefined;
  try {
    mailer = createDeskMailer({ transport: sink.settings, from: config.project.contacts.from, project: config.project.name });
    const app = await createDeskServer({
      sessionSecret: 'a browser test secret of at least thirty-two characters',
      secureCookies: false,
      ...options.server,
      desk,
      mailer,
      clock,
    });
    const baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
    const opened = mailer;
    return {
      baseUrl,
      desk,
      database,
      clock,
      sink,
      async dispose() {
        await app.close();
        opened.close();
        await sink.stop();
        await database.dispose();
      },
    };
  } catch (error) {
    mailer?.close();
    await sink.stop();
    await database.dispose();
    throw error;
  }
}

/** What a page did that a test wants to know about. */
export interface PageWatch {
  /** Messages of every `alert`, `confirm` or `prompt` the page opened (each is dismissed). */
  readonly dialogs: string[];
  /** Uncaught script errors. */
  readonly errors: string[];
  /** Console messages about the Content-Security-Policy: something tried to run or load that the policy forbids. */
  readonly cspViolations: string[];
}

/** Starts recording a page's dialogs, script errors and CSP violations. */
export function watchPage(page: Page): PageWatch {
  const watch: PageWatch = { dialogs: [], errors: [], cspViolations: [] };
  page.on('dialog', (dialog) => {
    watch.dialogs.push(`${dialog.type()}: ${dialog.message()} (on ${page.url()})`);
    void dialog.dismiss().catch(() => undefined);
  });
  page.on('pageerror', (error) => watch.errors.push(error.message));
  page.on('console', (message) => {
    if (/Content[- ]Security[- ]Policy/i.test(message.text())) watch.cspViolations.push(message.text());
  });
  return watch;
}

/** A new page in a context, watched. */
export async function openPage(context: BrowserContext): Promise<{ page: Page; watch: PageWatch }> {
  const page = await context.newPage();
  return { page, watch: watchPage(page) };
}

/** Whether a response is the last of a main-frame navigation (not a redirect on the way). */
function isFinalNavigation(page: Page, response: Response): boolean {
  const request = response.request();
  const status = response.status();
  return request.isNavigationRequest() && request.frame() === page.mainFrame() && (status < 300 || status >= 400);
}

/**
 * Clicks something that submits a form or follows a link, and waits until the page it leads to
 * (after any redirect) has loaded. Returns that page's response.
 */
export async function clickAndLoad(page: Page, target: Locator): Promise<Response> {
  const navigated = page.waitForEvent('framenavigated', { predicate: (frame) => frame === page.mainFrame() });
  const response = page.waitForResponse((candidate) => isFinalNavigation(page, candidate));
  await target.click();
  const [final] = await Promise.all([response, navigated]);
  await page.waitForLoadState('load');
  return final;
}

/** Goes to a URL and checks the status of the page it ends on. */
export async function visit(page: Page, url: string, status = 200): Promise<Response> {
  const response = await page.goto(url, { waitUntil: 'load' });
  if (response === null) throw new Error(`no response for ${url}`);
  if (response.status() !== status) throw new Error(`${url}: status ${response.status()}, expected ${status}`);
  return response;
}

/** Logs in through the console's form; the page is then wherever the log-in leads (the inbox, or `next`). */
export async function logIn(page: Page, baseUrl: string, login: string): Promise<void> {
  if (!page.url().includes('/team/login')) await visit(page, `${baseUrl}/team/login`);
  await page.getByLabel('Login').fill(login);
  await page.getByLabel('Password').fill(PASSWORD);
  const response = await clickAndLoad(page, page.getByRole('button', { name: 'Log in' }));
  if (response.status() !== 200) throw new Error(`log-in of ${login}: status ${response.status()}`);
}

/** The visible text of the page's main element. */
export async function mainText(page: Page): Promise<string> {
  return page.locator('main').innerText();
}

/** The text of the flash message on the page (empty when there is none). */
export async function flashText(page: Page): Promise<string> {
  const flash = page.locator('main p.flash');
  return (await flash.count()) === 0 ? '' : flash.innerText();
}

/** The lifecycle form of an action on a report page. */
export function actionForm(page: Page, kind: string): Locator {
  return page.locator(`form[action$="/actions/${kind}"]`);
}

/** Fills an action's form (its note, and the other labelled fields given) and submits it; the flash message. */
export async function act(page: Page, kind: string, fields: Readonly<Record<string, string>>, button: string): Promise<string> {
  const form = actionForm(page, kind);
  for (const [label, value] of Object.entries(fields)) await form.getByLabel(label).fill(value);
  const response = await clickAndLoad(page, form.getByRole('button', { name: button }));
  if (response.status() !== 200) throw new Error(`${kind}: status ${response.status()}`);
  return flashText(page);
}

/** Where screenshots go: `test-artifacts/desk/` in the repository (git-ignored). */
export const ARTIFACTS = path.join(repoRoot, 'test-artifacts', 'desk');

/** Saves a screenshot of the whole page, or of one element, as `test-artifacts/desk/<name>.png`; its path. */
export async function screenshot(target: Page | Locator, name: string): Promise<string> {
  if (!existsSync(ARTIFACTS)) mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  if ('goto' in target) await target.screenshot({ path: file, fullPage: true });
  else await target.screenshot({ path: file });
  return file;
}

/** The value of a fact (`<dt>term</dt><dd>value</dd>`) on the page, as shown. */
export async function fact(page: Page, term: string): Promise<string> {
  return page.locator(`main dl.facts dt:text-is("${term}") + dd`).first().innerText();
}
