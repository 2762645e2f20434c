import type { StoreEvent, StoreEventType } from './events.js';
import type { LineItem } from './line-item.js';
import type { Money } from './money.js';
import type { StoreOrderStatus } from './store-order-status.js';
import { illegalTransition } from './store-order.errors.js';

export type { StoreEvent, StoreEventType } from './events.js';
export type { LineItem } from './line-item.js';
export type { Money } from './money.js';
export type { StoreOrderStatus } from './store-order-status.js';

export interface StoreOrderState {
  orderId: string;
  storeId: string;
  customerId: string;
  items: LineItem[];
  total: Money;
  deliveryAddress: string;
  status: StoreOrderStatus;
  statusReason: string;
  receivedAt: Date;
  updatedAt: Date;
  version: number;
}

interface Step {
  from: readonly StoreOrderStatus[];
  to: StoreOrderStatus;
  event: StoreEventType;
}

const steps = {
  accept: { from: ['received'], to: 'accepted', event: 'OrderAccepted' },
  startCooking: { from: ['accepted'], to: 'cooking', event: 'CookingStarted' },
  startDelivery: { from: ['cooking'], to: 'delivering', event: 'DeliveryStarted' },
  completeDelivery: { from: ['delivering'], to: 'delivered', event: 'DeliveryCompleted' },
  reject: { from: ['received', 'accepted'], to: 'rejected', event: 'OrderRejected' },
} as const satisfies Record<string, Step>;

export type StoreOwnerAction = keyof typeof steps;

const cancellable: ReadonlySet<StoreOrderStatus> = new Set(['received', 'accepted', 'cooking']);

/** A paid order as the store owner handles it, from receipt to delivery. */
export class StoreOrder {
  private readonly raised: StoreEvent[] = [];

  private constructor(private state: StoreOrderState) {}

  static restore(state: StoreOrderState): StoreOrder {
    return new StoreOrder({ ...state });
  }

  /** A paid order reaches the store. */
  static receive(
    details: Omit<StoreOrderState, 'status' | 'statusReason' | 'receivedAt' | 'updatedAt' | 'version'>,
    now: Date,
  ): StoreOrder {
    return new StoreOrder({ ...details, status: 'received', statusReason: '', receivedAt: now, updatedAt: now, version: 1 });
  }

  /**
   * A cancellation or a refund reached the store before the order did (events of two streams can
   * arrive in either order): the order is remembered as cancelled, so its late arrival opens nothing.
   * With `announce`, DeliveryCancelled says so (the customer's request is decided).
   */
  static cancelledBeforeReceipt(
    orderId: string,
    storeId: string,
    customerId: string,
    reason: string,
    now: Date,
    announce?: { eventId: string; causationId: string },
  ): StoreOrder {
    const order = new StoreOrder({
      orderId,
      storeId,
      customerId,
      items: [],
      total: { currencyCode: '', amountMinor: 0 },
      deliveryAddress: '',
      status: 'cancelled',
      statusReason: reason,
      receivedAt: now,
      updatedAt: now,
      version: 1,
    });
    if (announce)
      order.raised.push({ ...order.eventBase('DeliveryCancelled', now, announce.eventId, reason), causationId: announce.causationId });
    return order;
  }

  get id(): string {
    return this.state.orderId;
  }

  get status(): StoreOrderStatus {
    return this.state.status;
  }

  snapshot(): Readonly<StoreOrderState> {
    return this.state;
  }

  newEvents(): readonly StoreEvent[] {
    return this.raised;
  }

  /** A store owner's step; an illegal one fails naming the current state. Repeating the last step changes nothing. */
  act(action: StoreOwnerAction, now: Date, eventId: string, reason = ''): void {
    const step: Step = steps[action];
    if (this.state.status === step.to) return;
    if (!step.from.includes(this.state.status)) throw illegalTransition(this.state.orderId, action, this.state.status);
    this.move(step.to, step.event, now, eventId, reason);
  }

  /**
   * The customer asks to cancel, and the store decides, atomically with its own state: before
   * delivery it stops the order (DeliveryCancelled, then the order is cancelled and refunded);
   * once delivery has started, or the order ended otherwise, it refuses (CancellationRefused).
   */
  decideCancellation(reason: string, now: Date, eventId: string, causationId: string): 'cancelled' | 'refused' | 'unchanged' {
    if (cancellable.has(this.state.status)) {
      this.move('cancelled', 'DeliveryCancelled', now, eventId, reason, causationId);
      return 'cancelled';
    }
    if (this.state.status === 'cancelled') return 'unchanged';
    const refusedInStatus = this.state.status;
    const why = refusedInStatus === 'rejected' ? 'the store rejected the order' : `delivery has started (${refusedInStatus})`;
    this.state = { ...this.state, updatedAt: now, version: this.state.version + 1 };
    this.raised.push({ ...this.eventBase('CancellationRefused', now, eventId, why), causationId, refusedInStatus });
    return 'refused';
  }

  /** The order's payment was refunded: the order stops, unless it is already out for delivery or over. */
  stopForRefund(reason: string, now: Date, eventId: string, causationId: string): boolean {
    if (!cancellable.has(this.state.status)) return false;
    this.move('cancelled', 'DeliveryCancelled', now, eventId, reason, causationId);
    return true;
  }

  private move(to: StoreOrderStatus, type: StoreEventType, now: Date, eventId: string, reason: string, causationId?: string): void {
    this.state = { ...this.state, status: to, statusReason: reason, updatedAt: now, version: this.state.version + 1 };
    this.raised.push({ ...this.eventBase(type, now, eventId, reason), ...(causationId !== undefined && { causationId }) });
  }

  private eventBase(type: StoreEventType, now: Date, eventId: string, reason: string): StoreEvent {
    return {
      type,
      eventId,
      orderId: this.state.orderId,
      occurredAt: now,
      storeId: this.state.storeId,
      customerId: this.state.customerId,
      total: this.state.total,
      reason,
    };
  }
}
