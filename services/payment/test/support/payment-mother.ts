import type { ApprovePaymentCommand } from '../../src/application/approve-payment.js';
import { Payment, type PaymentTerms } from '../../src/domain/payment.js';

const krw = (amountMinor: number) => ({ currencyCode: 'KRW', amountMinor });

export const approvePaymentCommand = (overrides: Partial<ApprovePaymentCommand> = {}): ApprovePaymentCommand => ({
  orderId: 'order-1',
  customerId: 'customer-1',
  amount: krw(38500),
  cardToken: 'tok_visa',
  storeId: 'store-seoul-chicken',
  items: [
    { menuItemId: 'fried-chicken', name: 'Fried chicken', quantity: 2, unitPrice: krw(18000), lineTotal: krw(36000) },
    { menuItemId: 'cola', name: 'Cola 1.25 l', quantity: 1, unitPrice: krw(2500), lineTotal: krw(2500) },
  ],
  deliveryAddress: '1 Gangnam-daero, Seoul',
  ...overrides,
});

export const paymentTerms = (overrides: Partial<PaymentTerms> = {}): PaymentTerms => {
  const { cardToken: _cardToken, ...terms } = approvePaymentCommand();
  return { ...terms, paymentId: 'payment-1', ...overrides };
};

export const approvedPayment = (overrides: Partial<PaymentTerms> = {}, at = new Date('2026-11-24T12:00:00Z'), eventId = 'event-approved') =>
  Payment.approve(paymentTerms(overrides), at, eventId);
