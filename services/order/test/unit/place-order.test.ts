import { expect } from 'chai';
import { PlaceOrder, type PlaceOrderCommand } from '../../src/application/place-order.js';
import { Order } from '../../src/domain/order.js';
import { paymentTermsConflict, paymentUnavailable } from '../../src/domain/order.errors.js';
import {
  FakePaymentGateway,
  InMemoryCatalog,
  InMemoryOrderLog,
  chickenStore,
  closedStore,
  fixedClock,
  sequentialIds,
} from '../support/in-memory.js';

function setup() {
  const log = new InMemoryOrderLog();
  const payments = new FakePaymentGateway();
  const clock = fixedClock();
  const placeOrder = new PlaceOrder(log, new InMemoryCatalog([chickenStore, closedStore]), payments, log, clock, sequentialIds(), {
    retryWindowSeconds: 60,
  });
  return { log, payments, placeOrder };
}

const admin = { subject: 'admin-1', role: 'admin' as const };

const command = (overrides: Partial<PlaceOrderCommand> = {}): PlaceOrderCommand => ({
  customerId: 'c-1',
  storeId: 'store-chicken',
  lines: [{ menuItemId: 'fried', quantity: 2 }],
  deliveryAddress: '1 Gangnam-daero, Seoul',
  cardToken: 'tok_visa',
  idempotencyKey: '',
  ...overrides,
});

async function rejection(promise: Promise<unknown>): Promise<Error & { kind?: string; field?: string; code?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('PlaceOrder', () => {
  it('stores a paid order priced from the menu as version 1 of its log and raises OrderPlaced', async () => {
    const { log, payments, placeOrder } = setup();
    const order = await placeOrder.execute(admin, command());
    expect(order.snapshot()).to.include({ status: 'paid', version: 1 });
    expect(order.snapshot().total.amountMinor).to.equal(36000);
    expect(payments.approvals).to.have.length(1);
    expect(payments.approvals[0]?.amount.amountMinor).to.equal(36000);
    expect(await log.load(order.id)).to.be.instanceOf(Order);
    expect(log.eventTypes()).to.deep.equal(['OrderPlaced']);
  });

  it('closes the payment attempt once the order is stored, or when declined', async () => {
    const { log, placeOrder } = setup();
    await placeOrder.execute(admin, command());
    await placeOrder.execute(admin, command({ cardToken: 'tok_decline' })).catch(() => {});
    expect(log.openAttempts.size).to.equal(0);
  });

  it('leaves the attempt open when payment may have charged without answering, for a later refund', async () => {
    const { log, payments, placeOrder } = setup();
    payments.failWith = paymentUnavailable('timed out', 5, true);
    await placeOrder.execute(admin, command()).catch(() => {});
    expect(log.openAttempts.size).to.equal(1);
  });

  it('closes the attempt when payment refused without charging', async () => {
    const { log, payments, placeOrder } = setup();
    payments.failWith = paymentUnavailable('busy', 1);
    await placeOrder.execute(admin, command()).catch(() => {});
    expect(log.openAttempts.size).to.equal(0);
  });

  it('stores nothing when the payment is declined', async () => {
    const { log, placeOrder } = setup();
    const error = await rejection(placeOrder.execute(admin, command({ cardToken: 'tok_decline_insufficient' })));
    expect(error).to.include({ code: 'ORDER.PAYMENT_DECLINED', kind: 'failed_precondition' });
    expect(log.entries.size).to.equal(0);
  });

  it('stores nothing and says try again when payment is unavailable', async () => {
    const { log, payments, placeOrder } = setup();
    payments.failWith = paymentUnavailable('circuit open', 5);
    const error = await rejection(placeOrder.execute(admin, command()));
    expect(error).to.include({ kind: 'unavailable', retryAfterSeconds: 5 });
    expect(log.entries.size).to.equal(0);
  });

  it('refuses at once, before reading anything, while payment is known to be failing', async () => {
    const { log, payments, placeOrder } = setup();
    payments.accepting = false;
    log.load = () => Promise.reject(new Error('must not be read'));
    const error = await rejection(placeOrder.execute(admin, command({ idempotencyKey: 'k' })));
    expect(error).to.include({ kind: 'unavailable', code: 'PAYMENT.UNAVAILABLE' });
    expect(payments.approvals).to.have.lengthOf(0);
    expect(log.openAttempts.size).to.equal(0);
  });

  it('returns the same order for the same idempotency key and request, paying once', async () => {
    const { log, payments, placeOrder } = setup();
    const first = await placeOrder.execute(admin, command({ idempotencyKey: 'k-1' }));
    const second = await placeOrder.execute(admin, command({ idempotencyKey: 'k-1' }));
    expect(second.id).to.equal(first.id);
    expect(payments.charges).to.have.length(1);
    expect(log.entries.size).to.equal(1);
  });

  it('answers a retry with the stored order when payment fails or no longer approves (refunded after a cancel)', async () => {
    const { log, payments, placeOrder } = setup();
    const first = await placeOrder.execute(admin, command({ idempotencyKey: 'k-9' }));
    payments.failWith = paymentUnavailable('circuit open', 5, true);
    expect((await placeOrder.execute(admin, command({ idempotencyKey: 'k-9' }))).id).to.equal(first.id);
    payments.failWith = undefined;
    await payments.refund(first.id, 'cancelled');
    expect((await placeOrder.execute(admin, command({ idempotencyKey: 'k-9' }))).id).to.equal(first.id);
    expect(payments.charges).to.have.length(1);
    expect(log.entries.size).to.equal(1);
    expect(await log.stale(new Date('2100-01-01'), 10), 'nothing left to settle').to.have.length(0);
  });

  it('answers a retry with the stored order after the store closed or the item left the menu', async () => {
    const store = structuredClone(chickenStore);
    const log = new InMemoryOrderLog();
    const placeOrder = new PlaceOrder(log, new InMemoryCatalog([store]), new FakePaymentGateway(), log, fixedClock(), sequentialIds(), {
      retryWindowSeconds: 60,
    });
    const first = await placeOrder.execute(admin, command({ idempotencyKey: 'k-11' }));
    store.menu = store.menu.map((item) => ({ ...item, available: false }));
    expect((await placeOrder.execute(admin, command({ idempotencyKey: 'k-11' }))).id).to.equal(first.id);
    store.open = false;
    expect((await placeOrder.execute(admin, command({ idempotencyKey: 'k-11' }))).id).to.equal(first.id);
    expect(await rejection(placeOrder.execute(admin, command({ idempotencyKey: 'k-12' })))).to.include({ kind: 'failed_precondition' });
  });

  it('answers a conflict for the same idempotency key with a different request, never the other order', async () => {
    const { placeOrder } = setup();
    await placeOrder.execute(admin, command({ idempotencyKey: 'k-2' }));
    for (const different of [
      { deliveryAddress: 'elsewhere' },
      { lines: [{ menuItemId: 'cola', quantity: 1 }] },
      { cardToken: 'tok_other' },
    ]) {
      expect(await rejection(placeOrder.execute(admin, command({ idempotencyKey: 'k-2', ...different })))).to.include({
        code: 'ORDER.IDEMPOTENCY_KEY_REUSED',
        kind: 'already_exists',
        field: 'idempotency_key',
      });
    }
  });

  it('answers a conflict when payment holds another payment for the key (a concurrent different request)', async () => {
    const { log, payments, placeOrder } = setup();
    payments.failWith = paymentTermsConflict();
    expect(await rejection(placeOrder.execute(admin, command({ idempotencyKey: 'k-3' })))).to.include({
      code: 'ORDER.IDEMPOTENCY_KEY_REUSED',
    });
    expect(log.openAttempts.size, 'nothing was charged under this attempt').to.equal(0);
  });

  it('with a key, keeps the attempt open when the order cannot be stored, and a retry completes it', async () => {
    const { log, payments, placeOrder } = setup();
    log.failNextAppend = new Error('disk full');
    const error = await rejection(placeOrder.execute(admin, command({ idempotencyKey: 'k-4' })));
    expect(error).to.include({ code: 'ORDER.NOT_STORED', kind: 'unavailable' });
    expect(error.message).to.include('same idempotency key');
    expect((error as { cause?: Error }).cause?.message).to.equal('disk full');
    expect(payments.refunds).to.have.lengthOf(0);
    const retried = await placeOrder.execute(admin, command({ idempotencyKey: 'k-4' }));
    expect(retried.status).to.equal('paid');
    expect(payments.refunds).to.have.lengthOf(0);
  });

  it('without a key, claims the order id and refunds at once when the order cannot be stored', async () => {
    const { log, payments, placeOrder } = setup();
    log.failNextAppend = new Error('disk full');
    const error = await rejection(placeOrder.execute(admin, command()));
    expect(error).to.include({ code: 'ORDER.NOT_STORED', kind: 'unavailable' });
    expect(error.message).to.include('refunded');
    expect(payments.refunds).to.have.length(1);
    expect(payments.refunds[0]?.orderId).to.equal(payments.approvals[0]?.orderId);
    expect(log.openAttempts.size).to.equal(0);
  });

  it('without a key, leaves the refund to the settlement when it cannot be made now', async () => {
    const { log, payments, placeOrder } = setup();
    log.failNextAppend = new Error('disk full');
    payments.refundFailsWith = new Error('payment down');
    const error = await rejection(placeOrder.execute(admin, command()));
    expect(error.message).to.include('refunded within 60 s');
    expect(log.openAttempts.size, 'left for the settlement to refund').to.equal(1);
  });

  it('says why when the key belongs to an order that was abandoned and refunded', async () => {
    const { log, payments, placeOrder } = setup();
    log.failNextAppend = new Error('disk full');
    await rejection(placeOrder.execute(admin, command({ idempotencyKey: 'k-5' })));
    const [attempt] = log.openAttempts.values();
    await log.abandon(attempt!, 'no order was stored for this payment');
    expect(await rejection(placeOrder.execute(admin, command({ idempotencyKey: 'k-5' })))).to.include({
      code: 'ORDER.ABANDONED',
      field: 'idempotency_key',
    });
    expect(payments.charges).to.have.length(1);
  });

  const invalid: Array<[string, Partial<PlaceOrderCommand>, string]> = [
    ['no lines', { lines: [] }, 'lines'],
    ['zero quantity', { lines: [{ menuItemId: 'fried', quantity: 0 }] }, 'lines[0].quantity'],
    ['negative quantity', { lines: [{ menuItemId: 'fried', quantity: -2 }] }, 'lines[0].quantity'],
    ['quantity over the bound', { lines: [{ menuItemId: 'fried', quantity: 100 }] }, 'lines[0].quantity'],
    ['too many lines', { lines: Array.from({ length: 51 }, () => ({ menuItemId: 'fried', quantity: 1 })) }, 'lines'],
    ['missing customer', { customerId: '' }, 'customer_id'],
    ['huge customer id', { customerId: 'c'.repeat(10_000) }, 'customer_id'],
    ['missing store', { storeId: '' }, 'store_id'],
    ['missing address', { deliveryAddress: '  ' }, 'delivery_address'],
    ['huge address', { deliveryAddress: 'x'.repeat(501) }, 'delivery_address'],
    ['missing card', { cardToken: '' }, 'card_token'],
    ['a NUL in the address', { deliveryAddress: 'Seoul\u0000' }, 'delivery_address'],
    ['a line break in the card token', { cardToken: 'tok\nvisa' }, 'card_token'],
    ['unknown menu item', { lines: [{ menuItemId: 'pizza', quantity: 1 }] }, 'lines[0].menu_item_id'],
  ];
  for (const [name, overrides, field] of invalid) {
    it(`rejects ${name}, naming ${field}`, async () => {
      const { payments, placeOrder } = setup();
      const error = await rejection(placeOrder.execute(admin, command(overrides)));
      expect(error).to.include({ kind: 'invalid_argument', field });
      expect(payments.approvals).to.have.lengthOf(0);
    });
  }

  it('answers NOT_FOUND for an unknown store and FAILED_PRECONDITION for a closed one', async () => {
    const { placeOrder } = setup();
    expect(await rejection(placeOrder.execute(admin, command({ storeId: 'store-nowhere' })))).to.include({
      kind: 'not_found',
      field: 'store_id',
    });
    expect(await rejection(placeOrder.execute(admin, command({ storeId: 'store-closed' })))).to.include({ kind: 'failed_precondition' });
  });
});

describe('PlaceOrder authorization', () => {
  const customer = { subject: 'c-7', role: 'customer' as const };

  it('places for the customer the token names, even with no customer_id in the request', async () => {
    const { placeOrder } = setup();
    expect((await placeOrder.execute(customer, command({ customerId: '' }))).snapshot().customerId).to.equal('c-7');
  });

  it('refuses a customer ordering for someone else, and a store owner or service ordering at all', async () => {
    const { placeOrder, payments } = setup();
    expect(await rejection(placeOrder.execute(customer, command({ customerId: 'c-8' })))).to.include({ kind: 'permission_denied' });
    const owner = { subject: 's', role: 'store_owner' as const, storeId: 'store-chicken' };
    expect(await rejection(placeOrder.execute(owner, command()))).to.include({ kind: 'permission_denied' });
    expect(payments.approvals).to.have.lengthOf(0);
  });
});
