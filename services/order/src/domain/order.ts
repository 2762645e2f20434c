import type { OrderEvent } from './events.js';
import type { LineItem } from './line-item.js';
import type { Money } from './money.js';
import { cannotCancel } from './order.errors.js';

export type { LineItem } from './line-item.js';

export type OrderStatus = 'paid' | 'accepted' | 'cooking' | 'delivering' | 'delivered' | 'cancelled' | 'rejected';

/** Where the customer's request to cancel stands. The store decides it, not the order. */
export type CancellationStatus = 'none' | 'requested' | 'refused' | 'accepted';

export type StoreProgress = 'accepted' | 'cooking' | 'delivering' | 'delivered';

export interface OrderDetails {
  orderId: string;
  customerId: string;
  storeId: string;
  items: LineItem[];
  total: Money;
  deliveryAddress: string;
  paymentId: string;
  /** A digest of what the customer asked for, to tell a retry from another request under the same idempotency key. */
  requestFingerprint: string;
}

export interface OrderState extends OrderDetails {
  status: OrderStatus;
  statusReason: string;
  cancellation: CancellationStatus;
  /** The customer's reason for cancelling, once asked. */
  cancellationReason: string;
  /** Why the store refused the cancellation, when it did. */
  cancellationRefusal: string;
  placedAt: Date;
  updatedAt: Date;
  /** The version of the last change in the order's log. */
  version: number;
}

/**
 * One entry of the order's log. The order is the fold of its changes; each write appends
 * exactly one, at the next version, and that append is the concurrency check.
 */
export type OrderChange =
  | { type: 'placed'; at: Date; details: OrderDetails }
  | { type: 'store_progressed'; at: Date; step: StoreProgress }
  | { type: 'rejected'; at: Date; reason: string }
  | { type: 'cancellation_requested'; at: Date; reason: string }
  | { type: 'cancellation_refused'; at: Date; reason: string }
  | { type: 'cancelled'; at: Date; reason: string };

const progress: Record<OrderStatus, number> = { paid: 0, accepted: 1, cooking: 2, delivering: 3, delivered: 4, cancelled: 9, rejected: 9 };
const finished: ReadonlySet<OrderStatus> = new Set(['delivered', 'cancelled', 'rejected']);

/** The customer's order. It exists only once paid: an unpaid order is never accepted. */
export class Order {
  private change: { change: OrderChange; events: OrderEvent[] } | undefined;

  private constructor(private state: OrderState) {}

  /** A paid order, ready for the store: version 1 of its log. */
  static placePaid(details: OrderDetails, now: Date, eventId: string): Order {
    const change: OrderChange = { type: 'placed', at: now, details };
    const order = new Order(apply(undefined, change, 1));
    order.change = {
      change,
      events: [
        {
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
        },
      ],
    };
    return order;
  }

  /**
   * The order its log describes: `changes[i]` is version i + 1; `undefined` stands for a version
   * that carries no change (a writer's slot taken over after it failed).
   */
  static fold(changes: ReadonlyArray<OrderChange | undefined>): Order | undefined {
    let state: OrderState | undefined;
    changes.forEach((change, index) => {
      if (change) state = apply(state, change, index + 1);
      else if (state) state = { ...state, version: index + 1 };
    });
    return state && new Order(state);
  }

  /** An order from a stored fold (its view), to which later changes are applied with `advance`. */
  static restore(state: OrderState): Order {
    return new Order({ ...state });
  }

  /** Applies changes found in the log after the restored version. */
  advance(version: number, change: OrderChange | undefined): void {
    this.state = change ? apply(this.state, change, version) : { ...this.state, version };
  }

  get id(): string {
    return this.state.orderId;
  }

  get status(): OrderStatus {
    return this.state.status;
  }

  get version(): number {
    return this.state.version;
  }

  snapshot(): Readonly<OrderState> {
    return this.state;
  }

  /** The change made since the order was loaded (at most one per write) and its events. */
  pendingChange(): { change: OrderChange; events: readonly OrderEvent[] } | undefined {
    return this.change;
  }

  /**
   * The customer asks to cancel. Asking again while a request is open, or after the order was
   * cancelled, changes nothing. Refused at once only when the order is known to be past the
   * point of no return; otherwise the store decides (see `storeCancelled`, `cancellationRefused`).
   */
  requestCancellation(reason: string, now: Date, eventId: string): void {
    const { status, cancellation } = this.state;
    if (status === 'cancelled' || cancellation === 'requested') return;
    if (status === 'delivering' || status === 'delivered' || status === 'rejected') throw cannotCancel(this.id, status);
    this.record({ type: 'cancellation_requested', at: now, reason }, [
      { type: 'OrderCancellationRequested', eventId, orderId: this.id, occurredAt: now, ...this.parties(), reason },
    ]);
  }

  /**
   * The store moved the order on. Events may arrive late or twice: a step behind the current one
   * changes nothing, and nothing moves a finished order. True if it changed.
   */
  followStore(step: StoreProgress, now: Date): boolean {
    const current = this.state.status;
    if (current === 'cancelled' || current === 'rejected' || progress[step] <= progress[current]) return false;
    this.record({ type: 'store_progressed', at: now, step }, []);
    return true;
  }

  /** The store refused the order (before delivery); payment refunds on the store's event. */
  rejectedByStore(reason: string, now: Date): boolean {
    if (finished.has(this.state.status)) return false;
    this.record({ type: 'rejected', at: now, reason }, []);
    return true;
  }

  /**
   * The store stopped the order (the cancellation was accepted, or its payment was refunded): now
   * it is certain. A customer's cancellation keeps the customer's own words as the reason.
   */
  storeCancelled(storeReason: string, now: Date, eventId: string): boolean {
    if (finished.has(this.state.status)) return false;
    const reason = this.state.cancellation === 'requested' ? this.state.cancellationReason : storeReason;
    this.record({ type: 'cancelled', at: now, reason }, [
      {
        type: 'OrderCancelled',
        eventId,
        orderId: this.id,
        occurredAt: now,
        ...this.parties(),
        paymentId: this.state.paymentId,
        total: this.state.total,
        reason,
      },
    ]);
    return true;
  }

  /** The store had started delivery when the request reached it: the order goes on. */
  cancellationRefused(reason: string, now: Date): boolean {
    if (this.state.cancellation !== 'requested') return false;
    this.record({ type: 'cancellation_refused', at: now, reason }, []);
    return true;
  }

  private parties() {
    return { customerId: this.state.customerId, storeId: this.state.storeId };
  }

  private record(change: OrderChange, events: OrderEvent[]): void {
    if (this.change) throw new Error(`order ${this.id}: one change per write (already ${this.change.change.type}, now ${change.type})`);
    this.state = apply(this.state, change, this.state.version + 1);
    this.change = { change, events };
  }
}

/** The order after `change`, which is version `version` of its log. */
function apply(state: OrderState | undefined, change: OrderChange, version: number): OrderState {
  if (change.type === 'placed') {
    return {
      ...change.details,
      status: 'paid',
      statusReason: '',
      cancellation: 'none',
      cancellationReason: '',
      cancellationRefusal: '',
      placedAt: change.at,
      updatedAt: change.at,
      version,
    };
  }
  if (!state) throw new Error(`the log of an order starts with 'placed', not '${change.type}'`);
  const next = { ...state, updatedAt: change.at, version };
  switch (change.type) {
    case 'store_progressed':
      return { ...next, status: change.step };
    case 'rejected':
      return { ...next, status: 'rejected', statusReason: change.reason };
    case 'cancellation_requested':
      return { ...next, cancellation: 'requested', cancellationReason: change.reason };
    case 'cancellation_refused':
      return { ...next, cancellation: 'refused', cancellationRefusal: change.reason };
    case 'cancelled':
      return {
        ...next,
        status: 'cancelled',
        statusReason: change.reason,
        cancellation: state.cancellation === 'requested' ? 'accepted' : state.cancellation,
      };
  }
}
