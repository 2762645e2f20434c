import type { HandledEvent } from '@fooddelivery/kernel/handled-event';
import type { Money } from '../domain/money.js';
import type { Payment } from '../domain/payment.js';

/**
 * With `handled`, a write also records that event as handled, in the same transaction; if it
 * already was, nothing is written and the write answers false, like any write that lost a race.
 */
export interface PaymentRepository {
  findByOrderId(orderId: string): Promise<Payment | undefined>;
  /** Stores a new payment and its events in one transaction; false when the order already has a payment. */
  insert(payment: Payment, handled?: HandledEvent): Promise<boolean>;
  /** Stores the changes and new events of a loaded payment in one transaction; false when it changed meanwhile. */
  update(payment: Payment, handled?: HandledEvent): Promise<boolean>;
}

export type Authorization = { approved: true } | { approved: false; reason: string };

/**
 * The card network's answer for one charge. Throws an `unavailable` PaymentError when it
 * cannot take the request now; rejects without an answer once `signal` aborts.
 */
export interface PaymentProvider {
  authorize(cardToken: string, amount: Money, signal: AbortSignal): Promise<Authorization>;
}

export type { Clock, IdGenerator } from '@fooddelivery/kernel/clock';
export type { HandledEvent } from '@fooddelivery/kernel/handled-event';
