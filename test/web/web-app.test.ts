/*
 * The web app in a real browser (Debian's Chromium, driven by playwright-core) against the real
 * services behind the local edge, as `npm start` runs them: a customer orders and follows the order
 * live while a store owner, in a second browser context, takes it through every step; a
 * cancellation; a declined card; payment down. axe-core checks each screen on the way.
 * Every wait is for a condition on the page, never a fixed time.
 */
import { stopAll } from '@fooddelivery/stack/processes';
import { repoRoot } from '@fooddelivery/stack/paths';
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import {
  launchChromium,
  newPerson,
  screenshot,
  seriousViolations,
  startWebStack,
  type AxeViolation,
  type WebStack,
} from '../support/web.js';

const STORE = 'store-seoul-chicken';
const STORE_NAME = 'Seoul Fried Chicken';
/** How long a step may take to show: events cross NATS and the owner's list refreshes every 2 s. */
const SHOWS_WITHIN = 20_000;

describe('web app in Chromium (customer and store owner)', function () {
  this.timeout(120_000);
  let stack: WebStack;
  let browser: Browser;
  const violations = new Map<string, AxeViolation[]>();
  /** The browser contexts of the running test: closed after it, their problems reported. */
  let people: Array<Awaited<ReturnType<typeof newPerson>>> = [];

  before(async function () {
    this.timeout(240_000);
    stack = await startWebStack();
    browser = await launchChromium();
  });
  after(async function () {
    this.timeout(60_000);
    await stopAll();
  });
  afterEach(async () => {
    const problems = people.flatMap((someone) => someone.problems);
    await Promise.all(people.map((someone) => someone.context.close()));
    people = [];
    expect(problems, 'page errors and requests to other origins').to.deep.equal([]);
  });

  async function person() {
    const someone = await newPerson(browser, stack.url);
    people.push(someone);
    return someone;
  }

  /** axe-core on the screen as shown now; violations are collected per screen and asserted at the end. */
  async function checkScreen(page: Page, screen: string, { fullPage = true } = {}) {
    violations.set(screen, await seriousViolations(page));
    await screenshot(page, screen, { fullPage });
  }

  async function signIn(page: Page, role: 'customer' | 'store_owner', subject: string) {
    await page.goto('/');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    if (role === 'customer') {
      await page.getByLabel('a customer').check();
      await page.getByLabel('Customer id').fill(subject);
    } else {
      await page.getByLabel('a store owner').check();
      await page.getByLabel('Store', { exact: true }).selectOption(subject);
    }
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
  }

  /** From the store list to a placed order: returns the order id the app navigated to. */
  async function placeOrder(page: Page, cardToken = 'tok_visa'): Promise<string> {
    await page.getByRole('link', { name: 'Stores', exact: true }).click();
    await page.getByRole('link', { name: STORE_NAME }).click();
    await page.getByLabel('Quantity of Fried chicken').fill('2');
    await page.getByLabel('Quantity of Cola 1.25 l').fill('1');
    await page.getByLabel('Delivery address').fill('152 Teheran-ro, Gangnam-gu, Seoul');
    await page.getByLabel('Card token').fill(cardToken);
    await page.getByRole('button', { name: 'Place order' }).click();
    await page.waitForURL(/#\/orders\/[^/]+$/);
    return decodeURIComponent(page.url().split('#/orders/')[1]!);
  }

  const trackingStatus = (page: Page, label: string) =>
    page.locator('[data-testid="tracking-status"]', { hasText: new RegExp(`^${label}$`) }).waitFor({ timeout: SHOWS_WITHIN });

  it('serves the app, the REST API, /openapi.json and /docs/ on one address; internal RPCs and unknown paths answer 404', async () => {
    const get = (path: string, init?: RequestInit) => fetch(`${stack.url}${path}`, init);
    const page = await get('/');
    expect(page.status).to.equal(200);
    expect(await page.text()).to.include('<div id="app">');
    const stores = (await (await get('/v1/stores')).json()) as { stores: Array<{ storeId: string }> };
    expect(stores.stores.map((store) => store.storeId)).to.include(STORE);
    const document = (await (await get('/openapi.json')).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(document.paths)).to.include.members(['/v1/stores', '/v1/orders', '/v1/orders/{orderId}/tracking:watch']);
    expect((await get('/docs/')).status).to.equal(200);
    // As at Envoy: payment's internal RPCs and paths no rule maps answer 404, and a call needs a token.
    for (const [method, path] of [
      ['POST', '/v1/payments'],
      ['POST', '/v1/payments/some-order:refund'],
      ['GET', '/v1/nothing-here'],
      ['GET', '/grpc.health.v1.Health/Check'],
      ['POST', '/'],
    ] as const) {
      const response = await get(path, { method, headers: { 'content-type': 'application/json' }, body: method === 'POST' ? '{}' : null });
      expect(response.status, `${method} ${path}`).to.equal(404);
      expect(((await response.json()) as { code: number }).code, `${method} ${path}`).to.equal(5);
    }
    expect((await get('/v1/orders')).status).to.equal(401);
    // The development sign-in answers a token for the two roles only.
    const signIn = await get('/dev/token', { method: 'POST', body: JSON.stringify({ role: 'customer', subject: 'c-web' }) });
    expect(signIn.status).to.equal(200);
    const { token } = (await signIn.json()) as { token: string };
    expect((await get('/v1/orders', { headers: { authorization: `Bearer ${token}` } })).status).to.equal(200);
    expect((await get('/dev/token', { method: 'POST', body: JSON.stringify({ role: 'admin', subject: 'x' }) })).status).to.equal(400);
  });

  it('ships no signing key in the browser bundle', () => {
    const pem = readFileSync(join(repoRoot, 'envoy', 'dev-keys', 'jwt-private.pem'), 'utf8');
    const keyBody = pem.split('\n').filter((line) => line && !line.startsWith('-----'))[0]!;
    const dist = join(repoRoot, 'web', 'dist');
    const files = readdirSync(dist, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
    expect(files.length).to.be.greaterThan(3);
    for (const file of files) {
      const text = readFileSync(join(file.parentPath, file.name), 'latin1');
      expect(text, file.name).to.not.include('PRIVATE KEY');
      expect(text, file.name).to.not.include(keyBody.slice(0, 24));
    }
  });

  it('a customer places an order and sees it go paid → accepted → cooking → delivering → delivered while the store owner acts', async () => {
    const customer = await person();
    const owner = await person();

    await customer.page.goto('/');
    await customer.page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await checkScreen(customer.page, 'sign-in');
    await signIn(customer.page, 'customer', 'c-web-1');
    await customer.page.getByRole('link', { name: STORE_NAME }).waitFor();
    await checkScreen(customer.page, 'stores');
    await customer.page.getByRole('link', { name: STORE_NAME }).click();
    await customer.page.getByLabel('Quantity of Fried chicken').waitFor();
    await customer.page.getByLabel('Quantity of Fried chicken').fill('2');
    await customer.page.getByText('Total: ₩36,000').waitFor();
    await checkScreen(customer.page, 'menu');
    const orderId = await placeOrder(customer.page);
    await trackingStatus(customer.page, 'Paid');
    await checkScreen(customer.page, 'order-paid');

    await signIn(owner.page, 'store_owner', STORE);
    const card = owner.page.locator(`article[data-order-id="${orderId}"]`);
    await card.waitFor({ timeout: SHOWS_WITHIN });
    await checkScreen(owner.page, 'store-owner');

    for (const [button, status] of [
      ['Accept', 'Accepted'],
      ['Start cooking', 'Cooking'],
      ['Start delivery', 'Delivering'],
      ['Complete delivery', 'Delivered'],
    ] as const) {
      await card.getByRole('button', { name: button, exact: true }).click();
      await trackingStatus(customer.page, status);
    }
    await owner.page.getByRole('heading', { name: 'Finished' }).waitFor({ timeout: SHOWS_WITHIN });
    // The customer's page shows every step, and the cancel form is gone.
    await customer.page.locator('.steps li.done').nth(4).waitFor();
    expect(await customer.page.locator('.timeline li').allTextContents()).to.have.length(5);
    expect(await customer.page.getByRole('button', { name: 'Cancel order' }).count()).to.equal(0);
    await checkScreen(customer.page, 'order-delivered');

    // A message for each status change.
    await customer.page.getByRole('link', { name: 'Notifications' }).click();
    await customer.page.locator('.notifications li', { hasText: 'Delivered' }).first().waitFor({ timeout: SHOWS_WITHIN });
    expect(await customer.page.locator('.notifications li').count()).to.be.at.least(5);
    await checkScreen(customer.page, 'notifications');
    await customer.page.getByRole('link', { name: 'My orders' }).click();
    await customer.page
      .getByText(/Delivered/)
      .first()
      .waitFor();
    await checkScreen(customer.page, 'my-orders');
  });

  it('a customer cancels an order before delivery: the store stops it and the page says so', async () => {
    const customer = await person();
    await signIn(customer.page, 'customer', 'c-web-2');
    await placeOrder(customer.page);
    await trackingStatus(customer.page, 'Paid');
    await customer.page.getByLabel('Reason (optional)').fill('ordered by mistake');
    await customer.page.getByRole('button', { name: 'Cancel order' }).click();
    await customer.page.getByText('This order was cancelled; the payment is refunded.').waitFor({ timeout: SHOWS_WITHIN });
    await trackingStatus(customer.page, 'Refunded');
    await customer.page.getByTestId('order-status').getByText('Cancelled').waitFor();
    await checkScreen(customer.page, 'order-cancelled');
  });

  it('a store owner rejects an order with a reason: the customer sees it rejected, with the reason, and refunded', async () => {
    const customer = await person();
    const owner = await person();
    await signIn(customer.page, 'customer', 'c-web-5');
    const orderId = await placeOrder(customer.page);
    await trackingStatus(customer.page, 'Paid');
    await signIn(owner.page, 'store_owner', STORE);
    const card = owner.page.locator(`article[data-order-id="${orderId}"]`);
    await card.getByRole('button', { name: 'Reject', exact: true }).click({ timeout: SHOWS_WITHIN });
    await card.getByLabel('Reason for the customer').fill('out of chicken tonight');
    await card.getByRole('button', { name: 'Reject order' }).click();
    await owner.page.locator('.rows li', { hasText: 'out of chicken tonight' }).waitFor({ timeout: SHOWS_WITHIN });
    await trackingStatus(customer.page, 'Refunded');
    await customer.page.locator('.timeline li', { hasText: 'out of chicken tonight' }).first().waitFor();
    await customer.page.getByTestId('order-status').getByText('Rejected').waitFor();
  });

  it('a declined card is told plainly, and no order is placed', async () => {
    const customer = await person();
    await signIn(customer.page, 'customer', 'c-web-3');
    await customer.page.getByRole('link', { name: STORE_NAME }).click();
    await customer.page.getByLabel('Quantity of Fried chicken').fill('1');
    await customer.page.getByLabel('Delivery address').fill('1 Sejong-daero, Seoul');
    await customer.page.getByLabel('Card token').fill('tok_decline_insufficient_funds');
    await customer.page.getByRole('button', { name: 'Place order' }).click();
    const alert = customer.page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).to.match(/^Your card was declined( \(.+\))?\. Nothing was charged: try another card\.$/);
    expect(customer.page.url()).to.match(/#\/stores\//);
    await checkScreen(customer.page, 'menu-card-declined');
    // The same order with a good card goes through (a new idempotency key after a final answer).
    await customer.page.getByLabel('Card token').fill('tok_visa');
    await customer.page.getByRole('button', { name: 'Place order' }).click();
    await customer.page.waitForURL(/#\/orders\//);
    await trackingStatus(customer.page, 'Paid');
  });

  it('payment down: placing an order says payment is busy and when to retry, and places nothing', async () => {
    const customer = await person();
    await signIn(customer.page, 'customer', 'c-web-4');
    await customer.page.getByRole('link', { name: STORE_NAME }).click();
    await customer.page.getByLabel('Quantity of Fried chicken').fill('1');
    await customer.page.getByLabel('Delivery address').fill('1 Sejong-daero, Seoul');
    await stack.system.stop('payment');
    try {
      await customer.page.getByRole('button', { name: 'Place order' }).click();
      const alert = customer.page.getByRole('alert');
      await alert.waitFor();
      expect(await alert.textContent()).to.match(
        /^Payment is busy right now, so the order was not placed\. Please try again in \d+ seconds?\.$/,
      );
      expect(customer.page.url()).to.match(/#\/stores\//);
      await checkScreen(customer.page, 'menu-payment-busy');
    } finally {
      await stack.system.start('payment');
    }
  });

  it('renders the API reference at /docs/ from /openapi.json, with nothing loaded from elsewhere', async () => {
    const reader = await person();
    await reader.page.goto('/docs/');
    await reader.page.getByText('Food delivery API').first().waitFor();
    await reader.page.getByText('/v1/orders/{orderId}/tracking:watch').first().waitFor();
    await checkScreen(reader.page, 'api-reference', { fullPage: false });
    // An operation opened: its parameters, body and responses with their schemas and examples.
    await reader.page.getByText('/v1/orders/{orderId}:cancel').first().click();
    await reader.page.getByText('CancelOrderBody').first().waitFor();
    violations.set('api-reference-operation', await seriousViolations(reader.page));
  });

  it('has no serious or critical accessibility violations on any screen (axe-core)', () => {
    expect([...violations.keys()]).to.include.members([
      'sign-in',
      'stores',
      'menu',
      'order-paid',
      'store-owner',
      'order-delivered',
      'notifications',
      'my-orders',
      'order-cancelled',
      'menu-card-declined',
      'menu-payment-busy',
      'api-reference',
      'api-reference-operation',
    ]);
    const found = [...violations].filter(([, list]) => list.length > 0);
    expect(Object.fromEntries(found)).to.deep.equal({});
  });
});
