import { expect } from 'chai';
import { ApprovePayment, type ApprovePaymentCommand } from '../../src/application/approve-payment.js';
import { RefundPayment } from '../../src/application/refund-payment.js';
import { providerBusy } from '../../src/domain/payment.errors.js';
import { FakePaymentProvider, InMemoryPaymentRepository, fixedClock, sequentialIds } from '../support/in-memory.js';
import { approvePaymentCommand } from '../support/payment-mother.js';
import { rejection } from '../support/rejection.js';

const orderService = { subject: 'order', role: 'service' as const };

function setup() {
  const payments = new InMemoryPaymentRepository();
  const provider = new FakePaymentProvider();
  const ids = sequentialIds();
  const approvePayment = new ApprovePayment(payments, provider, fixedClock(), ids);
  return { payments, provider, approvePayment, refundPayment: new RefundPayment({ payments, clock: fixedClock(), ids }) };
}

describe('ApprovePayment', () => {
  it('charges the card, stores the payment as approved and raises PaymentApproved', async () => {
    const { payments, provider, approvePayment } = setup();
    const payment = await approvePayment.execute(orderService, approvePaymentCommand());
    expect(payment.snapshot()).to.include({ orderId: 'order-1', status: 'approved', customerId: 'customer-1' });
    expect(provider.authorizations).to.deep.equal([{ cardToken: 'tok_visa', amount: { currencyCode: 'KRW', amountMinor: 38500 } }]);
    expect((await payments.findByOrderId('order-1'))?.snapshot().paymentId).to.equal(payment.snapshot().paymentId);
    expect(payments.events).to.deep.equal(['PaymentApproved']);
  });

  it('returns the stored payment when asked again for the same order, charging once', async () => {
    const { payments, provider, approvePayment } = setup();
    const first = await approvePayment.execute(orderService, approvePaymentCommand());
    const second = await approvePayment.execute(orderService, approvePaymentCommand({ cardToken: 'tok_other' }));
    expect(second.snapshot()).to.deep.equal(first.snapshot());
    expect(provider.authorizations).to.have.length(1);
    expect(payments.events).to.deep.equal(['PaymentApproved']);
  });

  it('refuses the same order with another amount, store or items: a conflict, never the other payment', async () => {
    const { provider, approvePayment } = setup();
    await approvePayment.execute(orderService, approvePaymentCommand());
    const base = approvePaymentCommand();
    for (const different of [
      { amount: { currencyCode: 'KRW', amountMinor: 1 } },
      { storeId: 'store-other' },
      { items: [{ ...base.items[0]!, quantity: 7 }] },
      { customerId: 'customer-other' },
    ]) {
      expect(await rejection(approvePayment.execute(orderService, approvePaymentCommand(different)))).to.include({
        code: 'PAYMENT.DIFFERENT_TERMS',
        kind: 'already_exists',
      });
    }
    expect(provider.authorizations).to.have.length(1);
  });

  it('stores one payment when two approvals for the same order run at once', async () => {
    const { payments, approvePayment } = setup();
    const results = await Promise.all([
      approvePayment.execute(orderService, approvePaymentCommand()),
      approvePayment.execute(orderService, approvePaymentCommand()),
    ]);
    expect(results[0].snapshot().paymentId).to.equal(results[1].snapshot().paymentId);
    expect(payments.size).to.equal(1);
    expect(payments.events).to.deep.equal(['PaymentApproved']);
  });

  it('stores a declined payment with its reason and raises nothing', async () => {
    const { payments, approvePayment } = setup();
    const payment = await approvePayment.execute(orderService, approvePaymentCommand({ cardToken: 'tok_decline_insufficient_funds' }));
    expect(payment.snapshot()).to.include({ status: 'declined', statusReason: 'card declined' });
    expect((await payments.findByOrderId('order-1'))?.status).to.equal('declined');
    expect(payments.events).to.have.lengthOf(0);
  });

  it('declines an approval arriving after the order was voided, without asking the provider', async () => {
    const { provider, approvePayment, refundPayment } = setup();
    await refundPayment.execute(orderService, 'order-1', 'gave up waiting');
    const payment = await approvePayment.execute(orderService, approvePaymentCommand());
    expect(payment.snapshot()).to.include({ status: 'declined', statusReason: 'voided before approval' });
    expect(provider.authorizations).to.have.lengthOf(0);
  });

  it('keeps the void when it is stored while the provider is still answering', async () => {
    const { payments, approvePayment, refundPayment } = setup();
    const approval = approvePayment.execute(orderService, approvePaymentCommand());
    await refundPayment.execute(orderService, 'order-1', 'gave up waiting');
    expect((await approval).snapshot()).to.include({ status: 'declined', statusReason: 'voided before approval' });
    expect(payments.events).to.have.lengthOf(0);
  });

  it('stores nothing when the provider cannot answer', async () => {
    const { payments, provider, approvePayment } = setup();
    provider.failWith = providerBusy();
    expect(await rejection(approvePayment.execute(orderService, approvePaymentCommand()))).to.include({
      code: 'PAYMENT.PROVIDER_BUSY',
      kind: 'resource_exhausted',
      retryAfterSeconds: 1,
    });
    expect(payments.size).to.equal(0);
  });

  const item = approvePaymentCommand().items[0]!;
  const invalid: Array<[string, Partial<ApprovePaymentCommand>, string]> = [
    ['a missing order id', { orderId: '' }, 'order_id'],
    ['an order id with whitespace', { orderId: 'order 1' }, 'order_id'],
    ['an order id over 64 characters', { orderId: 'o'.repeat(65) }, 'order_id'],
    ['a missing customer id', { customerId: '' }, 'customer_id'],
    ['a huge customer id', { customerId: 'c'.repeat(10_000) }, 'customer_id'],
    ['a lower-case currency', { amount: { currencyCode: 'krw', amountMinor: 1000 } }, 'amount.currency_code'],
    ['a missing currency', { amount: { currencyCode: '', amountMinor: 1000 } }, 'amount.currency_code'],
    ['a zero amount', { amount: { currencyCode: 'KRW', amountMinor: 0 } }, 'amount.amount_minor'],
    ['a negative amount', { amount: { currencyCode: 'KRW', amountMinor: -5 } }, 'amount.amount_minor'],
    ['an amount over the bound', { amount: { currencyCode: 'KRW', amountMinor: 100_000_001 } }, 'amount.amount_minor'],
    ['a missing card token', { cardToken: '' }, 'card_token'],
    ['a card token over 128 characters', { cardToken: 't'.repeat(129) }, 'card_token'],
    ['a missing store', { storeId: '' }, 'store_id'],
    ['no items', { items: [] }, 'items'],
    ['more than 50 items', { items: Array.from({ length: 51 }, () => item) }, 'items'],
    ['a zero quantity', { items: [item, { ...item, quantity: 0 }] }, 'items[1].quantity'],
    ['a quantity over 99', { items: [{ ...item, quantity: 100 }] }, 'items[0].quantity'],
    ['an item without menu item id', { items: [{ ...item, menuItemId: '' }] }, 'items[0].menu_item_id'],
    ['a delivery address over 500 characters', { deliveryAddress: 'x'.repeat(501) }, 'delivery_address'],
  ];
  for (const [name, overrides, field] of invalid) {
    it(`rejects ${name}, naming ${field}`, async () => {
      const { payments, provider, approvePayment } = setup();
      const error = await rejection(approvePayment.execute(orderService, approvePaymentCommand(overrides)));
      expect(error).to.include({ code: 'PAYMENT.INVALID_ARGUMENT', kind: 'invalid_argument', field });
      expect(provider.authorizations).to.have.lengthOf(0);
      expect(payments.size).to.equal(0);
    });
  }

  it('accepts the largest amount allowed', async () => {
    const { approvePayment } = setup();
    const payment = await approvePayment.execute(
      orderService,
      approvePaymentCommand({ amount: { currencyCode: 'KRW', amountMinor: 100_000_000 } }),
    );
    expect(payment.status).to.equal('approved');
  });
});
