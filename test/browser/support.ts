import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { webDistDir } from '../../src/server/static.js';

// The dashboard in a real browser: Debian's chromium (npm test's pretest
// installs it: test/browser/setup-chromium.sh) driven by playwright-core,
// against a real server and Neo4j. Screenshots go to test-output/ (gitignored).

export const CHROMIUM = process.env.PEDIGREE_CHROMIUM ?? '/usr/bin/chromium';
export const OUT = resolve('test-output');
/** Generous: a condition we wait for, not a timing we assert. */
export const WAIT = 30_000;

/** Browser-side element as far as these tests look at it (the test tsconfig has no DOM lib). */
export type El = { getAttribute(name: string): string | null; textContent: string | null };
export const attrs = (loc: Locator, name: string) =>
  loc.evaluateAll((els, n) => els.map((e) => (e as unknown as El).getAttribute(n)), name);
export const texts = (loc: Locator) => loc.evaluateAll((els) => els.map((e) => (e as unknown as El).textContent));

/** The dashboard's browser: headless Chromium, with the dashboard built. */
export async function launch(): Promise<Browser> {
  if (!existsSync(resolve(webDistDir, 'index.html')))
    throw new Error('the dashboard is not built: npm run web:build (npm test does it)');
  mkdirSync(OUT, { recursive: true });
  return launchChromium();
}

/** Headless Chromium (test/browser/setup-chromium.sh installs it), quiet: no background traffic of its own. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `browser tests need Chromium at ${CHROMIUM}: run bash test/browser/setup-chromium.sh (npm test does)`,
    );
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * One person at the dashboard: a browser context of their own (its own session storage), and what its pages logged as
 * errors.
 */
export interface Person {
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught exceptions of every page of this person, with the URL they happened on. */
  errors: string[];
}

/**
 * Opens a browser context signed in with `token` (set in session storage
 * before the dashboard's scripts run, as "use token" would), and records its
 * console errors and page errors.
 */
export async function person(browser: Browser, token: string | null): Promise<Person> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  // Only on the dashboard's origin: about:blank (a new tab before its first navigation) has no session storage to
  // write.
  if (token) {
    await context.addInitScript((t) => {
      const w = globalThis as unknown as {
        location: { protocol: string };
        sessionStorage: { setItem(k: string, v: string): void };
      };
      if (w.location.protocol === 'http:' || w.location.protocol === 'https:')
        w.sessionStorage.setItem('pedigree.token', t);
    }, token);
  }
  const errors: string[] = [];
  const watch = (p: Page) => {
    p.on('console', (m) => m.type() === 'error' && errors.push(`${p.url()}: ${m.text()}`));
    p.on('pageerror', (e) => errors.push(`${p.url()}: ${e.message}`));
    // A refused GraphQL request: what it asked and what the server said, beside the console's bare "status of 400".
    p.on('response', (r) => {
      if (r.status() >= 400 && r.url().endsWith('/graphql')) {
        void r.text().then(
          (body) =>
            errors.push(
              `${p.url()}: ${r.status()} for ${(r.request().postData() ?? '').slice(0, 200)}: ${body.slice(0, 300)}`,
            ),
          () => undefined,
        );
      }
    });
  };
  context.on('page', watch);
  const page = await context.newPage();
  return { context, page, errors };
}

/** Opens a dashboard route (`#/…`) and waits until the signed-in principal is known. */
export async function open(p: Person, base: string, route: string): Promise<void> {
  await p.page.goto(`${base}/${route}`);
  await p.page.locator('main').waitFor({ timeout: WAIT });
}

/** Clicks an action button, checks what its confirmation says, fills fields, confirms; returns the dialog. */
export async function confirmAction(
  page: Page,
  testid: string,
  opts: { says?: RegExp; fill?: Record<string, string>; select?: Record<string, string>; within?: Locator } = {},
): Promise<Locator> {
  const scope = opts.within ?? page;
  await scope.getByTestId(testid).first().click();
  const dialog = page.locator(`dialog[data-testid="${testid}-dialog"][open]`);
  await dialog.waitFor({ timeout: WAIT });
  for (const [label, value] of Object.entries(opts.fill ?? {}))
    await dialog.getByLabel(label, { exact: true }).fill(value);
  for (const [label, value] of Object.entries(opts.select ?? {}))
    await dialog.getByLabel(label, { exact: true }).selectOption(value);
  if (opts.says) expect(await dialog.locator('.what').innerText()).toMatch(opts.says);
  await dialog.locator('button[type=submit]').click();
  return dialog;
}

/** Waits for a dialog to close after a confirmed action (the action was accepted). */
export async function accepted(dialog: Locator): Promise<void> {
  await expect.poll(() => dialog.count(), { timeout: WAIT }).toBe(0);
}

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/**
 * Serious and critical accessibility violations of the page as it is now (axe-core, WCAG 2.x A/AA rules and best
 * practices).
 */
export async function axeViolations(
  page: Page,
): Promise<{ id: string; impact: string; help: string; targets: string[] }[]> {
  if (!(await page.evaluate(() => 'axe' in globalThis))) await page.addScriptTag({ content: AXE });
  const result = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as {
        axe: {
          run(
            ctx: unknown,
            opts: unknown,
          ): Promise<{
            violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[];
          }>;
        };
      }
    ).axe;
    return axe.run((globalThis as unknown as { document: unknown }).document, { resultTypes: ['violations'] });
  });
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact!, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }));
}
