import type { LineItem, Order } from '../domain/order.js';
import type { Money } from '../domain/money.js';
import type { Store } from '../domain/store.js';

export interface OrderPage {
  orders: Order[];
  /** Opaque; absent on the last page. */
  nextCursor?: string;
}

export interface OrderRepository {
  findById(orderId: string): Promise<Order | undefined>;
  /** Stores a new order and its events in one write; false when the id is already taken. */
  insert(order: Order): Promise<boolean>;
  /** Stores the changes and new events of a loaded order; fails if it changed meanwhile. */
  update(order: Order): Promise<void>;
  listByCustomer(customerId: string, limit: number, cursor?: string): Promise<OrderPage>;
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
  /** False while payment is known to be failing (circuit open): placing an order can fail at once. */
  isAcceptingPayments(): boolean;
  approve(request: PaymentRequest): Promise<PaymentOutcome>;
  /** Refunds, or voids if it has not been approved yet: the order id identifies the payment. */
  refund(orderId: string, reason: string): Promise<void>;
}

/**
 * Payments asked for but not yet backed by a stored order. Recorded before payment is
 * called, cleared once the order is stored; what is left behind (timeouts, crashes) is
 * settled later by refunding, so no payment is ever kept without its order.
 */
export interface PaymentAttempts {
  begin(orderId: string, at: Date): Promise<void>;
  finish(orderId: string): Promise<void>;
  /** Attempts begun before `before`. */
  unsettled(before: Date, limit: number): Promise<string[]>;
}

export interface Clock {
  now(): Date;
}

export interface IdGenerator {
  newId(): string;
  /** The same id for the same inputs: a retried order keeps its id. */
  idFor(...parts: string[]): string;
}
