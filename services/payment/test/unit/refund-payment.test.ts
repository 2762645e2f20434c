import { expect } from 'chai';
import { ApprovePayment } from '../../src/application/approve-payment.js';
import { GetPayment } from '../../src/application/get-payment.js';
import { RefundPayment } from '../../src/application/refund-payment.js';
import { FakePaymentProvider, InMemoryPaymentRepository, fixedClock, sequentialIds } from '../support/in-memory.js';
import { approvePaymentCommand } from '../support/payment-mother.js';
import { rejection } from '../support/rejection.js';

const orderService = { subject: 'order', role: 'service' as const };

function setup() {
  const payments = new InMemoryPaymentRepository();
  const ids = sequentialIds();
  return {
    payments,
    approvePayment: new ApprovePayment(payments, new FakePaymentProvider(), fixedClock(), ids),
    refundPayment: new RefundPayment({ payments, clock: fixedClock('2026-11-24T13:00:00Z'), ids }),
    getPayment: new GetPayment(payments),
  };
}

describe('RefundPayment', () => {
  it('refunds an approved payment and raises PaymentRefunded', async () => {
    const { payments, approvePayment, refundPayment } = setup();
    const approved = await approvePayment.execute(orderService, approvePaymentCommand());
    const refunded = await refundPayment.execute(orderService, 'order-1', 'customer cancelled');
    expect(refunded.snapshot()).to.include({
      paymentId: approved.snapshot().paymentId,
      status: 'refunded',
      statusReason: 'customer cancelled',
    });
    expect(payments.events).to.deep.equal(['PaymentApproved', 'PaymentRefunded']);
  });

  it('changes nothing when refunding again', async () => {
    const { payments, approvePayment, refundPayment } = setup();
    await approvePayment.execute(orderService, approvePaymentCommand());
    const first = await refundPayment.execute(orderService, 'order-1', 'customer cancelled');
    const second = await refundPayment.execute(orderService, 'order-1', 'asked twice');
    expect(second.snapshot()).to.deep.equal(first.snapshot());
    expect(payments.events).to.deep.equal(['PaymentApproved', 'PaymentRefunded']);
  });

  it('refunds once when two refunds run at once', async () => {
    const { payments, approvePayment, refundPayment } = setup();
    await approvePayment.execute(orderService, approvePaymentCommand());
    const results = await Promise.all([
      refundPayment.execute(orderService, 'order-1', 'first'),
      refundPayment.execute(orderService, 'order-1', 'second'),
    ]);
    expect(results.map((payment) => payment.status)).to.deep.equal(['refunded', 'refunded']);
    expect(payments.events).to.deep.equal(['PaymentApproved', 'PaymentRefunded']);
  });

  it('leaves a declined payment as it is', async () => {
    const { payments, approvePayment, refundPayment } = setup();
    await approvePayment.execute(orderService, approvePaymentCommand({ cardToken: 'tok_decline' }));
    const payment = await refundPayment.execute(orderService, 'order-1', 'customer cancelled');
    expect(payment.snapshot()).to.include({ status: 'declined', statusReason: 'card declined' });
    expect(payments.events).to.have.lengthOf(0);
  });

  it('voids an order that has no payment yet, so it can never be charged', async () => {
    const { payments, refundPayment, getPayment } = setup();
    const voided = await refundPayment.execute(orderService, 'order-7', 'order timed out');
    expect(voided.snapshot()).to.include({ orderId: 'order-7', status: 'declined', statusReason: 'voided before approval' });
    expect((await getPayment.execute(orderService, 'order-7')).status).to.equal('declined');
    expect(payments.events).to.have.lengthOf(0);
  });

  it('gives a default reason when none is given', async () => {
    const { approvePayment, refundPayment } = setup();
    await approvePayment.execute(orderService, approvePaymentCommand());
    expect((await refundPayment.execute(orderService, 'order-1', '  ')).snapshot().statusReason).to.equal('refunded on request');
  });

  it('names the field of a bad request', async () => {
    const { refundPayment } = setup();
    expect(await rejection(refundPayment.execute(orderService, '', 'why'))).to.include({ kind: 'invalid_argument', field: 'order_id' });
    expect(await rejection(refundPayment.execute(orderService, 'order-1', 'r'.repeat(501)))).to.include({
      kind: 'invalid_argument',
      field: 'reason',
    });
  });
});

describe('GetPayment', () => {
  it('finds the payment of an order', async () => {
    const { approvePayment, getPayment } = setup();
    const approved = await approvePayment.execute(orderService, approvePaymentCommand());
    expect((await getPayment.execute(orderService, 'order-1')).snapshot()).to.deep.equal(approved.snapshot());
  });

  it('answers PAYMENT.NOT_FOUND for an order without a payment', async () => {
    const { getPayment } = setup();
    expect(await rejection(getPayment.execute(orderService, 'order-unknown'))).to.include({ code: 'PAYMENT.NOT_FOUND', kind: 'not_found' });
  });

  it('names order_id when it is missing', async () => {
    const { getPayment } = setup();
    expect(await rejection(getPayment.execute(orderService, ''))).to.include({ kind: 'invalid_argument', field: 'order_id' });
  });
});
