import { expect } from 'chai';
import { SettlePaymentAttempts } from '../../src/application/settle-payment-attempts.js';
import { Order } from '../../src/domain/order.js';
import { FakePaymentGateway, InMemoryOrderRepository, InMemoryPaymentAttempts, fixedClock } from '../support/in-memory.js';

describe('SettlePaymentAttempts', () => {
  it('refunds old attempts without an order, closes those with one, leaves recent ones', async () => {
    const attempts = new InMemoryPaymentAttempts();
    const orders = new InMemoryOrderRepository();
    const payments = new FakePaymentGateway();
    await attempts.begin('orphan', new Date('2026-11-24T11:00:00Z'));
    await attempts.begin('stored', new Date('2026-11-24T11:00:00Z'));
    await attempts.begin('recent', new Date('2026-11-24T11:59:50Z'));
    await orders.insert(
      Order.placePaid(
        {
          orderId: 'stored',
          customerId: 'c',
          storeId: 's',
          items: [],
          total: { currencyCode: 'KRW', amountMinor: 1 },
          deliveryAddress: 'a',
          paymentId: 'p',
        },
        new Date(),
        'e',
      ),
    );

    const refunded = await new SettlePaymentAttempts(attempts, orders, payments, fixedClock('2026-11-24T12:00:00Z'), 60_000).execute();

    expect(refunded).to.deep.equal(['orphan']);
    expect(payments.refunds.map((refund) => refund.orderId)).to.deep.equal(['orphan']);
    expect([...attempts.open.keys()]).to.deep.equal(['recent']);
  });
});
