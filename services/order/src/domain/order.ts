import type { OrderEvent } from './events.js';
import type { LineItem } from './line-item.js';
import type { Money } from './money.js';
import { cannotCancel } from './order.errors.js';

export type { LineItem } from './line-item.js';

export type OrderStatus = 'paid' | 'accepted' | 'cooking' | 'delivering' | 'delivered' | 'cancelled' | 'rejected';

export interface OrderState {
  orderId: string;
  customerId: string;
  storeId: string;
  items: LineItem[];
  total: Money;
  deliveryAddress: string;
  status: OrderStatus;
  statusReason: string;
  paymentId: string;
  placedAt: Date;
  updatedAt: Date;
  /** Incremented on every change; guards against lost updates. */
  version: number;
}

const cancellable: ReadonlySet<OrderStatus> = new Set(['paid', 'accepted', 'cooking']);

/** How far along the store's work an order is; the status only ever moves forward. */
const progress: Record<OrderStatus, number> = { paid: 0, accepted: 1, cooking: 2, delivering: 3, delivered: 4, cancelled: 9, rejected: 9 };

export type StoreProgress = 'accepted' | 'cooking' | 'delivering' | 'delivered' | 'rejected';

/** The customer's order. It exists only once paid: an unpaid order is never accepted. */
export class Order {
  private readonly raised: OrderEvent[] = [];

  private constructor(private state: OrderState) {}

  static restore(state: OrderState): Order {
    return new Order({ ...state });
  }

  /** A paid order, ready for the store. */
  static placePaid(
    details: Omit<OrderState, 'status' | 'statusReason' | 'placedAt' | 'updatedAt' | 'version'>,
    now: Date,
    eventId: string,
  ): Order {
    const order = new Order({ ...details, status: 'paid', statusReason: '', placedAt: now, updatedAt: now, version: 1 });
    order.raised.push({
      type: 'OrderPlaced',
      eventId,
      orderId: details.orderId,
      occurredAt: now,
      customerId: details.customerId,
      storeId: details.storeId,
      items: details.items,
      total: details.total,
      deliveryAddress: details.deliveryAddress,
      paymentId: details.paymentId,
    });
    return order;
  }

  get id(): string {
    return this.state.orderId;
  }

  get status(): OrderStatus {
    return this.state.status;
  }

  snapshot(): Readonly<OrderState> {
    return this.state;
  }

  /** Events raised since the order was loaded, to be stored with it. */
  newEvents(): readonly OrderEvent[] {
    return this.raised;
  }

  /** Allowed until delivery has started; cancelling twice changes nothing. */
  cancel(reason: string, now: Date, eventId: string): void {
    if (this.state.status === 'cancelled') return;
    if (!cancellable.has(this.state.status)) throw cannotCancel(this.state.orderId, this.state.status);
    this.change({ status: 'cancelled', statusReason: reason }, now);
    this.raised.push({
      type: 'OrderCancelled',
      eventId,
      orderId: this.state.orderId,
      occurredAt: now,
      customerId: this.state.customerId,
      storeId: this.state.storeId,
      paymentId: this.state.paymentId,
      total: this.state.total,
      reason,
    });
  }

  /**
   * The store moved the order on. Events may arrive late or twice: a step behind the current
   * one changes nothing, and nothing moves a cancelled or rejected order. True if it changed.
   */
  followStore(step: StoreProgress, reason: string, now: Date): boolean {
    const current = this.state.status;
    if (current === 'cancelled' || current === 'rejected') return false;
    if (step === 'rejected') {
      if (progress[current] >= progress.delivering) return false;
    } else if (progress[step] <= progress[current]) {
      return false;
    }
    this.change({ status: step, statusReason: reason }, now);
    return true;
  }

  private change(fields: Partial<OrderState>, now: Date): void {
    this.state = { ...this.state, ...fields, updatedAt: now, version: this.state.version + 1 };
  }
}
