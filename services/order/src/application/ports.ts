import type { LineItem, Order } from '../domain/order.js';
import type { Money } from '../domain/money.js';
import type { Store } from '../domain/store.js';

export interface OrderPage {
  orders: Order[];
  /** Opaque; absent on the last page. */
  nextCursor?: string;
}

/**
 * Orders as append-only logs: version n + 1 of an order is written only if nobody wrote it
 * first, and that write stores the change and its events together.
 */
export interface OrderRepository {
  /**
   * The order as its log says; `AbandonedOrder` when its payment attempt was given up before it
   * was stored. `probablyNew`: the caller expects no order yet (a first PlaceOrder), so the
   * adapter may look for the start of the log before anything else. The answer is the same.
   */
  load(orderId: string, probablyNew?: boolean): Promise<Order | AbandonedOrder | undefined>;
  /**
   * Appends the order's pending change at its version, with its events. Throws
   * `orderChangedConcurrently` when another write took that version first: load again and decide again.
   * A new order (version 1) is written under its payment attempt.
   */
  append(order: Order, attempt?: PaymentAttempt): Promise<void>;
  /** Applies to `order` the changes its log holds after the order's version (one read when there are none). */
  refresh(order: Order): Promise<void>;
  listByCustomer(customerId: string, limit: number, cursor?: string): Promise<OrderPage>;
}

/** What version 1 of an order's log says when its payment attempt was given up and refunded. */
export class AbandonedOrder {
  constructor(
    readonly orderId: string,
    readonly reason: string,
  ) {}
}

/** A payment asked for, not yet backed by a stored order. */
export interface PaymentAttempt {
  orderId: string;
  /** Tells this attempt from another one for the same order id (a retry under the same idempotency key). */
  token: string;
  begunAt: Date;
}

/**
 * Payments asked for but not yet backed by a stored order. Recorded before payment is called;
 * the order's first version is written under it. What is left behind (timeouts, crashes, a
 * customer who never retried) is settled: the order id is claimed as abandoned, then refunded.
 */
export interface PaymentAttempts {
  begin(orderId: string, at: Date): Promise<PaymentAttempt>;
  /**
   * Claims version 1 of the order for the attempt as abandoned, so the order can never be stored
   * after its payment is refunded. `placed` when the order was stored first (nothing to refund).
   */
  abandon(attempt: PaymentAttempt, reason: string, at: Date): Promise<'abandoned' | 'placed'>;
  /** Forgets a settled attempt: declined, certainly not charged, or refunded after `abandon`. */
  close(attempt: PaymentAttempt): Promise<void>;
  /** Attempts begun before `before` whose order was not stored. */
  stale(before: Date, limit: number): Promise<PaymentAttempt[]>;
}

export interface Catalog {
  listStores(): Promise<Store[]>;
  findStore(storeId: string): Promise<Store | undefined>;
}

export interface PaymentRequest {
  orderId: string;
  customerId: string;
  amount: Money;
  cardToken: string;
  storeId: string;
  items: LineItem[];
  deliveryAddress: string;
}

export type PaymentOutcome = { approved: true; paymentId: string } | { approved: false; reason: string };

/**
 * The payment provider as ordering needs it. `approve` throws an `unavailable` OrderError
 * when payment cannot answer in time; `outcomeUnknown` then says whether it may have charged.
 */
export interface PaymentGateway {
  /**
   * Why payment would refuse a new approval right now, if it is known without asking: it is
   * failing (circuit open) or full (as many approvals in flight as it last took). Placing an
   * order then fails at once, before any I/O.
   */
  refusesNow(): { reason: string; retryAfterSeconds: number } | undefined;
  approve(request: PaymentRequest): Promise<PaymentOutcome>;
  /** Refunds, or voids if it has not been approved yet: the order id identifies the payment. */
  refund(orderId: string, reason: string): Promise<void>;
}

/** Waiting for an order to change, e.g. for the store's decision on a cancellation. */
export interface OrderChangeWait {
  /** Resolves after `ms`, or sooner once the order changed in this process. */
  until(orderId: string, ms: number): Promise<void>;
}

export type { Clock, IdGenerator } from '@fooddelivery/kernel/clock';
