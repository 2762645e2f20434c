import { expect } from 'chai';
import { PlaceOrder, type PlaceOrderCommand } from '../../src/application/place-order.js';
import { paymentUnavailable } from '../../src/domain/order.errors.js';
import {
  FakePaymentGateway,
  InMemoryCatalog,
  InMemoryPaymentAttempts,
  InMemoryOrderRepository,
  chickenStore,
  closedStore,
  fixedClock,
  sequentialIds,
} from '../support/in-memory.js';

function setup() {
  const orders = new InMemoryOrderRepository();
  const payments = new FakePaymentGateway();
  const attempts = new InMemoryPaymentAttempts();
  const failedRefunds: string[] = [];
  const placeOrder = new PlaceOrder(
    orders,
    new InMemoryCatalog([chickenStore, closedStore]),
    payments,
    attempts,
    fixedClock(),
    sequentialIds(),
    {
      refundFailed: (orderId: string) => failedRefunds.push(orderId),
    },
  );
  return { orders, payments, attempts, placeOrder, failedRefunds };
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
  it('stores a paid order priced from the menu and raises OrderPlaced', async () => {
    const { orders, payments, placeOrder } = setup();
    const order = await placeOrder.execute(admin, command());
    expect(order.status).to.equal('paid');
    expect(order.snapshot().total.amountMinor).to.equal(36000);
    expect(payments.approvals).to.have.length(1);
    expect(payments.approvals[0]?.amount.amountMinor).to.equal(36000);
    expect(orders.stored.has(order.id)).to.equal(true);
    expect(orders.events).to.deep.equal(['OrderPlaced']);
  });

  it('settles the payment attempt once the order is stored, or when declined', async () => {
    const { attempts, placeOrder } = setup();
    await placeOrder.execute(admin, command());
    await placeOrder.execute(admin, command({ cardToken: 'tok_decline' })).catch(() => {});
    expect(attempts.open.size).to.equal(0);
  });

  it('leaves the attempt open when payment may have charged without answering, for a later refund', async () => {
    const { attempts, payments, placeOrder } = setup();
    payments.failWith = paymentUnavailable('timed out', 5, true);
    await placeOrder.execute(admin, command()).catch(() => {});
    expect(attempts.open.size).to.equal(1);
  });

  it('closes the attempt when payment refused without charging', async () => {
    const { attempts, payments, placeOrder } = setup();
    payments.failWith = paymentUnavailable('busy', 1);
    await placeOrder.execute(admin, command()).catch(() => {});
    expect(attempts.open.size).to.equal(0);
  });

  it('stores nothing when the payment is declined', async () => {
    const { orders, placeOrder } = setup();
    const error = await rejection(placeOrder.execute(admin, command({ cardToken: 'tok_decline_insufficient' })));
    expect(error).to.include({ code: 'ORDER.PAYMENT_DECLINED', kind: 'failed_precondition' });
    expect(orders.stored.size).to.equal(0);
  });

  it('stores nothing and says try again when payment is unavailable', async () => {
    const { orders, payments, placeOrder } = setup();
    payments.failWith = paymentUnavailable('circuit open', 5);
    const error = await rejection(placeOrder.execute(admin, command()));
    expect(error).to.include({ kind: 'unavailable', retryAfterSeconds: 5 });
    expect(orders.stored.size).to.equal(0);
  });

  it('fails at once, storing nothing, while payment is known to be failing', async () => {
    const { orders, payments, attempts, placeOrder } = setup();
    payments.accepting = false;
    const error = await rejection(placeOrder.execute(admin, command()));
    expect(error).to.include({ kind: 'unavailable', code: 'PAYMENT.UNAVAILABLE' });
    expect(payments.approvals).to.be.empty;
    expect(attempts.open.size).to.equal(0);
    expect(orders.stored.size).to.equal(0);
  });

  it('returns the same order for the same idempotency key, paying once', async () => {
    const { orders, payments, placeOrder } = setup();
    const first = await placeOrder.execute(admin, command({ idempotencyKey: 'k-1' }));
    const second = await placeOrder.execute(admin, command({ idempotencyKey: 'k-1' }));
    expect(second.id).to.equal(first.id);
    expect(payments.approvals).to.have.length(1);
    expect(orders.stored.size).to.equal(1);
  });

  it('refunds the payment when the paid order cannot be stored', async () => {
    const { orders, payments, placeOrder } = setup();
    orders.failNextInsert = new Error('disk full');
    const error = await rejection(placeOrder.execute(admin, command()));
    expect(error).to.include({ code: 'ORDER.NOT_STORED', kind: 'unavailable' });
    expect((error as { cause?: Error }).cause?.message).to.equal('disk full');
    expect(payments.approvals).to.have.length(1);
    expect(payments.refunds).to.have.length(1);
    expect(payments.refunds[0]?.orderId).to.equal(payments.approvals[0]?.orderId);
    expect(orders.stored.size).to.equal(0);
  });

  it('reports a refund that could not be made after a failed write', async () => {
    const { orders, payments, attempts, placeOrder, failedRefunds } = setup();
    orders.failNextInsert = new Error('disk full');
    payments.refund = () => Promise.reject(new Error('payment down'));
    await rejection(placeOrder.execute(admin, command()));
    expect(failedRefunds).to.have.length(1);
    expect(attempts.open.size, 'left for the settlement to refund').to.equal(1);
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
    ['unknown menu item', { lines: [{ menuItemId: 'pizza', quantity: 1 }] }, 'lines[0].menu_item_id'],
  ];
  for (const [name, overrides, field] of invalid) {
    it(`rejects ${name}, naming ${field}`, async () => {
      const { payments, placeOrder } = setup();
      const error = await rejection(placeOrder.execute(admin, command(overrides)));
      expect(error).to.include({ kind: 'invalid_argument', field });
      expect(payments.approvals).to.be.empty;
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
    expect(payments.approvals).to.be.empty;
  });
});
