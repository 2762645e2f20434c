import { expect } from 'chai';
import { ApprovePayment } from '../../src/application/approve-payment.js';
import { RefundCancelledOrder } from '../../src/application/refund-cancelled-order.js';
import { FakePaymentProvider, InMemoryPaymentRepository, fixedClock, sequentialIds } from '../support/in-memory.js';
import { approvePaymentCommand } from '../support/payment-mother.js';

const orderService = { subject: 'order', role: 'service' as const };

const cancelled = { consumer: 'payment-refund-cancelled-order', eventId: 'order-cancelled-1' };
const rejected = { consumer: 'payment-refund-rejected-order', eventId: 'order-rejected-1' };

function setup() {
  const payments = new InMemoryPaymentRepository();
  const provider = new FakePaymentProvider();
  const ids = sequentialIds();
  return {
    payments,
    provider,
    approvePayment: new ApprovePayment(payments, provider, fixedClock(), ids),
    policy: new RefundCancelledOrder({ payments, clock: fixedClock('2026-11-24T13:00:00Z'), ids }),
  };
}

describe('RefundCancelledOrder', () => {
  it('refunds a cancelled order with the cancellation reason, naming the cancellation as the cause', async () => {
    const { payments, approvePayment, policy } = setup();
    await approvePayment.execute(orderService, approvePaymentCommand());
    await policy.execute({ orderId: 'order-1', reason: 'customer changed their mind', because: 'cancelled' }, cancelled);
    expect((await payments.findByOrderId('order-1'))?.snapshot()).to.include({
      status: 'refunded',
      statusReason: 'customer changed their mind',
    });
    const refunds = (await payments.pending(100))
      .flatMap((item) => item.events)
      .filter((event) => event.eventType.endsWith('PaymentRefunded'));
    expect(refunds).to.have.length(1);
    expect(refunds[0]).to.include({ orderId: 'order-1', causationId: 'order-cancelled-1' });
    expect(payments.handled).to.deep.equal(['payment-refund-cancelled-order/order-cancelled-1']);
  });

  it('refunds an order the store rejected, saying so', async () => {
    const { payments, approvePayment, policy } = setup();
    await approvePayment.execute(orderService, approvePaymentCommand());
    await policy.execute({ orderId: 'order-1', reason: 'out of chicken', because: 'rejected' }, rejected);
    expect((await payments.findByOrderId('order-1'))?.snapshot()).to.include({
      status: 'refunded',
      statusReason: 'rejected by the store: out of chicken',
    });
    expect(payments.events).to.deep.equal(['PaymentApproved', 'PaymentRefunded']);
  });

  it('has no second effect when the same event is delivered again', async () => {
    const { payments, approvePayment, policy } = setup();
    await approvePayment.execute(orderService, approvePaymentCommand());
    await policy.execute({ orderId: 'order-1', reason: 'customer cancelled', because: 'cancelled' }, cancelled);
    await policy.execute({ orderId: 'order-1', reason: 'customer cancelled', because: 'cancelled' }, cancelled);
    expect(payments.events).to.deep.equal(['PaymentApproved', 'PaymentRefunded']);
    expect(payments.handled).to.deep.equal(['payment-refund-cancelled-order/order-cancelled-1']);
  });

  it('refunds once when a redelivery is handled while the first delivery still is', async () => {
    const { payments, approvePayment, policy } = setup();
    await approvePayment.execute(orderService, approvePaymentCommand());
    await Promise.all([
      policy.execute({ orderId: 'order-1', reason: 'first', because: 'cancelled' }, cancelled),
      policy.execute({ orderId: 'order-1', reason: 'first', because: 'cancelled' }, cancelled),
    ]);
    expect(payments.events).to.deep.equal(['PaymentApproved', 'PaymentRefunded']);
    expect(payments.handled).to.have.length(1);
  });

  it('refunds once when the order is both cancelled and rejected by the store', async () => {
    const { payments, approvePayment, policy } = setup();
    await approvePayment.execute(orderService, approvePaymentCommand());
    await policy.execute({ orderId: 'order-1', reason: 'closed', because: 'rejected' }, rejected);
    await policy.execute({ orderId: 'order-1', reason: 'customer cancelled', because: 'cancelled' }, cancelled);
    expect((await payments.findByOrderId('order-1'))?.snapshot().statusReason).to.equal('rejected by the store: closed');
    expect(payments.events).to.deep.equal(['PaymentApproved', 'PaymentRefunded']);
  });

  it('leaves a declined payment as it is', async () => {
    const { payments, approvePayment, policy } = setup();
    await approvePayment.execute(orderService, approvePaymentCommand({ cardToken: 'tok_decline' }));
    await policy.execute({ orderId: 'order-1', reason: 'customer cancelled', because: 'cancelled' }, cancelled);
    expect((await payments.findByOrderId('order-1'))?.snapshot()).to.include({ status: 'declined', statusReason: 'card declined' });
    expect(payments.events).to.have.lengthOf(0);
  });

  it('voids an order not paid yet, so its approval arriving later is declined without charging', async () => {
    const { payments, provider, approvePayment, policy } = setup();
    await policy.execute({ orderId: 'order-1', reason: 'customer cancelled', because: 'cancelled' }, cancelled);
    expect((await payments.findByOrderId('order-1'))?.snapshot()).to.include({
      status: 'declined',
      statusReason: 'voided before approval',
    });
    expect(payments.handled).to.deep.equal(['payment-refund-cancelled-order/order-cancelled-1']);

    const late = await approvePayment.execute(orderService, approvePaymentCommand());
    expect(late.status).to.equal('declined');
    expect(provider.authorizations).to.have.lengthOf(0);
    expect(payments.events).to.have.lengthOf(0);
  });

  it('gives a reason when the event has none, and shortens one too long to store', async () => {
    const { payments, approvePayment, policy } = setup();
    await approvePayment.execute(orderService, approvePaymentCommand());
    await approvePayment.execute(orderService, approvePaymentCommand({ orderId: 'order-2' }));
    await approvePayment.execute(orderService, approvePaymentCommand({ orderId: 'order-3' }));
    await policy.execute({ orderId: 'order-1', reason: ' ', because: 'cancelled' }, cancelled);
    await policy.execute({ orderId: 'order-2', reason: '', because: 'rejected' }, rejected);
    await policy.execute(
      { orderId: 'order-3', reason: 'x'.repeat(1_000), because: 'rejected' },
      { ...rejected, eventId: 'order-rejected-2' },
    );
    expect((await payments.findByOrderId('order-1'))?.snapshot().statusReason).to.equal('order cancelled');
    expect((await payments.findByOrderId('order-2'))?.snapshot().statusReason).to.equal('rejected by the store');
    expect((await payments.findByOrderId('order-3'))?.snapshot().statusReason).to.have.length(500);
  });
});
