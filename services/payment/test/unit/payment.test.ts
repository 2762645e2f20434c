import { expect } from 'chai';
import { Payment, VOIDED_BEFORE_APPROVAL } from '../../src/domain/payment.js';
import { approvedPayment, paymentTerms } from '../support/payment-mother.js';

const now = new Date('2026-11-24T12:00:00Z');
const later = new Date('2026-11-24T12:30:00Z');

describe('Payment', () => {
  it('is approved with PaymentApproved carrying everything the store needs', () => {
    const payment = approvedPayment({}, now, 'e-1');
    expect(payment.snapshot()).to.include({ status: 'approved', statusReason: '', version: 1 });
    const [event] = payment.newEvents();
    expect(event).to.deep.include({
      type: 'PaymentApproved',
      eventId: 'e-1',
      orderId: 'order-1',
      paymentId: 'payment-1',
      customerId: 'customer-1',
      storeId: 'store-seoul-chicken',
      deliveryAddress: '1 Gangnam-daero, Seoul',
      amount: { currencyCode: 'KRW', amountMinor: 38500 },
      occurredAt: now,
    });
    expect(event?.type === 'PaymentApproved' && event.items).to.have.length(2);
  });

  it('is declined with its reason and no event', () => {
    const payment = Payment.decline(paymentTerms(), 'card declined', now);
    expect(payment.snapshot()).to.include({ status: 'declined', statusReason: 'card declined' });
    expect(payment.newEvents()).to.have.lengthOf(0);
  });

  it('refunds an approved payment and raises PaymentRefunded', () => {
    const payment = Payment.restore(approvedPayment({}, now).snapshot());
    payment.refund('customer cancelled', later, 'e-2');
    expect(payment.snapshot()).to.include({ status: 'refunded', statusReason: 'customer cancelled', version: 2, updatedAt: later });
    expect(payment.newEvents()).to.have.length(1);
    expect(payment.newEvents()[0]).to.deep.include({
      type: 'PaymentRefunded',
      paymentId: 'payment-1',
      reason: 'customer cancelled',
      amount: { currencyCode: 'KRW', amountMinor: 38500 },
    });
  });

  it('does not refund twice', () => {
    const payment = Payment.restore({ ...approvedPayment({}, now).snapshot(), status: 'refunded', statusReason: 'first', version: 2 });
    payment.refund('second', later, 'e-3');
    expect(payment.snapshot()).to.include({ statusReason: 'first', version: 2 });
    expect(payment.newEvents()).to.have.lengthOf(0);
  });

  it('has nothing to refund when declined', () => {
    const payment = Payment.restore(Payment.decline(paymentTerms(), 'card declined', now).snapshot());
    payment.refund('cancelled', later, 'e-4');
    expect(payment.snapshot()).to.include({ status: 'declined', statusReason: 'card declined' });
    expect(payment.newEvents()).to.have.lengthOf(0);
  });

  it('can be voided before approval: declined, nothing charged, no event', () => {
    const payment = Payment.voidBeforeApproval('order-9', 'payment-9', now);
    expect(payment.snapshot()).to.include({ orderId: 'order-9', status: 'declined', statusReason: VOIDED_BEFORE_APPROVAL });
    expect(payment.snapshot().amount.amountMinor).to.equal(0);
    expect(payment.newEvents()).to.have.lengthOf(0);
  });
});
