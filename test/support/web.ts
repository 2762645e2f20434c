/**
 * The browser tests' world: the four services (AUTH_MODE=jwt, as under `npm start`) on free
 * loopback ports, the local edge in front of them serving the built web app, and Debian's Chromium
 * driven by playwright-core. Everything is stopped by stopAll() (and by mocha-setup.ts's safety net).
 */
import { startLocalEdge, type LocalEdge } from '@fooddelivery/stack/local-edge';
import { track } from '@fooddelivery/stack/processes';
import { startSystem, type TestSystem } from '@fooddelivery/stack/system';
import { buildWebIfStale } from '@fooddelivery/stack/web-build';
import axe from 'axe-core';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export interface WebStack {
  system: TestSystem;
  edge: LocalEdge;
  url: string;
}

/** Builds the app when stale, starts the services and the edge. */
export async function startWebStack(): Promise<WebStack> {
  buildWebIfStale();
  const jwt = { AUTH_MODE: 'jwt' };
  const system = await startSystem(['payment', 'order', 'store', 'notification', 'marketing'], {
    payment: { ...jwt, PAYMENT_LATENCY_MIN_MS: '5', PAYMENT_LATENCY_MAX_MS: '20' },
    order: jwt,
    store: jwt,
    notification: { ...jwt, NOTIFICATION_LANGUAGE: 'en' },
    marketing: jwt,
  });
  const upstreams = Object.fromEntries(
    (['order', 'payment', 'store', 'notification', 'marketing'] as const).map((name) => [name, system.service(name).http]),
  );
  const edge = await startLocalEdge({ host: '127.0.0.1', port: 0, upstreams, devTokens: true, accessLog: join(system.dir, 'edge.log') });
  track({ name: 'edge', stop: () => edge.close() });
  return { system, edge, url: edge.url };
}

/** Debian's package (scripts/setup.sh installs it), or CHROMIUM_PATH. */
export function chromiumPath(): string {
  const path = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`SETUP_CHROMIUM=1 bash scripts/setup.sh\` or set CHROMIUM_PATH`);
  return path;
}

/** Headless Chromium that makes no connection of its own (this machine reaches no outside network). */
export async function launchChromium(): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
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
  track({ name: 'chromium', stop: () => browser.close() });
  return browser;
}

/**
 * A fresh browser context (its own session storage: one person) that fails the test on a page
 * error or a request to any other origin than the edge.
 */
export async function newPerson(browser: Browser, baseURL: string): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext({ baseURL, viewport: { width: 1100, height: 800 }, locale: 'en-US', timezoneId: 'Asia/Seoul' });
  const problems: string[] = [];
  const origin = new URL(baseURL).origin;
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(origin) || url.startsWith('data:')) return route.continue();
    problems.push(`request to another origin: ${url}`);
    return route.abort();
  });
  const page = await context.newPage();
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  return { context, page, problems };
}

export interface AxeViolation {
  id: string;
  impact: string | null | undefined;
  help: string;
  nodes: string[];
}

/** axe-core on the page as it is: the violations rated serious or critical. */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  await page.addScriptTag({ content: axe.source });
  const results = await page.evaluate(() =>
    // Runs in the page, where axe-core was just injected.
    (globalThis as unknown as { axe: typeof axe }).axe
      .run({ resultTypes: ['violations'] })
      .then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) }))),
  );
  return results.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
}

/** Where screenshots go when SCREENSHOTS_DIR is set (npm run web:screenshots), else nowhere. */
export async function screenshot(page: Page, name: string, { fullPage = true } = {}): Promise<void> {
  const dir = process.env.SCREENSHOTS_DIR;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage });
}
