import { illegalTransition } from './store-order.errors.js';

export interface Money {
  currencyCode: string;
  amountMinor: number;
}

export interface LineItem {
  menuItemId: string;
  name: string;
  quantity: number;
  unitPrice: Money;
  lineTotal: Money;
}

export type StoreOrderStatus = 'received' | 'accepted' | 'cooking' | 'delivering' | 'delivered' | 'rejected' | 'cancelled';

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

export type StoreEventType =
  | 'OrderAccepted'
  | 'CookingStarted'
  | 'DeliveryStarted'
  | 'DeliveryCompleted'
  | 'OrderRejected'
  | 'DeliveryCancelled';

export interface StoreEvent {
  type: StoreEventType;
  eventId: string;
  orderId: string;
  occurredAt: Date;
  storeId: string;
  customerId: string;
  total: Money;
  reason: string;
  /** The event that led to this one, when another service's event did. */
  causationId?: string;
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
   * The order was cancelled before its payment reached the store (events of two streams
   * can arrive in either order): remember it so the late payment does not open it.
   */
  static cancelledBeforeReceipt(orderId: string, storeId: string, customerId: string, reason: string, now: Date): StoreOrder {
    return new StoreOrder({
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
   * The customer cancelled. Before delivery the store stops and says so; once delivery has
   * started the order service refuses cancellation, so a late one changes nothing here.
   */
  cancel(reason: string, now: Date, eventId: string, causationId: string): void {
    if (!cancellable.has(this.state.status)) return;
    this.move('cancelled', 'DeliveryCancelled', now, eventId, reason, causationId);
  }

  private move(to: StoreOrderStatus, type: StoreEventType, now: Date, eventId: string, reason: string, causationId?: string): void {
    this.state = { ...this.state, status: to, statusReason: reason, updatedAt: now, version: this.state.version + 1 };
    this.raised.push({
      type,
      eventId,
      orderId: this.state.orderId,
      occurredAt: now,
      storeId: this.state.storeId,
      customerId: this.state.customerId,
      total: this.state.total,
      reason,
      ...(causationId !== undefined && { causationId }),
    });
  }
}
