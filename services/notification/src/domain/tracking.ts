/** Where an order stands, as the customer sees it. */
export type TrackingStatus = 'paid' | 'accepted' | 'cooking' | 'delivering' | 'delivered' | 'cancelled' | 'rejected' | 'refunded';

export interface Money {
  currencyCode: string;
  amountMinor: number;
}

/**
 * The status is the highest step present, whatever order the events came in: the store's steps
 * in their natural order, then the ends of an order that did not arrive (cancelled, rejected),
 * then the refund that follows them. Cancelled and rejected can both happen (the customer
 * cancels while the store rejects); ranking them fixes which one shows.
 */
const rank: Record<TrackingStatus, number> = {
  paid: 1,
  accepted: 2,
  cooking: 3,
  delivering: 4,
  delivered: 5,
  cancelled: 6,
  rejected: 7,
  refunded: 8,
};

export const trackingStatuses = Object.keys(rank) as TrackingStatus[];

/** One customer-facing status change, as an event reports it. */
export interface StatusChange {
  orderId: string;
  status: TrackingStatus;
  occurredAt: Date;
  customerId: string;
  /** Empty when the event does not carry it (PaymentRefunded). */
  storeId: string;
  total?: Money;
  /** Why, for cancellations, rejections and refunds. */
  reason: string;
}

export interface TrackingStep {
  status: TrackingStatus;
  occurredAt: Date;
  reason: string;
}

export interface OrderTrackingState {
  orderId: string;
  customerId: string;
  storeId: string;
  total?: Money;
  /** At most one per status. */
  steps: TrackingStep[];
}

/**
 * The order-tracking read model. Built from events that may come late, twice or out of order,
 * so everything here is a merge that converges: steps are keyed by status (a repeated step
 * changes nothing), and status, timeline and updatedAt are derived from the steps present.
 */
export class OrderTracking {
  private constructor(private state: OrderTrackingState) {}

  static restore(state: OrderTrackingState): OrderTracking {
    return new OrderTracking({ ...state, steps: sortSteps(state.steps) });
  }

  /** The first event seen for an order, whichever it is. */
  static start(change: StatusChange): OrderTracking {
    const tracking = new OrderTracking({ orderId: change.orderId, customerId: '', storeId: '', steps: [] });
    tracking.apply(change);
    return tracking;
  }

  get orderId(): string {
    return this.state.orderId;
  }

  get customerId(): string {
    return this.state.customerId;
  }

  get status(): TrackingStatus {
    return this.state.steps.reduce<TrackingStatus>((top, step) => (rank[step.status] > rank[top] ? step.status : top), 'paid');
  }

  /** Every step so far, oldest first. */
  get timeline(): readonly TrackingStep[] {
    return this.state.steps;
  }

  /** When the latest step happened: the same on every replica, whatever the arrival order. */
  get updatedAt(): Date {
    return new Date(Math.max(...this.state.steps.map((step) => step.occurredAt.getTime())));
  }

  has(status: TrackingStatus): boolean {
    return this.state.steps.some((step) => step.status === status);
  }

  /**
   * Nothing more will happen to the order: it was delivered, or it was cancelled or rejected and
   * its money went back. Both steps are needed, as the refund (another stream) can arrive first.
   */
  get isFinished(): boolean {
    return this.has('delivered') || (this.has('refunded') && (this.has('cancelled') || this.has('rejected')));
  }

  snapshot(): Readonly<OrderTrackingState> {
    return this.state;
  }

  /** Merges a status change in; false when it adds nothing (a repeat, or a later copy of a step). */
  apply(change: StatusChange): boolean {
    if (change.orderId !== this.state.orderId) throw new Error(`status change of ${change.orderId} applied to ${this.state.orderId}`);
    const details = mergeDetails(this.state, change);
    const steps = mergeStep(this.state.steps, change);
    if (!details && !steps) return false;
    this.state = { ...this.state, ...details, steps: steps ?? this.state.steps };
    return true;
  }
}

/**
 * OrderPlaced is the order's own record of customer, store and total; any other event fills in
 * what is still missing (a store event can arrive before OrderPlaced).
 */
function mergeDetails(state: OrderTrackingState, change: StatusChange): Partial<OrderTrackingState> | undefined {
  const authoritative = change.status === 'paid';
  const merged: Partial<OrderTrackingState> = {};
  if (change.customerId && (authoritative || !state.customerId) && change.customerId !== state.customerId) {
    merged.customerId = change.customerId;
  }
  if (change.storeId && (authoritative || !state.storeId) && change.storeId !== state.storeId) merged.storeId = change.storeId;
  if (change.total && (authoritative || !state.total) && !sameMoney(change.total, state.total)) merged.total = { ...change.total };
  return Object.keys(merged).length > 0 ? merged : undefined;
}

/** The earliest report of a step wins, so two copies with different times still converge. */
function mergeStep(steps: TrackingStep[], change: StatusChange): TrackingStep[] | undefined {
  const existing = steps.find((step) => step.status === change.status);
  if (existing && existing.occurredAt.getTime() <= change.occurredAt.getTime()) return undefined;
  const step = { status: change.status, occurredAt: new Date(change.occurredAt), reason: change.reason };
  return sortSteps([...steps.filter((candidate) => candidate !== existing), step]);
}

function sortSteps(steps: TrackingStep[]): TrackingStep[] {
  return [...steps].sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime() || rank[a.status] - rank[b.status]);
}

function sameMoney(a: Money, b: Money | undefined): boolean {
  return b !== undefined && a.currencyCode === b.currencyCode && a.amountMinor === b.amountMinor;
}
