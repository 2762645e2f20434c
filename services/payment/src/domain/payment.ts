import type { PaymentEvent } from './events.js';
import type { LineItem } from './line-item.js';
import type { Money } from './money.js';

export type { LineItem } from './line-item.js';
export type { Money } from './money.js';

export type PaymentStatus = 'approved' | 'declined' | 'refunded';

export interface PaymentState {
  paymentId: string;
  orderId: string;
  customerId: string;
  amount: Money;
  status: PaymentStatus;
  /** Why it was declined or refunded; empty when approved. */
  statusReason: string;
  storeId: string;
  items: LineItem[];
  deliveryAddress: string;
  createdAt: Date;
  updatedAt: Date;
  /** Incremented on every change; guards against lost updates. */
  version: number;
}

/** What the customer asked to pay for. */
export type PaymentTerms = Omit<PaymentState, 'status' | 'statusReason' | 'createdAt' | 'updatedAt' | 'version'>;

export const VOIDED_BEFORE_APPROVAL = 'voided before approval';

/** "XXX" is ISO 4217's code for "no currency involved". */
const nothing: Money = { currencyCode: 'XXX', amountMinor: 0 };

/** The one payment of an order. Once stored, asking to pay for the order again returns it unchanged. */
export class Payment {
  private readonly raised: PaymentEvent[] = [];

  private constructor(private state: PaymentState) {}

  static restore(state: PaymentState): Payment {
    return new Payment({ ...state });
  }

  /** The provider authorized the charge: the store may take the order. */
  static approve(terms: PaymentTerms, now: Date, eventId: string): Payment {
    const payment = Payment.create(terms, 'approved', '', now);
    payment.raised.push({
      type: 'PaymentApproved',
      eventId,
      orderId: terms.orderId,
      occurredAt: now,
      paymentId: terms.paymentId,
      customerId: terms.customerId,
      amount: terms.amount,
      storeId: terms.storeId,
      items: terms.items,
      deliveryAddress: terms.deliveryAddress,
    });
    return payment;
  }

  /** The provider refused. Kept, so asking again gets the same answer; nobody acts on it, so no event. */
  static decline(terms: PaymentTerms, reason: string, now: Date): Payment {
    return Payment.create(terms, 'declined', reason, now);
  }

  /**
   * A refund arrived before any approval (the order gave up waiting). Recorded as declined,
   * so an approval that arrives later for the same order is declined and never charged.
   */
  static voidBeforeApproval(orderId: string, paymentId: string, now: Date): Payment {
    const terms = { paymentId, orderId, customerId: '', amount: nothing, storeId: '', items: [], deliveryAddress: '' };
    return Payment.create(terms, 'declined', VOIDED_BEFORE_APPROVAL, now);
  }

  private static create(terms: PaymentTerms, status: PaymentStatus, statusReason: string, now: Date): Payment {
    return new Payment({ ...terms, status, statusReason, createdAt: now, updatedAt: now, version: 1 });
  }

  get orderId(): string {
    return this.state.orderId;
  }

  get status(): PaymentStatus {
    return this.state.status;
  }

  snapshot(): Readonly<PaymentState> {
    return this.state;
  }

  /** Events raised since the payment was created or loaded, to be stored with it. */
  newEvents(): readonly PaymentEvent[] {
    return this.raised;
  }

  /** Gives an approved payment back; a refunded or declined one has nothing to give and stays as it is. */
  refund(reason: string, now: Date, eventId: string, causationId?: string): void {
    if (this.state.status !== 'approved') return;
    this.state = { ...this.state, status: 'refunded', statusReason: reason, updatedAt: now, version: this.state.version + 1 };
    this.raised.push({
      type: 'PaymentRefunded',
      eventId,
      orderId: this.state.orderId,
      occurredAt: now,
      paymentId: this.state.paymentId,
      customerId: this.state.customerId,
      amount: this.state.amount,
      reason,
      ...(causationId !== undefined && { causationId }),
    });
  }
}
